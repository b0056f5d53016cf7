import { z } from "zod";
import { MAX_POINTS_PER_RULE, type EarningProgramInput } from "./program";
import { pointsNameSchema } from "./program-settings";

// The first-run setup: a few steps from install to a live program. Each step is saved on its
// own, so a merchant who leaves comes back to the first step not done yet. Launching turns the
// program on and ends the onboarding.

export const ONBOARDING_STEPS = ["pointsName", "earning", "reward", "widget"] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];
/** The last screen: a review of the steps and the launch button. */
export const LAUNCH_STEP = "launch" as const;
export type OnboardingScreen = OnboardingStep | typeof LAUNCH_STEP;

/** What the earning step suggests: generous enough to notice, cheap enough to afford. */
export const SUGGESTED_EARNING = { pointsPerUnit: "5", signupPoints: 100, birthdayPoints: 100 } as const;

export interface OnboardingProgress {
  completedSteps: OnboardingStep[];
  completedAt: Date | null;
}

export function isOnboardingStep(value: string): value is OnboardingStep {
  return (ONBOARDING_STEPS as readonly string[]).includes(value);
}

/** Steps as stored (unknown names from an older release are dropped), in their order. */
export function normalizeSteps(stored: readonly string[]): OnboardingStep[] {
  return ONBOARDING_STEPS.filter((step) => stored.includes(step));
}

/** Where a returning merchant resumes: the first step not done, or the review. */
export function resumeScreen(progress: OnboardingProgress): OnboardingScreen {
  return ONBOARDING_STEPS.find((step) => !progress.completedSteps.includes(step)) ?? LAUNCH_STEP;
}

const wholePoints = z.int().min(0).max(MAX_POINTS_PER_RULE);

/** The forms of each step, as posted (numbers arrive as text from a form). */
export const onboardingStepSchemas = {
  pointsName: z.object({ pointsName: pointsNameSchema }),
  earning: z.object({
    pointsPerUnit: z.string().trim(),
    signupEnabled: z.boolean(),
    signupPoints: wholePoints,
    birthdayEnabled: z.boolean(),
    birthdayPoints: wholePoints,
  }),
  reward: z.object({ createStarterReward: z.boolean() }),
  widget: z.object({}),
} satisfies Record<OnboardingStep, z.ZodType>;

export type EarningStepInput = z.output<(typeof onboardingStepSchemas)["earning"]>;

/** The earning step's answers laid over the current program (the rest of it is kept). */
export function applyEarningStep(current: EarningProgramInput, input: EarningStepInput): EarningProgramInput {
  return {
    ...current,
    purchase: { ...current.purchase, enabled: true, pointsPerUnit: input.pointsPerUnit },
    actions: {
      ...current.actions,
      signup: { ...current.actions?.signup, enabled: input.signupEnabled, points: input.signupPoints },
      birthday: { ...current.actions?.birthday, enabled: input.birthdayEnabled, points: input.birthdayPoints },
    },
  };
}

/** The app embed block of the theme app extension (extensions/loyalty-widget/blocks/app-embed.liquid). */
export const APP_EMBED_HANDLE = "app-embed";

/**
 * The theme editor, opened on the App embeds panel with LoyalNest's embed switched on for the
 * merchant to save. Shopify's documented form: `https://<shop>.myshopify.com/admin/themes/current/
 * editor?context=apps&activateAppId=<api key>/<embed block handle>` (the myshopify domain, not a
 * custom one; the handle is the block's file name).
 */
export function themeEditorEmbedUrl(shop: string, apiKey: string, handle = APP_EMBED_HANDLE): string {
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw new RangeError(`not a myshopify domain: ${shop}`);
  const url = new URL(`https://${shop}/admin/themes/current/editor`);
  url.searchParams.set("context", "apps");
  url.searchParams.set("activateAppId", `${apiKey}/${handle}`);
  // URLSearchParams escapes the slash; Shopify's examples (and the editor) use it as is.
  return url.toString().replace("%2F", "/");
}
