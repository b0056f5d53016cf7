import { describe, expect, it } from "vitest";
import {
  defaultEarningProgram,
  EarningProgramError,
  parseEarningProgram,
  programNeedsEnrichment,
  safeParseEarningProgram,
} from "~/domain/program";

function issues(json: unknown) {
  const result = safeParseEarningProgram(json);
  if (result.success) throw new Error("expected the program to be rejected");
  return result.issues;
}

describe("parseEarningProgram", () => {
  it("turns {} into a complete program with the documented defaults", () => {
    const program = parseEarningProgram({});
    expect(program.purchase).toEqual({
      enabled: true,
      pointsPerUnit: "1",
      includeShipping: false,
      includeTaxes: false,
      includeGiftCards: false,
      subtractDiscounts: true,
      rounding: "floor",
    });
    expect(program.conditions.products).toEqual({ include: [], exclude: [] });
    expect(program.conditions.timeWindows).toEqual([]);
    expect(program.conditions.dateRange).toBeUndefined();
    expect(program.caps).toEqual({});
    expect(program.actions.signup).toEqual({ enabled: false, points: 100 });
    expect(program.actions.review).toEqual({ enabled: false, points: 25, perDayLimit: 1 });
    expect(program.multipliers).toEqual({ tiers: {}, campaigns: [], segments: [] });
    expect(parseEarningProgram(null)).toEqual(program);
    expect(defaultEarningProgram()).toEqual(program);
  });

  it("is JSON: what it returns is stored and parses back to itself", () => {
    const program = parseEarningProgram({
      purchase: { pointsPerUnit: "2.5", minimumOrder: "20" },
      conditions: { timeWindows: [{ days: ["fri", "mon"], start: "22:00", end: "02:00" }], dateRange: { start: "2026-01-01" } },
      multipliers: { tiers: { gold: "2" }, campaigns: [{ id: "bf", name: "Black Friday", multiplier: "3", scope: { productIds: [] } }] },
    });
    const reparsed = parseEarningProgram(JSON.parse(JSON.stringify(program)));
    expect(reparsed).toEqual(program);
  });

  it("accepts decimal rates and normalises numbers, gids, days and duplicates", () => {
    const program = parseEarningProgram({
      purchase: { pointsPerUnit: 0.5, minimumOrder: 25 },
      conditions: {
        products: { include: ["gid://shopify/Product/632910392", 632910392, "7001"] },
        collections: { exclude: ["gid://shopify/Collection/841564295"] },
        productTags: { exclude: ["Sale", "sale", " clearance "] },
        timeWindows: [{ days: ["sun", "fri", "fri"], start: "17:00", end: "24:00" }],
      },
    });
    expect(program.purchase.pointsPerUnit).toBe("0.5");
    expect(program.purchase.minimumOrder).toBe("25");
    expect(program.conditions.products.include).toEqual(["632910392", "7001"]);
    expect(program.conditions.collections.exclude).toEqual(["841564295"]);
    expect(program.conditions.productTags.exclude).toEqual(["Sale", "clearance"]);
    expect(program.conditions.timeWindows[0].days).toEqual(["sun", "fri"]);
  });

  it("treats a blank minimum order or cap from a form as not set", () => {
    const program = parseEarningProgram({ purchase: { minimumOrder: "" }, caps: { perOrderCap: null, perDayCap: "" } });
    expect(program.purchase.minimumOrder).toBeUndefined();
    expect(program.caps).toEqual({ perOrderCap: undefined, perDayCap: undefined });
  });

  it("names the field and the reason for each problem", () => {
    const found = issues({
      purchase: { pointsPerUnit: "0", rounding: "bankers", includeShipping: "yes", minimumOrder: "ten" },
      caps: { perOrderCap: 1.5, perDayCap: 0 },
      actions: { birthday: { points: -5 }, review: { perDayLimit: 0 } },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { path: "purchase.pointsPerUnit", message: "must be greater than 0" },
        { path: "purchase.includeShipping", message: "must be true or false" },
        { path: "purchase.rounding", message: "must be one of: floor, half_up, ceil" },
        { path: "purchase.minimumOrder", message: 'must be an amount such as "50" or "49.99"' },
        { path: "caps.perOrderCap", message: "must be a whole number" },
        { path: "caps.perDayCap", message: "must be at least 1" },
        { path: "actions.birthday.points", message: "must be at least 0" },
        { path: "actions.review.perDayLimit", message: "must be at least 1" },
      ]),
    );
    expect(found).toHaveLength(8);
  });

  it("limits rates to 4 decimals and sane sizes", () => {
    expect(issues({ purchase: { pointsPerUnit: "0.00001" } })[0]).toEqual({
      path: "purchase.pointsPerUnit",
      message: 'must be a number with at most 4 decimals, e.g. "1"',
    });
    expect(issues({ purchase: { pointsPerUnit: "1e3" } })[0].path).toBe("purchase.pointsPerUnit");
    expect(issues({ purchase: { pointsPerUnit: "100001" } })[0].message).toBe("must be at most 100000");
    expect(parseEarningProgram({ purchase: { pointsPerUnit: "0.0001" } }).purchase.pointsPerUnit).toBe("0.0001");
    expect(issues({ multipliers: { tiers: { gold: "101" } } })).toEqual([
      { path: "multipliers.tiers.gold", message: "must be at most 100" },
    ]);
  });

  it("rejects bad ids, windows, date ranges and contradictions", () => {
    const found = issues({
      conditions: {
        products: { include: ["gid://shopify/Collection/1", "abc"], exclude: [] },
        customerTags: { include: ["VIP"], exclude: ["vip"] },
        timeWindows: [
          { days: [], start: "25:00", end: "17:00" },
          { days: ["mon"], start: "09:00", end: "09:00" },
          { days: ["funday"], start: "09:00", end: "10:00" },
        ],
        dateRange: { start: "2026-12-31", end: "2026-01-01" },
      },
    });
    const paths = found.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "conditions.products.include.0",
        "conditions.products.include.1",
        "conditions.customerTags.exclude",
        "conditions.timeWindows.0.days",
        "conditions.timeWindows.0.start",
        "conditions.timeWindows.1.end",
        "conditions.timeWindows.2.days.0",
        "conditions.dateRange.end",
      ]),
    );
    expect(found.find((i) => i.path === "conditions.products.include.0")?.message).toBe(
      "must be a product id (123 or gid://shopify/Product/123)",
    );
    expect(found.find((i) => i.path === "conditions.customerTags.exclude")?.message).toBe('"VIP" is both included and excluded');
    expect(found.find((i) => i.path === "conditions.dateRange.end")?.message).toBe("must be after the start");
    expect(found.find((i) => i.path === "conditions.timeWindows.1.end")?.message).toMatch(/must differ from the start/);
  });

  it("refuses a product id that already lost digits as a JSON number", () => {
    expect(issues({ conditions: { products: { exclude: [Number("788032119674292901")] } } })).toEqual([
      { path: "conditions.products.exclude.0", message: "must be a product id (123 or gid://shopify/Product/123)" },
    ]);
  });

  it("accepts dates and offset date-times as bounds, and refuses anything else", () => {
    expect(
      parseEarningProgram({ conditions: { dateRange: { start: "2026-11-27T00:00:00-05:00", end: "2026-11-30T23:59:59Z" } } })
        .conditions.dateRange,
    ).toEqual({ start: "2026-11-27T00:00:00-05:00", end: "2026-11-30T23:59:59Z" });
    for (const bad of ["2026-02-30", "next friday", "2026-11-27T00:00:00", "27/11/2026"]) {
      expect(issues({ conditions: { dateRange: { start: bad } } })[0].path, bad).toBe("conditions.dateRange.start");
    }
  });

  it("requires unique campaign ids and segment tags", () => {
    const found = issues({
      multipliers: {
        campaigns: [
          { id: "summer", name: "Summer", multiplier: "2" },
          { id: "summer", name: "Summer again", multiplier: "3" },
          { id: "bad id!", name: "", multiplier: "0" },
        ],
        segments: [
          { customerTag: "VIP", multiplier: "2" },
          { customerTag: "vip", multiplier: "3" },
        ],
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { path: "multipliers.campaigns.1.id", message: "is used by another campaign" },
        { path: "multipliers.campaigns.2.id", message: "must be 1-64 letters, digits, '-' or '_'" },
        { path: "multipliers.campaigns.2.name", message: "must not be empty" },
        { path: "multipliers.campaigns.2.multiplier", message: "must be greater than 0" },
        { path: "multipliers.segments.1.customerTag", message: "has another multiplier already" },
      ]),
    );
  });

  it("throws an EarningProgramError listing every issue", () => {
    let caught: unknown;
    try {
      parseEarningProgram({ purchase: { pointsPerUnit: "-1" }, caps: { perDayCap: "x" } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EarningProgramError);
    const error = caught as EarningProgramError;
    expect(error.issues.map((i) => i.path)).toEqual(["purchase.pointsPerUnit", "caps.perDayCap"]);
    expect(error.message).toContain("purchase.pointsPerUnit:");
  });
});

describe("programNeedsEnrichment", () => {
  it("asks for product tags and collections only when a rule uses them", () => {
    expect(programNeedsEnrichment(parseEarningProgram({}))).toEqual({ productTags: false, collectionIds: false });
    expect(
      programNeedsEnrichment(parseEarningProgram({ conditions: { products: { exclude: ["1"] }, productTags: { exclude: ["sale"] } } })),
    ).toEqual({ productTags: true, collectionIds: false });
    expect(
      programNeedsEnrichment(
        parseEarningProgram({
          multipliers: { campaigns: [{ id: "c", name: "C", multiplier: "2", scope: { collectionIds: ["5"] } }] },
        }),
      ),
    ).toEqual({ productTags: false, collectionIds: true });
    expect(
      programNeedsEnrichment(
        parseEarningProgram({
          multipliers: { campaigns: [{ id: "c", name: "C", multiplier: "2", enabled: false, scope: { collectionIds: ["5"] } }] },
        }),
      ),
    ).toEqual({ productTags: false, collectionIds: false });
  });
});
