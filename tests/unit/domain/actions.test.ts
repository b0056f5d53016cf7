import { afterAll, describe, expect, it } from "vitest";
import {
  ACTION_TRACE_CODES,
  type ActionResult,
  birthdayPoints,
  newsletterPoints,
  observedBirthday,
  parseBirthday,
  reviewPoints,
  signupPoints,
} from "~/domain/actions";
import { program } from "./support";

const NY = "America/New_York";
const enabled = program({
  actions: {
    signup: { enabled: true, points: 200 },
    newsletter: { enabled: true, points: 50 },
    birthday: { enabled: true, points: 300 },
    review: { enabled: true, points: 25, perDayLimit: 2 },
  },
});
const disabled = program({});

const seen = new Set<string>();
function record(result: ActionResult): ActionResult {
  for (const step of result.trace) seen.add(step.code);
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  return result;
}
afterAll(() => {
  expect([...seen].sort()).toEqual([...ACTION_TRACE_CODES].sort());
});

describe("signup", () => {
  it("pays once per customer: the key suffix never changes", () => {
    expect(record(signupPoints(enabled))).toEqual({
      points: 200,
      trace: [{ code: "action.granted", params: { action: "signup", points: 200 }, pointsAfter: 200 }],
      idempotencyKeySuffix: "signup",
    });
    expect(record(signupPoints(disabled))).toEqual({
      points: 0,
      trace: [{ code: "action.disabled", params: { action: "signup" }, pointsAfter: 0 }],
      idempotencyKeySuffix: "signup",
    });
  });
});

describe("newsletter", () => {
  const change = (previousState: string | null | undefined, currentState: string, p = enabled) =>
    record(newsletterPoints({ program: p, previousState, currentState }));

  it("pays when consent becomes subscribed, whatever the casing Shopify used", () => {
    expect(change(null, "subscribed").points).toBe(50);
    expect(change("not_subscribed", "SUBSCRIBED").points).toBe(50);
    expect(change("unsubscribed", "subscribed")).toMatchObject({ points: 50, idempotencyKeySuffix: "newsletter" });
  });

  it("pays nothing for other changes", () => {
    expect(change("subscribed", "subscribed").trace).toEqual([{ code: "newsletter.already_subscribed", params: {}, pointsAfter: 0 }]);
    expect(change("not_subscribed", "pending").trace).toEqual([
      { code: "newsletter.not_subscribed", params: { state: "pending" }, pointsAfter: 0 },
    ]);
    expect(change("subscribed", "unsubscribed").points).toBe(0);
    expect(change(null, "subscribed", disabled).trace[0].code).toBe("action.disabled");
  });
});

describe("birthday", () => {
  const on = (now: string, birthday: string | Date | null, catchUpDays?: number, p = enabled) =>
    record(birthdayPoints({ program: p, birthday, shopTimezone: NY, now: new Date(now), catchUpDays }));

  it("pays on the birthday in the shop's time zone, once per year", () => {
    // 02:30 UTC on June 11 is still June 10 in New York.
    const result = on("2026-06-11T02:30:00Z", "1990-06-10");
    expect(result).toEqual({
      points: 300,
      trace: [{ code: "action.granted", params: { action: "birthday", points: 300 }, pointsAfter: 300 }],
      idempotencyKeySuffix: "birthday:2026",
    });
    expect(on("2026-06-11T02:30:00Z", "1990-06-11").trace).toEqual([
      { code: "birthday.not_today", params: { today: "2026-06-10", nextBirthday: "2026-06-11" }, pointsAfter: 0 },
    ]);
    expect(on("2027-06-10T16:00:00Z", "1990-06-10").idempotencyKeySuffix).toBe("birthday:2027");
    expect(on("2026-06-12T16:00:00Z", "1990-06-10").trace[0].params.nextBirthday).toBe("2027-06-10");
  });

  it("celebrates 29 February on the 28th in common years, and on the 29th in leap years", () => {
    const common = on("2027-02-28T17:00:00Z", "1992-02-29");
    expect(common.points).toBe(300);
    expect(common.trace[0]).toEqual({ code: "birthday.leap_day_observed", params: { observedOn: "2027-02-28" } });
    expect(common.idempotencyKeySuffix).toBe("birthday:2027");
    expect(on("2027-03-01T17:00:00Z", "1992-02-29").trace[0].params).toEqual({ today: "2027-03-01", nextBirthday: "2028-02-29" });
    expect(on("2028-02-28T17:00:00Z", "1992-02-29").points).toBe(0);
    const leap = on("2028-02-29T17:00:00Z", "--02-29");
    expect(leap.points).toBe(300);
    expect(leap.trace.map((s) => s.code)).toEqual(["action.granted"]);
  });

  it("can catch up on missed days, keyed by the year being celebrated", () => {
    expect(on("2027-01-02T17:00:00Z", "12-31").points).toBe(0);
    const caught = on("2027-01-02T17:00:00Z", "12-31", 3);
    expect(caught).toMatchObject({ points: 300, idempotencyKeySuffix: "birthday:2026" });
    expect(on("2026-12-31T17:00:00Z", "12-31", 3).idempotencyKeySuffix).toBe("birthday:2026");
    expect(on("2027-01-04T17:00:00Z", "12-31", 3).points).toBe(0);
    expect(() => on("2027-01-02T17:00:00Z", "12-31", 40)).toThrow(RangeError);
  });

  it("reads PostgreSQL DATE values (UTC midnight) and refuses impossible dates", () => {
    expect(on("2026-06-10T16:00:00Z", new Date("1990-06-10T00:00:00Z")).points).toBe(300);
    expect(on("2026-06-10T16:00:00Z", "1990-02-30").trace).toEqual([
      { code: "birthday.invalid", params: { birthday: "1990-02-30" }, pointsAfter: 0 },
    ]);
    expect(on("2026-06-10T16:00:00Z", null).trace[0].code).toBe("birthday.invalid");
    expect(on("2026-06-10T16:00:00Z", "1990-06-10", 0, disabled).trace[0].code).toBe("action.disabled");
    expect(parseBirthday("02-29")).toEqual({ month: 2, day: 29 });
    expect(parseBirthday("13-01")).toBeNull();
    expect(observedBirthday({ month: 2, day: 29 }, 2100)).toBe("2100-02-28"); // 2100 is not a leap year
  });
});

describe("review", () => {
  const review = (reviewsRewardedToday: number, p = enabled, reviewId = "rev-81") =>
    record(reviewPoints({ program: p, reviewId, reviewsRewardedToday }));

  it("pays per review, keyed by the review, within the daily limit", () => {
    expect(review(0)).toMatchObject({ points: 25, idempotencyKeySuffix: "review:rev-81" });
    expect(review(1).points).toBe(25);
    expect(review(2).trace).toEqual([{ code: "review.daily_limit", params: { limit: 2, rewardedToday: 2 }, pointsAfter: 0 }]);
    expect(review(0, disabled).trace[0].code).toBe("action.disabled");
  });

  it("refuses a missing review id or a bad count", () => {
    expect(() => review(0, enabled, " ")).toThrow(RangeError);
    expect(() => review(-1)).toThrow(RangeError);
  });
});
