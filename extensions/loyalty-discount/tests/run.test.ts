import { describe, expect, it } from "vitest";
import { cartDeliveryOptionsDiscountsGenerateRun, cartLinesDiscountsGenerateRun } from "../src/index.js";
import {
  cartInput,
  type CartSpec,
  config,
  deliveryInput,
  inputErrors,
  inputQueryErrors,
  manyLines,
  outputErrors,
  subtotalOf,
} from "./support";

// Every input built here is checked against the target's input query and the schema, and every
// output against the schema's result type, before its value is asserted.

async function runLines(spec: CartSpec) {
  const input = cartInput(spec);
  expect(await inputErrors("lines", input)).toEqual([]);
  const output = cartLinesDiscountsGenerateRun(input);
  expect(await outputErrors("lines", output)).toEqual([]);
  return output;
}

async function runDelivery(spec: CartSpec & { groups?: number }) {
  const input = deliveryInput(spec);
  expect(await inputErrors("delivery", input)).toEqual([]);
  const output = cartDeliveryOptionsDiscountsGenerateRun(input);
  expect(await outputErrors("delivery", output)).toEqual([]);
  return output;
}

const orderAmount = (amount: string, message?: string) => ({
  operations: [
    {
      orderDiscountsAdd: {
        candidates: [
          { ...(message ? { message } : {}), targets: [{ orderSubtotal: { excludedCartLineIds: [] } }], value: { fixedAmount: { amount } } },
        ],
        selectionStrategy: "FIRST",
      },
    },
  ],
});

const orderPercentage = (value: string) => ({
  operations: [
    {
      orderDiscountsAdd: {
        candidates: [{ targets: [{ orderSubtotal: { excludedCartLineIds: [] } }], value: { percentage: { value } } }],
        selectionStrategy: "FIRST",
      },
    },
  ],
});

const NONE = { operations: [] };
const VARIANT = "gid://shopify/ProductVariant/4242";

describe("input queries", () => {
  it("both validate against the Discount Function schema", async () => {
    expect(await inputQueryErrors("lines")).toEqual([]);
    expect(await inputQueryErrors("delivery")).toEqual([]);
  });

  it("an input missing a queried field is refused by the validator (the check can fail)", async () => {
    const input = cartInput({ lines: [{ price: "10.00" }], config: config.fixed("5.00") });
    const broken = { ...input, cart: { ...input.cart, lines: input.cart.lines.map((line) => ({ ...line, quantity: "one" })) } };
    expect(await inputErrors("lines", broken)).not.toEqual([]);
  });

  it("an output Shopify would refuse is caught (a number where a Decimal string belongs)", async () => {
    expect(await outputErrors("lines", { operations: [{ orderDiscountsAdd: { candidates: [], selectionStrategy: "NEWEST" } }] })).not.toEqual([]);
    const numeric = orderAmount("5.00");
    (numeric.operations[0].orderDiscountsAdd.candidates[0].value.fixedAmount as { amount: unknown }).amount = 5;
    expect(await outputErrors("lines", numeric)).not.toEqual([]);
  });
});

describe("fixed_amount", () => {
  it("takes the amount off the order subtotal, with the reward's title as message", async () => {
    const output = await runLines({ lines: [{ price: "40.00" }], config: config.fixed("5.00", { message: "Loyalty reward" }) });
    expect(output).toEqual(orderAmount("5.00", "Loyalty reward"));
  });

  it("never takes more than the subtotal", async () => {
    expect(await runLines({ lines: [{ price: "3.49" }], config: config.fixed("5.00") })).toEqual(orderAmount("3.49"));
  });

  it("converts to the presentment currency with the rate, rounding down (EUR)", async () => {
    // 5.00 USD × 0.9234 = 4.617 EUR → 4.61 (never more than the reward is worth)
    expect(await runLines({ lines: [{ price: "30.00" }], currency: "EUR", rate: "0.9234", config: config.fixed("5.00") })).toEqual(
      orderAmount("4.61"),
    );
    // exact products stay exact: 19.99 × 0.92 = 18.3908 → 18.39 (a float gives 18.390799999999999)
    expect(await runLines({ lines: [{ price: "50.00" }], currency: "EUR", rate: "0.92", config: config.fixed("19.99") })).toEqual(
      orderAmount("18.39"),
    );
  });

  it("rounds to whole yen for JPY (no minor unit)", async () => {
    // 5.00 USD × 149.87 = 749.35 JPY → ¥749
    expect(await runLines({ lines: [{ price: "3000" }], currency: "JPY", rate: "149.87", config: config.fixed("5.00") })).toEqual(
      orderAmount("749"),
    );
  });

  it("uses three decimals for KWD", async () => {
    // 10.00 USD × 0.30712 = 3.0712 KWD → 3.071
    expect(await runLines({ lines: [{ price: "20.000" }], currency: "KWD", rate: "0.30712", config: config.fixed("10.00") })).toEqual(
      orderAmount("3.071"),
    );
  });

  it("gives nothing when the converted amount rounds to zero or the cart is empty", async () => {
    expect(await runLines({ lines: [{ price: "500" }], currency: "JPY", rate: "149.87", config: config.fixed("0.001") })).toEqual(NONE);
    expect(await runLines({ lines: [], config: config.fixed("5.00") })).toEqual(NONE);
  });
});

describe("percentage", () => {
  it("gives the percentage of the order", async () => {
    expect(await runLines({ lines: [{ price: "80.00" }], config: config.percentage("10") })).toEqual(orderPercentage("10"));
    expect(await runLines({ lines: [{ price: "80.00" }], config: config.percentage("12.50") })).toEqual(orderPercentage("12.5"));
  });

  it("gives the percentage while it stays under the cap", async () => {
    // 10 % of 150.00 = 15.00 ≤ 20.00
    expect(await runLines({ lines: [{ price: "150.00" }], config: config.percentage("10", { cap: "20.00" }) })).toEqual(orderPercentage("10"));
    // exactly at the cap: 10 % of 200.00 = 20.00
    expect(await runLines({ lines: [{ price: "200.00" }], config: config.percentage("10", { cap: "20.00" }) })).toEqual(orderPercentage("10"));
  });

  it("gives exactly the cap, converted and rounded down, once the percentage would exceed it", async () => {
    expect(await runLines({ lines: [{ price: "500.00" }], config: config.percentage("10", { cap: "20.00" }) })).toEqual(orderAmount("20.00"));
    // EUR: cap 20.00 USD × 0.9234 = 18.468 → 18.46; 10 % of 400.00 EUR = 40.00 > 18.46
    expect(
      await runLines({ lines: [{ price: "400.00" }], currency: "EUR", rate: "0.9234", config: config.percentage("10", { cap: "20.00" }) }),
    ).toEqual(orderAmount("18.46"));
    // JPY: cap 20.00 USD × 149.87 = 2997.4 → ¥2997; 50 % of ¥9000 = ¥4500
    expect(
      await runLines({ lines: [{ price: "9000" }], currency: "JPY", rate: "149.87", config: config.percentage("50", { cap: "20.00" }) }),
    ).toEqual(orderAmount("2997"));
  });
});

describe("minimum subtotal", () => {
  const reward = config.fixed("5.00", { minimumSubtotal: "50.00" });

  it("applies from the minimum on, and not below it", async () => {
    expect(await runLines({ lines: [{ price: "50.00" }], config: reward })).toEqual(orderAmount("5.00"));
    expect(await runLines({ lines: [{ price: "49.99" }], config: reward })).toEqual(NONE);
  });

  it("compares in the presentment currency, rounding the converted minimum up", async () => {
    // 50.00 USD × 0.9234 = 46.17 EUR exactly
    expect(await runLines({ lines: [{ price: "46.17" }], currency: "EUR", rate: "0.9234", config: reward })).toEqual(orderAmount("4.61"));
    expect(await runLines({ lines: [{ price: "46.16" }], currency: "EUR", rate: "0.9234", config: reward })).toEqual(NONE);
    // 50.00 USD × 0.92345 = 46.1725 EUR → the cart needs 46.18
    expect(await runLines({ lines: [{ price: "46.17" }], currency: "EUR", rate: "0.92345", config: reward })).toEqual(NONE);
    expect(await runLines({ lines: [{ price: "46.18" }], currency: "EUR", rate: "0.92345", config: reward })).toEqual(orderAmount("4.61"));
    // JPY: 50.00 × 149.87 = 7493.5 → ¥7494
    expect(await runLines({ lines: [{ price: "7493" }], currency: "JPY", rate: "149.87", config: reward })).toEqual(NONE);
    expect(await runLines({ lines: [{ price: "7494" }], currency: "JPY", rate: "149.87", config: reward })).toEqual(orderAmount("749"));
  });

  it("also gates free shipping and free products", async () => {
    const shipping = config.freeShipping({ minimumSubtotal: "50.00" });
    expect(await runDelivery({ lines: [{ price: "49.99" }], config: shipping })).toEqual(NONE);
    expect((await runDelivery({ lines: [{ price: "50.00" }], config: shipping })).operations).toHaveLength(1);

    const product = config.freeProduct(VARIANT, { minimumSubtotal: "50.00" });
    expect(await runLines({ lines: [{ price: "10.00", variantId: VARIANT }], config: product })).toEqual(NONE);
    expect((await runLines({ lines: [{ price: "45.00" }, { price: "10.00", variantId: VARIANT }], config: product })).operations).toHaveLength(1);
  });
});

describe("free_shipping", () => {
  it("takes 100 % off every delivery group", async () => {
    const output = await runDelivery({ lines: [{ price: "10.00" }], groups: 2, config: config.freeShipping({ message: "Free shipping reward" }) });
    expect(output).toEqual({
      operations: [
        {
          deliveryDiscountsAdd: {
            candidates: [
              {
                message: "Free shipping reward",
                targets: [{ deliveryGroup: { id: "gid://shopify/CartDeliveryGroup/1" } }, { deliveryGroup: { id: "gid://shopify/CartDeliveryGroup/2" } }],
                value: { percentage: { value: "100" } },
              },
            ],
            selectionStrategy: "ALL",
          },
        },
      ],
    });
  });

  it("gives nothing without delivery groups, and nothing on the lines target", async () => {
    expect(await runDelivery({ lines: [{ price: "10.00" }], groups: 0, config: config.freeShipping() })).toEqual(NONE);
    expect(await runLines({ lines: [{ price: "10.00" }], config: config.freeShipping() })).toEqual(NONE);
  });

  it("order and product rewards give nothing on the delivery target", async () => {
    expect(await runDelivery({ lines: [{ price: "10.00" }], config: config.fixed("5.00") })).toEqual(NONE);
    expect(await runDelivery({ lines: [{ price: "10.00", variantId: VARIANT }], config: config.freeProduct(VARIANT) })).toEqual(NONE);
  });
});

describe("free_product", () => {
  const productOperation = (lineId: string) => ({
    operations: [
      {
        productDiscountsAdd: {
          candidates: [{ targets: [{ cartLine: { id: lineId, quantity: 1 } }], value: { percentage: { value: "100" } } }],
          selectionStrategy: "FIRST",
        },
      },
    ],
  });

  it("makes ONE unit of the configured variant free, even when the line has several", async () => {
    const output = await runLines({ lines: [{ price: "20.00" }, { price: "12.00", quantity: 3, variantId: VARIANT }], config: config.freeProduct(VARIANT) });
    expect(output).toEqual(productOperation("gid://shopify/CartLine/2"));
  });

  it("picks the cheapest line when the variant is on several lines", async () => {
    const output = await runLines({
      lines: [{ price: "12.00", variantId: VARIANT }, { price: "9.60", variantId: VARIANT }, { price: "12.00", variantId: VARIANT }],
      config: config.freeProduct(VARIANT),
    });
    expect(output).toEqual(productOperation("gid://shopify/CartLine/2"));
  });

  it("gives nothing when the variant is not in the cart (custom products never match)", async () => {
    expect(await runLines({ lines: [{ price: "20.00" }, { price: "5.00", custom: true }], config: config.freeProduct(VARIANT) })).toEqual(NONE);
  });
});

describe("discount classes", () => {
  it("order rewards need ORDER", async () => {
    expect(await runLines({ lines: [{ price: "40.00" }], classes: ["PRODUCT", "SHIPPING"], config: config.fixed("5.00") })).toEqual(NONE);
    expect(await runLines({ lines: [{ price: "40.00" }], classes: [], config: config.percentage("10") })).toEqual(NONE);
    expect(await runLines({ lines: [{ price: "40.00" }], classes: ["ORDER"], config: config.fixed("5.00") })).toEqual(orderAmount("5.00"));
  });

  it("free products need PRODUCT", async () => {
    const spec = { lines: [{ price: "9.00", variantId: VARIANT }], config: config.freeProduct(VARIANT) };
    expect(await runLines({ ...spec, classes: ["ORDER", "SHIPPING"] })).toEqual(NONE);
    expect((await runLines({ ...spec, classes: ["PRODUCT"] })).operations).toHaveLength(1);
  });

  it("free shipping needs SHIPPING", async () => {
    expect(await runDelivery({ lines: [{ price: "9.00" }], classes: ["ORDER", "PRODUCT"], config: config.freeShipping() })).toEqual(NONE);
    expect((await runDelivery({ lines: [{ price: "9.00" }], classes: ["SHIPPING"], config: config.freeShipping() })).operations).toHaveLength(1);
  });
});

describe("configuration Shopify or the app got wrong gives no discount, never a throw", () => {
  const broken: [string, unknown][] = [
    ["no metafield", undefined],
    ["a string", "fixed_amount 5.00"],
    ["an array", [config.fixed("5.00")]],
    ["an unknown version", { ...config.fixed("5.00"), v: 2 }],
    ["no version", { kind: "fixed_amount", amount: "5.00" }],
    ["an unknown kind", { v: 1, kind: "points_multiplier", amount: "5.00" }],
    ["a float amount", { v: 1, kind: "fixed_amount", amount: 5 }],
    ["a negative amount", config.fixed("-5.00")],
    ["a zero amount", config.fixed("0.00")],
    ["an amount with 4 decimals", config.fixed("5.0001")],
    ["an amount in exponent form", config.fixed("5e2")],
    ["a missing amount", { v: 1, kind: "fixed_amount" }],
    ["a percentage over 100", config.percentage("100.01")],
    ["a zero percentage", config.percentage("0")],
    ["a zero cap", config.percentage("10", { cap: "0" })],
    ["a field of another kind", config.fixed("5.00", { percentage: "10" })],
    ["an unknown field", config.fixed("5.00", { stackable: true })],
    ["a malformed minimum", config.fixed("5.00", { minimumSubtotal: "fifty" })],
    ["a blank message", config.fixed("5.00", { message: "  " })],
    ["a message that is not text", config.fixed("5.00", { message: 7 })],
    ["a message over 255 characters", config.fixed("5.00", { message: "x".repeat(256) })],
    ["a product id instead of a variant id", config.freeProduct("gid://shopify/Product/4242")],
  ];

  it.each(broken)("%s", async (_label, jsonValue) => {
    const lines = [{ price: "40.00", variantId: "gid://shopify/Product/4242" }, { price: "10.00", variantId: VARIANT }];
    expect(await runLines({ lines, config: jsonValue })).toEqual(NONE);
    expect(await runDelivery({ lines, config: jsonValue })).toEqual(NONE);
  });

  it("a null jsonValue (the schema forbids it) gives no discount", () => {
    const input = cartInput({ lines: [{ price: "40.00" }], config: config.fixed("5.00") });
    expect(cartLinesDiscountsGenerateRun({ ...input, discount: { ...input.discount, metafield: { jsonValue: null } } })).toEqual(NONE);
  });

  it("a rate or subtotal Shopify never sends gives no discount", async () => {
    expect(await runLines({ lines: [{ price: "40.00" }], rate: "0", config: config.fixed("5.00") })).toEqual(NONE);
    expect(cartLinesDiscountsGenerateRun(cartInput({ lines: [{ price: "40.00" }], rate: "n/a", config: config.fixed("5.00") }))).toEqual(NONE);
    expect(cartLinesDiscountsGenerateRun(cartInput({ lines: [{ price: "40.00" }], subtotal: "-1.00", config: config.fixed("5.00") }))).toEqual(NONE);
  });
});

describe("cart sizes", () => {
  it.each([1, 50, 200])("%i lines: subtotal-based rewards and the free product work", async (count) => {
    const lines = manyLines(count);
    const subtotal = subtotalOf(lines);
    const target = lines[count - 1];

    expect(await runLines({ lines, config: config.fixed("1.00") })).toEqual(orderAmount("1.00"));
    expect(await runLines({ lines, config: config.percentage("15") })).toEqual(orderPercentage("15"));
    const capped = await runLines({ lines, config: config.percentage("100", { cap: "1000000" }) });
    expect(capped).toEqual(orderPercentage("100"));

    const free = await runLines({ lines, config: config.freeProduct(target.variantId as string) });
    expect(free.operations).toEqual([
      {
        productDiscountsAdd: {
          candidates: [{ targets: [{ cartLine: { id: `gid://shopify/CartLine/${count}`, quantity: 1 } }], value: { percentage: { value: "100" } } }],
          selectionStrategy: "FIRST",
        },
      },
    ]);
    expect(Number(subtotal)).toBeGreaterThan(0);
  });

  it("200 JPY lines with a rate", async () => {
    const lines = manyLines(200, { currencyDigits: 0 });
    expect(await runLines({ lines, currency: "JPY", rate: "149.87", config: config.percentage("10", { cap: "20.00" }) })).toEqual(orderAmount("2997"));
  });
});
