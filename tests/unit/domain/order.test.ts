import { parse } from "lossless-json";
import { describe, expect, it } from "vitest";
import { formatMoneyAmount, parseMoney } from "~/domain/money";
import { enrichOrderLines, normalizeOrderForEarning, OrderPayloadError } from "~/domain/order";
import { exactShopifyId } from "~/domain/payload";
import { orderFixture, orderFixtureText, orderPayload, sharedFixture, sharedFixtureText } from "./support";

function problems(payload: unknown): string[] {
  try {
    normalizeOrderForEarning(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(OrderPayloadError);
    return (error as OrderPayloadError).problems;
  }
  throw new Error("expected the payload to be rejected");
}

const usd = (amount: string) => parseMoney(amount, "USD");

/** The parts of a built payload the validation tests break on purpose. */
interface EditablePayload {
  [field: string]: unknown;
  line_items: { [field: string]: unknown; quantity: unknown; price_set: { shop_money: { amount: string; currency_code: string } } }[];
}

describe("normalizeOrderForEarning on Shopify's documented payload", () => {
  it("reads the shared orders/paid example (a voided test order) without losing an id", () => {
    const order = normalizeOrderForEarning(sharedFixture("orders-paid.json"));
    // The example's numeric ids were rounded by the scraper; the gid strings carry the real ones.
    expect(order.id).toBe("820982911946154508");
    expect(order.customer).toEqual({ id: "115310627314723954", email: "john@example.com", tags: [] });
    expect(order.lines.map((l) => l.id)).toEqual([
      "487817672276298554",
      "789012345678901234",
      "890123456789012345",
      "976318377106520349",
      "315789986012684393",
    ]);
    expect(order.test).toBe(true);
    expect(order.financialStatus).toBe("voided");
    expect(order.cancelled).toBe(true);
    expect(order.cancelledAt?.toISOString()).toBe("2022-01-01T00:00:00.000Z");
    expect(order.processedAt.toISOString()).toBe("2022-01-01T00:00:00.000Z");
    expect(order.currency).toBe("USD");
    expect(order.taxesIncluded).toBe(false);
  });

  it("keeps the lines' money exact and in shop currency", () => {
    const order = normalizeOrderForEarning(sharedFixture("orders-paid.json"));
    const [sunglasses, plan] = order.lines;
    expect(sunglasses).toMatchObject({
      title: "Aviator sunglasses",
      productId: "788032119674292900",
      variantId: null,
      quantity: 1,
      unitPrice: usd("89.99"),
      lineDiscount: usd("0"),
      tax: usd("0"),
      giftCard: false,
    });
    expect(sunglasses.productTags).toBeUndefined();
    expect(plan.productId).toBeNull();
    expect(order.shipping).toEqual({ price: usd("10.00"), discount: usd("0"), tax: usd("0") });
    expect(formatMoneyAmount(order.totals.subtotal)).toBe("404.95");
    expect(formatMoneyAmount(order.totals.total)).toBe("404.95");
    expect(formatMoneyAmount(order.totals.shipping)).toBe("10.00");
  });

  it("gives the same order whether the body was parsed with LosslessNumber or the app's parser", () => {
    const viaAppParser = normalizeOrderForEarning(sharedFixture("orders-paid.json"));
    const viaLossless = normalizeOrderForEarning(parse(sharedFixtureText("orders-paid.json")));
    expect(viaLossless).toEqual(viaAppParser);
  });
});

describe("the exact 18-digit id fixture", () => {
  it("keeps every id digit for digit, even without the gids", () => {
    const payload = orderFixture("orders-paid-exact-ids.json") as Record<string, unknown> & {
      line_items: Record<string, unknown>[];
      customer: Record<string, unknown>;
    };
    // Drop the gids so the numeric ids alone must carry the digits.
    delete payload.admin_graphql_api_id;
    delete payload.customer.admin_graphql_api_id;
    for (const line of payload.line_items) delete line.admin_graphql_api_id;
    expect(typeof payload.id).toBe("string");
    const order = normalizeOrderForEarning(payload);
    expect(order.id).toBe("820982911946154508");
    expect(BigInt(order.id)).toBe(820982911946154508n);
    expect(order.customer?.id).toBe("115310627314723954");
    expect(order.lines[0].id).toBe("487817672276298554");
    expect(order.financialStatus).toBe("paid");
    expect(order.test).toBe(false);
    expect(order.cancelled).toBe(false);
  });

  it("rejects an id JSON.parse already rounded when no gid can repair it", () => {
    const payload = JSON.parse(orderFixtureText("orders-paid-exact-ids.json"));
    expect(payload.id).toBe(820982911946154500); // the precision loss this guards against
    // The gids would repair the order, line and customer ids, but product ids have no gid:
    const withGids = problems(payload);
    expect(withGids).toEqual([0, 3, 4].map(
      (i) => `line_items.${i}.product_id: 788032119674292900 is a JSON number above 2^53 and has lost digits; parse the payload with lossless-json`,
    ));
    delete payload.admin_graphql_api_id;
    expect(problems(payload)).toContain(
      "id: 820982911946154500 is a JSON number above 2^53 and has lost digits; parse the payload with lossless-json",
    );
  });

  it("accepts ids as string, bigint, safe number and LosslessNumber", () => {
    expect(exactShopifyId("820982911946154508", undefined, "Order")).toEqual({ id: "820982911946154508" });
    expect(exactShopifyId(820982911946154508n, undefined, "Order")).toEqual({ id: "820982911946154508" });
    expect(exactShopifyId(450789469, undefined, "Order")).toEqual({ id: "450789469" });
    expect(exactShopifyId(parse("820982911946154508"), undefined, "Order")).toEqual({ id: "820982911946154508" });
    expect(exactShopifyId(1, "gid://shopify/Order/99", "Order")).toEqual({ id: "99" });
    // A gid of another resource is not a substitute.
    expect(exactShopifyId(1, "gid://shopify/Customer/99", "Order")).toEqual({ id: "1" });
    expect(exactShopifyId("12ab", undefined, "Order")).toEqual({ error: "must be a numeric Order id" });
    expect(exactShopifyId(-5, undefined, "Order")).toEqual({ error: "must be a numeric Order id" });
  });
});

describe("the tax-included EUR fixture", () => {
  const order = normalizeOrderForEarning(orderFixture("orders-paid-eur-taxes-included.json"));
  const eur = (amount: string) => parseMoney(amount, "EUR");

  it("reads shop money (EUR), never the customer's presentment money (USD)", () => {
    expect(order.currency).toBe("EUR");
    expect(order.lines[0].unitPrice).toEqual(eur("59.90"));
    expect(order.totals.total).toEqual(eur("182.72"));
  });

  it("sums every discount allocation of a line, code and order-level alike, and its taxes", () => {
    const [shirt, gift, tote] = order.lines;
    expect(shirt).toMatchObject({ quantity: 2, lineDiscount: eur("14.98"), tax: eur("17.47"), giftCard: false });
    expect(gift).toMatchObject({ giftCard: true, lineDiscount: eur("0"), tax: eur("0") });
    expect(tote).toMatchObject({ lineDiscount: eur("2.00"), tax: eur("3.83") });
    expect(order.shipping).toEqual({ price: eur("4.90"), discount: eur("0"), tax: eur("0.82") });
    expect(order.taxesIncluded).toBe(true);
    expect(order.customer?.id).toBe("710293847561029384");
    expect(order.processedAt.toISOString()).toBe("2026-03-14T17:30:00.000Z");
    expect(order.name).toBe("#1042");
  });
});

describe("validation", () => {
  it("lists every problem with its path", () => {
    const payload = orderPayload({ lines: [{ price: "10.00" }] }) as EditablePayload;
    payload.currency = "usd";
    payload.test = "no";
    delete payload.taxes_included;
    payload.line_items[0].price_set.shop_money.amount = "ten";
    payload.line_items[0].quantity = 1.5;
    delete payload.line_items[0].gift_card;
    const found = problems(payload);
    expect(found).toEqual(
      expect.arrayContaining([
        "currency: must be a currency code",
        "test: must be boolean",
        "taxes_included: is required",
        "line_items.0.price_set.shop_money.amount: must be a decimal amount",
        "line_items.0.quantity: must be a whole number",
        "line_items.0.gift_card: is required",
      ]),
    );
  });

  it("refuses money in a currency other than the shop's", () => {
    const payload = orderPayload({ currency: "USD", lines: [{ price: "10.00" }] }) as EditablePayload;
    payload.line_items[0].price_set.shop_money.currency_code = "EUR";
    expect(problems(payload)).toEqual(["line_items.0.price_set: is in EUR, the shop currency is USD"]);
  });

  it("refuses amounts more precise than the currency", () => {
    const payload = orderPayload({ currency: "JPY", lines: [{ price: "1500" }] }) as EditablePayload;
    payload.line_items[0].price_set.shop_money.amount = "1500.5";
    expect(problems(payload)[0]).toMatch(/^line_items\.0\.price_set\.shop_money\.amount: 1500\.5 has more precision than JPY/);
  });

  it("refuses something that is not an order at all", () => {
    expect(problems("nope")).toEqual(["(payload): must be object"]);
    expect(problems({}).length).toBeGreaterThan(5);
  });

  it("skips shipping lines removed by an order edit and reads tags from a comma list", () => {
    const order = normalizeOrderForEarning(
      orderPayload({
        lines: [{ price: "10.00" }],
        shipping: [{ price: "5.00", tax: "0.50" }, { price: "7.00", removed: true }],
        customer: { id: "42", tags: " VIP, wholesale ,," },
      }),
    );
    expect(order.shipping).toEqual({ price: usd("5.00"), discount: usd("0"), tax: usd("0.50") });
    expect(order.customer?.tags).toEqual(["VIP", "wholesale"]);
  });

  it("falls back to created_at when processed_at is missing and allows a guest order", () => {
    const payload = orderPayload({ lines: [{ price: "1.00" }], customer: null, createdAt: "2026-01-02T03:04:05Z" }) as EditablePayload;
    delete payload.processed_at;
    const order = normalizeOrderForEarning(payload);
    expect(order.customer).toBeNull();
    expect(order.processedAt.toISOString()).toBe("2026-01-02T03:04:05.000Z");
  });
});

describe("enrichOrderLines", () => {
  it("attaches tags and collections by product id, and empty ones to custom items", () => {
    const order = normalizeOrderForEarning(sharedFixture("orders-paid.json"));
    const enriched = enrichOrderLines(order, new Map([["788032119674292900", { productTags: ["summer"], collectionIds: ["841564295"] }]]));
    expect(enriched.lines[0]).toMatchObject({ productTags: ["summer"], collectionIds: ["841564295"] });
    expect(enriched.lines[1]).toMatchObject({ productId: null, productTags: [], collectionIds: [] });
    expect(order.lines[0].productTags).toBeUndefined();
  });
});
