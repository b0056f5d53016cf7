import { describe, expect, it } from "vitest";
import { isPendingReleased, pendingAvailableAt } from "~/domain/pending";
import { InvalidTimeZoneError } from "~/domain/time";

const NY = "America/New_York";
const availableAt = (orderTime: string, pendingDays: number, shopTimezone = NY) =>
  pendingAvailableAt({ orderTime: new Date(orderTime), pendingDays, shopTimezone }).toISOString();

describe("pendingAvailableAt", () => {
  it("adds calendar days at the same local time", () => {
    expect(availableAt("2026-06-10T19:20:00Z", 14)).toBe("2026-06-24T19:20:00.000Z");
    expect(availableAt("2026-06-10T19:20:00.250Z", 1, "UTC")).toBe("2026-06-11T19:20:00.250Z");
  });

  it("keeps the shop's wall-clock time across DST changes", () => {
    // 15:20 EST on March 1 → 15:20 EDT on March 15: 13 days 23 hours later.
    expect(availableAt("2026-03-01T20:20:00Z", 14)).toBe("2026-03-15T19:20:00.000Z");
    // 15:20 EDT on October 25 → 15:20 EST on November 8: 14 days 1 hour later.
    expect(availableAt("2026-10-25T19:20:00Z", 14)).toBe("2026-11-08T20:20:00.000Z");
    // 02:30 on March 8 does not exist: the release moves to 03:30 EDT.
    expect(availableAt("2026-03-01T07:30:00Z", 7)).toBe("2026-03-08T07:30:00.000Z");
  });

  it("releases immediately with no pending period", () => {
    expect(availableAt("2026-06-10T19:20:00Z", 0)).toBe("2026-06-10T19:20:00.000Z");
  });

  it("refuses nonsense input", () => {
    expect(() => availableAt("2026-06-10T19:20:00Z", -1)).toThrow(RangeError);
    expect(() => availableAt("2026-06-10T19:20:00Z", 1.5)).toThrow(RangeError);
    expect(() => availableAt("2026-06-10T19:20:00Z", 366)).toThrow(RangeError);
    expect(() => availableAt("not a date", 3)).toThrow(RangeError);
    expect(() => availableAt("2026-06-10T19:20:00Z", 3, "Nowhere/City")).toThrow(InvalidTimeZoneError);
  });
});

describe("isPendingReleased", () => {
  it("is true from the release instant on", () => {
    const at = new Date("2026-06-24T19:20:00Z");
    expect(isPendingReleased(at, new Date("2026-06-24T19:19:59.999Z"))).toBe(false);
    expect(isPendingReleased(at, at)).toBe(true);
    expect(isPendingReleased(at, new Date("2026-07-01T00:00:00Z"))).toBe(true);
  });
});
