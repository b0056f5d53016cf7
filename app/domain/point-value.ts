import { formatMoneyAmount, type Money, MoneyFormatError, multiplyMoney, parseMoney } from "./money";
import { rational } from "./rational";
import { rewardUnavailability, type RewardRecord } from "./rewards";

// What a point is worth, for the overview's outstanding liability (points held × value). Points
// become money only through rewards, so the value comes from the shop's catalog: the most a point
// buys in any reward with a money value (a fixed amount off, or a points slider), which makes the
// liability an upper bound, the prudent side for a liability. Percentage, free-shipping and
// free-product rewards have no fixed money value and are left out. A shop without such a reward
// gets a stated assumption instead, and the page says which one it used.

/** `points` points are worth `amount` (decimal text in the shop's currency). */
export interface PointValue {
  points: number;
  amount: string;
  source: "reward" | "assumption";
  /** The reward the value comes from (source "reward"). */
  rewardId?: string;
  rewardTitle?: unknown;
}

/** When no reward has a money value: 100 points = 1 unit of the shop's currency, a common rate. */
export const ASSUMED_POINTS_PER_UNIT = 100;

export function assumedPointValue(currency: string): PointValue {
  return { points: ASSUMED_POINTS_PER_UNIT, amount: formatMoneyAmount(parseMoney("1", currency)), source: "assumption" };
}

function moneyPerPoints(reward: RewardRecord, currency: string): { money: Money; points: number } | null {
  try {
    if (reward.type === "FIXED_AMOUNT" && reward.amount && reward.pointsCost) {
      return { money: parseMoney(reward.amount, currency), points: reward.pointsCost };
    }
    if (reward.type === "POINTS_SLIDER" && reward.sliderUnitAmount && reward.sliderPointsPerUnit) {
      return { money: parseMoney(reward.sliderUnitAmount, currency), points: reward.sliderPointsPerUnit };
    }
  } catch (error) {
    // An amount the currency cannot hold (the shop changed currency since) says nothing here.
    if (error instanceof MoneyFormatError) return null;
    throw error;
  }
  return null;
}

/** The highest value per point among rewards members can redeem now or later; else the assumption. */
export function pointValueFromRewards(rewards: readonly RewardRecord[], currency: string, now: Date): PointValue {
  let best: { money: Money; points: number; reward: RewardRecord } | null = null;
  for (const reward of rewards) {
    const unavailable = rewardUnavailability(reward, now);
    if (unavailable !== null && unavailable !== "not_started") continue;
    const value = moneyPerPoints(reward, currency);
    if (!value || value.money.minor <= 0n || value.points <= 0) continue;
    // a/p > b/q  ⇔  a·q > b·p: compared exactly.
    if (!best || value.money.minor * BigInt(best.points) > best.money.minor * BigInt(value.points)) best = { ...value, reward };
  }
  if (!best) return assumedPointValue(currency);
  return { points: best.points, amount: formatMoneyAmount(best.money), source: "reward", rewardId: best.reward.id, rewardTitle: best.reward.title };
}

/** `points` × the value, rounded half up to the currency's minor unit. */
export function pointsInMoney(points: number, value: Pick<PointValue, "points" | "amount">, currency: string): Money {
  return multiplyMoney(parseMoney(value.amount, currency), rational(points, value.points), "half_up");
}
