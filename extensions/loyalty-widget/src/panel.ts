import {
  fill,
  formatDate,
  formatMoney,
  formatNumber,
  formatPoints,
  loadMember,
  loadProgram,
  ProxyError,
  readConfig,
  redeemReward,
  type Config,
} from "./shared";
import type { Member, Program, RewardOffer } from "./types";

// The panel: loaded only when a shopper opens the launcher (or on a page with the loyalty landing
// block, which renders the same content inline). Guests see the program and a join / log-in call
// to action; members their balance, progress, rewards they can redeem, codes and history.
// The slide-in panel is a modal <dialog> (top layer: no z-index fights with the theme); focus stays
// inside while it is open and goes back to what opened it.

type Child = Node | string | null | undefined | false;

/** An element; `props` may be just its class name. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> | string = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(typeof props === "string" ? { class: props } : props)) {
    if (value == null || value === false) continue;
    if (name === "class") el.className = String(value);
    else if (typeof value === "function") el.addEventListener(name.slice(2), value as EventListener);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  el.append(...(children.filter((c) => c !== null && c !== undefined && c !== false) as (Node | string)[]));
  return el;
}

let ids = 0;
const uid = (prefix: string) => `ln-${prefix}-${++ids}`;

interface Sections {
  earn: boolean;
  rewards: boolean;
  history: boolean;
}

function sectionsOf(el: HTMLElement | null): Sections {
  const on = (name: string) => el?.dataset[name] !== "false";
  return { earn: on("earn"), rewards: on("rewards"), history: on("history") };
}

/**
 * The content, rendered into `root`: loading, error or paused states, then balance or join call
 * to action, codes, rewards, ways to earn and history. Closures rather than a class keep the
 * minified script small (local names shrink, property names do not).
 */
function createView(cfg: Config, root: HTMLElement, sections: Sections, headingTag: "h2" | "h3") {
  let program: Program | undefined;
  let member: Member | undefined;
  let failed = false;
  let busy: string | null = null;
  let issued: string | null = null;
  const messages = new Map<string, string>();
  const sliderPoints = new Map<string, number>();
  const pendingKeys = new Map<string, string>();
  const content = h("div", "ln-content");
  const status = h("p", { class: "ln-sr", role: "status", "aria-live": "polite" });
  root.append(content, status);

  const t = (key: string, values?: Record<string, string>) => {
    const text = cfg.t[key] ?? key;
    return values ? fill(text, values) : text;
  };
  const points = (value: number) => formatPoints(cfg, value, program?.pointsName);
  const muted = (text: string) => h("p", "ln-muted", text);
  const strong = (text: string, id?: string) => h("p", { class: "ln-strong", id }, text);

  const announce = (text: string) => {
    // A change of text is what screen readers announce; clear first so a repeat is heard too.
    status.textContent = "";
    window.setTimeout(() => (status.textContent = text), 50);
  };

  async function load() {
    failed = false;
    if (!program) render();
    try {
      [program, member] = await Promise.all([loadProgram(cfg), cfg.loggedIn ? loadMember(cfg) : undefined]);
    } catch {
      failed = true;
    }
    render();
  }

  function render() {
    const parts: Child[] = [];
    if (failed) {
      parts.push(h("div", { class: "ln-card", role: "alert" }, h("p", {}, t("panel.error")), h("button", { type: "button", class: "ln-btn", onclick: () => void load() }, t("panel.retry"))));
    } else if (!program) {
      parts.push(h("p", { class: "ln-muted", role: "status" }, t("panel.loading")));
    } else if (!program.programEnabled) {
      parts.push(h("p", "ln-card", t("panel.paused")));
    } else {
      const rewards = member?.rewards ?? program.rewards ?? [];
      parts.push(member ? balance(member, rewards) : guest(program));
      const codes = (member?.codes ?? []).filter((c) => c.status === "ISSUED");
      if (codes.length) parts.push(codesSection(codes));
      if (sections.rewards) parts.push(rewardsSection(rewards));
      if (sections.earn) parts.push(waysToEarn(program));
      if (member && sections.history) parts.push(history(member));
    }
    content.replaceChildren(...(parts.filter(Boolean) as Node[]));
  }

  function section(className: string, title: string, ...children: Child[]) {
    const id = uid("s");
    return h("section", { class: `ln-section ${className}`, "aria-labelledby": id }, h(headingTag, { id, class: "ln-heading" }, title), ...children);
  }

  function guest(p: Program) {
    const signup = p.actions.find((a) => a.action === "signup");
    return h(
      "div",
      "ln-card ln-guest",
      h("p", "ln-lead", t("guest.heading")),
      h("p", {}, t("guest.text")),
      signup && strong(t("guest.signup_bonus", { points: points(signup.points) })),
      h(
        "div",
        "ln-actions",
        h("a", { class: "ln-btn", href: cfg.registerUrl }, t("guest.join")),
        h("a", { class: "ln-btn ln-btn--ghost", href: cfg.loginUrl }, t("guest.login")),
      ),
    );
  }

  function balance(m: Member, rewards: RewardOffer[]) {
    const next = rewards.filter((r) => r.pointsCost > m.available).sort((a, b) => a.pointsCost - b.pointsCost)[0];
    let progress: Child = null;
    if (next) {
      const label = t("member.next_reward", { points: points(next.pointsCost - m.available), reward: next.title });
      const percent = Math.max(0, Math.min(100, Math.floor((m.available / next.pointsCost) * 100)));
      progress = h(
        "div",
        {},
        h(
          "div",
          {
            class: "ln-progress",
            role: "progressbar",
            "aria-label": t("member.progress_label"),
            "aria-valuemin": 0,
            "aria-valuemax": next.pointsCost,
            "aria-valuenow": m.available,
            "aria-valuetext": label,
          },
          h("span", { style: `width:${percent}%` }),
        ),
        muted(label),
      );
    } else if (rewards.length) {
      progress = muted(t("member.all_unlocked"));
    }
    return h(
      "div",
      "ln-card ln-balance",
      h("p", "ln-label", t("member.balance")),
      h("p", "ln-big", points(m.available)),
      m.pending > 0 && muted(t("member.pending", { points: points(m.pending) })),
      progress,
    );
  }

  function codesSection(codes: NonNullable<Member["codes"]>) {
    return section(
      "ln-codes",
      t("codes.heading"),
      h(
        "ul",
        "ln-list",
        ...codes.map((c) => {
          const copy = h("button", { type: "button", class: "ln-btn ln-btn--small", "aria-label": t("codes.copy_label", { code: c.code }), "data-issued": c.id === issued }, t("codes.copy"));
          copy.addEventListener("click", () => void copyCode(c.code, copy));
          return h(
            "li",
            `ln-item ln-code${c.id === issued ? " ln-code--new" : ""}`,
            strong(c.title),
            h("p", "ln-code__row", h("code", "ln-code__value", c.code), copy),
            muted(t("codes.expires", { date: formatDate(cfg, c.expiresAt) })),
          );
        }),
      ),
      muted(t("codes.hint")),
    );
  }

  async function copyCode(code: string, button: HTMLButtonElement) {
    try {
      await navigator.clipboard.writeText(code);
    } catch {
      // No clipboard permission (an old browser, an insecure frame): select the code to copy by hand.
      const value = button.parentElement?.querySelector("code");
      if (value) getSelection()?.selectAllChildren(value);
    }
    // The button keeps its name (its visible text must stay part of it); a note beside it shows
    // the confirmation and the live region says it.
    const note = h("span", { class: "ln-muted", "aria-hidden": "true" }, t("codes.copied"));
    button.after(note);
    announce(t("codes.copied"));
    window.setTimeout(() => note.remove(), 2000);
  }

  function rewardsSection(rewards: RewardOffer[]) {
    return section(
      "ln-rewards",
      t("rewards.heading"),
      rewards.length ? h("ul", "ln-list", ...rewards.map(reward)) : muted(t("rewards.empty")),
    );
  }

  function reward(r: RewardOffer) {
    const titleId = uid("r");
    const message = messages.get(r.id);
    let action: Child = null;
    if (member) {
      const short = r.pointsCost - member.available;
      if (short > 0) action = muted(t("rewards.needed", { points: points(short) }));
      else if (r.slider) action = slider(r, member, titleId);
      else action = redeemButton(r, titleId);
    }
    return h(
      "li",
      "ln-item ln-reward",
      h(
        "div",
        "ln-reward__details",
        strong(r.title, titleId),
        r.description && muted(r.description),
        h("p", "ln-cost", points(r.pointsCost)),
        r.minimumSubtotal && muted(t("rewards.min_subtotal", { amount: formatMoney(cfg, r.minimumSubtotal, r.value.currencyCode) })),
        r.endsAt && muted(t("rewards.ends", { date: formatDate(cfg, r.endsAt) })),
      ),
      action,
      message && h("p", { class: "ln-error", role: "alert", tabindex: -1, "data-reward-error": r.id }, message),
    );
  }

  function redeemButton(r: RewardOffer, titleId: string, chosen?: () => number) {
    const working = busy === r.id;
    return h(
      "button",
      {
        type: "button",
        class: "ln-btn",
        "aria-describedby": titleId,
        "aria-disabled": working && "true",
        onclick: () => {
          if (!working) void redeem(r, chosen?.());
        },
      },
      t(working ? "rewards.redeeming" : "rewards.redeem"),
    );
  }

  function slider(r: RewardOffer, m: Member, titleId: string) {
    const s = r.slider as NonNullable<RewardOffer["slider"]>;
    const max = Math.max(s.min, Math.min(s.max, Math.floor((m.available - s.min) / s.step) * s.step + s.min));
    const current = Math.min(max, sliderPoints.get(r.id) ?? s.min);
    const inputId = uid("p");
    const worth = (value: number) =>
      t("rewards.slider_value", { points: points(value), amount: formatMoney(cfg, (value / s.pointsPerUnit) * Number(s.unitAmount), r.value.currencyCode) });
    const output = h("output", { for: inputId, class: "ln-strong" }, worth(current));
    const input = h("input", { id: inputId, type: "range", min: s.min, max, step: s.step, value: current, "aria-valuetext": worth(current) });
    input.addEventListener("input", () => {
      const value = Number(input.value);
      sliderPoints.set(r.id, value);
      output.textContent = worth(value);
      input.setAttribute("aria-valuetext", worth(value));
    });
    return h("div", "ln-slider", h("label", { for: inputId }, t("rewards.slider_label")), input, output, redeemButton(r, titleId, () => Number(input.value)));
  }

  async function redeem(r: RewardOffer, chosen: number | undefined) {
    // The same key for retries of the same choice: a lost answer never costs points twice.
    const slot = `${r.id}:${chosen ?? ""}`;
    const key = pendingKeys.get(slot) ?? crypto.randomUUID(); // storefronts are HTTPS: a secure context
    pendingKeys.set(slot, key);
    busy = r.id;
    messages.delete(r.id);
    render();
    let focus: string;
    try {
      const answer = await redeemReward(cfg, { rewardId: r.id, points: chosen, idempotencyKey: key });
      pendingKeys.delete(slot);
      issued = answer.redemption.id;
      announce(t("rewards.success", { code: answer.redemption.code }));
      try {
        member = await loadMember(cfg);
      } catch {
        // The refresh failed: show the new code and balance from the answer.
        if (member) member = { ...member, ...answer.balance, codes: [answer.redemption, ...(member.codes ?? [])] };
      }
      focus = "[data-issued]";
    } catch (error) {
      const code = error instanceof ProxyError ? error.code : "generic";
      // A definite refusal ends this attempt; a lost or failed answer keeps its key for the retry.
      if (error instanceof ProxyError && error.status >= 400 && error.status < 500 && error.status !== 429) pendingKeys.delete(slot);
      messages.set(r.id, cfg.t[`errors.${code}`] ?? t("errors.generic"));
      focus = `[data-reward-error="${r.id}"]`;
    }
    busy = null;
    render();
    content.querySelector<HTMLElement>(focus)?.focus();
  }

  function waysToEarn(p: Program) {
    const items: string[] = [];
    const rule = p.purchase;
    if (rule) {
      // "1 point for every ¥100" reads better than "0.01 points for every ¥1".
      const rate = Number(rule.pointsPerUnit);
      const [each, amount] = rate < 1 ? [1, Math.round((1 / rate) * 100) / 100] : [rate, 1];
      items.push(t("earn.purchase", { points: points(each), amount: formatMoney(cfg, amount, p.currency) }));
    }
    for (const a of p.actions) items.push(`${t(`earn.${a.action}`)} · ${points(a.points)}`);
    return items.length ? section("ln-earn", t("earn.heading"), h("ul", "ln-list", ...items.map((text) => h("li", "ln-item", text)))) : null;
  }

  function history(m: Member) {
    return section(
      "ln-history",
      t("history.heading"),
      m.history.length
        ? h(
            "ul",
            "ln-list",
            ...m.history.map((item) =>
              h(
                "li",
                "ln-item",
                h(
                  "span",
                  "ln-history__what",
                  cfg.t[`history.${item.type}`] ?? t("history.earn"),
                  item.status !== "posted" && h("span", "ln-badge", t(`history.${item.status}`)),
                  h("time", { class: "ln-muted", datetime: item.date }, formatDate(cfg, item.date)),
                ),
                h("span", "ln-points", formatNumber(cfg, item.points, { signDisplay: "exceptZero" })),
              ),
            ),
          )
        : muted(t("history.empty")),
    );
  }

  return { load };
}

// ---------------------------------------------------------------------------------------------
// The slide-in panel around a view.

let dialog: HTMLDialogElement | undefined;
let view: ReturnType<typeof createView> | undefined;
let opener: HTMLElement | null = null;

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter(
    (el) => !el.hasAttribute("disabled") && el.getClientRects().length > 0,
  );
}

function createPanel(cfg: Config) {
  const embed = document.querySelector<HTMLElement>("[data-loyalnest-embed]");
  const titleId = uid("title");
  const close = h(
    "button",
    { type: "button", class: "ln-close", "aria-label": cfg.t["panel.close"], onclick: () => panel.close() },
    h("span", { "aria-hidden": "true" }, "×"),
  );
  const body = h("div", "ln-panel__body");
  const panel = h(
    "dialog",
    { class: `ln-panel ln-panel--${embed?.dataset.side === "left" ? "left" : "right"}`, "aria-labelledby": titleId, lang: cfg.locale, dir: cfg.rtl ? "rtl" : "ltr" },
    h("div", "ln-panel__inner", h("div", "ln-panel__header", h("h2", { id: titleId, class: "ln-panel__title" }, cfg.t["panel.title"]), close), body),
  );
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const items = focusables(panel);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  // A click on the backdrop lands on the dialog itself (its inner box fills it).
  panel.addEventListener("click", (event) => {
    if (event.target === panel) panel.close();
  });
  panel.addEventListener("close", () => {
    document.querySelector("[data-loyalnest-launcher]")?.setAttribute("aria-expanded", "false");
    opener?.focus();
  });
  // Inside the embed's root so the merchant's colours (CSS custom properties) apply.
  (embed ?? document.body).append(panel);
  return { dialog: panel, view: createView(cfg, body, sectionsOf(embed), "h3") };
}

function openPanel(trigger: HTMLElement) {
  const cfg = readConfig();
  if (!cfg) return;
  if (!dialog || !view) ({ dialog, view } = createPanel(cfg));
  opener = trigger;
  if (!dialog.open) dialog.showModal();
  document.querySelector("[data-loyalnest-launcher]")?.setAttribute("aria-expanded", "true");
  dialog.querySelector<HTMLElement>(".ln-close")?.focus();
  // Fresh member data each time it opens (points may have changed since).
  void view.load();
}

function renderLandingBlocks() {
  const cfg = readConfig();
  if (!cfg) return;
  for (const el of document.querySelectorAll<HTMLElement>("[data-loyalnest-page]")) {
    const target = el.querySelector<HTMLElement>("[data-loyalnest-content]");
    if (!target || target.dataset.ready) continue;
    target.dataset.ready = "true";
    void createView(cfg, target, sectionsOf(el), "h3").load();
  }
}

(window as unknown as { LoyalNestPanel: { openPanel: typeof openPanel } }).LoyalNestPanel = { openPanel };
renderLandingBlocks();
