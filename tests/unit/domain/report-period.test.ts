import { describe, expect, it } from "vitest";
import { customPeriodError, reportTimeZone, resolveReportWindow, type ReportWindow } from "~/domain/report-period";

function windowOf(result: ReturnType<typeof resolveReportWindow>): ReportWindow {
  if (!result.ok) throw new Error(`expected a window, got ${result.error}`);
  return result.window;
}

describe("report periods", () => {
  it("a preset ends today in the shop's time zone and is compared with the same number of days before it", () => {
    // 03:30 UTC on 3 December is still 2 December in New York.
    const w = windowOf(resolveReportWindow({ kind: "preset", preset: "7" }, new Date("2026-12-03T03:30:00Z"), "America/New_York"));
    expect(w.current).toMatchObject({ from: "2026-11-26", to: "2026-12-02", days: 7 });
    expect(w.previous).toMatchObject({ from: "2026-11-19", to: "2026-11-25", days: 7 });
    expect(w.current.start.toISOString()).toBe("2026-11-26T05:00:00.000Z");
    expect(w.current.end.toISOString()).toBe("2026-12-03T05:00:00.000Z");
    expect(w.previous.end).toEqual(w.current.start);
    expect(w.dayKeys).toHaveLength(14);
    expect(w.dayKeys[0]).toBe("2026-11-19");
    expect(w.dayKeys[13]).toBe("2026-12-02");
    expect(w.boundaries).toHaveLength(15);
    expect(w.boundaries[7]).toEqual(w.current.start);
    expect(w.boundaries[14]).toEqual(w.current.end);
  });

  it("has 23- and 25-hour days across daylight-saving changes", () => {
    const w = windowOf(resolveReportWindow({ kind: "custom", from: "2026-11-01", to: "2026-11-01" }, new Date("2026-12-03T12:00:00Z"), "America/New_York"));
    const [prevStart, start, end] = w.boundaries;
    expect(w.dayKeys).toEqual(["2026-10-31", "2026-11-01"]);
    expect(start.getTime() - prevStart.getTime()).toBe(24 * 3_600_000);
    expect(end.getTime() - start.getTime()).toBe(25 * 3_600_000);
    const spring = windowOf(resolveReportWindow({ kind: "custom", from: "2026-03-08", to: "2026-03-08" }, new Date("2026-12-03T12:00:00Z"), "America/New_York"));
    expect(spring.current.end.getTime() - spring.current.start.getTime()).toBe(23 * 3_600_000);
  });

  it("takes any range of past days up to a year, and refuses the rest with a reason", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    const w = windowOf(resolveReportWindow({ kind: "custom", from: "2026-01-01", to: "2026-12-03" }, now, "UTC"));
    expect(w.current.days).toBe(337);
    expect(w.previous).toMatchObject({ from: "2025-01-29", to: "2025-12-31", days: 337 });
    expect(customPeriodError("2026-02-30", "2026-03-01", "2026-12-03")).toBe("invalid_date");
    expect(customPeriodError("2026-3-1", "2026-03-01", "2026-12-03")).toBe("invalid_date");
    expect(customPeriodError("2026-03-02", "2026-03-01", "2026-12-03")).toBe("from_after_to");
    expect(customPeriodError("2026-12-01", "2026-12-04", "2026-12-03")).toBe("in_future");
    expect(customPeriodError("1999-12-31", "2000-01-01", "2026-12-03")).toBe("too_early");
    expect(customPeriodError("2024-01-01", "2024-12-31", "2026-12-03")).toBeNull(); // 366 days
    expect(customPeriodError("2024-01-01", "2025-01-01", "2026-12-03")).toBe("too_long");
    expect(resolveReportWindow({ kind: "custom", from: "2026-12-01", to: "2026-12-04" }, now, "UTC")).toEqual({ ok: false, error: "in_future" });
  });

  it("falls back to UTC for a zone the runtime does not know", () => {
    expect(reportTimeZone("Mars/Olympus_Mons")).toBe("UTC");
    expect(reportTimeZone(null)).toBe("UTC");
    expect(reportTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    const w = windowOf(resolveReportWindow({ kind: "preset", preset: "30" }, new Date("2026-12-03T12:00:00Z"), "Mars/Olympus_Mons"));
    expect(w.current.start.toISOString()).toBe("2026-11-04T00:00:00.000Z");
  });
});
