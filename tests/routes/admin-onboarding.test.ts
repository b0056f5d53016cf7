import { describe, expect, it } from "vitest";
import { parseEarningProgram } from "~/domain/program";
import { onShopInstalled } from "~/services/shop-lifecycle.server";
import { loader as layoutLoader } from "~/routes/app";
import { action, loader } from "~/routes/app.onboarding";
import { createTestShop, prisma } from "../helpers/db";
import { adminRequest, bodyOf, callRoute, installOfflineSession, sessionToken } from "../helpers/admin-request";
import { useIsolatedJobQueue } from "../helpers/jobs";
import { testEnv } from "../helpers/env";

// /app/onboarding with real session tokens: each step is saved (and audited) on its own, the
// page resumes at the first step not done, the starter rewards are created once, launching turns
// the program on — and a new install opens on the onboarding until then.

useIsolatedJobQueue();

async function newInstall() {
  const shop = `onb-${Math.random().toString(36).slice(2, 10)}.myshopify.com`;
  // The install path a real shop takes (afterAuth), then its offline session.
  await onShopInstalled(shop);
  await installOfflineSession(shop);
  return { shop, token: await sessionToken(shop, { userId: "77001" }) };
}

interface OnboardingBody {
  completedSteps: string[];
  completedAt: string | null;
  resume: string;
  programEnabled: boolean;
  pointsName: string;
  earning: { pointsPerUnit: string; signupEnabled: boolean; signupPoints: number; birthdayEnabled: boolean; birthdayPoints: number };
  themeEditorUrl: string;
  rewards: { count: number; starter: unknown[] };
}

const load = async (token: string) => bodyOf<OnboardingBody>(await callRoute(loader, adminRequest({ path: "/app/onboarding", token })));
const step = (token: string, form: Record<string, string>) => callRoute(action, adminRequest({ path: "/app/onboarding", token, method: "POST", form }));

describe("onboarding", () => {
  it("a new install starts paused at step one, with the suggested rules and the theme editor link", async () => {
    const { shop, token } = await newInstall();
    const body = await load(token);
    expect(body).toMatchObject({ completedSteps: [], completedAt: null, resume: "pointsName", programEnabled: false, pointsName: "points" });
    expect(body.earning).toEqual({ pointsPerUnit: "5", signupEnabled: true, signupPoints: 100, birthdayEnabled: true, birthdayPoints: 100 });
    expect(body.themeEditorUrl).toBe(`https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${testEnv.SHOPIFY_API_KEY}/app-embed`);
    expect(body.rewards).toMatchObject({ count: 0 });
    expect(body.rewards.starter.length).toBeGreaterThan(0);
  });

  it("saves each step on its own, refuses bad answers at their field, resumes where the merchant stopped, and launches", async () => {
    const { shop, token } = await newInstall();

    const blank = await step(token, { intent: "pointsName", pointsName: "   " });
    expect(blank.status).toBe(422);
    expect(await bodyOf(blank)).toMatchObject({ ok: false, step: "pointsName", issues: [{ path: "pointsName", code: "empty" }] });
    expect((await load(token)).completedSteps).toEqual([]);

    const named = await step(token, { intent: "pointsName", pointsName: "Stars" });
    expect(await bodyOf(named)).toMatchObject({ ok: true, next: "earning" });
    expect((await load(token)).resume).toBe("earning");

    const badRate = await step(token, { intent: "earning", pointsPerUnit: "0", signupEnabled: "on", signupPoints: "100", birthdayPoints: "x" });
    expect(badRate.status).toBe(422);
    const badIssues = (await bodyOf<{ issues: { path: string; code: string }[] }>(badRate)).issues;
    expect(badIssues).toEqual([{ path: "birthdayPoints", code: "wholeNumber", params: {} }]);
    const zeroRate = await step(token, { intent: "earning", pointsPerUnit: "0", signupEnabled: "on", signupPoints: "100", birthdayPoints: "100" });
    expect(await bodyOf(zeroRate)).toMatchObject({ issues: [{ path: "pointsPerUnit", code: "positive" }] });
    expect(parseEarningProgram((await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).earningRules).purchase.pointsPerUnit).toBe("1");

    // Checked boxes post their value ("true" from the page; "on" is a browser's default).
    const earning = await step(token, { intent: "earning", pointsPerUnit: "5", signupEnabled: "on", signupPoints: "100", birthdayEnabled: "true", birthdayPoints: "150" });
    expect(await bodyOf(earning)).toMatchObject({ ok: true, next: "reward" });
    const program = parseEarningProgram((await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).earningRules);
    expect(program.purchase.pointsPerUnit).toBe("5");
    expect(program.actions).toMatchObject({ signup: { enabled: true, points: 100 }, birthday: { enabled: true, points: 150 } });

    // Leaving and coming back: the answers are there and the page resumes at the reward step.
    const back = await load(token);
    expect(back).toMatchObject({ resume: "reward", pointsName: "Stars", completedSteps: ["pointsName", "earning"] });
    expect(back.earning).toMatchObject({ pointsPerUnit: "5", birthdayPoints: 150 });

    const early = await step(token, { intent: "launch" });
    expect(early.status).toBe(422);
    expect((await bodyOf<{ issues: { path: string }[] }>(early)).issues.map((i) => i.path)).toEqual(["steps.reward", "steps.widget"]);
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).programEnabled).toBe(false);

    // The starter rewards, once, even when the step is submitted twice.
    await step(token, { intent: "reward", createStarterReward: "on" });
    await step(token, { intent: "reward", createStarterReward: "on" });
    const rewards = await prisma.reward.count({ where: { shop } });
    expect(rewards).toBe(back.rewards.starter.length);

    expect(await bodyOf(await step(token, { intent: "widget" }))).toMatchObject({ ok: true, next: "launch" });
    const launched = await step(token, { intent: "launch" });
    expect(await bodyOf(launched)).toMatchObject({ ok: true, next: "done" });
    const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row.programEnabled).toBe(true);
    expect(row.onboardingCompletedAt).toBeInstanceOf(Date);
    expect(row.pointsName).toBe("Stars");

    const audits = await prisma.auditLog.findMany({ where: { shop, actor: "staff:77001" }, orderBy: { id: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(["program.updated", "program.updated", "reward.starter_catalog", "program.launched"]);
    expect((audits[0].details as { changes: unknown[] }).changes).toEqual([{ path: "settings.pointsName", from: "points", to: "Stars" }]);
    expect((audits[1].details as { source: string }).source).toBe("onboarding");
  });

  it("refuses an unknown step and an unauthenticated request, changing nothing", async () => {
    const { shop, token } = await newInstall();
    const unknown = await step(token, { intent: "shipping" });
    expect(unknown.status).toBe(422);
    const forged = await callRoute(action, adminRequest({ path: "/app/onboarding", token: await sessionToken(shop, { secret: "wrong" }), method: "POST", form: { intent: "launch" } }));
    expect(forged.status).not.toBe(200);
    const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect({ steps: row.onboardingSteps, enabled: row.programEnabled }).toEqual({ steps: [], enabled: false });
  });

  it("a shop's token sets up only that shop", async () => {
    const a = await newInstall();
    const b = await newInstall();
    await step(a.token, { intent: "pointsName", pointsName: "Coins" });
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: b.shop } })).pointsName).toBe("points");
    expect((await load(b.token)).completedSteps).toEqual([]);
  });
});

describe("the admin layout", () => {
  const home = (token: string, path = "/app?shop=x&host=y") => callRoute(layoutLoader, adminRequest({ path, token }));

  it("opens a shop that never launched on the onboarding, keeping the query, until it launches", async () => {
    const { shop, token } = await newInstall();
    const redirect = await home(token, `/app?shop=${shop}&host=abc&_data=routes%2Fapp`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("Location")).toBe(`/app/onboarding?shop=${shop}&host=abc`);
    // Other pages open normally, with the setup banner's state.
    const members = await home(token, "/app/members");
    expect(members.status).toBe(200);
    expect(await bodyOf(members)).toMatchObject({ onboarding: { done: false, completed: 0, total: 5, openOnboarding: true } });

    await prisma.shop.update({ where: { domain: shop }, data: { onboardingSteps: ["pointsName", "earning", "reward", "widget"] } });
    await step(token, { intent: "launch" });
    const after = await home(token);
    expect(after.status).toBe(200);
    expect(await bodyOf(after)).toMatchObject({ onboarding: { done: true } });
  });

  it("does not redirect a shop whose program already runs (installed before onboarding existed)", async () => {
    const { domain } = await createTestShop();
    await installOfflineSession(domain);
    const response = await home(await sessionToken(domain));
    expect(response.status).toBe(200);
    expect(await bodyOf(response)).toMatchObject({ onboarding: { done: false, openOnboarding: false } });
  });
});
