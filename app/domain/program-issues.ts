import type { z } from "zod";
import { earningProgramSchema, type EarningProgram } from "./program";

// The program editor validates with the engine's own schema (app/domain/program.ts) and shows
// each problem at its field, in the admin's language. The schema speaks English; this turns each
// zod issue into a code and parameters that i18next translates (`program.errors.<code>`).

export const PROGRAM_ISSUE_CODES = [
  "required",
  "wholeNumber",
  "invalid",
  "min",
  "max",
  "empty",
  "tooLong",
  "minItems",
  "maxItems",
  "oneOf",
  "decimal",
  "positive",
  "amount",
  "productId",
  "collectionId",
  "includedAndExcluded",
  "dateBound",
  "afterStart",
  "days",
  "clock",
  "clockEnd",
  "emptyWindow",
  "campaignId",
  "duplicateCampaign",
  "duplicateSegment",
] as const;

export type ProgramIssueCode = (typeof PROGRAM_ISSUE_CODES)[number];

export interface TranslatableIssue {
  /** Dotted path of the field, e.g. `purchase.pointsPerUnit` or `multipliers.campaigns.0.name`. */
  path: string;
  code: ProgramIssueCode;
  params: Record<string, string | number>;
}

// The schema's own messages (program.ts), each with the code it stands for. A message not listed
// here falls back to "invalid"; a unit test makes every message the schema can produce appear here.
const CUSTOM_MESSAGES: { pattern: RegExp; code: ProgramIssueCode; params?: (match: RegExpExecArray) => Record<string, string> }[] = [
  { pattern: /^must be a number with at most 4 decimals, e\.g\. "(.+)"$/, code: "decimal", params: (m) => ({ example: m[1] }) },
  { pattern: /^must be greater than 0$/, code: "positive" },
  { pattern: /^must be at most (\d+(?:\.\d+)?)$/, code: "max", params: (m) => ({ maximum: m[1] }) },
  { pattern: /^must be an amount such as /, code: "amount" },
  { pattern: /^must be a product id /, code: "productId" },
  { pattern: /^must be a collection id /, code: "collectionId" },
  { pattern: /^must not be empty$/, code: "empty" },
  { pattern: /^(.+) is both included and excluded$/, code: "includedAndExcluded", params: (m) => ({ value: safeJsonString(m[1]) }) },
  { pattern: /^must be a date \(/, code: "dateBound" },
  { pattern: /^must be after the start$/, code: "afterStart" },
  { pattern: /^choose at least one day$/, code: "days" },
  { pattern: /^must be a time of day such as 17:00$/, code: "clock" },
  { pattern: /^must be a time of day such as 19:00, or 24:00$/, code: "clockEnd" },
  { pattern: /^must differ from the start/, code: "emptyWindow" },
  { pattern: /^must be 1-64 letters/, code: "campaignId" },
  { pattern: /^is used by another campaign$/, code: "duplicateCampaign" },
  { pattern: /^has another multiplier already$/, code: "duplicateSegment" },
];

function safeJsonString(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "string" ? value : text;
  } catch {
    return text;
  }
}

function translateIssue(issue: z.core.$ZodIssue, prefix: string): TranslatableIssue {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
  // The schema's own words win, also on built-in checks given a message (`.min(1, "choose at least one day")`).
  for (const known of CUSTOM_MESSAGES) {
    const match = known.pattern.exec(issue.message);
    if (match) return { path, code: known.code, params: known.params?.(match) ?? {} };
  }
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return { path, code: "required", params: {} };
      return { path, code: issue.expected === "int" || issue.expected === "number" ? "wholeNumber" : "invalid", params: {} };
    case "too_small":
      if (issue.origin === "array") return { path, code: "minItems", params: { minimum: Number(issue.minimum) } };
      if (issue.origin === "string") return { path, code: "empty", params: {} };
      return { path, code: "min", params: { minimum: Number(issue.minimum) } };
    case "too_big":
      if (issue.origin === "array") return { path, code: "maxItems", params: { maximum: Number(issue.maximum) } };
      if (issue.origin === "string") return { path, code: "tooLong", params: { maximum: Number(issue.maximum) } };
      return { path, code: "max", params: { maximum: Number(issue.maximum) } };
    case "invalid_value":
      return { path, code: "oneOf", params: { values: issue.values.map(String).join(", ") } };
    default:
      return { path, code: "invalid", params: {} };
  }
}

/** Zod issues as translatable field errors; `prefix` is put before each path (e.g. "program"). */
export function translateIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): TranslatableIssue[] {
  return issues.map((issue) => translateIssue(issue, prefix));
}

export type ProgramValidation = { success: true; program: EarningProgram } | { success: false; issues: TranslatableIssue[] };

/** Parses a submitted program with the engine's schema; problems come back field by field. */
export function validateProgramInput(input: unknown, prefix = ""): ProgramValidation {
  const result = earningProgramSchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return { success: true, program: result.data };
  return { success: false, issues: translateIssues(result.error.issues, prefix) };
}

/** For tests: the message of an issue the mapping does not know, or null. */
export function unmappedMessage(issue: z.core.$ZodIssue): string | null {
  if (["invalid_type", "too_small", "too_big", "invalid_value"].includes(issue.code)) return null;
  return CUSTOM_MESSAGES.some((known) => known.pattern.test(issue.message)) ? null : issue.message;
}
