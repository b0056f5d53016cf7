import type { TraceParams, TraceStep } from "./earning";
import type { EarningProgram } from "./program";
import {
  assertTimeZone,
  daysBetweenLocalDates,
  formatLocalDate,
  isLeapYear,
  localDateKey,
  parseLocalDate,
} from "./time";

// Points for things a customer does, other than buying. Each result carries the suffix of the
// ledger idempotency key (the service prefixes shop and member), which is what makes the action
// pay once: signup and newsletter once per customer ever, the birthday once per year, a review
// once per review.

export const ACTION_TRACE_CODES = [
  "action.disabled",
  "action.granted",
  "newsletter.not_subscribed",
  "newsletter.already_subscribed",
  "birthday.invalid",
  "birthday.not_today",
  "birthday.leap_day_observed",
  "review.daily_limit",
] as const;

export type ActionTraceCode = (typeof ACTION_TRACE_CODES)[number];
export type ActionName = "signup" | "newsletter" | "birthday" | "review";

export interface ActionResult {
  points: number;
  trace: TraceStep<ActionTraceCode>[];
  idempotencyKeySuffix: string;
}

function denied(code: ActionTraceCode, params: TraceParams, idempotencyKeySuffix: string): ActionResult {
  return { points: 0, trace: [{ code, params, pointsAfter: 0 }], idempotencyKeySuffix };
}

function granted(action: ActionName, points: number, idempotencyKeySuffix: string, before: ActionResult["trace"] = []): ActionResult {
  return {
    points,
    trace: [...before, { code: "action.granted", params: { action, points }, pointsAfter: points }],
    idempotencyKeySuffix,
  };
}

export function signupPoints(program: EarningProgram): ActionResult {
  const rule = program.actions.signup;
  if (!rule.enabled) return denied("action.disabled", { action: "signup" }, "signup");
  return granted("signup", rule.points, "signup");
}

/**
 * Shopify's email marketing consent states (`subscribed`, `not_subscribed`, `pending`,
 * `unsubscribed`, `redacted`, `invalid`; GraphQL spells them in capitals). Points go to the
 * change into `subscribed`; unsubscribing and subscribing again pays nothing more, because the
 * key suffix is the same.
 */
export function newsletterPoints(input: {
  program: EarningProgram;
  previousState: string | null | undefined;
  currentState: string;
}): ActionResult {
  const rule = input.program.actions.newsletter;
  const suffix = "newsletter";
  if (!rule.enabled) return denied("action.disabled", { action: "newsletter" }, suffix);
  const current = input.currentState.toLowerCase();
  const previous = input.previousState?.toLowerCase() ?? null;
  if (current !== "subscribed") return denied("newsletter.not_subscribed", { state: current }, suffix);
  if (previous === "subscribed") return denied("newsletter.already_subscribed", {}, suffix);
  return granted("newsletter", rule.points, suffix);
}

/** Month and day of a birthday: `YYYY-MM-DD`, `--MM-DD` / `MM-DD`, or a Date (its UTC date, as PostgreSQL DATE columns load). */
export function parseBirthday(birthday: string | Date): { month: number; day: number } | null {
  if (birthday instanceof Date) {
    if (Number.isNaN(birthday.getTime())) return null;
    return { month: birthday.getUTCMonth() + 1, day: birthday.getUTCDate() };
  }
  const text = birthday.trim();
  const full = parseLocalDate(text);
  if (full) return { month: full.month, day: full.day };
  const monthDay = /^(?:--)?(\d{2})-(\d{2})$/.exec(text);
  if (!monthDay) return null;
  // Validate against a leap year so 02-29 is accepted.
  const check = parseLocalDate(`2000-${monthDay[1]}-${monthDay[2]}`);
  return check ? { month: check.month, day: check.day } : null;
}

/** The date the birthday is celebrated in `year`: 29 February falls on the 28th in common years. */
export function observedBirthday(birthday: { month: number; day: number }, year: number): string {
  const leapDay = birthday.month === 2 && birthday.day === 29 && !isLeapYear(year);
  return formatLocalDate({ year, month: birthday.month, day: leapDay ? 28 : birthday.day });
}

/**
 * Birthday points, on the birthday in the shop's time zone. `catchUpDays` lets a daily job that
 * missed days still pay a birthday that passed at most that many days ago (0 = the day itself);
 * the key suffix is the year of the birthday being celebrated, so it still pays once.
 */
export function birthdayPoints(input: {
  program: EarningProgram;
  birthday: string | Date | null | undefined;
  shopTimezone: string;
  now?: Date;
  catchUpDays?: number;
}): ActionResult {
  const { program, shopTimezone } = input;
  const catchUpDays = input.catchUpDays ?? 0;
  if (!Number.isInteger(catchUpDays) || catchUpDays < 0 || catchUpDays > 31) {
    throw new RangeError(`catchUpDays must be an integer from 0 to 31, got ${catchUpDays}`);
  }
  assertTimeZone(shopTimezone);
  const today = localDateKey(input.now ?? new Date(), shopTimezone);
  const year = Number(today.slice(0, 4));
  const rule = program.actions.birthday;
  if (!rule.enabled) return denied("action.disabled", { action: "birthday" }, `birthday:${year}`);

  const birthday = input.birthday == null ? null : parseBirthday(input.birthday);
  if (!birthday) return denied("birthday.invalid", { birthday: input.birthday == null ? null : String(input.birthday) }, `birthday:${year}`);

  // Last year's birthday matters only when catching up across New Year.
  for (const occurrenceYear of [year, year - 1]) {
    const observed = observedBirthday(birthday, occurrenceYear);
    const daysSince = daysBetweenLocalDates(observed, today);
    if (daysSince >= 0 && daysSince <= catchUpDays) {
      const leapDay = birthday.month === 2 && birthday.day === 29 && !isLeapYear(occurrenceYear);
      const before: ActionResult["trace"] = leapDay
        ? [{ code: "birthday.leap_day_observed", params: { observedOn: observed } }]
        : [];
      return granted("birthday", rule.points, `birthday:${occurrenceYear}`, before);
    }
  }
  const thisYear = observedBirthday(birthday, year);
  const next = thisYear >= today ? thisYear : observedBirthday(birthday, year + 1);
  return denied(
    "birthday.not_today",
    { today, nextBirthday: next },
    `birthday:${year}`,
  );
}

/** Review points, within the program's per-customer daily limit (the caller counts today's). */
export function reviewPoints(input: { program: EarningProgram; reviewId: string; reviewsRewardedToday: number }): ActionResult {
  const { program, reviewId, reviewsRewardedToday } = input;
  if (reviewId.trim() === "") throw new RangeError("reviewId must not be empty");
  if (!Number.isSafeInteger(reviewsRewardedToday) || reviewsRewardedToday < 0) {
    throw new RangeError(`reviewsRewardedToday must be a non-negative integer, got ${reviewsRewardedToday}`);
  }
  const suffix = `review:${reviewId.trim()}`;
  const rule = program.actions.review;
  if (!rule.enabled) return denied("action.disabled", { action: "review" }, suffix);
  if (reviewsRewardedToday >= rule.perDayLimit) {
    return denied("review.daily_limit", { limit: rule.perDayLimit, rewardedToday: reviewsRewardedToday }, suffix);
  }
  return granted("review", rule.points, suffix);
}
