import { z } from "zod";
import {
  applyEarningStep,
  isOnboardingStep,
  LAUNCH_STEP,
  ONBOARDING_STEPS,
  onboardingStepSchemas,
  resumeScreen,
  SUGGESTED_EARNING,
  themeEditorEmbedUrl,
  type OnboardingScreen,
  type OnboardingStep,
} from "~/domain/onboarding";
import { defaultEarningProgram, type EarningProgramInput } from "~/domain/program";
import { starterCatalog } from "~/domain/rewards";
import { translateIssues, validateProgramInput, type TranslatableIssue } from "~/domain/program-issues";
import { applyProgramChange, getOnboardingProgress, getProgramRecord } from "~/models/program.server";
import { countRewards } from "~/models/reward.server";
import { installStarterCatalog } from "./rewards.server";

// The onboarding (/app/onboarding): each step saves its answers and marks itself done in one
// transaction, so a merchant can leave at any point and resume where they stopped. Program
// changes go through the same audited write as the program editor.

export interface OnboardingData {
  steps: readonly OnboardingStep[];
  completedSteps: OnboardingStep[];
  completedAt: string | null;
  resume: OnboardingScreen;
  programEnabled: boolean;
  currencyCode: string;
  pointsName: string;
  earning: { pointsPerUnit: string; signupEnabled: boolean; signupPoints: number; birthdayEnabled: boolean; birthdayPoints: number };
  themeEditorUrl: string;
  rewards: { count: number; starter: { title: Record<string, string>; pointsCost: number | null }[] };
}

export async function loadOnboarding(shop: string, apiKey: string): Promise<OnboardingData | null> {
  const [record, rewardCount] = await Promise.all([getProgramRecord(shop), countRewards(shop)]);
  if (!record) return null;
  const progress = record.onboarding;
  const program = record.program ?? defaultEarningProgram();
  // Until the merchant has answered the earning step, it proposes the suggested rules.
  const answered = progress.completedSteps.includes("earning");
  return {
    steps: ONBOARDING_STEPS,
    completedSteps: progress.completedSteps,
    completedAt: progress.completedAt?.toISOString() ?? null,
    resume: resumeScreen(progress),
    programEnabled: record.programEnabled,
    currencyCode: record.currencyCode,
    pointsName: record.settings.pointsName,
    earning: answered
      ? {
          pointsPerUnit: program.purchase.pointsPerUnit,
          signupEnabled: program.actions.signup.enabled,
          signupPoints: program.actions.signup.points,
          birthdayEnabled: program.actions.birthday.enabled,
          birthdayPoints: program.actions.birthday.points,
        }
      : {
          pointsPerUnit: SUGGESTED_EARNING.pointsPerUnit,
          signupEnabled: true,
          signupPoints: SUGGESTED_EARNING.signupPoints,
          birthdayEnabled: true,
          birthdayPoints: SUGGESTED_EARNING.birthdayPoints,
        },
    themeEditorUrl: themeEditorEmbedUrl(shop, apiKey),
    rewards: {
      count: rewardCount,
      starter: starterCatalog(record.currencyCode).map((r) => ({ title: r.title as Record<string, string>, pointsCost: r.pointsCost ?? null })),
    },
  };
}

/** Form fields arrive as text: whole numbers become numbers, anything else stays text for zod to refuse. */
const formNumber = (value: unknown) => (typeof value === "string" && /^\s*\d{1,12}\s*$/.test(value) ? Number(value) : value);
const formFlag = (value: unknown) => value === "on" || value === "true";

const stepForms = {
  pointsName: onboardingStepSchemas.pointsName,
  earning: z.preprocess(
    (raw) => {
      const form = (raw ?? {}) as Record<string, unknown>;
      return {
        pointsPerUnit: form.pointsPerUnit,
        signupEnabled: formFlag(form.signupEnabled),
        signupPoints: formNumber(form.signupPoints),
        birthdayEnabled: formFlag(form.birthdayEnabled),
        birthdayPoints: formNumber(form.birthdayPoints),
      };
    },
    onboardingStepSchemas.earning,
  ),
  reward: z.preprocess((raw) => ({ createStarterReward: formFlag((raw as Record<string, unknown> | null)?.createStarterReward) }), onboardingStepSchemas.reward),
  widget: onboardingStepSchemas.widget,
} satisfies Record<OnboardingStep, z.ZodType>;

// The earning step's fields are parts of the program: its problems are shown at these inputs.
const EARNING_FIELDS: Record<string, string> = {
  "purchase.pointsPerUnit": "pointsPerUnit",
  "actions.signup.points": "signupPoints",
  "actions.birthday.points": "birthdayPoints",
};

export type OnboardingOutcome =
  | { status: 200; ok: true; step: OnboardingScreen; next: OnboardingScreen | "done" }
  | { status: 422; ok: false; step: string; issues: TranslatableIssue[] }
  | { status: 404; ok: false; step: string; issues: TranslatableIssue[] };

const refused = (step: string, path: string, code: TranslatableIssue["code"], status: 404 | 422 = 422): OnboardingOutcome => ({
  status,
  ok: false,
  step,
  issues: [{ path, code, params: {} }],
});

/** Saves one step (or launches, step "launch"); `form` is the posted form as an object. */
export async function saveOnboardingStep(shop: string, step: string, form: Record<string, unknown>, actor: string): Promise<OnboardingOutcome> {
  if (step === LAUNCH_STEP) return launch(shop, actor);
  if (!isOnboardingStep(step)) return refused(step, "form", "invalid");
  const parsed = stepForms[step].safeParse(form, { reportInput: true });
  if (!parsed.success) return { status: 422, ok: false, step, issues: translateIssues(parsed.error.issues) };

  const record = await getProgramRecord(shop);
  if (!record) return refused(step, "form", "invalid", 404);
  let change: Parameters<typeof applyProgramChange>[2] = { completeStep: step, source: "onboarding" };
  if (step === "pointsName") {
    change = { ...change, settings: { pointsName: (parsed.data as { pointsName: string }).pointsName } };
  } else if (step === "earning") {
    const current = (record.program ?? defaultEarningProgram()) as EarningProgramInput;
    const validation = validateProgramInput(applyEarningStep(current, parsed.data as z.output<typeof onboardingStepSchemas.earning>));
    if (!validation.success) {
      return {
        status: 422,
        ok: false,
        step,
        issues: validation.issues.map((issue) => ({ ...issue, path: EARNING_FIELDS[issue.path] ?? "form" })),
      };
    }
    change = { ...change, program: validation.program };
  }
  // "reward": the starter catalog, only into an empty catalog (a second submit adds nothing).
  if (step === "reward" && (parsed.data as { createStarterReward: boolean }).createStarterReward) await installStarterCatalog(shop, actor);
  // "widget": Shopify does not tell apps whether an embed is on; the merchant confirms it.
  const result = await applyProgramChange(shop, actor, change);
  if (result.status !== "saved") return refused(step, "form", "invalid", 404);
  const after = await getOnboardingProgress(shop);
  return { status: 200, ok: true, step, next: after ? resumeScreen(after) : LAUNCH_STEP };
}

async function launch(shop: string, actor: string): Promise<OnboardingOutcome> {
  const progress = await getOnboardingProgress(shop);
  if (!progress) return refused(LAUNCH_STEP, "form", "invalid", 404);
  const missing = ONBOARDING_STEPS.filter((s) => !progress.completedSteps.includes(s));
  if (missing.length > 0) {
    return { status: 422, ok: false, step: LAUNCH_STEP, issues: missing.map((s) => ({ path: `steps.${s}`, code: "required", params: {} })) };
  }
  const result = await applyProgramChange(shop, actor, { launch: true, source: "onboarding" });
  if (result.status !== "saved") return refused(LAUNCH_STEP, "form", "invalid", 404);
  return { status: 200, ok: true, step: LAUNCH_STEP, next: "done" };
}

export interface OnboardingBannerState {
  done: boolean;
  completed: number;
  total: number;
  /** The program runs (a shop from before the onboarding existed, or one paused after launch is not "done"). */
  programEnabled: boolean;
  /** A shop that never launched and has not finished setting up opens on the onboarding. */
  openOnboarding: boolean;
}

/** For the admin layout: whether to show "finish setting up", and whether home should redirect. */
export async function onboardingBannerState(shop: string): Promise<OnboardingBannerState | null> {
  const progress = await getOnboardingProgress(shop);
  if (!progress) return null;
  const done = progress.completedAt !== null;
  return {
    done,
    completed: progress.completedSteps.length,
    total: ONBOARDING_STEPS.length + 1,
    programEnabled: progress.programEnabled,
    openOnboarding: !done && !progress.programEnabled,
  };
}

/**
 * Where the admin home sends a shop that never launched and has not finished setting up: the
 * onboarding, with the query string Shopify's embedded auth needs (Remix's own `_data` dropped).
 * Null on any other page, and once the program runs.
 */
export function onboardingRedirect(request: Request, state: OnboardingBannerState | null): string | null {
  if (!state?.openOnboarding) return null;
  const url = new URL(request.url);
  if (url.pathname !== "/app" && url.pathname !== "/app/") return null;
  url.searchParams.delete("_data");
  url.searchParams.delete("index");
  const search = url.searchParams.toString();
  return `/app/onboarding${search ? `?${search}` : ""}`;
}
