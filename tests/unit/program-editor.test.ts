import { describe, expect, it } from "vitest";
import { draftFromProgram, editorFieldKeys, fieldKeyOf, issuesAt, programInputFromDraft, settingsInputFromDraft, splitList } from "~/components/program/draft";
import { applyEarningStep, resumeScreen, themeEditorEmbedUrl } from "~/domain/onboarding";
import { earningProgramSchema, parseEarningProgram } from "~/domain/program";
import { PROGRAM_ISSUE_CODES, unmappedMessage, validateProgramInput } from "~/domain/program-issues";
import { diffJson, validateProgramEdit } from "~/domain/program-settings";
import en from "~/i18n/locales/en.json";

// The program editor's pure parts: every problem the engine's schema can report becomes a
// translatable code, the form state round-trips the program exactly, the audit diff lists what
// changed, and the onboarding's deep link has Shopify's documented form.

// Programs that make the schema produce each of its own messages (program.ts), one per case.
const INVALID_PROGRAMS: unknown[] = [
  { purchase: { pointsPerUnit: "1.23456" } },
  { purchase: { pointsPerUnit: "0" } },
  { purchase: { pointsPerUnit: "100001" } },
  { purchase: { minimumOrder: "12.3456" } },
  { conditions: { products: { include: ["gid://shopify/Collection/1"] } } },
  { conditions: { collections: { include: ["abc"] } } },
  { conditions: { productTags: { include: ["  "] } } },
  { conditions: { customerTags: { include: ["VIP"], exclude: ["vip"] } } },
  { conditions: { dateRange: { start: "2026-13-01" } } },
  { conditions: { dateRange: { start: "2026-12-02", end: "2026-12-01" } } },
  { conditions: { timeWindows: [{ days: [], start: "09:00", end: "10:00" }] } },
  { conditions: { timeWindows: [{ days: ["mon"], start: "9am", end: "25:00" }] } },
  { conditions: { timeWindows: [{ days: ["mon"], start: "10:00", end: "10:00" }] } },
  { multipliers: { campaigns: [{ id: "bad id!", name: "", multiplier: "2" }] } },
  { multipliers: { campaigns: [{ id: "a", name: "A", multiplier: "2" }, { id: "a", name: "B", multiplier: "3" }] } },
  { multipliers: { segments: [{ customerTag: "vip", multiplier: "2" }, { customerTag: "VIP", multiplier: "3" }] } },
  { multipliers: { campaigns: [{ id: "x", name: "X", multiplier: "101" }] } },
  { caps: { perOrderCap: 0, perDayCap: 1.5 } },
  { actions: { signup: { points: -1 }, review: { perDayLimit: 101 } } },
  { purchase: { rounding: "sideways" } },
];

describe("program issues", () => {
  it("maps every message the schema produces to a translatable code with an English string", () => {
    const codes = new Set<string>();
    for (const program of INVALID_PROGRAMS) {
      const result = earningProgramSchema.safeParse(program, { reportInput: true });
      expect(result.success, JSON.stringify(program)).toBe(false);
      if (result.success) continue;
      for (const issue of result.error.issues) expect(unmappedMessage(issue), JSON.stringify(program)).toBeNull();
      const validation = validateProgramInput(program);
      if (validation.success) throw new Error("expected issues");
      for (const issue of validation.issues) {
        expect(issue.code, `${issue.path} in ${JSON.stringify(program)}`).not.toBe("invalid");
        codes.add(issue.code);
      }
    }
    // Each code the mapping can return has a message to show.
    for (const code of PROGRAM_ISSUE_CODES) expect(en.program.errors, code).toHaveProperty(code);
    expect(codes.size).toBeGreaterThanOrEqual(18);
  });

  it("reports settings and program problems together, with their form paths", () => {
    const result = validateProgramEdit({ program: { caps: { perDayCap: 0 } }, settings: { earnTrigger: "ORDER_SHIPPED", pendingDays: -1, pointsName: "x".repeat(31) } });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([
      ["program.caps.perDayCap", "min"],
      ["settings.earnTrigger", "oneOf"],
      ["settings.pendingDays", "min"],
      ["settings.pointsName", "tooLong"],
    ]);
  });
});

describe("the audit diff", () => {
  it("lists changed leaves, walks lists of objects, compares lists of values whole", () => {
    const before = { a: { b: 1, c: ["x", "y"] }, list: [{ id: "1", m: "2" }], gone: true };
    const after = { a: { b: 2, c: ["x", "y"] }, list: [{ id: "1", m: "3" }, { id: "2", m: "1" }], added: "yes" };
    expect(diffJson(before, after)).toEqual([
      { path: "a.b", from: 1, to: 2 },
      { path: "added", from: undefined, to: "yes" },
      { path: "gone", from: true, to: undefined },
      { path: "list.0.m", from: "2", to: "3" },
      // An added (or removed) item is one change holding the whole item.
      { path: "list.1", from: undefined, to: { id: "2", m: "1" } },
    ]);
    expect(diffJson({ tags: ["a"] }, { tags: ["a", "b"] })).toEqual([{ path: "tags", from: ["a"], to: ["a", "b"] }]);
    expect(diffJson(parseEarningProgram({}), parseEarningProgram({}))).toEqual([]);
  });
});

describe("the editor's form state", () => {
  const program = parseEarningProgram({
    purchase: { pointsPerUnit: "2.5", includeShipping: true, minimumOrder: "25" },
    conditions: {
      products: { include: ["1", "2"], exclude: [] },
      customerTags: { exclude: ["wholesale"] },
      dateRange: { start: "2026-12-01" },
      timeWindows: [{ days: ["sat", "sun"], start: "10:00", end: "24:00" }],
    },
    caps: { perDayCap: 900 },
    actions: { review: { enabled: true, points: 30, perDayLimit: 2 } },
    multipliers: {
      tiers: { gold: "1.25" },
      campaigns: [{ id: "hh", name: "Happy hour", multiplier: "1.5", timeWindows: [{ days: ["fri"], start: "17:00", end: "19:00" }], scope: { productTags: ["Sale"] } }],
      segments: [{ customerTag: "vip", multiplier: "2" }],
    },
  });
  const settings = { earnTrigger: "ORDER_PAID", pendingDays: 14, pointsName: "stars" };

  it("turns back into exactly the program it came from", () => {
    const draft = draftFromProgram(program, settings);
    expect(parseEarningProgram(programInputFromDraft(draft.program))).toEqual(program);
    expect(settingsInputFromDraft(draft.settings)).toEqual(settings);
  });

  it("sends typed text as typed, so the server's schema judges it", () => {
    const draft = draftFromProgram(program, settings);
    draft.program.actions.signup.points = "12a";
    draft.program.caps.perOrderCap = "";
    draft.program.conditions.products.include = "1,\n 2 ,, 3";
    const input = programInputFromDraft(draft.program);
    expect(input.actions?.signup?.points).toBe("12a");
    expect(input.caps?.perOrderCap).toBeUndefined();
    expect(input.conditions?.products?.include).toEqual(["1", "2", "3"]);
    expect(splitList(" a, b\nc ,")).toEqual(["a", "b", "c"]);
  });

  it("places each issue at its field, list items with their position, unknown paths nowhere", () => {
    const draft = draftFromProgram(program, settings);
    const keys = editorFieldKeys(draft);
    expect(fieldKeyOf("program.conditions.products.include.1", keys)).toBe("program.conditions.products.include");
    expect(fieldKeyOf("program.multipliers.campaigns.0.timeWindows.0.end", keys)).toBe("program.multipliers.campaigns.0.timeWindows.0.end");
    expect(fieldKeyOf("program.multipliers.campaigns.0.scope.productTags.0", keys)).toBe("program.multipliers.campaigns.0.scope.productTags");
    expect(fieldKeyOf("settings.pendingDays", keys)).toBe("settings.pendingDays");
    expect(fieldKeyOf("program.multipliers.tiers.gold", keys)).toBeNull();
    const issues = [{ path: "program.conditions.products.include.1", code: "productId", params: {} }];
    expect(issuesAt(issues, "program.conditions.products.include")).toEqual([{ issue: issues[0], item: 2 }]);
  });
});

describe("onboarding", () => {
  it("opens the theme editor on the app embed, in Shopify's documented form", () => {
    expect(themeEditorEmbedUrl("demo-shop.myshopify.com", "0123456789abcdef")).toBe(
      "https://demo-shop.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=0123456789abcdef/app-embed",
    );
    expect(() => themeEditorEmbedUrl("shop.example.com", "k")).toThrow(RangeError);
  });

  it("resumes at the first step not done, then the review", () => {
    expect(resumeScreen({ completedSteps: [], completedAt: null })).toBe("pointsName");
    expect(resumeScreen({ completedSteps: ["pointsName", "reward"], completedAt: null })).toBe("earning");
    expect(resumeScreen({ completedSteps: ["pointsName", "earning", "reward", "widget"], completedAt: null })).toBe("launch");
  });

  it("lays the earning answers over the current program and keeps the rest", () => {
    const current = parseEarningProgram({ purchase: { includeShipping: true }, actions: { newsletter: { enabled: true, points: 10 } } });
    const next = parseEarningProgram(applyEarningStep(current, { pointsPerUnit: "5", signupEnabled: true, signupPoints: 100, birthdayEnabled: false, birthdayPoints: 100 }));
    expect(next.purchase).toMatchObject({ pointsPerUnit: "5", includeShipping: true, enabled: true });
    expect(next.actions).toMatchObject({ signup: { enabled: true, points: 100 }, birthday: { enabled: false, points: 100 }, newsletter: { enabled: true, points: 10 } });
  });
});
