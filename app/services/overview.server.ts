import { addMoney, formatMoneyAmount, parseMoney, zeroMoney, type Money } from "~/domain/money";
import { pointsInMoney, pointValueFromRewards } from "~/domain/point-value";
import {
  DEFAULT_PRESET,
  reportTimeZone,
  resolveReportWindow,
  type PeriodChoice,
  type PeriodError,
  type ReportWindow,
} from "~/domain/report-period";
import { localizedText } from "~/domain/rewards";
import { activeMemberCounts, pointsFlowByDay, recentEntries, type PointsFlowDay } from "~/models/ledger.server";
import { memberTotals } from "~/models/member.server";
import { orderRevenueByDay, type OrderRevenueDay } from "~/models/order-earning.server";
import { listRewards } from "~/models/reward.server";
import { getShop } from "~/models/shop.server";

// The program's overview for a period and the one before it, from local data only (the ledger,
// order earnings, members, the rewards catalog): nothing waits on Shopify's Admin API.

export interface Compared<T> {
  current: T;
  previous: T;
}

export interface OverviewDaySeries {
  /** The current period's local days (YYYY-MM-DD). */
  days: string[];
  issued: number[];
  redeemed: number[];
  expired: number[];
  /** Decimal text per day, shop currency. */
  memberRevenue: string[];
  otherRevenue: string[];
}

export interface ProgramOverview {
  shop: {
    domain: string;
    name: string;
    programEnabled: boolean;
    pointsName: string;
    currencyCode: string;
    timeZone: string;
    earnTrigger: "ORDER_PAID" | "ORDER_FULFILLED";
    pendingDays: number;
  };
  /** The period reported on (a refused custom period falls back to the default preset). */
  period: { choice: PeriodChoice; current: { from: string; to: string; days: number }; previous: { from: string; to: string; days: number } };
  /** Why the requested custom period was refused, if it was. */
  periodError: PeriodError | null;
  /** No member and no order yet: the page explains what will appear. */
  isNewShop: boolean;
  members: { total: number; new: Compared<number> };
  activeMembers: Compared<number>;
  points: {
    issued: Compared<number>;
    redeemed: Compared<number>;
    expired: Compared<number>;
    /** Redeemed ÷ issued in the period; null when nothing was issued. */
    redemptionRate: Compared<number | null>;
  };
  liability: {
    available: number;
    pending: number;
    /** (available + pending) × value of a point, shop currency. */
    amount: string;
    /** `points` points are worth `amount`: from the reward named, or the stated assumption. */
    pointValue: { points: number; amount: string; source: "reward" | "assumption"; rewardTitle: string | null };
  };
  revenue: {
    members: Compared<string>;
    others: Compared<string>;
    memberOrders: Compared<number>;
    otherOrders: Compared<number>;
    /** Orders of both periods left out of revenue (no recorded total, or another currency). */
    excludedOrders: number;
  };
  series: OverviewDaySeries;
  activity: Awaited<ReturnType<typeof recentEntries>>;
}

const sumNumbers = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

function sumMoneyText(values: readonly string[], currency: string): Money {
  return values.reduce((total, value) => addMoney(total, parseMoney(value, currency)), zeroMoney(currency));
}

const rate = (redeemed: number, issued: number) => (issued > 0 ? redeemed / issued : null);

function split<T>(days: readonly T[], window: ReportWindow): Compared<T[]> {
  const previousDays = window.previous.days;
  return { previous: days.slice(0, previousDays), current: days.slice(previousDays) };
}

export async function getProgramOverview(
  shop: string,
  choice: PeriodChoice,
  { now = new Date(), locale = "en" }: { now?: Date; locale?: string } = {},
): Promise<ProgramOverview> {
  const shopRow = await getShop(shop);
  if (!shopRow) throw new Response("Shop not found", { status: 404 });
  const timeZone = reportTimeZone(shopRow.ianaTimezone);
  const currency = shopRow.currencyCode;

  let resolution = resolveReportWindow(choice, now, timeZone);
  let periodError: PeriodError | null = null;
  let reported = choice;
  if (!resolution.ok) {
    periodError = resolution.error;
    reported = { kind: "preset", preset: DEFAULT_PRESET };
    resolution = resolveReportWindow(reported, now, timeZone);
    if (!resolution.ok) throw new Error(`the default period cannot be resolved: ${resolution.error}`);
  }
  const window = resolution.window;
  const periods = { start: window.previous.start, split: window.current.start, end: window.current.end };

  const [flow, revenue, active, totals, rewards, activity] = await Promise.all([
    pointsFlowByDay(shop, window.boundaries),
    orderRevenueByDay(shop, window.boundaries, currency),
    activeMemberCounts(shop, periods),
    memberTotals(shop, periods),
    listRewards(shop),
    recentEntries(shop),
  ]);

  const flowDays = split<PointsFlowDay>(flow, window);
  const revenueDays = split<OrderRevenueDay>(revenue.days, window);
  const total = (days: Compared<PointsFlowDay[]>, field: keyof PointsFlowDay): Compared<number> => ({
    current: sumNumbers(days.current.map((d) => d[field])),
    previous: sumNumbers(days.previous.map((d) => d[field])),
  });
  const issued = total(flowDays, "issued");
  const redeemed = total(flowDays, "redeemed");
  const money = (field: "memberRevenue" | "otherRevenue"): Compared<string> => ({
    current: formatMoneyAmount(sumMoneyText(revenueDays.current.map((d) => d[field]), currency)),
    previous: formatMoneyAmount(sumMoneyText(revenueDays.previous.map((d) => d[field]), currency)),
  });
  const count = (field: "memberOrders" | "otherOrders"): Compared<number> => ({
    current: sumNumbers(revenueDays.current.map((d) => d[field])),
    previous: sumNumbers(revenueDays.previous.map((d) => d[field])),
  });

  const pointValue = pointValueFromRewards(rewards, currency, now);
  const outstanding = totals.pointsAvailable + totals.pointsPending;
  const anyOrders = revenue.days.some((d) => d.memberOrders + d.otherOrders > 0) || revenue.withoutTotal > 0;

  return {
    shop: {
      domain: shopRow.domain,
      name: shopRow.name ?? shopRow.domain,
      programEnabled: shopRow.programEnabled,
      pointsName: shopRow.pointsName,
      currencyCode: currency,
      timeZone,
      earnTrigger: shopRow.earnTrigger,
      pendingDays: shopRow.pendingDays,
    },
    period: {
      choice: reported,
      current: { from: window.current.from, to: window.current.to, days: window.current.days },
      previous: { from: window.previous.from, to: window.previous.to, days: window.previous.days },
    },
    periodError,
    isNewShop: totals.members === 0 && !anyOrders && activity.length === 0,
    members: { total: totals.members, new: { current: totals.newCurrent, previous: totals.newPrevious } },
    activeMembers: active,
    points: {
      issued,
      redeemed,
      expired: total(flowDays, "expired"),
      redemptionRate: { current: rate(redeemed.current, issued.current), previous: rate(redeemed.previous, issued.previous) },
    },
    liability: {
      available: totals.pointsAvailable,
      pending: totals.pointsPending,
      amount: formatMoneyAmount(pointsInMoney(outstanding, pointValue, currency)),
      pointValue: {
        points: pointValue.points,
        amount: pointValue.amount,
        source: pointValue.source,
        rewardTitle: pointValue.source === "reward" ? localizedText(pointValue.rewardTitle, locale, shopRow.primaryLocale) || null : null,
      },
    },
    revenue: {
      members: money("memberRevenue"),
      others: money("otherRevenue"),
      memberOrders: count("memberOrders"),
      otherOrders: count("otherOrders"),
      excludedOrders: revenue.withoutTotal + revenue.otherCurrency,
    },
    series: {
      days: window.dayKeys.slice(window.previous.days),
      issued: flowDays.current.map((d) => d.issued),
      redeemed: flowDays.current.map((d) => d.redeemed),
      expired: flowDays.current.map((d) => d.expired),
      memberRevenue: revenueDays.current.map((d) => formatMoneyAmount(parseMoney(d.memberRevenue, currency))),
      otherRevenue: revenueDays.current.map((d) => formatMoneyAmount(parseMoney(d.otherRevenue, currency))),
    },
    activity,
  };
}
