import type { Member, Program, RedeemAnswer } from "./types";

// What every widget script shares: the page's configuration (rendered by the
// `loyalnest-config` snippet), the app-proxy calls and locale-aware formatting. Bundled into each
// script; kept small because the launcher's bytes load on every page of the shop.

export interface Config {
  /** The app proxy on this storefront, e.g. /apps/loyalnest or /fr/apps/loyalnest. */
  proxy: string;
  locale: string;
  rtl: boolean;
  /** Shop currency and the currency prices are shown in. */
  currency: string;
  presentment: string;
  loggedIn: boolean;
  loginUrl: string;
  registerUrl: string;
  panelJs: string;
  /** The merchant's points name from the theme editor; empty: the program's, else the language's. */
  pointsName: string;
  t: Record<string, string>;
}

export class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

interface Shared {
  program?: Promise<Program>;
}

const shared: Shared = ((window as unknown as { __loyalnest?: Shared }).__loyalnest ??= {});

/**
 * The page's configuration. Each block renders the snippet with the strings it needs; the
 * strings of all of them are merged, so the panel finds its own whichever block came first.
 */
export function readConfig(): Config | null {
  const copies: Config[] = [];
  for (const el of document.querySelectorAll<HTMLScriptElement>("script.loyalnest-config")) {
    try {
      copies.push(JSON.parse(el.textContent || "{}") as Config);
    } catch {
      // A damaged copy (a theme that rewrote it): the others still work.
    }
  }
  if (!copies.length) return null;
  const config: Config = { ...copies[0], t: Object.assign({}, ...copies.map((c) => c.t)) };
  const named = document.querySelector<HTMLElement>("[data-loyalnest-points-name]");
  return { ...config, pointsName: named?.dataset.loyalnestPointsName?.trim() || "" };
}

async function proxyJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...init, headers: { Accept: "application/json", ...init?.headers } });
  } catch {
    throw new ProxyError(0, "network");
  }
  const body = (await response.json().catch(() => null)) as (T & { error?: { code?: string } }) | null;
  if (!response.ok || !body) throw new ProxyError(response.status, body?.error?.code || "generic");
  return body;
}

const withLocale = (cfg: Config, path: string) => `${cfg.proxy}/${path}?locale=${encodeURIComponent(cfg.locale)}`;

/** One request per page for the public program (the browser may also cache it for a minute). */
export function loadProgram(cfg: Config): Promise<Program> {
  return (shared.program ??= proxyJson<Program>(withLocale(cfg, "program")).catch((error: unknown) => {
    shared.program = undefined;
    throw error;
  }));
}

export function loadMember(cfg: Config): Promise<Member> {
  return proxyJson<Member>(withLocale(cfg, "member"), { cache: "no-store" });
}

export function redeemReward(cfg: Config, body: { rewardId: string; points?: number; idempotencyKey: string }): Promise<RedeemAnswer> {
  return proxyJson<RedeemAnswer>(withLocale(cfg, "redeem"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** "Earn {points}" + {points: "5 points"}; the templates come from the locale files via Liquid. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export function formatNumber(cfg: Config, value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(cfg.locale, options).format(value);
}

/** An exact decimal string as money in `currency`, with the locale's symbols and digits. */
export function formatMoney(cfg: Config, amount: string | number, currency: string): string {
  return new Intl.NumberFormat(cfg.locale, { style: "currency", currency }).format(Number(amount));
}

export function formatDate(cfg: Config, iso: string): string {
  return new Intl.DateTimeFormat(cfg.locale, { dateStyle: "medium" }).format(new Date(iso));
}

/** "1 point", "5 points", "١٢ نقطة" — the language's plural form, or the merchant's own name. */
export function formatPoints(cfg: Config, value: number, programName?: string): string {
  const n = formatNumber(cfg, value);
  const custom = cfg.pointsName || (programName && programName.trim().toLowerCase() !== "points" ? programName.trim() : "");
  if (custom) return fill(cfg.t["units.named"], { n, name: custom });
  const form = new Intl.PluralRules(cfg.locale).select(value);
  return fill(cfg.t[`units.points_${form}`] ?? cfg.t["units.points_other"], { n });
}
