import { loadProgram, readConfig } from "./shared";

// The app embed's script, on every page of the shop: it only wires the launcher (rendered by
// Liquid, so nothing moves when this runs). The panel's code and data load when the shopper
// opens it, or a moment earlier when the pointer comes near the button.

interface PanelApi {
  openPanel(trigger: HTMLElement): void;
}

function start() {
  const cfg = readConfig();
  const launcher = document.querySelector<HTMLButtonElement>("[data-loyalnest-launcher]");
  if (!cfg || !launcher) return;
  let panel: Promise<PanelApi> | undefined;

  const loaded = () => (window as unknown as { LoyalNestPanel?: PanelApi }).LoyalNestPanel;
  const loadPanel = () =>
    // A loyalty page block on the same page may have loaded the panel's code already.
    (panel ??= new Promise<PanelApi>((resolve, reject) => {
      const ready = loaded();
      if (ready) return resolve(ready);
      const script = document.createElement("script");
      script.src = cfg.panelJs;
      script.async = true;
      script.onload = () => {
        const api = loaded();
        if (api) resolve(api);
        else reject(new Error("panel"));
      };
      script.onerror = () => {
        panel = undefined;
        script.remove();
        reject(new Error("panel"));
      };
      document.head.append(script);
    }));

  const warmUp = () => {
    loadPanel().catch(() => undefined);
    loadProgram(cfg).catch(() => undefined);
  };

  const open = (trigger: HTMLElement) => {
    launcher.setAttribute("aria-busy", "true");
    loadPanel()
      .then((api) => api.openPanel(trigger))
      .catch(() => undefined)
      .finally(() => launcher.removeAttribute("aria-busy"));
  };

  launcher.addEventListener("click", () => open(launcher));
  launcher.addEventListener("pointerenter", warmUp, { once: true });
  launcher.addEventListener("focus", warmUp, { once: true });
  // Links anywhere on the page can open it: <a href="#loyalnest"> or data-loyalnest-open.
  document.addEventListener("click", (event) => {
    const link = (event.target as Element | null)?.closest<HTMLElement>('a[href="#loyalnest"], [data-loyalnest-open]');
    if (!link) return;
    event.preventDefault();
    open(link);
  });
  if (location.hash === "#loyalnest") open(launcher);
}

start();
