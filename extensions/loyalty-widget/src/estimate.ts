import type { PurchaseRule, Rounding } from "./types";

// "Earn N points" for one product: the earning engine's arithmetic (app/domain/earning.ts) for an
// order of just this product at this price, for a shopper with no customer-tag bonus. Exact
// integer math on BigInt, like the engine: base points = price × rate rounded once, then the best
// campaign multiplier rounded once, then the per-order cap. tests/unit/widget-estimate.test.ts
// checks it against the engine on many programs and prices.

export interface ProductFacts {
  id: string;
  tags: string[];
  /** Collection ids, digits only. */
  collections: string[];
  giftCard: boolean;
}

export type Estimate = { points: number } | { belowMinimum: string } | null;

function decimal(text: string): [bigint, bigint] {
  const [whole, fraction = ""] = text.split(".");
  return [BigInt(whole + fraction), 10n ** BigInt(fraction.length)];
}

function divideRounded(num: bigint, den: bigint, mode: Rounding): bigint {
  if (mode === "ceil") return (num + den - 1n) / den;
  if (mode === "half_up") return (2n * num + den) / (2n * den);
  return num / den;
}

const lower = (values: string[]) => values.map((v) => v.toLowerCase());

function isEligible(rule: PurchaseRule, product: ProductFacts): boolean {
  const tags = lower(product.tags);
  const hasTag = (list: string[]) => list.some((tag) => tags.includes(tag.toLowerCase()));
  const inCollection = (list: string[]) => list.some((id) => product.collections.includes(id));
  if (product.giftCard && !rule.includeGiftCards) return false;
  if (rule.products.exclude.includes(product.id) || inCollection(rule.collections.exclude) || hasTag(rule.productTags.exclude)) return false;
  const includes = rule.products.include.length + rule.collections.include.length + rule.productTags.include.length;
  return includes === 0 || rule.products.include.includes(product.id) || inCollection(rule.collections.include) || hasTag(rule.productTags.include);
}

function bestMultiplier(rule: PurchaseRule, product: ProductFacts): [bigint, bigint] | null {
  const tags = lower(product.tags);
  let best: [bigint, bigint] | null = null;
  for (const c of rule.campaigns) {
    const unscoped = c.productIds.length + c.collectionIds.length + c.productTags.length === 0;
    const covers =
      unscoped ||
      c.productIds.includes(product.id) ||
      c.collectionIds.some((id) => product.collections.includes(id)) ||
      c.productTags.some((tag) => tags.includes(tag.toLowerCase()));
    const m = decimal(c.multiplier);
    // The first listed wins a tie, as in the engine.
    if (covers && (best === null || m[0] * best[1] > best[0] * m[1])) best = m;
  }
  return best;
}

/**
 * Points for buying one unit at `priceMinor` (shop-currency minor units). Null when the product
 * earns nothing now or the rule is not public; `belowMinimum` (the minimum, a decimal string)
 * when this price alone is under the program's minimum order.
 */
export function estimatePoints(rule: PurchaseRule, product: ProductFacts, priceMinor: bigint): Estimate {
  if (!rule.activeNow || rule.eligibleCustomersOnly || !isEligible(rule, product) || priceMinor <= 0n) return null;
  const unit = 10n ** BigInt(rule.currencyExponent);
  if (rule.minimumOrder !== null) {
    const [num, den] = decimal(rule.minimumOrder);
    if (priceMinor * den < num * unit) return { belowMinimum: rule.minimumOrder };
  }
  const [rateNum, rateDen] = decimal(rule.pointsPerUnit);
  let points = divideRounded(priceMinor * rateNum, rateDen * unit, rule.rounding);
  const multiplier = bestMultiplier(rule, product);
  if (multiplier) points = divideRounded(points * multiplier[0], multiplier[1], rule.rounding);
  if (rule.perOrderCap !== null && points > BigInt(rule.perOrderCap)) points = BigInt(rule.perOrderCap);
  return points > 0n ? { points: Number(points) } : null;
}

/**
 * A Liquid price (presentment currency, always in hundredths) in shop-currency minor units.
 * `rate` is Shopify's presentment units per shop unit (1 when they are the same currency).
 */
export function shopMinorUnits(liquidPrice: number, rate: number, currencyExponent: number): bigint {
  return BigInt(Math.round((liquidPrice / 100 / rate) * 10 ** currencyExponent));
}
