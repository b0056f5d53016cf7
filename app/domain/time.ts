// Calendar arithmetic in a shop's IANA time zone, on top of Intl (full ICU ships with Node).
// Rules such as "happy hour 17:00–19:00" and "one birthday per year" are about the merchant's
// wall clock, so every check converts the instant to the shop's local date and time first; DST
// then needs no special case.

export class InvalidTimeZoneError extends Error {
  constructor(public readonly timeZone: string) {
    super(`Unknown IANA time zone: ${JSON.stringify(timeZone)}`);
    this.name = "InvalidTimeZoneError";
  }
}

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number; // 0-23
  minute: number;
  second: number;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        weekday: "short",
        era: "short",
      });
    } catch {
      throw new InvalidTimeZoneError(timeZone);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

function assertInstant(instant: Date): void {
  if (Number.isNaN(instant.getTime())) throw new RangeError("Invalid date");
}

export function toLocalDateTime(instant: Date, timeZone: string): LocalDateTime {
  assertInstant(instant);
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const weekday = parts.weekday.toLowerCase().slice(0, 3) as Weekday;
  const yearOfEra = Number(parts.year);
  return {
    year: parts.era === "BC" ? 1 - yearOfEra : yearOfEra,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday,
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

export function formatLocalDate(local: Pick<LocalDateTime, "year" | "month" | "day">): string {
  return `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}`;
}

/** The shop-local calendar day of an instant, `YYYY-MM-DD`: the key for per-day limits. */
export function localDateKey(instant: Date, timeZone: string): string {
  return formatLocalDate(toLocalDateTime(instant, timeZone));
}

/** Minutes since local midnight. */
export function localMinuteOfDay(local: Pick<LocalDateTime, "hour" | "minute">): number {
  return local.hour * 60 + local.minute;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses `YYYY-MM-DD`, refusing impossible dates such as 2026-02-29. */
export function parseLocalDate(text: string): { year: number; month: number; day: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** Calendar arithmetic on a local date (no time zone involved). */
export function addDaysToLocalDate(date: string, days: number): string {
  const parsed = parseLocalDate(date);
  if (!parsed) throw new RangeError(`Not a calendar date: ${date}`);
  const shifted = new Date(Date.UTC(parsed.year, parsed.month - 1, parsed.day + days));
  return formatLocalDate({ year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() });
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function daysBetweenLocalDates(from: string, to: string): number {
  const a = parseLocalDate(from);
  const b = parseLocalDate(to);
  if (!a || !b) throw new RangeError(`Not calendar dates: ${from}, ${to}`);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

function offsetMillisAt(epochMillis: number, timeZone: string): number {
  const local = toLocalDateTime(new Date(epochMillis), timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - (epochMillis - (((epochMillis % 1000) + 1000) % 1000));
}

/**
 * The instant at which the shop's wall clock shows the given local date and time. Like
 * Temporal's "compatible" disambiguation: a time skipped by a spring-forward gap resolves to the
 * same offset as before the gap (so 02:30 becomes 03:30), a time repeated by a fall-back
 * resolves to its first occurrence.
 */
export function zonedLocalToInstant(
  local: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  // The offset a few hours either side brackets any transition (they are at most a few hours).
  const before = offsetMillisAt(wall - 12 * 3_600_000, timeZone);
  const after = offsetMillisAt(wall + 12 * 3_600_000, timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => offsetMillisAt(instant, timeZone) === wall - instant)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]);
  // In a gap: keep the pre-transition offset, which lands after the gap.
  return new Date(wall - before);
}

/** The instants [start, end) of a shop-local calendar day (YYYY-MM-DD); 23 or 25 hours across DST. */
export function localDayBounds(date: string, timeZone: string): { start: Date; end: Date } {
  const parsed = parseLocalDate(date);
  if (!parsed) throw new RangeError(`${date} is not a YYYY-MM-DD date`);
  const next = parseLocalDate(addDaysToLocalDate(date, 1));
  if (!next) throw new RangeError(`no day after ${date}`);
  return {
    start: zonedLocalToInstant({ ...parsed, hour: 0, minute: 0 }, timeZone),
    end: zonedLocalToInstant({ ...next, hour: 0, minute: 0 }, timeZone),
  };
}
