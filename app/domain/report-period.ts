import { addDaysToLocalDate, daysBetweenLocalDates, isValidTimeZone, localDateKey, localDayBounds, parseLocalDate } from "./time";

// The period an overview reports on: whole days in the shop's time zone, ending today for the
// presets (today counts as the last day), or any range of past days. Each period is compared
// with the one of the same length just before it. Pure: `now` and the time zone are inputs.

export const PERIOD_PRESETS = ["7", "30", "90"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
export const DEFAULT_PRESET: PeriodPreset = "30";
/** A custom period spans at most a year (a leap year's days). */
export const MAX_PERIOD_DAYS = 366;
/** Custom periods start no earlier than this: older dates are typing mistakes, not history. */
export const EARLIEST_DATE = "2000-01-01";

export type PeriodChoice = { kind: "preset"; preset: PeriodPreset } | { kind: "custom"; from: string; to: string };

export type PeriodError = "invalid_date" | "from_after_to" | "too_long" | "in_future" | "too_early";

export interface DayRange {
  /** First and last local days, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
  days: number;
  /** Instants [start, end) of the range in the shop's time zone. */
  start: Date;
  end: Date;
}

export interface ReportWindow {
  current: DayRange;
  previous: DayRange;
  /** Every local day of the previous period then the current one, in order. */
  dayKeys: string[];
  /**
   * The instant each of `dayKeys` starts, then the end of the last one: `dayKeys.length + 1`
   * sorted boundaries (a day is 23 or 25 hours across a DST change). SQL buckets rows with them.
   */
  boundaries: Date[];
}

export type PeriodResolution = { ok: true; window: ReportWindow } | { ok: false; error: PeriodError };

/** The shop's zone if the runtime knows it, else UTC (a bad zone must not break the page). */
export function reportTimeZone(timeZone: string | null | undefined): string {
  return timeZone && isValidTimeZone(timeZone) ? timeZone : "UTC";
}

function dayRange(from: string, to: string, timeZone: string): DayRange {
  return {
    from,
    to,
    days: daysBetweenLocalDates(from, to) + 1,
    start: localDayBounds(from, timeZone).start,
    end: localDayBounds(to, timeZone).end,
  };
}

/** Checks a custom range against today (shop-local); null when it can be reported on. */
export function customPeriodError(from: string, to: string, today: string): PeriodError | null {
  if (!parseLocalDate(from) || !parseLocalDate(to)) return "invalid_date";
  if (from > to) return "from_after_to";
  if (to > today) return "in_future";
  if (from < EARLIEST_DATE) return "too_early";
  if (daysBetweenLocalDates(from, to) + 1 > MAX_PERIOD_DAYS) return "too_long";
  return null;
}

export function resolveReportWindow(choice: PeriodChoice, now: Date, timeZone: string): PeriodResolution {
  const zone = reportTimeZone(timeZone);
  const today = localDateKey(now, zone);
  let from: string;
  let to: string;
  if (choice.kind === "preset") {
    to = today;
    from = addDaysToLocalDate(today, -(Number(choice.preset) - 1));
  } else {
    const error = customPeriodError(choice.from, choice.to, today);
    if (error) return { ok: false, error };
    ({ from, to } = choice);
  }
  const days = daysBetweenLocalDates(from, to) + 1;
  const previousTo = addDaysToLocalDate(from, -1);
  const previousFrom = addDaysToLocalDate(from, -days);
  const dayKeys = Array.from({ length: 2 * days }, (_, i) => addDaysToLocalDate(previousFrom, i));
  const boundaries = dayKeys.map((day) => localDayBounds(day, zone).start);
  boundaries.push(localDayBounds(to, zone).end);
  return {
    ok: true,
    window: { current: dayRange(from, to, zone), previous: dayRange(previousFrom, previousTo, zone), dayKeys, boundaries },
  };
}
