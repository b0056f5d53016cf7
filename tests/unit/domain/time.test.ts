import { describe, expect, it } from "vitest";
import { parseEarningProgram, type TimeWindow } from "~/domain/program";
import {
  addDaysToLocalDate,
  daysBetweenLocalDates,
  InvalidTimeZoneError,
  isValidTimeZone,
  localDateKey,
  parseLocalDate,
  toLocalDateTime,
  zonedLocalToInstant,
} from "~/domain/time";
import { findTimeWindow } from "~/domain/windows";

const NY = "America/New_York";
const at = (iso: string) => new Date(iso);

function windows(...specs: { days: string[]; start: string; end: string }[]): TimeWindow[] {
  return parseEarningProgram({ conditions: { timeWindows: specs } }).conditions.timeWindows;
}
const inside = (iso: string, w: TimeWindow[], tz = NY) => findTimeWindow(at(iso), w, tz) >= 0;

describe("local calendar in a shop time zone", () => {
  it("gives the shop-local date, weekday and time of an instant", () => {
    // 2026-07-01 03:30 UTC is still June 30 in New York (EDT, UTC-4).
    expect(localDateKey(at("2026-07-01T03:30:00Z"), NY)).toBe("2026-06-30");
    expect(toLocalDateTime(at("2026-07-01T03:30:00Z"), NY)).toMatchObject({ hour: 23, minute: 30, weekday: "tue" });
    expect(localDateKey(at("2026-07-01T03:30:00Z"), "Asia/Tokyo")).toBe("2026-07-01");
    expect(toLocalDateTime(at("2026-01-01T05:00:00Z"), NY)).toMatchObject({ year: 2026, month: 1, day: 1, hour: 0 });
  });

  it("validates zone names", () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(() => localDateKey(new Date(), "Mars/Olympus_Mons")).toThrow(InvalidTimeZoneError);
  });

  it("does date arithmetic across months, years and leap days", () => {
    expect(addDaysToLocalDate("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDaysToLocalDate("2027-02-28", 1)).toBe("2027-03-01");
    expect(addDaysToLocalDate("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetweenLocalDates("2026-12-30", "2027-01-02")).toBe(3);
    expect(daysBetweenLocalDates("2026-03-08", "2026-03-07")).toBe(-1);
    expect(parseLocalDate("2027-02-29")).toBeNull();
    expect(parseLocalDate("2028-02-29")).toEqual({ year: 2028, month: 2, day: 29 });
  });

  it("converts a wall-clock time back to an instant, through DST gaps and overlaps", () => {
    expect(zonedLocalToInstant({ year: 2026, month: 6, day: 10, hour: 15, minute: 20 }, NY).toISOString()).toBe(
      "2026-06-10T19:20:00.000Z",
    );
    // 02:30 does not exist on 2026-03-08 in New York: it resolves to 03:30 EDT.
    expect(zonedLocalToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NY).toISOString()).toBe(
      "2026-03-08T07:30:00.000Z",
    );
    // 01:30 happens twice on 2026-11-01: the first (EDT) wins.
    expect(zonedLocalToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NY).toISOString()).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });
});

describe("time windows in America/New_York", () => {
  it("matches a same-day window by local wall clock, start inclusive and end exclusive", () => {
    const happyHour = windows({ days: ["wed"], start: "17:00", end: "19:00" });
    expect(inside("2026-06-10T21:00:00Z", happyHour)).toBe(true); // Wed 17:00 EDT
    expect(inside("2026-06-10T22:59:59Z", happyHour)).toBe(true); // Wed 18:59:59
    expect(inside("2026-06-10T23:00:00Z", happyHour)).toBe(false); // Wed 19:00
    expect(inside("2026-06-10T20:59:00Z", happyHour)).toBe(false); // Wed 16:59
    expect(inside("2026-06-11T21:30:00Z", happyHour)).toBe(false); // Thu 17:30
  });

  it("keeps local hours across DST: the same UTC time is inside in summer, outside in winter", () => {
    const evening = windows({ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start: "19:00", end: "20:00" });
    expect(inside("2026-07-15T23:30:00Z", evening)).toBe(true); // 19:30 EDT
    expect(inside("2026-01-15T23:30:00Z", evening)).toBe(false); // 18:30 EST
    expect(inside("2026-01-16T00:30:00Z", evening)).toBe(true); // 19:30 EST
  });

  it("lets a window cross midnight, belonging to the day it starts on", () => {
    const lateFriday = windows({ days: ["fri"], start: "22:00", end: "02:00" });
    expect(inside("2026-01-17T02:59:00Z", lateFriday)).toBe(false); // Fri 21:59 EST
    expect(inside("2026-01-17T03:00:00Z", lateFriday)).toBe(true); // Fri 22:00 EST
    expect(inside("2026-01-17T06:30:00Z", lateFriday)).toBe(true); // Sat 01:30 EST
    expect(inside("2026-07-18T05:30:00Z", lateFriday)).toBe(true); // Sat 01:30 EDT
    expect(inside("2026-01-17T07:00:00Z", lateFriday)).toBe(false); // Sat 02:00 EST
    expect(inside("2026-01-16T06:30:00Z", lateFriday)).toBe(false); // Fri 01:30: Thursday's night, not listed
    expect(inside("2026-01-18T03:30:00Z", lateFriday)).toBe(false); // Sat 22:30
  });

  it("is one real hour shorter on the spring-forward night and one longer on the fall-back night", () => {
    const sundayEarly = windows({ days: ["sun"], start: "01:00", end: "03:00" });
    // 2026-03-08: 01:59:59 EST is followed by 03:00 EDT.
    expect(inside("2026-03-08T06:00:00Z", sundayEarly)).toBe(true); // 01:00 EST
    expect(inside("2026-03-08T06:59:59Z", sundayEarly)).toBe(true); // 01:59:59 EST
    expect(inside("2026-03-08T07:00:00Z", sundayEarly)).toBe(false); // 03:00 EDT
    const sundayOne = windows({ days: ["sun"], start: "01:00", end: "02:00" });
    // 2026-11-01: 01:00–01:59 happens in EDT (05:00Z) and again in EST (06:00Z).
    expect(inside("2026-11-01T05:30:00Z", sundayOne)).toBe(true);
    expect(inside("2026-11-01T06:30:00Z", sundayOne)).toBe(true);
    expect(inside("2026-11-01T07:00:00Z", sundayOne)).toBe(false); // 02:00 EST
  });

  it("accepts 24:00 as the end of the day and reports which window matched", () => {
    const w = windows({ days: ["sat"], start: "09:00", end: "12:00" }, { days: ["sat"], start: "20:00", end: "24:00" });
    expect(findTimeWindow(at("2026-06-14T03:59:00Z"), w, NY)).toBe(1); // Sat 23:59 EDT
    expect(findTimeWindow(at("2026-06-14T04:00:00Z"), w, NY)).toBe(-1); // Sun 00:00
    expect(findTimeWindow(at("2026-06-13T14:00:00Z"), w, NY)).toBe(0); // Sat 10:00
  });
});
