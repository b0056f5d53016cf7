import { z } from "zod";
import { compare, parseDecimal, ROUNDING_MODES, ZERO } from "./rational";
import { localDateKey, parseLocalDate, WEEKDAYS } from "./time";

// A shop's earning program: stored as JSON in Shop.earningRules and parsed with this schema on
// every read and write, so `{}` is a complete program (defaults below) and a bad admin form gets
// one message per field.
//
// Decisions the merchant-facing copy relies on:
// - Product, collection and product-tag conditions are line-level. Exclusions always win; when
//   any include list is set, a line must match at least one of them (the lists are a union, like
//   Shopify's "applies to products or collections").
// - Customer-tag conditions are order-level. Tags compare case-insensitively, as in Shopify.
// - `conditions.timeWindows` GATE earning: outside every window an order earns nothing. A
//   "happy hour" bonus is a campaign with `timeWindows`: inside the window its multiplier
//   applies, outside the order still earns the normal rate.
// - Date bounds are either a calendar date (`2026-12-01`, whole days in the shop's time zone,
//   both ends inclusive) or a date-time with offset (`2026-12-01T09:00:00-05:00`, start
//   inclusive, end exclusive).
// - The per-day cap counts purchase points only; actions have their own once-only keys and the
//   review action its own daily limit.

export const MAX_POINTS_PER_RULE = 1_000_000;
const MAX_LIST = 1000;

const numberToString = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? String(value) : value);
const blankToUndefined = (value: unknown) =>
  value === null || (typeof value === "string" && value.trim() === "") ? undefined : value;

function positiveDecimal(max: string, example: string) {
  return z.preprocess(
    numberToString,
    z
      .string()
      .trim()
      .superRefine((value, ctx) => {
        const fail = (message: string) => ctx.addIssue({ code: "custom", input: value, message });
        if (!/^\d+(\.\d{1,4})?$/.test(value)) fail(`must be a number with at most 4 decimals, e.g. "${example}"`);
        else if (compare(parseDecimal(value), ZERO) <= 0) fail("must be greater than 0");
        else if (compare(parseDecimal(value), parseDecimal(max)) > 0) fail(`must be at most ${max}`);
      }),
  );
}

const multiplierSchema = positiveDecimal("100", "1.5");

const amountSchema = z.preprocess(
  numberToString,
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d{1,3})?$/, 'must be an amount such as "50" or "49.99"'),
);

const pointsSchema = z.int().min(0).max(MAX_POINTS_PER_RULE);
const capSchema = z.preprocess(blankToUndefined, z.int().min(1).max(1_000_000_000).optional());

function shopifyIdSchema(resource: "Product" | "Collection") {
  const gid = new RegExp(`^gid://shopify/${resource}/(\\d+)$`);
  return z.unknown().transform((value, ctx) => {
    // A number above 2^53 has already lost digits: refuse it rather than store the wrong id.
    const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : typeof value === "string" ? value.trim() : "";
    if (/^\d+$/.test(text)) return text;
    const match = gid.exec(text);
    if (match) return match[1];
    ctx.addIssue({ code: "custom", input: value, message: `must be a ${resource.toLowerCase()} id (123 or gid://shopify/${resource}/123)` });
    return z.NEVER;
  });
}

const tagSchema = z.string().trim().min(1, "must not be empty").max(255);

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A list, deduplicated (tags case-insensitively) so the stored program stays tidy. */
function listOf<T extends z.ZodType<string>>(item: T, { caseInsensitive = false } = {}) {
  return z
    .array(item)
    .max(MAX_LIST)
    .default([])
    .transform((values) => {
      const seen = new Set<string>();
      return values.filter((value) => {
        const key = caseInsensitive ? value.toLowerCase() : value;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    });
}

function includeExclude<T extends z.ZodType<string>>(item: T, caseInsensitive = false) {
  return z
    .object({ include: listOf(item, { caseInsensitive }), exclude: listOf(item, { caseInsensitive }) })
    .prefault({})
    .superRefine((value, ctx) => {
      const clash = value.include.find((a) => value.exclude.some((b) => (caseInsensitive ? sameText(a, b) : a === b)));
      if (clash !== undefined) {
        ctx.addIssue({
          code: "custom",
          input: value,
          path: ["exclude"],
          message: `${JSON.stringify(clash)} is both included and excluded`,
        });
      }
    });
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isDateBound(value: string): boolean {
  return parseLocalDate(value) !== null;
}

function isDateTimeBound(value: string): boolean {
  const match = DATE_TIME.exec(value);
  return match !== null && parseLocalDate(match[1]) !== null && !Number.isNaN(Date.parse(value));
}

const boundSchema = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .refine(
      (v) => isDateBound(v) || isDateTimeBound(v),
      "must be a date (2026-12-01) or a date and time with offset (2026-12-01T09:00:00-05:00)",
    )
    .optional(),
);

/** True when the order time is on or after a start bound (see the header for the semantics). */
export function isOnOrAfterStart(instant: Date, start: string, timeZone: string): boolean {
  return isDateBound(start) ? localDateKey(instant, timeZone) >= start : instant.getTime() >= Date.parse(start);
}

/** True when the order time has not passed an end bound: a date includes its whole day. */
export function isBeforeEnd(instant: Date, end: string, timeZone: string): boolean {
  return isDateBound(end) ? localDateKey(instant, timeZone) <= end : instant.getTime() < Date.parse(end);
}

function checkRange(start: string | undefined, end: string | undefined, ctx: z.RefinementCtx, endKey: string) {
  if (start === undefined || end === undefined) return;
  const bothDates = isDateBound(start) && isDateBound(end);
  const bothTimes = !isDateBound(start) && !isDateBound(end);
  const backwards = (bothDates && end < start) || (bothTimes && Date.parse(end) <= Date.parse(start));
  if (backwards) ctx.addIssue({ code: "custom", input: end, path: [endKey], message: "must be after the start" });
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

const timeWindowSchema = z
  .object({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1, "choose at least one day")
      .transform((days) => WEEKDAYS.filter((day) => days.includes(day))),
    start: z.string().regex(CLOCK, "must be a time of day such as 17:00"),
    end: z.string().refine((v) => CLOCK.test(v) || v === "24:00", "must be a time of day such as 19:00, or 24:00"),
  })
  .refine((w) => w.start !== w.end, {
    message: "must differ from the start (00:00 to 24:00 covers the whole day)",
    path: ["end"],
  });

const campaignScopeSchema = z.object({
  productIds: listOf(shopifyIdSchema("Product")),
  collectionIds: listOf(shopifyIdSchema("Collection")),
  productTags: listOf(tagSchema, { caseInsensitive: true }),
});

const campaignSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '-' or '_'"),
    name: z.string().trim().min(1, "must not be empty").max(100),
    enabled: z.boolean().default(true),
    multiplier: multiplierSchema,
    startsAt: boundSchema,
    endsAt: boundSchema,
    timeWindows: z.array(timeWindowSchema).max(50).default([]),
    scope: campaignScopeSchema.optional(),
  })
  .superRefine((campaign, ctx) => checkRange(campaign.startsAt, campaign.endsAt, ctx, "endsAt"));

function actionSchema(defaultPoints: number) {
  return z.object({ enabled: z.boolean().default(false), points: pointsSchema.default(defaultPoints) }).prefault({});
}

export const earningProgramSchema = z.object({
  purchase: z
    .object({
      enabled: z.boolean().default(true),
      /** Points per whole unit of the shop currency (per dollar, per yen, per dinar). */
      pointsPerUnit: positiveDecimal("100000", "1").default("1"),
      includeShipping: z.boolean().default(false),
      includeTaxes: z.boolean().default(false),
      includeGiftCards: z.boolean().default(false),
      subtractDiscounts: z.boolean().default(true),
      rounding: z.enum(ROUNDING_MODES).default("floor"),
      /** Compared with the order's eligible amount (what points are earned on), in shop currency. */
      minimumOrder: z.preprocess(blankToUndefined, amountSchema.optional()),
    })
    .prefault({}),
  conditions: z
    .object({
      products: includeExclude(shopifyIdSchema("Product")),
      collections: includeExclude(shopifyIdSchema("Collection")),
      productTags: includeExclude(tagSchema, true),
      customerTags: includeExclude(tagSchema, true),
      dateRange: z
        .object({ start: boundSchema, end: boundSchema })
        .superRefine((range, ctx) => checkRange(range.start, range.end, ctx, "end"))
        .optional(),
      timeWindows: z.array(timeWindowSchema).max(50).default([]),
    })
    .prefault({}),
  caps: z.object({ perOrderCap: capSchema, perDayCap: capSchema }).prefault({}),
  actions: z
    .object({
      signup: actionSchema(100),
      newsletter: actionSchema(50),
      birthday: actionSchema(100),
      review: z
        .object({
          enabled: z.boolean().default(false),
          points: pointsSchema.default(25),
          perDayLimit: z.int().min(1).max(100).default(1),
        })
        .prefault({}),
    })
    .prefault({}),
  multipliers: z
    .object({
      tiers: z.record(z.string().trim().min(1).max(64), multiplierSchema).default({}),
      campaigns: z
        .array(campaignSchema)
        .max(100)
        .default([])
        .superRefine((campaigns, ctx) => {
          campaigns.forEach((campaign, index) => {
            if (campaigns.findIndex((c) => c.id === campaign.id) !== index) {
              ctx.addIssue({ code: "custom", input: campaign.id, path: [index, "id"], message: "is used by another campaign" });
            }
          });
        }),
      segments: z
        .array(z.object({ customerTag: tagSchema, multiplier: multiplierSchema }))
        .max(100)
        .default([])
        .superRefine((segments, ctx) => {
          segments.forEach((segment, index) => {
            if (segments.findIndex((s) => sameText(s.customerTag, segment.customerTag)) !== index) {
              ctx.addIssue({ code: "custom", input: segment.customerTag, path: [index, "customerTag"], message: "has another multiplier already" });
            }
          });
        }),
    })
    .prefault({}),
});

export type EarningProgram = z.output<typeof earningProgramSchema>;
/** What admin forms may send: every field optional, numbers accepted where decimals are expected. */
export type EarningProgramInput = z.input<typeof earningProgramSchema>;
export type TimeWindow = z.output<typeof timeWindowSchema>;
export type Campaign = EarningProgram["multipliers"]["campaigns"][number];

export interface ProgramIssue {
  /** Dotted path of the form field, e.g. `purchase.pointsPerUnit` or `multipliers.campaigns.0.name`. */
  path: string;
  message: string;
}

export class EarningProgramError extends Error {
  constructor(public readonly issues: ProgramIssue[]) {
    super(`Invalid earning program:\n${issues.map((i) => `  - ${i.path || "(program)"}: ${i.message}`).join("\n")}`);
    this.name = "EarningProgramError";
  }
}

const TYPE_NAMES: Record<string, string> = {
  boolean: "true or false",
  int: "a whole number",
  number: "a number",
  string: "text",
  array: "a list",
  object: "an object",
  record: "an object",
};

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "too_small":
      return issue.origin === "array"
        ? `must have at least ${issue.minimum} item(s)`
        : issue.origin === "string"
          ? "must not be empty"
          : `must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array"
        ? `must have at most ${issue.maximum} items`
        : issue.origin === "string"
          ? `must be at most ${issue.maximum} characters`
          : `must be at most ${issue.maximum}`;
    case "invalid_value":
      return `must be one of: ${issue.values.map((v) => String(v)).join(", ")}`;
    default:
      return issue.message;
  }
}

export type ProgramParseResult = { success: true; program: EarningProgram } | { success: false; issues: ProgramIssue[] };

export function safeParseEarningProgram(json: unknown): ProgramParseResult {
  const result = earningProgramSchema.safeParse(json ?? {}, { reportInput: true });
  if (result.success) return { success: true, program: result.data };
  return {
    success: false,
    issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: describeIssue(issue) })),
  };
}

/** Parses stored or submitted program JSON, applying defaults; throws EarningProgramError. */
export function parseEarningProgram(json: unknown): EarningProgram {
  const result = safeParseEarningProgram(json);
  if (!result.success) throw new EarningProgramError(result.issues);
  return result.program;
}

/** The default program, as stored for a new shop. */
export function defaultEarningProgram(): EarningProgram {
  return parseEarningProgram({});
}

/** Which per-line facts the earning engine needs that order webhooks do not carry. */
export function programNeedsEnrichment(program: EarningProgram): { productTags: boolean; collectionIds: boolean } {
  const { conditions, multipliers } = program;
  const scoped = multipliers.campaigns.filter((c) => c.enabled && c.scope);
  return {
    productTags:
      conditions.productTags.include.length + conditions.productTags.exclude.length > 0 ||
      scoped.some((c) => (c.scope?.productTags.length ?? 0) > 0),
    collectionIds:
      conditions.collections.include.length + conditions.collections.exclude.length > 0 ||
      scoped.some((c) => (c.scope?.collectionIds.length ?? 0) > 0),
  };
}
