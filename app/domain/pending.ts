import { addDaysToLocalDate, assertTimeZone, formatLocalDate, toLocalDateTime, zonedLocalToInstant } from "./time";

// Purchase points wait `pendingDays` before they can be spent, so a return inside the refund
// window takes back points that were never usable. Days are calendar days on the shop's wall
// clock: an order at 15:20 becomes available at 15:20 local time, DST change or not.

export const MAX_PENDING_DAYS = 365;

export function pendingAvailableAt(input: { orderTime: Date; pendingDays: number; shopTimezone: string }): Date {
  const { orderTime, pendingDays, shopTimezone } = input;
  if (!Number.isInteger(pendingDays) || pendingDays < 0 || pendingDays > MAX_PENDING_DAYS) {
    throw new RangeError(`pendingDays must be an integer from 0 to ${MAX_PENDING_DAYS}, got ${pendingDays}`);
  }
  if (Number.isNaN(orderTime.getTime())) throw new RangeError("orderTime is not a valid date");
  assertTimeZone(shopTimezone);
  if (pendingDays === 0) return new Date(orderTime.getTime());
  const local = toLocalDateTime(orderTime, shopTimezone);
  const date = addDaysToLocalDate(formatLocalDate(local), pendingDays);
  const [year, month, day] = date.split("-").map(Number);
  const available = zonedLocalToInstant({ year, month, day, hour: local.hour, minute: local.minute, second: local.second }, shopTimezone);
  // Keep the sub-second part so the release is never before orderTime + whole days of wall clock.
  return new Date(available.getTime() + (orderTime.getTime() % 1000 + 1000) % 1000);
}

export function isPendingReleased(availableAt: Date, now: Date = new Date()): boolean {
  return now.getTime() >= availableAt.getTime();
}
