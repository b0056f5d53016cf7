import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InvalidRedemptionDiscountConfigError,
  type RedemptionDiscountConfigInput,
} from "~/domain/redemption-discount";
import { AdminApiGraphQLError, AdminApiUserError } from "~/shopify/errors";
import { createAdminGateway } from "~/shopify/gateway.server";
import { findCodeDiscountByCode } from "~/shopify/operations/code-discount-by-code.server";
import {
  buildRedemptionAppDiscountInput,
  createRedemptionAppDiscountCode,
  isCodeTakenError,
  type RedemptionAppDiscountCodeInput,
  RedemptionAppDiscountCodeCreateMutation,
} from "~/shopify/operations/discount-code-app-create.server";
import { createRedemptionDiscountCode } from "~/shopify/operations/discount-code-create.server";
import { deleteDiscountCode } from "~/shopify/operations/discount-code-delete.server";
import { cartLinesDiscountsGenerateRun } from "../../extensions/loyalty-discount/src/cart_lines_discounts_generate_run.js";
import { cartDeliveryOptionsDiscountsGenerateRun } from "../../extensions/loyalty-discount/src/cart_delivery_options_discounts_generate_run.js";
import { type AdminStandin, startAdminStandin, type StandinAppDiscount, validateAdminOperation } from "../../server/standins/shopify-admin";

// The redemption code operations through the real gateway against the Admin stand-in, which
// validates every request against the Admin schema (2025-01 plus the 2025-10 fields we use).

let clock = Date.parse("2026-03-01T12:00:00Z");
let standin: AdminStandin;

beforeAll(async () => {
  standin = await startAdminStandin({ now: () => clock });
});
afterAll(() => standin.close());

function newShop() {
  const domain = `dc-${randomBytes(4).toString("hex")}.myshopify.com`;
  const accessToken = `shpat_${randomBytes(8).toString("hex")}`;
  standin.addShop(domain, accessToken, { currencyCode: "EUR" });
  const customer = standin.addCustomer(domain);
  const gateway = createAdminGateway({ shop: domain, accessToken, origin: standin.url, maxRetries: 0, now: () => clock });
  return { domain, customer, gateway };
}

const code = () => `LN-${randomBytes(5).toString("hex").toUpperCase()}`;

function redemption(customerId: string, config: RedemptionDiscountConfigInput, extra: Partial<RedemptionAppDiscountCodeInput> = {}) {
  return {
    customerId,
    code: code(),
    title: "Loyalty reward: €5 off",
    config,
    startsAt: new Date(clock),
    endsAt: new Date(clock + 30 * 86_400_000),
    combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true },
    ...extra,
  };
}

const fiveOff: RedemptionDiscountConfigInput = { v: 1, kind: "fixed_amount", amount: "5.00", minimumSubtotal: "20.00", message: " Loyalty reward " };

function stored(domain: string, text: string): StandinAppDiscount {
  const discount = standin.findCodeDiscount(domain, text);
  if (!discount || !("function" in discount)) throw new Error(`no app discount ${text}`);
  return discount;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("createRedemptionAppDiscountCode", () => {
  it("creates a single-use code for one customer, backed by loyalty-discount, with its configuration", async () => {
    const { domain, customer, gateway } = newShop();
    const input = redemption(customer.id, fiveOff);

    const created = await createRedemptionAppDiscountCode(gateway, input);

    expect(created).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/), code: input.code });
    const discount = stored(domain, input.code);
    expect(discount).toMatchObject({
      id: created.id,
      title: input.title,
      usageLimit: 1,
      appliesOncePerCustomer: true,
      eligibility: { kind: "customers", customerIds: [customer.id] },
      eligibilityInput: "context",
      function: { handle: "loyalty-discount", apiType: "discount" },
      discountClasses: ["ORDER"],
      combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true },
      startsAt: new Date(clock).toISOString(),
      endsAt: input.endsAt.toISOString(),
    });
    expect(standin.discountMetafields(domain, input.code)).toEqual([
      expect.objectContaining({
        namespace: `app--${standin.state.appId}--loyalnest`,
        key: "function-configuration",
        type: "json",
        ownerType: "DISCOUNT",
      }),
    ]);
    // Checked and normalised (message trimmed) before it was sent.
    expect(JSON.parse(standin.discountMetafields(domain, input.code)[0].value)).toEqual({
      v: 1,
      kind: "fixed_amount",
      amount: "5.00",
      minimumSubtotal: "20.00",
      message: "Loyalty reward",
    });

    const sent = standin.calls.at(-1);
    expect(sent).toMatchObject({ operationName: "RedemptionAppDiscountCodeCreate", apiVersion: "2025-10", status: 200 });
    expect(sent?.variables.codeAppDiscount).toMatchObject({ functionHandle: "loyalty-discount", context: { customers: { add: [customer.id] } } });
    expect(sent?.variables.codeAppDiscount).not.toHaveProperty("functionId");
    expect(sent?.variables.codeAppDiscount).not.toHaveProperty("customerSelection");
  });

  it("stores a configuration the Function applies: the code is worth what was redeemed, in the cart's currency", async () => {
    const { domain, customer, gateway } = newShop();
    const input = redemption(customer.id, fiveOff);
    await createRedemptionAppDiscountCode(gateway, input);
    const [metafield] = standin.discountMetafields(domain, input.code);

    // What Shopify would give the Function for a 30.00 USD cart shown in EUR.
    const output = cartLinesDiscountsGenerateRun({
      cart: {
        cost: { subtotalAmount: { amount: "27.70", currencyCode: "EUR" } },
        lines: [{ id: "gid://shopify/CartLine/1", quantity: 1, cost: { amountPerQuantity: { amount: "27.70" } }, merchandise: { __typename: "ProductVariant", id: "gid://shopify/ProductVariant/1" } }],
      },
      presentmentCurrencyRate: "0.9234",
      discount: { discountClasses: stored(domain, input.code).discountClasses, metafield: { jsonValue: JSON.parse(metafield.value) } },
    });
    expect(output.operations).toEqual([
      {
        orderDiscountsAdd: {
          candidates: [{ message: "Loyalty reward", targets: [{ orderSubtotal: { excludedCartLineIds: [] } }], value: { fixedAmount: { amount: "4.61" } } }],
          selectionStrategy: "FIRST",
        },
      },
    ]);
  });

  it.each([
    ["percentage", "ORDER", { v: 1, kind: "percentage", percentage: "10", cap: "20.00" }],
    ["free_product", "PRODUCT", { v: 1, kind: "free_product", variantId: "gid://shopify/ProductVariant/31" }],
    ["free_shipping", "SHIPPING", { v: 1, kind: "free_shipping" }],
  ] as const)("files a %s reward in the %s class", async (_kind, discountClass, config) => {
    const { domain, customer, gateway } = newShop();
    const input = redemption(customer.id, config);
    await createRedemptionAppDiscountCode(gateway, input);
    expect(stored(domain, input.code).discountClasses).toEqual([discountClass]);
  });

  it("the free shipping code gives free delivery through the Function's delivery target", async () => {
    const { domain, customer, gateway } = newShop();
    const input = redemption(customer.id, { v: 1, kind: "free_shipping", message: "Free shipping" });
    await createRedemptionAppDiscountCode(gateway, input);
    const [metafield] = standin.discountMetafields(domain, input.code);
    const output = cartDeliveryOptionsDiscountsGenerateRun({
      cart: { cost: { subtotalAmount: { amount: "10.0", currencyCode: "EUR" } }, deliveryGroups: [{ id: "gid://shopify/CartDeliveryGroup/1" }] },
      presentmentCurrencyRate: "1.0",
      discount: { discountClasses: stored(domain, input.code).discountClasses, metafield: { jsonValue: JSON.parse(metafield.value) } },
    });
    expect(output.operations).toHaveLength(1);
  });

  it("a code that already exists is refused with Shopify's TAKEN error, which isCodeTakenError recognises", async () => {
    const { domain, customer, gateway } = newShop();
    const input = redemption(customer.id, fiveOff);
    const first = await createRedemptionAppDiscountCode(gateway, input);

    // The retry after a crash, and the same code in other letter case: Shopify codes are case-insensitive.
    for (const again of [input, { ...input, code: input.code.toLowerCase() }]) {
      const error = await rejection(createRedemptionAppDiscountCode(gateway, again));
      expect(error).toBeInstanceOf(AdminApiUserError);
      expect((error as AdminApiUserError).userErrors).toEqual([
        { field: ["codeAppDiscount", "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN", extraInfo: null },
      ]);
      expect(isCodeTakenError(error)).toBe(true);
    }
    expect((await findCodeDiscountByCode(gateway, input.code))?.id).toBe(first.id);
    expect([...(standin.state.shops.get(domain)?.discounts.values() ?? [])].filter((d) => d.code === input.code)).toHaveLength(1);
  });

  it("app and basic codes share one code space", async () => {
    const { customer, gateway } = newShop();
    const input = redemption(customer.id, fiveOff);
    await createRedemptionAppDiscountCode(gateway, input);
    const error = await rejection(
      createRedemptionDiscountCode(gateway, { customerId: customer.id, code: input.code, title: "Basic", value: { kind: "fixedAmount", amount: "5.00" }, startsAt: new Date(clock) }),
    );
    expect(isCodeTakenError(error)).toBe(true);
  });

  it("other refusals are user errors that are not 'taken'", async () => {
    const { gateway } = newShop();
    const error = await rejection(createRedemptionAppDiscountCode(gateway, redemption("gid://shopify/Customer/1", fiveOff)));
    expect(error).toBeInstanceOf(AdminApiUserError);
    expect((error as AdminApiUserError).userErrors).toEqual([
      expect.objectContaining({ field: ["codeAppDiscount", "context", "customers", "add"], code: "INVALID" }),
    ]);
    expect(isCodeTakenError(error)).toBe(false);
    expect(isCodeTakenError(new Error("Code must be unique"))).toBe(false);
  });

  it("an unknown function handle is refused", async () => {
    const { domain, customer, gateway } = newShop();
    const codeAppDiscount = { ...buildRedemptionAppDiscountInput(redemption(customer.id, fiveOff), new Date(clock)), functionHandle: "loyalty-discount-v2" };
    const error = await rejection(gateway.request(RedemptionAppDiscountCodeCreateMutation, { codeAppDiscount }));
    expect((error as AdminApiUserError).userErrors).toEqual([
      expect.objectContaining({ field: ["codeAppDiscount", "functionHandle"], code: "INVALID", message: expect.stringContaining("loyalty-discount-v2 not found") }),
    ]);
    expect(standin.findCodeDiscount(domain, codeAppDiscount.code)).toBeUndefined();
  });

  it("an app without the Function (not deployed) cannot create the code", async () => {
    const bare = await startAdminStandin({ now: () => clock, functions: [] });
    try {
      bare.addShop("bare.myshopify.com", "shpat_bare");
      const customer = bare.addCustomer("bare.myshopify.com");
      const gateway = createAdminGateway({ shop: "bare.myshopify.com", accessToken: "shpat_bare", origin: bare.url, maxRetries: 0 });
      const error = await rejection(createRedemptionAppDiscountCode(gateway, redemption(customer.id, fiveOff)));
      expect((error as AdminApiUserError).userErrors[0]).toMatchObject({ field: ["codeAppDiscount", "functionHandle"], code: "INVALID" });
      expect(bare.state.shops.get("bare.myshopify.com")?.discounts.size).toBe(0);
    } finally {
      await bare.close();
    }
  });

  it("bad input is refused before anything is sent", async () => {
    const { customer, gateway } = newShop();
    const before = standin.calls.length;
    const bad: [Partial<RedemptionAppDiscountCodeInput>, new (...args: never[]) => Error][] = [
      [{ config: { v: 1, kind: "fixed_amount", amount: "0" } }, InvalidRedemptionDiscountConfigError],
      [{ config: { v: 1, kind: "percentage", percentage: "150" } }, InvalidRedemptionDiscountConfigError],
      [{ code: " " }, RangeError],
      [{ code: "LN\nX" }, RangeError],
      [{ title: "" }, RangeError],
      [{ endsAt: new Date(clock - 1) }, RangeError],
    ];
    for (const [override, errorType] of bad) {
      await expect(createRedemptionAppDiscountCode(gateway, redemption(customer.id, fiveOff, override))).rejects.toBeInstanceOf(errorType);
    }
    expect(() => redemption("not-a-customer", fiveOff)).not.toThrow();
    await expect(createRedemptionAppDiscountCode(gateway, redemption("not-a-customer", fiveOff))).rejects.toThrow(TypeError);
    expect(standin.calls.length).toBe(before);
  });
});

describe("schema validation of the create mutation", () => {
  it("accepts the 2025-10 input (functionHandle, discountClasses, context) the 2025-01 schema lacks", () => {
    const codeAppDiscount = buildRedemptionAppDiscountInput(redemption("gid://shopify/Customer/1", fiveOff), new Date(clock));
    expect(validateAdminOperation(RedemptionAppDiscountCodeCreateMutation.query, { codeAppDiscount })).toEqual([]);
  });

  it("refuses an input Shopify would refuse, through the gateway, and stores nothing", async () => {
    const { domain, customer, gateway } = newShop();
    const valid = buildRedemptionAppDiscountInput(redemption(customer.id, fiveOff), new Date(clock));
    const invalid = [
      { ...valid, endsAt: "in thirty days" },
      { ...valid, discountClasses: ["GIFT_CARD"] },
      { ...valid, customerGets: { value: { percentage: 0.1 } } },
      { ...valid, usageLimit: "one" },
    ];
    for (const codeAppDiscount of invalid) {
      const error = await rejection(gateway.request(RedemptionAppDiscountCodeCreateMutation, { codeAppDiscount } as never));
      expect(error).toBeInstanceOf(AdminApiGraphQLError);
      expect((error as AdminApiGraphQLError).errors[0].extensions?.code).toBe("INVALID_VARIABLE");
    }
    expect(standin.state.shops.get(domain)?.discounts.size).toBe(0);
  });

  it("refuses a metafield the discount cannot hold", async () => {
    const { domain, customer, gateway } = newShop();
    const valid = buildRedemptionAppDiscountInput(redemption(customer.id, fiveOff), new Date(clock));
    const codeAppDiscount = { ...valid, metafields: [{ ...valid.metafields[0], value: "{not json" }, { ...valid.metafields[0], key: "x" }] };
    const error = await rejection(gateway.request(RedemptionAppDiscountCodeCreateMutation, { codeAppDiscount }));
    expect((error as AdminApiUserError).userErrors.map((e) => [e.field?.join("."), e.code])).toEqual([
      ["codeAppDiscount.metafields.0.value", "INVALID"],
      ["codeAppDiscount.metafields.1.key", "TOO_SHORT"],
    ]);
    expect(standin.state.shops.get(domain)?.discounts.size).toBe(0);
  });
});

describe("findCodeDiscountByCode", () => {
  it("finds a code (any letter case) with its status, usage and end; null when there is none", async () => {
    const { domain, customer, gateway } = newShop();
    const input = redemption(customer.id, fiveOff);
    const { id } = await createRedemptionAppDiscountCode(gateway, input);

    const found = await findCodeDiscountByCode(gateway, input.code.toLowerCase());
    expect(found).toEqual({ id, status: "ACTIVE", asyncUsageCount: 0, endsAt: input.endsAt, type: "DiscountCodeApp" });
    expect(await findCodeDiscountByCode(gateway, "LN-NOPE")).toBeNull();

    expect(standin.markCodeUsed(domain, input.code)).toBe(1);
    expect((await findCodeDiscountByCode(gateway, input.code))?.asyncUsageCount).toBe(1);
    // A single-use code cannot be used twice; the hook refuses what Shopify would.
    expect(() => standin.markCodeUsed(domain, input.code)).toThrow(/limited to 1/);
  });

  it("reports EXPIRED once the end has passed", async () => {
    const { customer, gateway } = newShop();
    const input = redemption(customer.id, fiveOff, { endsAt: new Date(clock + 60_000) });
    await createRedemptionAppDiscountCode(gateway, input);
    const saved = clock;
    try {
      clock += 61_000;
      expect((await findCodeDiscountByCode(gateway, input.code))?.status).toBe("EXPIRED");
    } finally {
      clock = saved;
    }
  });

  it("also sees basic codes, for what they are", async () => {
    const { customer, gateway } = newShop();
    const basic = await createRedemptionDiscountCode(gateway, {
      customerId: customer.id,
      code: code(),
      title: "Basic",
      value: { kind: "fixedAmount", amount: "5.00" },
      startsAt: new Date(clock),
    });
    expect(await findCodeDiscountByCode(gateway, basic.code)).toMatchObject({ id: basic.id, type: "DiscountCodeBasic", asyncUsageCount: 0 });
  });

  it("a shop never sees another shop's codes", async () => {
    const a = newShop();
    const b = newShop();
    const input = redemption(a.customer.id, fiveOff);
    await createRedemptionAppDiscountCode(a.gateway, input);
    expect(await findCodeDiscountByCode(b.gateway, input.code)).toBeNull();
    // …and may create the same code itself.
    await expect(createRedemptionAppDiscountCode(b.gateway, { ...input, customerId: b.customer.id })).resolves.toMatchObject({ code: input.code });
  });
});

describe("deleting an app code", () => {
  it("removes the code and its configuration; a second delete is a user error", async () => {
    const { domain, customer, gateway } = newShop();
    const input = redemption(customer.id, fiveOff);
    const { id } = await createRedemptionAppDiscountCode(gateway, input);
    const metafieldsBefore = standin.state.shops.get(domain)?.metafields.size ?? 0;

    expect(await deleteDiscountCode(gateway, id)).toBe(id);
    expect(await findCodeDiscountByCode(gateway, input.code)).toBeNull();
    expect(standin.state.shops.get(domain)?.metafields.size).toBe(metafieldsBefore - 1);

    const error = await rejection(deleteDiscountCode(gateway, id));
    expect(error).toBeInstanceOf(AdminApiUserError);
    expect((error as AdminApiUserError).userErrors[0]).toMatchObject({ field: ["id"], message: "Discount does not exist" });
    // The code is free again.
    await expect(createRedemptionAppDiscountCode(gateway, input)).resolves.toMatchObject({ code: input.code });
  });
});
