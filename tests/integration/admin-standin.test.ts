import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { getNamedType, type GraphQLNamedType, isListType, isNonNullType, isObjectType, Kind, parse, type GraphQLOutputType, type OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminOperation } from "~/shopify/operation";
import { buildRedemptionDiscountInput, RedemptionDiscountCodeCreateMutation } from "~/shopify/operations/discount-code-create.server";
import { type AdminStandin, loadAdminSchema, startAdminStandin, validateAdminOperation } from "../../server/standins/shopify-admin";

const OPERATIONS_DIR = path.resolve(__dirname, "../../app/shopify/operations");

let clock = Date.parse("2026-03-01T12:00:00Z");
let standin: AdminStandin;

beforeAll(async () => {
  standin = await startAdminStandin({ now: () => clock });
});
afterAll(() => standin.close());

function newShop() {
  const domain = `si-${randomBytes(4).toString("hex")}.myshopify.com`;
  const accessToken = `shpat_${randomBytes(8).toString("hex")}`;
  standin.addShop(domain, accessToken);
  return { domain, accessToken };
}

function shopState(domain: string) {
  const shop = standin.state.shops.get(domain);
  if (!shop) throw new Error(`${domain} is not in the stand-in`);
  return shop;
}

async function post(token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${standin.url}/admin/api/2025-10/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { "X-Shopify-Access-Token": token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

function isAdminOperation(value: unknown): value is AdminOperation<unknown, Record<string, unknown>> {
  return typeof value === "object" && value !== null && typeof (value as { query?: unknown }).query === "string" && typeof (value as { name?: unknown }).name === "string";
}

describe("every operation under app/shopify/operations", () => {
  const files = readdirSync(OPERATIONS_DIR).filter((f) => /\.tsx?$/.test(f));

  it("finds the operation files", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)("%s validates against the Admin schema", async (file) => {
    const module = (await import(path.join(OPERATIONS_DIR, file))) as Record<string, unknown>;
    const operations = Object.values(module).filter(isAdminOperation);
    expect(operations, `${file} exports no AdminOperation`).toHaveLength(1);
    const [operation] = operations;

    expect(validateAdminOperation(operation.query)).toEqual([]);

    const definitions = parse(operation.query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(definitions).toHaveLength(1);
    expect(definitions[0].name?.value).toBe(operation.name);

    if (definitions[0].operation === "mutation") {
      expect(operation.userErrorsPath, `${operation.name} must check userErrors`).toBeDefined();
    }
    if (operation.userErrorsPath) {
      // The path must lead, field by field, to a list of errors that have `field` and `message`.
      const schema = loadAdminSchema();
      let type: GraphQLOutputType | null | undefined =
        definitions[0].operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
      for (const key of operation.userErrorsPath) {
        const named: GraphQLNamedType | undefined = type ? getNamedType(type) : undefined;
        expect(isObjectType(named), `${operation.userErrorsPath.join(".")} passes through a non-object`).toBe(true);
        type = isObjectType(named) ? named.getFields()[key]?.type : undefined;
        expect(type, `${key} is not a field`).toBeDefined();
      }
      const list = type && isNonNullType(type) ? type.ofType : type;
      expect(list && isListType(list)).toBe(true);
      const errorType = list ? getNamedType(list) : undefined;
      expect(isObjectType(errorType) && Object.keys(errorType.getFields())).toEqual(expect.arrayContaining(["field", "message"]));
      expect(operation.query).toMatch(new RegExp(`${operation.userErrorsPath.at(-1)}\\s*\\{[^}]*\\bfield\\b[^}]*\\bmessage\\b`));
    }
  });
});

describe("schema validation", () => {
  it("answers an unknown field with Shopify's error shape and no data", async () => {
    const shop = newShop();
    const { status, body } = await post(shop.accessToken, "query Bad {\n  shop { name loyaltyPoints }\n}");

    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: "Field 'loyaltyPoints' doesn't exist on type 'Shop'",
        locations: [{ line: 2, column: 15 }],
        extensions: { code: "undefinedField", typeName: "Shop", fieldName: "loyaltyPoints" },
      },
    ]);
  });

  it("checks variables against the operation's definitions", async () => {
    const shop = newShop();
    const { body } = await post(shop.accessToken, "query C($id: ID!) { customer(id: $id) { id } }", {});
    expect(body.errors[0]).toMatchObject({ extensions: { code: "INVALID_VARIABLE" }, message: expect.stringContaining("$id") });

    const badDate = validateAdminOperation(RedemptionDiscountCodeCreateMutation.query, {
      basicCodeDiscount: { ...buildRedemptionDiscountInput(redemptionInput("gid://shopify/Customer/1")), startsAt: "next tuesday" },
    });
    expect(badDate).toEqual([expect.objectContaining({ extensions: { code: "INVALID_VARIABLE" } })]);
  });

  it("accepts 2025-10's discount `context` but not `discountClasses`, which basic code discounts do not have", () => {
    const input = buildRedemptionDiscountInput(redemptionInput("gid://shopify/Customer/1"));
    expect(validateAdminOperation(RedemptionDiscountCodeCreateMutation.query, { basicCodeDiscount: input })).toEqual([]);

    const errors = validateAdminOperation(RedemptionDiscountCodeCreateMutation.query, {
      basicCodeDiscount: { ...input, discountClasses: ["ORDER"] },
    });
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/"discountClasses" is not defined by type "DiscountCodeBasicInput"/);
  });

  it("names a field the stand-in does not implement instead of returning null", async () => {
    const shop = newShop();
    const { body } = await post(shop.accessToken, "query { shop { name billingAddress { city } } }");

    expect(body.errors).toEqual([
      expect.objectContaining({
        message: "Field 'Shop.billingAddress' is not implemented by the Admin API stand-in",
        path: ["shop", "billingAddress"],
        extensions: expect.objectContaining({ code: "NOT_IMPLEMENTED" }),
      }),
    ]);
    expect(body.data).toBeNull();
  });
});

describe("authentication", () => {
  it("answers an unknown token with Shopify's 401 body", async () => {
    const { status, body } = await post("shpat_unknown", "query { shop { name } }");
    expect(status).toBe(401);
    expect(body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  });

  it("answers a missing token with 401", async () => {
    const { status } = await post(null, "query { shop { name } }");
    expect(status).toBe(401);
  });

  it("scopes every read to the token's shop", async () => {
    const shopA = newShop();
    const shopB = newShop();
    const customer = standin.addCustomer(shopA.domain, { email: "only-a@example.com" });
    const query = "query C($id: ID!) { customer(id: $id) { email } }";

    expect((await post(shopA.accessToken, query, { id: customer.id })).body.data.customer).toEqual({ email: "only-a@example.com" });
    expect((await post(shopB.accessToken, query, { id: customer.id })).body.data.customer).toBeNull();
  });
});

describe("query cost and throttling", () => {
  it("reports cost extensions on every answer and charges the shop's bucket", async () => {
    const shop = newShop();
    const { body } = await post(shop.accessToken, "query { shop { name primaryDomain { url } } }");

    expect(body.extensions.cost).toEqual({
      requestedQueryCost: 2,
      actualQueryCost: 2,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 998, restoreRate: 50 },
    });
  });

  it("charges connections by page size and mutations a flat 10", async () => {
    const shop = newShop();
    const connection = await post(shop.accessToken, "query { customers(first: 10) { nodes { id emailMarketingConsent { marketingState } } } }");
    expect(connection.body.extensions.cost.requestedQueryCost).toBe(2 + 10 * 2);

    const mutation = await post(shop.accessToken, "mutation D($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { message } } }", {
      id: "gid://shopify/DiscountCodeNode/1",
    });
    expect(mutation.body.extensions.cost.requestedQueryCost).toBe(10);
  });

  it("answers THROTTLED like Shopify when the bucket cannot afford the query, and restores over time", async () => {
    const shop = newShop();
    standin.setAvailablePoints(shop.domain, 1);
    const query = "query { shop { name primaryDomain { url } } }";

    const throttled = await post(shop.accessToken, query);
    expect(throttled.status).toBe(200);
    expect(throttled.body.data).toBeUndefined();
    expect(throttled.body.errors).toEqual([expect.objectContaining({ message: "Throttled", extensions: expect.objectContaining({ code: "THROTTLED" }) })]);
    expect(throttled.body.extensions.cost).toEqual({
      requestedQueryCost: 2,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 1, restoreRate: 50 },
    });

    clock += 1000;
    const restored = await post(shop.accessToken, query);
    expect(restored.body.errors).toBeUndefined();
    expect(restored.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(49);
  });

  it("refuses a query that costs more than the whole bucket", async () => {
    const shop = newShop();
    const consent = [1, 2, 3, 4].map((n) => `c${n}: emailMarketingConsent { marketingState }`).join(" ");
    // 2 + 250 × (1 + 4) = 1252 > 1000
    const { body } = await post(shop.accessToken, `query { customers(first: 250) { nodes { ${consent} } } }`);
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "MAX_COST_EXCEEDED" }) })]);
    expect(body.extensions.cost.requestedQueryCost).toBe(1252);
    expect(standin.calls.at(-1)?.requestedQueryCost).toBe(1252);
  });
});

describe("resolvers", () => {
  const metafieldsSet = `mutation Set($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) { metafields { key value } userErrors { field message code elementIndex } }
  }`;

  it("validates metafield types and values and writes nothing when any element is invalid", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const { body } = await post(shop.accessToken, metafieldsSet, {
      metafields: [
        { ownerId: customer.id, namespace: "$app:loyalty", key: "balance", type: "number_integer", value: "100" },
        { ownerId: customer.id, namespace: "$app:loyalty", key: "tier", type: "single_line_text_field", value: "Gold\nPlus" },
        { ownerId: customer.id, namespace: "$app:loyalty", key: "since", type: "not_a_type", value: "x" },
        { ownerId: "gid://shopify/Customer/1", namespace: "$app:loyalty", key: "balance", type: "number_integer", value: "1" },
      ],
    });

    expect(body.data.metafieldsSet.metafields).toEqual([]);
    expect(body.data.metafieldsSet.userErrors).toEqual([
      { field: ["metafields", "1", "value"], message: "Value must be a single line text string.", code: "INVALID_VALUE", elementIndex: 1 },
      { field: ["metafields", "2", "type"], message: expect.stringContaining("not_a_type"), code: "INVALID_TYPE", elementIndex: 2 },
      { field: ["metafields", "3", "ownerId"], message: "Owner does not exist.", code: "INVALID_VALUE", elementIndex: 3 },
    ]);
    expect(shopState(shop.domain).metafields.size).toBe(0);
  });

  it("resolves the $app namespace and reads the metafield back through the customer", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    await post(shop.accessToken, metafieldsSet, {
      metafields: [{ ownerId: customer.id, namespace: "$app:loyalty", key: "balance", type: "number_integer", value: "75" }],
    });

    const { body } = await post(
      shop.accessToken,
      `query R($id: ID!) { customer(id: $id) { metafield(namespace: "$app:loyalty", key: "balance") { namespace type value jsonValue } } }`,
      { id: customer.id },
    );
    expect(body.data.customer.metafield).toEqual({ namespace: "app--1234567--loyalty", type: "number_integer", value: "75", jsonValue: 75 });
  });

  it("refuses a discount code with invalid input with Shopify's userErrors", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const input = buildRedemptionDiscountInput(redemptionInput(customer.id));
    const { body } = await post(shop.accessToken, RedemptionDiscountCodeCreateMutation.query, {
      basicCodeDiscount: {
        ...input,
        code: "",
        endsAt: "2020-01-01T00:00:00Z",
        customerSelection: { all: true },
        customerGets: { ...input.customerGets, value: { percentage: 1.5 } },
      },
    });

    expect(body.data.discountCodeBasicCreate.codeDiscountNode).toBeNull();
    expect(body.data.discountCodeBasicCreate.userErrors.map((e: { field: string[]; code: string }) => [e.field.join("."), e.code])).toEqual([
      ["basicCodeDiscount.code", "BLANK"],
      ["basicCodeDiscount.endsAt", "INVALID"],
      ["basicCodeDiscount.context", "TOO_MANY_ARGUMENTS"],
      ["basicCodeDiscount.customerGets.value.percentage", "VALUE_OUTSIDE_RANGE"],
    ]);
    expect(shopState(shop.domain).discounts.size).toBe(0);
  });

  it("pages through customers filtered by Shopify's search syntax", async () => {
    const shop = newShop();
    const vips = [1, 2, 3].map((n) => standin.addCustomer(shop.domain, { email: `vip${n}@example.com`, tags: ["VIP"] }));
    standin.addCustomer(shop.domain, { email: "regular@example.com" });
    const query = `query Page($after: String) { customers(first: 2, after: $after, query: "tag:vip") {
      nodes { email } pageInfo { hasNextPage endCursor } } }`;

    const first = (await post(shop.accessToken, query)).body.data.customers;
    expect(first.nodes.map((n: { email: string }) => n.email)).toEqual([vips[0].email, vips[1].email]);
    expect(first.pageInfo.hasNextPage).toBe(true);

    const second = (await post(shop.accessToken, query, { after: first.pageInfo.endCursor })).body.data.customers;
    expect(second.nodes.map((n: { email: string }) => n.email)).toEqual([vips[2].email]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });
});

function redemptionInput(customerId: string) {
  return {
    customerId,
    code: `R-${randomBytes(3).toString("hex")}`,
    title: "Reward",
    value: { kind: "fixedAmount" as const, amount: "10.00" },
    startsAt: new Date(clock),
  };
}
