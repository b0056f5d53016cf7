import type { Prisma } from "@prisma/client";
import prisma from "~/db.server";
import { normalizeSteps, type OnboardingStep } from "~/domain/onboarding";
import { safeParseEarningProgram, type EarningProgram } from "~/domain/program";
import { diffJson, type Change, type ProgramSettings } from "~/domain/program-settings";
import { recordAudit } from "./audit-log.server";

// A shop's earning program and its settings, as the program editor and the onboarding read and
// change them. Every change is one transaction: the shop row is locked, compared with what is
// saved, written, and audit-logged with the staff user and the diff — or nothing is.

export interface ProgramRecord {
  domain: string;
  currencyCode: string;
  ianaTimezone: string;
  programEnabled: boolean;
  /** The stored rules, with the schema's defaults applied; null when the stored JSON is invalid. */
  program: EarningProgram | null;
  rawProgram: unknown;
  settings: ProgramSettings;
  version: number;
  onboarding: { completedSteps: OnboardingStep[]; completedAt: Date | null };
}

const SELECT = {
  domain: true,
  currencyCode: true,
  ianaTimezone: true,
  programEnabled: true,
  earningRules: true,
  earnTrigger: true,
  pendingDays: true,
  pointsName: true,
  programVersion: true,
  onboardingSteps: true,
  onboardingCompletedAt: true,
} satisfies Prisma.ShopSelect;

type ShopProgramRow = Prisma.ShopGetPayload<{ select: typeof SELECT }>;

function toRecord(row: ShopProgramRow): ProgramRecord {
  const parsed = safeParseEarningProgram(row.earningRules);
  return {
    domain: row.domain,
    currencyCode: row.currencyCode,
    ianaTimezone: row.ianaTimezone,
    programEnabled: row.programEnabled,
    program: parsed.success ? parsed.program : null,
    rawProgram: row.earningRules,
    settings: { earnTrigger: row.earnTrigger, pendingDays: row.pendingDays, pointsName: row.pointsName },
    version: row.programVersion,
    onboarding: { completedSteps: normalizeSteps(row.onboardingSteps), completedAt: row.onboardingCompletedAt },
  };
}

export async function getProgramRecord(shop: string): Promise<ProgramRecord | null> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: SELECT });
  return row ? toRecord(row) : null;
}

export interface ProgramChange {
  /** The version the change was made from; a save from an older one is refused (409). Omit to skip the check. */
  expectedVersion?: number;
  program?: EarningProgram;
  settings?: Partial<ProgramSettings>;
  /** Onboarding: mark this step done in the same transaction. */
  completeStep?: OnboardingStep;
  /** Onboarding's last step: turn the program on and end the onboarding. */
  launch?: boolean;
  /** Where the change was made, for the audit log ("program_editor", "onboarding"). */
  source: string;
}

export type ProgramChangeResult =
  | { status: "saved"; version: number; changes: Change[] }
  | { status: "conflict"; version: number }
  | { status: "not_found" };

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue;

/** Applies a validated change atomically; audit rows name `actor` and list every field changed. */
export async function applyProgramChange(shop: string, actor: string, change: ProgramChange, now = new Date()): Promise<ProgramChangeResult> {
  return prisma.$transaction(async (tx) => {
    // FOR UPDATE: two saves of one shop run one after the other, each diffing against the other's result.
    const [locked] = await tx.$queryRaw<{ programVersion: number }[]>`
      SELECT "programVersion" FROM "Shop" WHERE "domain" = ${shop} FOR UPDATE`;
    if (!locked) return { status: "not_found" as const };
    if (change.expectedVersion !== undefined && change.expectedVersion !== locked.programVersion) {
      return { status: "conflict" as const, version: locked.programVersion };
    }
    const row = await tx.shop.findUniqueOrThrow({ where: { domain: shop }, select: SELECT });
    const before = toRecord(row);
    const settingsAfter = { ...before.settings, ...change.settings };
    const programChanges = change.program ? diffJson(asJson(before.program ?? before.rawProgram), asJson(change.program)) : [];
    const settingChanges = diffJson(before.settings, settingsAfter);
    const changes: Change[] = [
      ...programChanges.map((c) => ({ ...c, path: `program.${c.path}` })),
      ...settingChanges.map((c) => ({ ...c, path: `settings.${c.path}` })),
    ];
    const launching = change.launch === true && (before.onboarding.completedAt === null || !before.programEnabled);
    const steps = change.completeStep && !before.onboarding.completedSteps.includes(change.completeStep)
      ? normalizeSteps([...before.onboarding.completedSteps, change.completeStep])
      : null;
    const version = changes.length > 0 ? before.version + 1 : before.version;

    if (changes.length > 0 || launching || steps) {
      await tx.shop.update({
        where: { domain: shop },
        data: {
          ...(change.program && programChanges.length > 0 ? { earningRules: asJson(change.program) } : {}),
          ...(settingChanges.length > 0 ? settingsAfter : {}),
          programVersion: version,
          ...(steps ? { onboardingSteps: steps } : {}),
          ...(launching ? { programEnabled: true, onboardingCompletedAt: before.onboarding.completedAt ?? now } : {}),
        },
      });
    }
    if (changes.length > 0) {
      await recordAudit(shop, {
        actor,
        action: "program.updated",
        subjectType: "program",
        subjectId: String(version),
        // JSON has no undefined: a field added or removed shows as null on that side.
        details: { source: change.source, version, changes: changes.map((c) => ({ path: c.path, from: c.from ?? null, to: c.to ?? null })) },
      }, tx);
    }
    if (launching) {
      await recordAudit(shop, { actor, action: "program.launched", subjectType: "program", subjectId: String(version), details: { source: change.source } }, tx);
    }
    return { status: "saved" as const, version, changes };
  });
}

/** Just the onboarding state, for the admin layout's setup banner (read on every page). */
export async function getOnboardingProgress(shop: string) {
  const row = await prisma.shop.findUnique({
    where: { domain: shop },
    select: { onboardingSteps: true, onboardingCompletedAt: true, programEnabled: true },
  });
  return row ? { completedSteps: normalizeSteps(row.onboardingSteps), completedAt: row.onboardingCompletedAt, programEnabled: row.programEnabled } : null;
}
