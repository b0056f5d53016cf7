import type { AdminGateway } from "../gateway.server";
import { toGid } from "../gid";
import { defineAdminOperation, type AdminOperation } from "../operation";

// Product tags and collection membership for earning conditions: order webhooks carry each line's
// product id but neither. One `nodes(ids:)` lookup per chunk of products; membership is asked per
// collection the program references, with `inCollection(id:)` under an alias (c0, c1, …). That is
// exact however many collections a product is in, where `collections(first: N)` would cost N per
// product and still miss the N+1st.
//
// Cost: Shopify charges `nodes` per id (an object each) and documents scalar fields (tags, the
// Boolean membership checks) at 0. A membership check is a lookup on Shopify's side, so it is
// budgeted here as if it cost 1 like an object: a later pricing change cannot push a chunk over the
// 1000-point single-query limit, and each query stays a fraction of the bucket.

/** Shopify refuses more than 250 ids in one `nodes` call; 100 keeps each query small. */
export const MAX_PRODUCTS_PER_QUERY = 100;
/** Aliased membership checks per query; more collections are asked in further queries. */
export const MAX_COLLECTIONS_PER_QUERY = 24;
/** The most any one query is budgeted to cost (a quarter of a standard shop's bucket). */
export const QUERY_COST_BUDGET = 250;

export type ProductFactsVariables = { ids: string[] } & { [collectionAlias: `c${number}`]: string };

interface ProductFactsNode {
  id?: string;
  tags?: string[];
  [collectionAlias: string]: unknown;
}

export type ProductFactsData = { nodes: (ProductFactsNode | null)[] };

const collectionAlias = (index: number) => `c${index}`;

/** What a query for `products` products and `collections` membership checks is budgeted to cost. */
export function productFactsCost(products: number, collections: number): number {
  return products * (1 + collections);
}

const operations = new Map<number, AdminOperation<ProductFactsData, ProductFactsVariables>>();

/** The ProductFacts query with `collectionCount` aliased membership checks ($c0 … $cN-1). */
export function productFactsOperation(collectionCount: number): AdminOperation<ProductFactsData, ProductFactsVariables> {
  if (!Number.isInteger(collectionCount) || collectionCount < 0 || collectionCount > MAX_COLLECTIONS_PER_QUERY) {
    throw new RangeError(`collectionCount must be an integer from 0 to ${MAX_COLLECTIONS_PER_QUERY}, got ${collectionCount}`);
  }
  const cached = operations.get(collectionCount);
  if (cached) return cached;
  const aliases = Array.from({ length: collectionCount }, (_, i) => collectionAlias(i));
  const variables = ["$ids: [ID!]!", ...aliases.map((a) => `$${a}: ID!`)].join(", ");
  const checks = aliases.map((a) => `\n      ${a}: inCollection(id: $${a})`).join("");
  const operation = defineAdminOperation<ProductFactsData, ProductFactsVariables>({
    name: "ProductFacts",
    expectedCost: productFactsCost(MAX_PRODUCTS_PER_QUERY, collectionCount),
    query: /* GraphQL */ `query ProductFacts(${variables}) {
  nodes(ids: $ids) {
    ... on Product {
      id
      tags${checks}
    }
  }
}`,
  });
  operations.set(collectionCount, operation);
  return operation;
}

/** The form without membership checks (tags only); productFactsOperation(n) adds n of them. */
export const ProductFactsQuery = productFactsOperation(0);

export interface ProductFactsChunk {
  productIds: string[];
  collectionIds: string[];
  /** The budgeted cost of this chunk's query (see the header). */
  expectedCost: number;
}

const chunk = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Splits a lookup into queries: collections in groups of MAX_COLLECTIONS_PER_QUERY, and for each
 * group the products in chunks small enough that each query stays within QUERY_COST_BUDGET.
 * Every product is asked about every collection exactly once; ids are deduplicated.
 */
export function planProductFactsQueries(productIds: readonly string[], collectionIds: readonly string[]): ProductFactsChunk[] {
  const products = [...new Set(productIds)];
  const collections = [...new Set(collectionIds)];
  if (products.length === 0) return [];
  const collectionGroups = collections.length === 0 ? [[]] : chunk(collections, MAX_COLLECTIONS_PER_QUERY);
  return collectionGroups.flatMap((group) => {
    const perQuery = Math.min(MAX_PRODUCTS_PER_QUERY, Math.floor(QUERY_COST_BUDGET / (1 + group.length)));
    return chunk(products, perQuery).map((ids) => ({
      productIds: ids,
      collectionIds: group,
      expectedCost: productFactsCost(ids.length, group.length),
    }));
  });
}

export interface ProductFacts {
  tags: string[];
  /** The asked-about collections the product is in (numeric ids, as the program stores them). */
  collectionIds: string[];
}

export interface ProductFactsLookup {
  /** Keyed by numeric product id. */
  products: Map<string, ProductFacts>;
  /** Products Shopify no longer has (deleted since the order): no tags, no collections. */
  missing: string[];
}

function collectionGid(id: string): string {
  if (!/^\d+$/.test(id)) throw new TypeError(`Not a Shopify collection id: ${id}`);
  return `gid://shopify/Collection/${id}`;
}

/**
 * Tags of each product and which of `collectionIds` it belongs to. Ids are numeric strings (or
 * gids for products). A product Shopify does not return (deleted) is listed in `missing`.
 */
export async function fetchProductFacts(
  gateway: AdminGateway,
  productIds: readonly string[],
  collectionIds: readonly string[],
): Promise<ProductFactsLookup> {
  const numericProducts = productIds.map((id) => toGid("Product", id).slice("gid://shopify/Product/".length));
  collectionIds.forEach(collectionGid);
  const products = new Map<string, ProductFacts>();
  const missing = new Set<string>();

  for (const plan of planProductFactsQueries(numericProducts, collectionIds)) {
    const operation = productFactsOperation(plan.collectionIds.length);
    const variables: ProductFactsVariables = { ids: plan.productIds.map((id) => toGid("Product", id)) };
    plan.collectionIds.forEach((id, index) => {
      variables[`c${index}`] = collectionGid(id);
    });
    const data = await gateway.request({ ...operation, expectedCost: plan.expectedCost }, variables);
    if (!Array.isArray(data.nodes) || data.nodes.length !== plan.productIds.length) {
      throw new Error(`ProductFacts answered ${Array.isArray(data.nodes) ? data.nodes.length : "no"} nodes for ${plan.productIds.length} ids`);
    }
    plan.productIds.forEach((productId, index) => {
      const node = data.nodes[index];
      // `nodes` answers in the order asked; null (or a node without our fields) is a product that is gone.
      if (!node || node.id === undefined) {
        missing.add(productId);
        return;
      }
      if (node.id !== toGid("Product", productId) || !Array.isArray(node.tags)) {
        throw new Error(`ProductFacts answered ${node.id} where ${toGid("Product", productId)} was asked`);
      }
      const facts = products.get(productId) ?? { tags: [...node.tags], collectionIds: [] };
      plan.collectionIds.forEach((collectionId, c) => {
        if (node[collectionAlias(c)] === true) facts.collectionIds.push(collectionId);
      });
      products.set(productId, facts);
    });
  }
  for (const id of missing) products.delete(id);
  return { products, missing: [...missing] };
}
