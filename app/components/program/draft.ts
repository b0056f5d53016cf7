import type { EarningProgram, EarningProgramInput } from "~/domain/program";
import type { Weekday } from "~/domain/time";

// The program editor's form state: the program's own shape, with text where the merchant types
// (numbers, id and tag lists), so a half-typed value is kept as typed and the server's zod schema
// — the engine's — is the one judge of it. Error paths from the server therefore name the field
// directly (`program.purchase.pointsPerUnit`, `program.multipliers.campaigns.0.name`).

export interface WindowDraft {
  days: Weekday[];
  start: string;
  end: string;
}

export interface ListPairDraft {
  include: string;
  exclude: string;
}

export interface CampaignDraft {
  id: string;
  name: string;
  enabled: boolean;
  multiplier: string;
  startsAt: string;
  endsAt: string;
  timeWindows: WindowDraft[];
  scope: { productIds: string; collectionIds: string; productTags: string };
}

export interface ProgramDraft {
  purchase: {
    enabled: boolean;
    pointsPerUnit: string;
    includeShipping: boolean;
    includeTaxes: boolean;
    includeGiftCards: boolean;
    subtractDiscounts: boolean;
    rounding: string;
    minimumOrder: string;
  };
  conditions: {
    products: ListPairDraft;
    collections: ListPairDraft;
    productTags: ListPairDraft;
    customerTags: ListPairDraft;
    dateRange: { start: string; end: string };
    timeWindows: WindowDraft[];
  };
  caps: { perOrderCap: string; perDayCap: string };
  actions: {
    signup: { enabled: boolean; points: string };
    newsletter: { enabled: boolean; points: string };
    birthday: { enabled: boolean; points: string };
    review: { enabled: boolean; points: string; perDayLimit: string };
  };
  multipliers: {
    /** Tier multipliers have no editor yet (there are no tiers): kept as they are. */
    tiers: Record<string, string>;
    campaigns: CampaignDraft[];
    segments: { customerTag: string; multiplier: string }[];
  };
}

export interface SettingsDraft {
  earnTrigger: string;
  pendingDays: string;
  pointsName: string;
}

export interface EditorDraft {
  program: ProgramDraft;
  settings: SettingsDraft;
}

const joinList = (values: readonly string[]) => values.join(", ");
const pair = (value: { include: readonly string[]; exclude: readonly string[] }): ListPairDraft => ({ include: joinList(value.include), exclude: joinList(value.exclude) });
const windowDraft = (w: { days: readonly Weekday[]; start: string; end: string }): WindowDraft => ({ days: [...w.days], start: w.start, end: w.end });

export function draftFromProgram(program: EarningProgram, settings: { earnTrigger: string; pendingDays: number; pointsName: string }): EditorDraft {
  const { purchase, conditions, caps, actions, multipliers } = program;
  return {
    settings: { earnTrigger: settings.earnTrigger, pendingDays: String(settings.pendingDays), pointsName: settings.pointsName },
    program: {
      purchase: {
        enabled: purchase.enabled,
        pointsPerUnit: purchase.pointsPerUnit,
        includeShipping: purchase.includeShipping,
        includeTaxes: purchase.includeTaxes,
        includeGiftCards: purchase.includeGiftCards,
        subtractDiscounts: purchase.subtractDiscounts,
        rounding: purchase.rounding,
        minimumOrder: purchase.minimumOrder ?? "",
      },
      conditions: {
        products: pair(conditions.products),
        collections: pair(conditions.collections),
        productTags: pair(conditions.productTags),
        customerTags: pair(conditions.customerTags),
        dateRange: { start: conditions.dateRange?.start ?? "", end: conditions.dateRange?.end ?? "" },
        timeWindows: conditions.timeWindows.map(windowDraft),
      },
      caps: { perOrderCap: caps.perOrderCap?.toString() ?? "", perDayCap: caps.perDayCap?.toString() ?? "" },
      actions: {
        signup: { enabled: actions.signup.enabled, points: String(actions.signup.points) },
        newsletter: { enabled: actions.newsletter.enabled, points: String(actions.newsletter.points) },
        birthday: { enabled: actions.birthday.enabled, points: String(actions.birthday.points) },
        review: { enabled: actions.review.enabled, points: String(actions.review.points), perDayLimit: String(actions.review.perDayLimit) },
      },
      multipliers: {
        tiers: { ...multipliers.tiers },
        campaigns: multipliers.campaigns.map((c) => ({
          id: c.id,
          name: c.name,
          enabled: c.enabled,
          multiplier: c.multiplier,
          startsAt: c.startsAt ?? "",
          endsAt: c.endsAt ?? "",
          timeWindows: c.timeWindows.map(windowDraft),
          scope: {
            productIds: joinList(c.scope?.productIds ?? []),
            collectionIds: joinList(c.scope?.collectionIds ?? []),
            productTags: joinList(c.scope?.productTags ?? []),
          },
        })),
        segments: multipliers.segments.map((s) => ({ customerTag: s.customerTag, multiplier: s.multiplier })),
      },
    },
  };
}

/** "a, b\nc" → ["a", "b", "c"]: lists are typed comma- or line-separated. */
export function splitList(text: string): string[] {
  return text.split(/[\n,]/).map((item) => item.trim()).filter((item) => item.length > 0);
}

/** Whole numbers become numbers; anything else is sent as typed, for the schema to refuse. */
function wholeOrText(text: string): number | string {
  return /^\s*-?\d{1,15}\s*$/.test(text) ? Number(text) : text;
}

const optionalText = (text: string) => (text.trim() === "" ? undefined : text.trim());
const optionalWhole = (text: string) => (text.trim() === "" ? undefined : wholeOrText(text));
const listPair = (value: ListPairDraft) => ({ include: splitList(value.include), exclude: splitList(value.exclude) });
const windows = (list: WindowDraft[]) => list.map((w) => ({ days: w.days, start: w.start.trim(), end: w.end.trim() }));

/** The program as the server's schema reads it. */
export function programInputFromDraft(draft: ProgramDraft): EarningProgramInput {
  const { purchase, conditions, caps, actions, multipliers } = draft;
  const start = optionalText(conditions.dateRange.start);
  const end = optionalText(conditions.dateRange.end);
  return {
    purchase: {
      enabled: purchase.enabled,
      pointsPerUnit: purchase.pointsPerUnit,
      includeShipping: purchase.includeShipping,
      includeTaxes: purchase.includeTaxes,
      includeGiftCards: purchase.includeGiftCards,
      subtractDiscounts: purchase.subtractDiscounts,
      rounding: purchase.rounding as EarningProgram["purchase"]["rounding"],
      minimumOrder: optionalText(purchase.minimumOrder),
    },
    conditions: {
      products: listPair(conditions.products),
      collections: listPair(conditions.collections),
      productTags: listPair(conditions.productTags),
      customerTags: listPair(conditions.customerTags),
      dateRange: start === undefined && end === undefined ? undefined : { start, end },
      timeWindows: windows(conditions.timeWindows),
    },
    caps: { perOrderCap: optionalWhole(caps.perOrderCap) as number | undefined, perDayCap: optionalWhole(caps.perDayCap) as number | undefined },
    actions: {
      signup: { enabled: actions.signup.enabled, points: wholeOrText(actions.signup.points) as number },
      newsletter: { enabled: actions.newsletter.enabled, points: wholeOrText(actions.newsletter.points) as number },
      birthday: { enabled: actions.birthday.enabled, points: wholeOrText(actions.birthday.points) as number },
      review: {
        enabled: actions.review.enabled,
        points: wholeOrText(actions.review.points) as number,
        perDayLimit: wholeOrText(actions.review.perDayLimit) as number,
      },
    },
    multipliers: {
      tiers: multipliers.tiers,
      campaigns: multipliers.campaigns.map((c) => {
        const scope = { productIds: splitList(c.scope.productIds), collectionIds: splitList(c.scope.collectionIds), productTags: splitList(c.scope.productTags) };
        const scoped = scope.productIds.length + scope.collectionIds.length + scope.productTags.length > 0;
        return {
          id: c.id,
          name: c.name,
          enabled: c.enabled,
          multiplier: c.multiplier,
          startsAt: optionalText(c.startsAt),
          endsAt: optionalText(c.endsAt),
          timeWindows: windows(c.timeWindows),
          scope: scoped ? scope : undefined,
        };
      }),
      segments: multipliers.segments.map((s) => ({ customerTag: s.customerTag, multiplier: s.multiplier })),
    },
  };
}

/** The settings as the server's schema reads them. */
export function settingsInputFromDraft(draft: SettingsDraft) {
  return { earnTrigger: draft.earnTrigger, pendingDays: wholeOrText(draft.pendingDays), pointsName: draft.pointsName };
}

/** A new campaign: an id that stays with it, running on every line until the merchant narrows it. */
export function newCampaign(name: string): CampaignDraft {
  const id = `c-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { id, name, enabled: true, multiplier: "2", startsAt: "", endsAt: "", timeWindows: [], scope: { productIds: "", collectionIds: "", productTags: "" } };
}

export function newWindow(): WindowDraft {
  return { days: ["mon", "tue", "wed", "thu", "fri"], start: "17:00", end: "19:00" };
}

export interface FieldIssue {
  path: string;
  code: string;
  params: Record<string, string | number>;
}

/**
 * The issues to show at one field: those at its path, and those at an item of it (a list typed
 * as text reports `…include.2`), with the item's 1-based position.
 */
export function issuesAt(issues: readonly FieldIssue[], key: string): { issue: FieldIssue; item?: number }[] {
  return issues.flatMap((issue) => {
    if (issue.path === key) return [{ issue }];
    if (issue.path.startsWith(`${key}.`)) {
      const rest = issue.path.slice(key.length + 1);
      if (/^\d+$/.test(rest)) return [{ issue, item: Number(rest) + 1 }];
    }
    return [];
  });
}

/** Every field key the editor shows for this draft: an issue elsewhere goes to the page banner. */
export function editorFieldKeys(draft: EditorDraft): Set<string> {
  const keys = [
    "settings.earnTrigger", "settings.pendingDays", "settings.pointsName",
    ...["enabled", "pointsPerUnit", "includeShipping", "includeTaxes", "includeGiftCards", "subtractDiscounts", "rounding", "minimumOrder"].map((k) => `program.purchase.${k}`),
    ...["products", "collections", "productTags", "customerTags"].flatMap((k) => [`program.conditions.${k}.include`, `program.conditions.${k}.exclude`]),
    "program.conditions.dateRange.start", "program.conditions.dateRange.end",
    "program.caps.perOrderCap", "program.caps.perDayCap",
    ...["signup", "newsletter", "birthday", "review"].flatMap((k) => [`program.actions.${k}.enabled`, `program.actions.${k}.points`]),
    "program.actions.review.perDayLimit",
  ];
  const windowKeys = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => ["days", "start", "end"].map((k) => `${prefix}.${i}.${k}`)).flat();
  keys.push(...windowKeys("program.conditions.timeWindows", draft.program.conditions.timeWindows.length));
  draft.program.multipliers.campaigns.forEach((c, i) => {
    const prefix = `program.multipliers.campaigns.${i}`;
    keys.push(...["name", "multiplier", "startsAt", "endsAt", "scope.productIds", "scope.collectionIds", "scope.productTags"].map((k) => `${prefix}.${k}`));
    keys.push(...windowKeys(`${prefix}.timeWindows`, c.timeWindows.length));
  });
  draft.program.multipliers.segments.forEach((_, i) => keys.push(`program.multipliers.segments.${i}.customerTag`, `program.multipliers.segments.${i}.multiplier`));
  return new Set(keys);
}

/** The field an issue is shown at, or null when the editor has no such field. */
export function fieldKeyOf(path: string, keys: Set<string>): string | null {
  if (keys.has(path)) return path;
  const parent = path.replace(/\.\d+$/, "");
  return parent !== path && keys.has(parent) ? parent : null;
}
