import type { TimeWindow } from "./program";
import { toLocalDateTime, WEEKDAYS, type LocalDateTime } from "./time";

// A window belongs to the day it starts on: "fri 22:00–02:00" covers Friday night and the first
// two hours of Saturday, not Friday 00:00–02:00. Times are the shop's wall clock, so a window
// keeps its local hours across DST changes.

function minutes(clock: string): number {
  const [hours, mins] = clock.split(":").map(Number);
  return hours * 60 + mins;
}

export function isInTimeWindow(local: LocalDateTime, window: TimeWindow): boolean {
  const now = local.hour * 60 + local.minute;
  const start = minutes(window.start);
  const end = minutes(window.end);
  const today = local.weekday;
  if (start < end) return window.days.includes(today) && now >= start && now < end;
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(today) + 6) % 7];
  return (window.days.includes(today) && now >= start) || (window.days.includes(yesterday) && now < end);
}

/** Index of the first window containing the instant, or -1. */
export function findTimeWindow(instant: Date, windows: readonly TimeWindow[], timeZone: string): number {
  const local = toLocalDateTime(instant, timeZone);
  return windows.findIndex((window) => isInTimeWindow(local, window));
}
