import { z } from "zod";
import { MAX_PENDING_DAYS } from "./pending";
import type { EarningProgram } from "./program";
import { translateIssues, validateProgramInput, type TranslatableIssue } from "./program-issues";

// What the program editor saves besides the earning rules: when an order earns, how long its
// points wait, and what the shop calls its points. Validated with the rules, saved with them.

export const EARN_TRIGGERS = ["ORDER_PAID", "ORDER_FULFILLED"] as const;
export type EarnTriggerValue = (typeof EARN_TRIGGERS)[number];
export const POINTS_NAME_MAX_LENGTH = 30;

export const pointsNameSchema = z.string().trim().min(1).max(POINTS_NAME_MAX_LENGTH);

export const programSettingsSchema = z.object({
  earnTrigger: z.enum(EARN_TRIGGERS),
  pendingDays: z.int().min(0).max(MAX_PENDING_DAYS),
  pointsName: pointsNameSchema,
});

export type ProgramSettings = z.output<typeof programSettingsSchema>;

export interface ProgramEdit {
  program: EarningProgram;
  settings: ProgramSettings;
}

export type ProgramEditValidation = { success: true; edit: ProgramEdit } | { success: false; issues: TranslatableIssue[] };

/** The editor's whole submission, `{program, settings}`; issue paths start with "program." or "settings.". */
export function validateProgramEdit(input: { program?: unknown; settings?: unknown }): ProgramEditValidation {
  const program = validateProgramInput(input.program, "program");
  const settings = programSettingsSchema.safeParse(input.settings ?? {}, { reportInput: true });
  const issues = [...(program.success ? [] : program.issues), ...(settings.success ? [] : translateIssues(settings.error.issues, "settings"))];
  if (!program.success || !settings.success) return { success: false, issues };
  return { success: true, edit: { program: program.program, settings: settings.data } };
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Change {
  path: string;
  from: JsonValue | undefined;
  to: JsonValue | undefined;
}

const isPlainObject = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isListOfObjects = (value: unknown): value is JsonValue[] => Array.isArray(value) && value.some(isPlainObject);

/**
 * What changed between two JSON documents, leaf by leaf, for the audit log: objects and lists of
 * objects (campaigns, time windows) are walked; lists of plain values (tags, ids) compare whole.
 */
export function diffJson(before: unknown, after: unknown, path = ""): Change[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffJson(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (isListOfObjects(before) || isListOfObjects(after)) {
    const a = Array.isArray(before) ? before : [];
    const b = Array.isArray(after) ? after : [];
    if (!Array.isArray(before) || !Array.isArray(after)) return [{ path, from: before as JsonValue | undefined, to: after as JsonValue | undefined }];
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => diffJson(a[i], b[i], `${path}.${i}`)).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, from: before as JsonValue | undefined, to: after as JsonValue | undefined }];
}
