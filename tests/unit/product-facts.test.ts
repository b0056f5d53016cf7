import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGateway } from "~/shopify/gateway.server";
import {
  fetchProductFacts,
  MAX_COLLECTIONS_PER_QUERY,
  MAX_PRODUCTS_PER_QUERY,
  planProductFactsQueries,
  productFactsOperation,
  ProductFactsQuery,
  QUERY_COST_BUDGET,
} from "~/shopify/operations/product-facts.server";
import { CostBuckets } from "~/shopify/throttle.server";
import { computeQueryCost } from "../../server/standins/admin-cost";
import { loadAdminSchema, prepareAdminOperation } from "../../server/standins/admin-schema";
import { type AdminStandin, startAdminStandin, validateAdminOperation } from "../../server/standins/shopify-admin";

// The ProductFacts lookup: its documents validate against the vendored Admin schema for every
// number of membership checks, a lookup is split so no query exceeds its cost budget, and against
// the stand-in it answers exactly which product is in which collection, deleted products included.

const ids = (count: number, from = 1000) => Array.from({ length: count }, (_, i) => String(from + i));

/** The stand-in's model of Shopify's requested cost for one query with these variables. */
function requestedCost(collectionCount: number, variables: Record<string, unknown>): number {
  const prepared = prepareAdminOperation(productFactsOperation(collectionCount).query, variables);
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
  return computeQueryCost(loadAdminSchema(), prepared.document, prepared.operation, prepared.variables);
}

function variablesFor(productIds: string[], collectionIds: string[]): Record<string, unknown> {
  const variables: Record<string, unknown> = { ids: productIds.map((id) => `gid://shopify/Product/${id}`) };
  collectionIds.forEach((id, i) => (variables[`c${i}`] = `gid://shopify/Collection/${id}`));
  return variables;
}

describe("the ProductFacts document", () => {
  it.each([0, 1, 2, 7, MAX_COLLECTIONS_PER_QUERY])("with %i membership checks validates against the Admin schema, variables included", (n) => {
    const operation = productFactsOperation(n);
    expect(operation.name).toBe("ProductFacts");
    expect(validateAdminOperation(operation.query)).toEqual([]);
    expect(validateAdminOperation(operation.query, variablesFor(ids(3), ids(n, 9000)), "ProductFacts")).toEqual([]);
    expect(operation.query.match(/inCollection\(id: \$c\d+\)/g) ?? []).toHaveLength(n);
  });

  it("refuses variables Shopify would refuse, and a count of checks beyond the per-query maximum", () => {
    expect(validateAdminOperation(productFactsOperation(1).query, { ids: ["gid://shopify/Product/1"] }, "ProductFacts")).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "INVALID_VARIABLE" }) }),
    ]);
    expect(() => productFactsOperation(MAX_COLLECTIONS_PER_QUERY + 1)).toThrow(RangeError);
    expect(() => productFactsOperation(-1)).toThrow(RangeError);
    expect(ProductFactsQuery).toBe(productFactsOperation(0));
  });

  it("costs one object per product, where asking for every collection would be refused", () => {
    expect(requestedCost(0, variablesFor(ids(100), []))).toBe(100);
    expect(requestedCost(5, variablesFor(ids(40), ids(5, 9000)))).toBe(40);
    const everyCollection = prepareAdminOperation(
      "query P($ids: [ID!]!) { nodes(ids: $ids) { ... on Product { id collections(first: 250) { nodes { id } } } } }",
      variablesFor(ids(20), []),
    );
    if (!everyCollection.ok) throw new Error("invalid");
    expect(computeQueryCost(loadAdminSchema(), everyCollection.document, everyCollection.operation, everyCollection.variables)).toBeGreaterThan(1000);
  });
});

describe("planProductFactsQueries", () => {
  it("asks about each product and collection pair exactly once, within the cost budget", () => {
    for (const [products, collections] of [[1, 0], [250, 0], [20, 3], [130, 30], [7, 100]] as const) {
      const plan = planProductFactsQueries(ids(products), ids(collections, 9000));
      const pairs = plan.flatMap((q) => q.productIds.flatMap((p) => (q.collectionIds.length ? q.collectionIds.map((c) => `${p}:${c}`) : [`${p}:`])));
      expect(new Set(pairs).size).toBe(pairs.length);
      expect(pairs).toHaveLength(products * Math.max(1, collections));
      for (const query of plan) {
        expect(query.productIds.length).toBeLessThanOrEqual(MAX_PRODUCTS_PER_QUERY);
        expect(query.collectionIds.length).toBeLessThanOrEqual(MAX_COLLECTIONS_PER_QUERY);
        expect(query.expectedCost).toBe(query.productIds.length * (1 + query.collectionIds.length));
        expect(query.expectedCost).toBeLessThanOrEqual(QUERY_COST_BUDGET);
        // What the stand-in (Shopify's documented rules) would charge never exceeds the budgeted cost.
        expect(requestedCost(query.collectionIds.length, variablesFor(query.productIds, query.collectionIds))).toBeLessThanOrEqual(query.expectedCost);
      }
    }
  });

  it("chunks by the budget: 250 products in 100s, 3 collections → 62 products a query, 30 → two groups", () => {
    expect(planProductFactsQueries(ids(250), []).map((q) => q.productIds.length)).toEqual([100, 100, 50]);
    expect(planProductFactsQueries(ids(130), ids(3, 9000)).map((q) => q.productIds.length)).toEqual([62, 62, 6]);
    const wide = planProductFactsQueries(ids(20), ids(30, 9000));
    expect(wide.map((q) => [q.productIds.length, q.collectionIds.length])).toEqual([[10, 24], [10, 24], [20, 6]]);
  });

  it("deduplicates ids and plans nothing without products", () => {
    expect(planProductFactsQueries(["1", "1", "2"], ["5", "5"])).toEqual([{ productIds: ["1", "2"], collectionIds: ["5"], expectedCost: 4 }]);
    expect(planProductFactsQueries([], ["5"])).toEqual([]);
  });
});

describe("fetchProductFacts against the stand-in", () => {
  let standin: AdminStandin;
  beforeAll(async () => {
    standin = await startAdminStandin();
  });
  afterAll(() => standin.close());

  function newShop() {
    const domain = `pf-${randomBytes(4).toString("hex")}.myshopify.com`;
    const accessToken = `shpat_${randomBytes(8).toString("hex")}`;
    standin.addShop(domain, accessToken);
    const gateway = createAdminGateway({ shop: domain, accessToken, origin: standin.url, costBuckets: new CostBuckets(), sleep: async () => {} });
    return { domain, gateway };
  }
  const numeric = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

  it("returns tags and exactly the asked-about collections each product is in; a deleted product is missing", async () => {
    const { domain, gateway } = newShop();
    const sale = standin.addCollection(domain, { title: "Sale" });
    const summer = standin.addCollection(domain, { title: "Summer" });
    const other = standin.addCollection(domain, { title: "Other" });
    const hat = standin.addProduct(domain, { title: "Hat", tags: ["Summer", "wool"], collectionIds: [sale.id, other.id] });
    const scarf = standin.addProduct(domain, { title: "Scarf", collectionIds: [summer.id] });
    const gone = standin.addProduct(domain, { title: "Gone", tags: ["x"], collectionIds: [sale.id] });
    standin.removeProduct(domain, gone.id);

    const result = await fetchProductFacts(gateway, [numeric(hat.id), scarf.id, numeric(gone.id)], [numeric(sale.id), numeric(summer.id)]);
    expect(result.missing).toEqual([numeric(gone.id)]);
    expect(Object.fromEntries(result.products)).toEqual({
      [numeric(hat.id)]: { tags: ["Summer", "wool"], collectionIds: [numeric(sale.id)] },
      [numeric(scarf.id)]: { tags: [], collectionIds: [numeric(summer.id)] },
    });
    const calls = standin.calls.filter((c) => c.shop === domain);
    expect(calls.map((c) => [c.operationName, c.status, c.requestedQueryCost])).toEqual([["ProductFacts", 200, 3]]);
  });

  it("splits a large lookup into queries that each stay within budget and merges their answers exactly", async () => {
    const { domain, gateway } = newShop();
    const collections = Array.from({ length: 30 }, (_, i) => standin.addCollection(domain, { title: `C${i}` }));
    // Product i is in collection j when (i + j) % 7 === 0, and tagged t<i % 3>.
    const products = Array.from({ length: 45 }, (_, i) =>
      standin.addProduct(domain, { tags: [`t${i % 3}`], collectionIds: collections.filter((_, j) => (i + j) % 7 === 0).map((c) => c.id) }),
    );
    const result = await fetchProductFacts(gateway, products.map((p) => numeric(p.id)), collections.map((c) => numeric(c.id)));
    expect(result.missing).toEqual([]);
    products.forEach((product, i) => {
      expect(result.products.get(numeric(product.id))).toEqual({
        tags: [`t${i % 3}`],
        collectionIds: collections.filter((_, j) => (i + j) % 7 === 0).map((c) => numeric(c.id)),
      });
    });
    const calls = standin.calls.filter((c) => c.shop === domain);
    const plan = planProductFactsQueries(products.map((p) => numeric(p.id)), collections.map((c) => numeric(c.id)));
    expect(calls).toHaveLength(plan.length);
    expect(plan.length).toBeGreaterThan(2);
    for (const call of calls) {
      expect(call.status).toBe(200);
      expect(call.requestedQueryCost).toBeLessThanOrEqual(QUERY_COST_BUDGET);
    }
  });

  it("refuses ids that are not Shopify ids before calling Shopify", async () => {
    const { domain, gateway } = newShop();
    await expect(fetchProductFacts(gateway, ["12x"], [])).rejects.toThrow(TypeError);
    await expect(fetchProductFacts(gateway, ["1"], ["gid://shopify/Collection/5"])).rejects.toThrow(TypeError);
    expect(standin.calls.filter((c) => c.shop === domain)).toEqual([]);
  });
});
