import { EARNING_FINANCIAL_STATUSES } from "~/domain/earning";
import { enrichOrderLines, type EarningOrder, type LineEnrichment } from "~/domain/order";
import { programNeedsEnrichment, type EarningProgram } from "~/domain/program";
import type { AdminGateway } from "~/shopify/gateway.server";
import { fetchProductFacts } from "~/shopify/operations/product-facts.server";
import { logger } from "~/utils/logger.server";
import { gatewayForShop } from "./shop-gateway.server";

// Product tags and collections for the earning engine: order webhooks carry each line's product id
// but neither, so a program with tag or collection conditions (or scoped campaigns) needs one Admin
// lookup per order. Failures are the gateway's typed errors: a missing session or a revoked token
// stops the job, a Shopify outage or throttling fails it retryably so the queue runs it again
// (nothing has been written by then: this runs before the ledger).

export interface OrderEnrichmentDeps {
  /** The shop's Admin gateway; defaults to the offline session's (NoOfflineSessionError when there is none). */
  gateway?: (shop: string) => Promise<AdminGateway>;
}

/** Collection ids the program's conditions and running campaigns mention: the only ones worth asking about. */
export function referencedCollectionIds(program: EarningProgram): string[] {
  const { collections } = program.conditions;
  const scoped = program.multipliers.campaigns.filter((c) => c.enabled).flatMap((c) => c.scope?.collectionIds ?? []);
  return [...new Set([...collections.include, ...collections.exclude, ...scoped])];
}

/** True when the engine stops on the order itself before it reads any line (earning.ts, step 1). */
function stopsBeforeLines(order: EarningOrder, program: EarningProgram): boolean {
  return (
    !program.purchase.enabled ||
    order.test ||
    order.cancelled ||
    !(EARNING_FINANCIAL_STATUSES as readonly (string | null)[]).includes(order.financialStatus)
  );
}

/**
 * The order with each product line's tags and (referenced) collections attached, when the program
 * needs them; otherwise the order unchanged, without any Admin call. A product Shopify no longer
 * has earns as one with no tags and no collections.
 */
export async function enrichOrderForProgram(
  shop: string,
  program: EarningProgram,
  order: EarningOrder,
  deps: OrderEnrichmentDeps = {},
): Promise<EarningOrder> {
  const needs = programNeedsEnrichment(program);
  if (!needs.productTags && !needs.collectionIds) return order;
  if (stopsBeforeLines(order, program)) return order;

  const productIds = [...new Set(order.lines.flatMap((line) => (line.productId === null ? [] : [line.productId])))];
  // Custom line items have no product: enrichOrderLines gives them empty tags and collections.
  if (productIds.length === 0) return enrichOrderLines(order, new Map());

  const collectionIds = needs.collectionIds ? referencedCollectionIds(program) : [];
  const gateway = await (deps.gateway ?? gatewayForShop)(shop);
  const { products, missing } = await fetchProductFacts(gateway, productIds, collectionIds);

  const byProductId = new Map<string, LineEnrichment>();
  for (const id of productIds) {
    const facts = products.get(id);
    byProductId.set(id, { productTags: facts?.tags ?? [], collectionIds: facts?.collectionIds ?? [] });
  }
  if (missing.length > 0) {
    logger
      .child({ component: "order-enrichment", shop, orderId: order.id })
      .warn({ productIds: missing }, "products of the order no longer exist: earning as if untagged and in no collection");
  }
  return enrichOrderLines(order, byProductId);
}
