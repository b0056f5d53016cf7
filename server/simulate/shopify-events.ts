import { stringify } from "lossless-json";
import { SeededRandom } from "./random";

// Realistic Shopify webhook bodies for the ingest benchmark and the local demo's replay: the shape
// of Shopify's documented payloads (see tests/fixtures/orders/orders-paid-exact-ids.json), ids of
// 18 digits written as JSON numbers with every digit, amounts as decimal strings in
// shop_money/presentment_money sets, line items with discount allocations and tax lines that add
// up to the order totals, customers drawn from a seeded pool and some guest checkouts.
// The same seed and options give the same bytes on every machine.

export { signWebhook, sendWebhook, type SendWebhookOptions, type WebhookAck, type WebhookDelivery } from "./deliver";

export type SimulatedTopic = "orders/paid" | "orders/cancelled" | "refunds/create" | "customers/create";

/** One webhook delivery, ready to sign and send. */
export interface SimulatedWebhook {
  topic: SimulatedTopic;
  shop: string;
  /** X-Shopify-Webhook-Id: unique per delivery. */
  webhookId: string;
  /** X-Shopify-Event-Id: the event the delivery is about. */
  eventId: string;
  triggeredAt: Date;
  /** The raw JSON text, exactly as Shopify sends it. Sign these bytes, never a re-serialisation. */
  body: string;
  /** Exact decimal ids of what the body concerns, for bookkeeping (a benchmark's join key). */
  subject: { orderId?: string; refundId?: string; customerId?: string };
}

export interface SimulatedCustomer {
  id: bigint;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  tags: string[];
  emailMarketing: "subscribed" | "not_subscribed";
  /** False for a shopper who checks out as a guest until their customers/create. */
  hasAccount: boolean;
  createdAt: Date;
  address: SimulatedAddress;
}

interface SimulatedAddress {
  address1: string;
  city: string;
  province: string;
  provinceCode: string;
  zip: string;
  country: string;
  countryCode: string;
}

interface Product {
  productId: bigint;
  variantId: bigint;
  title: string;
  sku: string;
  /** Minor units of the shop currency. */
  price: number;
  grams: number;
  giftCard: boolean;
  /** In the automatic "Black Friday" sale. */
  onSale: boolean;
}

interface DiscountApplication {
  kind: "automatic" | "code";
  title: string;
  code?: string;
  valueType: "percentage" | "fixed_amount";
  /** Percent, or minor units for fixed amounts. */
  value: number;
  targetSelection: "all" | "entitled";
}

export interface SimulatedLine {
  id: bigint;
  product: Product;
  quantity: number;
  /** Minor units allocated from each discount application (index into order.discounts). */
  allocations: { application: number; amount: number }[];
  tax: number;
  refundedQuantity: number;
  refundedSubtotal: number;
  refundedTax: number;
}

/** The generator's model of an order it emitted, used to derive later refunds and cancellation. */
export interface SimulatedOrder {
  id: bigint;
  number: number;
  name: string;
  token: string;
  confirmationNumber: string;
  customer: SimulatedCustomer | null;
  /** Who placed it: the customer, or the pool shopper behind a guest checkout. */
  shopper: SimulatedCustomer;
  /** The checkout email (the guest's when there is no customer); null for a phone-only guest. */
  email: string | null;
  currency: string;
  presentment: { currency: string; rate: number };
  taxesIncluded: boolean;
  taxRate: { title: string; rate: number };
  discounts: DiscountApplication[];
  lines: SimulatedLine[];
  shipping: { id: bigint; title: string; code: string; price: number; tax: number; refunded: boolean };
  processedAt: Date;
  gateway: string;
  transactionId: bigint;
  cancelled: boolean;
}

export interface ShopifyEventGeneratorOptions {
  /** The shop's myshopify domain. */
  shop: string;
  /** Same seed, same options → same events, byte for byte. Default "loyalnest". */
  seed?: string | number;
  /** The shop currency (2-decimal ISO code). Default USD. */
  currency?: string;
  /** VAT-style prices that include tax. Default: true for EUR and GBP, false otherwise. */
  taxesIncluded?: boolean;
  /** Shoppers in the seeded pool. Default 500. */
  customers?: number;
  /** Share of the pool without an account: they check out as guests until they sign up. Default 0.1. */
  guestShare?: number;
  /** Simulated time of the first event. Default Black Friday 2026, 09:00 in New York. */
  start?: Date;
  /** Mean simulated time between two orders (exponentially distributed). Default 1,000 ms. */
  meanGapMs?: number;
  /** Offset of the shop's time zone, used to write timestamps as Shopify does. Default -300 (New York in winter). */
  utcOffsetMinutes?: number;
}

export interface StreamMix {
  ordersPaid: number;
  customersCreate: number;
  partialRefunds: number;
  fullRefunds: number;
  cancellations: number;
}

/** A Black Friday afternoon: mostly orders, a few signups (which credit guest orders), refunds and cancellations. */
export const DEFAULT_STREAM_MIX: StreamMix = {
  ordersPaid: 0.86,
  customersCreate: 0.05,
  partialRefunds: 0.05,
  fullRefunds: 0.02,
  cancellations: 0.02,
};

const FIRST_NAMES = ["Olivia", "Liam", "Amélie", "Noah", "Sofia", "Mateo", "Chloé", "Lucas", "Aiko", "Ethan", "Zoë", "Omar", "Priya", "Jonas", "Maya", "Diego", "Hannah", "Kwame", "Léa", "Oscar", "Ingrid", "Ravi", "Sara", "Tomás", "Yuki", "Ava", "Felix", "Nora", "Malik", "Elena"];
const LAST_NAMES = ["Smith", "Durand", "García", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka", "Johnson", "Silva", "Haddad", "Larsen", "Patel", "O'Brien", "Dubois", "Kim", "Novak", "Andersson", "Moreau", "Ibrahim", "Costa", "Walker", "Bauer", "Fischer", "Lopez", "Martin", "Brown", "Chen", "Rahman"];
const EMAIL_DOMAINS = ["example.com", "example.org", "example.net"];
const CITIES: SimulatedAddress[] = [
  { address1: "", city: "Brooklyn", province: "New York", provinceCode: "NY", zip: "11201", country: "United States", countryCode: "US" },
  { address1: "", city: "Austin", province: "Texas", provinceCode: "TX", zip: "78701", country: "United States", countryCode: "US" },
  { address1: "", city: "Portland", province: "Oregon", provinceCode: "OR", zip: "97205", country: "United States", countryCode: "US" },
  { address1: "", city: "Chicago", province: "Illinois", provinceCode: "IL", zip: "60607", country: "United States", countryCode: "US" },
  { address1: "", city: "Denver", province: "Colorado", provinceCode: "CO", zip: "80202", country: "United States", countryCode: "US" },
  { address1: "", city: "Toronto", province: "Ontario", provinceCode: "ON", zip: "M5V 2T6", country: "Canada", countryCode: "CA" },
];
const STREETS = ["Elm St.", "Maple Ave.", "Harbor Rd.", "Cedar Ln.", "Market St.", "Lakeview Dr.", "Orchard Way"];
const ADJECTIVES = ["Linen", "Merino", "Canvas", "Ceramic", "Walnut", "Organic", "Recycled", "Vintage", "Alpine", "Cotton"];
const NOUNS: [string, number, number][] = [
  // title, price in cents, grams
  ["shirt", 5990, 300], ["beanie", 2400, 120], ["tote", 2500, 300], ["mug", 1800, 400], ["scarf", 4500, 200],
  ["candle", 3200, 500], ["notebook", 1450, 250], ["backpack", 11900, 900], ["sweater", 8900, 600], ["socks", 1200, 80],
  ["blanket", 13900, 1400], ["cutting board", 6400, 1100], ["sunglasses", 8999, 100], ["water bottle", 2999, 350],
];
const GIFT_CARD_VALUES = [2500, 5000, 10000];
const TAX_RATES = [
  { title: "NY State Tax", rate: 0.08875 },
  { title: "TX State Tax", rate: 0.0825 },
  { title: "OR State Tax", rate: 0 },
  { title: "IL State Tax", rate: 0.1025 },
  { title: "CO State Tax", rate: 0.0881 },
];
const VAT = { title: "VAT", rate: 0.2 };
const GATEWAYS = ["shopify_payments", "shopify_payments", "shopify_payments", "paypal"];
const LOCATION_ID = 71234567890n;

const BLACK_FRIDAY_2026 = new Date("2026-11-27T14:00:00Z");

// --------------------------------------------------------------------------------------------
// Amounts: integers of the minor unit, written the way Shopify writes them.

function exponentOf(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`not a currency code: ${currency}`);
  if (["JPY", "KRW", "BHD", "KWD", "JOD", "OMR", "TND"].includes(currency)) {
    throw new RangeError(`the simulator writes 2-decimal currencies only, not ${currency}`);
  }
  return 2;
}

function amount(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** round(value × numerator / denominator), half away from zero, exact for cents. */
function share(value: number, numerator: number, denominator: number): number {
  if (denominator === 0) return 0;
  const exact = (BigInt(value) * BigInt(numerator) * 2n + BigInt(denominator)) / (2n * BigInt(denominator));
  return Number(exact);
}

function roundRate(value: number, rate: number): number {
  // Rates have at most 5 decimals; integer math keeps the cents exact.
  return share(value, Math.round(rate * 100_000), 100_000);
}

/** Splits `total` over `weights` proportionally, largest remainder first: the parts add up exactly. */
function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const floors = weights.map((w) => Math.floor((total * w) / sum));
  let rest = total - floors.reduce((a, b) => a + b, 0);
  const order = weights.map((w, i) => ({ i, r: (total * w) % sum })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (rest <= 0) break;
    floors[i] += 1;
    rest -= 1;
  }
  return floors;
}

function isoWithOffset(date: Date, offsetMinutes: number): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${local.toISOString().slice(0, 19)}${offset}`;
}

/**
 * JSON text with bigints written as plain JSON numbers, every digit kept: how Shopify writes ids.
 * JSON.stringify cannot do it (it throws on bigint, and numbers above 2^53 have lost digits).
 */
export function toShopifyJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}

// --------------------------------------------------------------------------------------------

export class ShopifyEventGenerator {
  readonly shop: string;
  readonly currency: string;
  readonly taxesIncluded: boolean;
  /** The seeded shoppers; `hasAccount` flips to true when their customers/create is emitted. */
  readonly customers: readonly SimulatedCustomer[];
  /** Orders emitted so far, oldest first (refunds and cancellations pick from these). */
  readonly orders: SimulatedOrder[] = [];

  private readonly rnd: { ids: SeededRandom; orders: SeededRandom; stream: SeededRandom; deliveries: SeededRandom };
  private readonly catalog: Product[];
  private readonly offset: number;
  private readonly meanGapMs: number;
  private clock: number;
  private nextOrderNumber: number;
  private readonly idBases: Record<"order" | "line" | "refund" | "refundLine" | "transaction" | "shipping", bigint>;
  private readonly idCounters = { order: 0, line: 0, refund: 0, refundLine: 0, transaction: 0, shipping: 0 };

  constructor(options: ShopifyEventGeneratorOptions) {
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(options.shop)) throw new RangeError(`shop must be a *.myshopify.com domain, not ${options.shop}`);
    this.shop = options.shop;
    this.currency = options.currency ?? "USD";
    exponentOf(this.currency);
    this.taxesIncluded = options.taxesIncluded ?? ["EUR", "GBP"].includes(this.currency);
    this.offset = options.utcOffsetMinutes ?? -300;
    this.meanGapMs = options.meanGapMs ?? 1000;
    if (!(this.meanGapMs >= 0)) throw new RangeError("meanGapMs must be >= 0");
    this.clock = (options.start ?? BLACK_FRIDAY_2026).getTime();
    const poolSize = options.customers ?? 500;
    const guestShare = options.guestShare ?? 0.1;
    if (!Number.isSafeInteger(poolSize) || poolSize < 1) throw new RangeError("customers must be a positive integer");
    if (!(guestShare >= 0 && guestShare <= 1)) throw new RangeError("guestShare must be between 0 and 1");

    const root = new SeededRandom(options.seed ?? "loyalnest");
    this.rnd = { ids: root.fork("ids"), orders: root.fork("orders"), stream: root.fork("stream"), deliveries: root.fork("deliveries") };
    // 18-digit ids, like the fixture's 820982911946154508: far above 2^53, so a JSON.parse reader
    // loses digits. Each kind of id counts up from its own seeded base, so they never collide.
    const base = (min: bigint) => min + this.rnd.ids.bigint(50_000_000_000_000_000n);
    this.idBases = {
      order: base(510_000_000_000_000_000n),
      line: base(430_000_000_000_000_000n),
      refund: base(890_000_000_000_000_000n),
      refundLine: base(770_000_000_000_000_000n),
      transaction: base(660_000_000_000_000_000n),
      shipping: base(520_000_000_000_000_000n),
    };
    this.nextOrderNumber = 1001 + this.rnd.ids.int(0, 8000);
    this.catalog = this.buildCatalog(root.fork("catalog"));
    this.customers = this.buildCustomers(root.fork("customers"), poolSize, guestShare);
  }

  /** The simulated time of the next event. */
  get now(): Date {
    return new Date(this.clock);
  }

  // ------------------------------------------------------------------------------------------
  // Events

  /** orders/paid for a pool shopper: a member's order, or a guest checkout if they have no account. */
  orderPaid(options: { customer?: SimulatedCustomer } = {}): { webhook: SimulatedWebhook; order: SimulatedOrder } {
    this.advance();
    const order = this.buildOrder(options.customer ?? this.rnd.orders.pick(this.customers));
    this.orders.push(order);
    const webhook = this.webhook("orders/paid", this.orderDocument(order), { orderId: order.id.toString(), ...(order.customer ? { customerId: order.customer.id.toString() } : {}) });
    return { webhook, order };
  }

  /**
   * refunds/create: "partial" returns some units of one line; "full" refunds everything not yet
   * refunded, shipping included. Null when nothing is left to refund.
   */
  refundCreated(order: SimulatedOrder, kind: "partial" | "full"): SimulatedWebhook | null {
    const open = order.lines.filter((l) => l.quantity - l.refundedQuantity > 0 && !l.product.giftCard);
    const giftCards = order.lines.filter((l) => l.quantity - l.refundedQuantity > 0 && l.product.giftCard);
    if (open.length === 0 && (kind === "partial" || giftCards.length === 0)) return null;
    this.advance();
    const rnd = this.rnd.orders;
    const picks: { line: SimulatedLine; quantity: number }[] =
      kind === "full"
        ? [...open, ...giftCards].map((line) => ({ line, quantity: line.quantity - line.refundedQuantity }))
        : (() => {
            const line = rnd.pick(open);
            return [{ line, quantity: rnd.int(1, line.quantity - line.refundedQuantity) }];
          })();
    const refundShipping = kind === "full" && !order.shipping.refunded && order.shipping.price > 0;
    const refundId = this.nextId("refund");
    const createdAt = isoWithOffset(this.now, this.offset);

    let refundTotal = 0;
    const refundLineItems = picks.map(({ line, quantity }) => {
      const remaining = line.quantity - line.refundedQuantity;
      const gross = line.product.price * line.quantity - this.lineDiscount(line);
      // The last units take whatever is left, so refunds of a line add up to it exactly.
      const subtotal = quantity === remaining ? gross - line.refundedSubtotal : share(gross, quantity, line.quantity);
      const tax = quantity === remaining ? line.tax - line.refundedTax : share(line.tax, quantity, line.quantity);
      line.refundedQuantity += quantity;
      line.refundedSubtotal += subtotal;
      line.refundedTax += tax;
      refundTotal += subtotal + (order.taxesIncluded ? 0 : tax);
      return {
        id: this.nextId("refundLine"),
        quantity,
        line_item_id: line.id,
        location_id: LOCATION_ID,
        restock_type: line.product.giftCard ? "cancel" : "return",
        subtotal: Number(amount(subtotal)),
        total_tax: Number(amount(tax)),
        subtotal_set: this.moneySet(order, subtotal),
        total_tax_set: this.moneySet(order, tax),
        line_item: this.lineDocument(order, line),
      };
    });
    const refundShippingLines = refundShipping
      ? [{
          id: this.nextId("refundLine"),
          shipping_line_id: order.shipping.id,
          shipping_line: this.shippingDocument(order),
          subtotal_amount_set: this.moneySet(order, order.shipping.price),
          tax_amount_set: this.moneySet(order, order.shipping.tax),
        }]
      : [];
    if (refundShipping) {
      order.shipping.refunded = true;
      refundTotal += order.shipping.price + (order.taxesIncluded ? 0 : order.shipping.tax);
    }
    const transactionId = this.nextId("transaction");
    const document = {
      id: refundId,
      order_id: order.id,
      created_at: createdAt,
      note: kind === "full" ? "Order refunded" : "Item returned",
      user_id: null,
      processed_at: createdAt,
      duties: [],
      total_duties_set: this.moneySet(order, 0),
      return: null,
      restock: true,
      refund_shipping_lines: refundShippingLines,
      admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
      order_adjustments: [],
      refund_line_items: refundLineItems,
      transactions: [{
        id: transactionId,
        order_id: order.id,
        kind: "refund",
        gateway: order.gateway,
        status: "success",
        message: null,
        created_at: createdAt,
        test: false,
        authorization: null,
        location_id: null,
        user_id: null,
        parent_id: order.transactionId,
        processed_at: createdAt,
        device_id: null,
        error_code: null,
        source_name: "web",
        receipt: {},
        amount: amount(refundTotal),
        currency: order.currency,
        payment_id: `${order.name}.2`,
        manual_payment_gateway: false,
        amount_rounding: null,
        admin_graphql_api_id: `gid://shopify/OrderTransaction/${transactionId}`,
      }],
    };
    return this.webhook("refunds/create", document, { orderId: order.id.toString(), refundId: refundId.toString() });
  }

  /** orders/cancelled (Shopify sends it after the refund of a cancelled paid order). */
  orderCancelled(order: SimulatedOrder): SimulatedWebhook {
    this.advance();
    order.cancelled = true;
    const cancelledAt = isoWithOffset(this.now, this.offset);
    return this.webhook("orders/cancelled", this.orderDocument(order, cancelledAt), {
      orderId: order.id.toString(),
      ...(order.customer ? { customerId: order.customer.id.toString() } : {}),
    });
  }

  /** customers/create: the shopper opens an account (a guest's earlier orders then earn). */
  customerCreated(customer: SimulatedCustomer): SimulatedWebhook {
    this.advance();
    customer.hasAccount = true;
    customer.createdAt = this.now;
    return this.webhook("customers/create", this.customerDocument(customer, true), { customerId: customer.id.toString() });
  }

  /**
   * A mixed stream of `count` deliveries in a plausible order: refunds and cancellations concern
   * orders emitted earlier in the stream, a cancellation is its full refund then orders/cancelled
   * (two deliveries), and signups come from shoppers who so far checked out as guests.
   */
  *stream(count: number, mix: StreamMix = DEFAULT_STREAM_MIX): Generator<SimulatedWebhook> {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError("count must be a non-negative integer");
    const rnd = this.rnd.stream;
    let emitted = 0;
    while (emitted < count) {
      const kind = rnd.weighted<keyof StreamMix>([
        ["ordersPaid", mix.ordersPaid],
        ["customersCreate", mix.customersCreate],
        ["partialRefunds", mix.partialRefunds],
        ["fullRefunds", mix.fullRefunds],
        ["cancellations", count - emitted >= 2 ? mix.cancellations : 0],
      ]);
      const live = this.orders.filter((o) => !o.cancelled);
      if (kind === "customersCreate") {
        const prospects = this.customers.filter((c) => !c.hasAccount);
        if (prospects.length > 0) {
          yield this.customerCreated(rnd.pick(prospects));
          emitted++;
          continue;
        }
      } else if ((kind === "partialRefunds" || kind === "fullRefunds") && live.length > 0) {
        const refund = this.refundCreated(rnd.pick(live), kind === "fullRefunds" ? "full" : "partial");
        if (refund) {
          yield refund;
          emitted++;
          continue;
        }
      } else if (kind === "cancellations" && live.length > 0) {
        const order = rnd.pick(live);
        const refund = this.refundCreated(order, "full");
        if (refund) {
          yield refund;
          emitted++;
        }
        yield this.orderCancelled(order);
        emitted++;
        continue;
      }
      // orders/paid, or the fallback when the chosen event has nothing to act on yet.
      yield this.orderPaid().webhook;
      emitted++;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Model

  private advance() {
    if (this.meanGapMs === 0) return;
    // Exponential gaps: arrivals of independent shoppers form a Poisson process.
    this.clock += Math.round(-Math.log(1 - this.rnd.orders.next()) * this.meanGapMs);
  }

  private nextId(kind: keyof ShopifyEventGenerator["idCounters"]): bigint {
    const n = this.idCounters[kind]++;
    // Increasing like Shopify's ids, with seeded low digits so they do not look sequential.
    return this.idBases[kind] + BigInt(n) * 1000n + BigInt(this.rnd.ids.int(0, 999));
  }

  private buildCatalog(rnd: SeededRandom): Product[] {
    const products: Product[] = [];
    const productBase = 9_012_345_000_000n + rnd.bigint(100_000_000n) * 1000n;
    let n = 0;
    for (const adjective of ADJECTIVES) {
      for (const [noun, cents, grams] of NOUNS) {
        if (!rnd.chance(0.35)) continue;
        const productId = productBase + BigInt(n++) * 17n;
        // Prices end in .00, .50, .90 or .99 as shops price them.
        const price = Math.max(500, Math.round((cents * (0.8 + rnd.next() * 0.5)) / 100) * 100 - rnd.pick([0, 50, 10, 1]));
        products.push({
          productId,
          variantId: productId * 1000n + 901n,
          title: `${adjective} ${noun}`,
          sku: `${adjective.slice(0, 3)}-${noun.replace(/\s+/g, "").slice(0, 5)}-${n}`.toUpperCase(),
          price,
          grams,
          giftCard: false,
          onSale: rnd.chance(0.2),
        });
      }
    }
    for (const value of GIFT_CARD_VALUES) {
      const productId = productBase + BigInt(n++) * 17n;
      products.push({ productId, variantId: productId * 1000n + 901n, title: "Gift card", sku: `GIFT-${value / 100}`, price: value, grams: 0, giftCard: true, onSale: false });
    }
    return products;
  }

  private buildCustomers(rnd: SeededRandom, size: number, guestShare: number): SimulatedCustomer[] {
    const base = 600_000_000_000_000_000n + rnd.bigint(100_000_000_000_000_000n);
    return Array.from({ length: size }, (_, i) => {
      const firstName = rnd.pick(FIRST_NAMES);
      const lastName = rnd.pick(LAST_NAMES);
      const ascii = (s: string) => s.normalize("NFD").replace(/[^A-Za-z]/g, "").toLowerCase();
      const city = rnd.pick(CITIES);
      return {
        id: base + BigInt(i) * 1000n + BigInt(rnd.int(0, 999)),
        // The index keeps emails unique in the pool (the app matches guest orders by email).
        email: `${ascii(firstName)}.${ascii(lastName)}${i}@${rnd.pick(EMAIL_DOMAINS)}`,
        firstName,
        lastName,
        phone: rnd.chance(0.3) ? `+1555${String(rnd.int(0, 9_999_999)).padStart(7, "0")}` : null,
        tags: rnd.chance(0.08) ? ["VIP"] : rnd.chance(0.1) ? ["wholesale"] : [],
        emailMarketing: rnd.chance(0.4) ? "subscribed" : "not_subscribed",
        hasAccount: !rnd.chance(guestShare),
        createdAt: new Date(this.clock - rnd.int(1, 900) * 86_400_000),
        address: { ...city, address1: `${rnd.int(1, 999)} ${rnd.pick(STREETS)}` },
      } satisfies SimulatedCustomer;
    });
  }

  private buildOrder(shopper: SimulatedCustomer): SimulatedOrder {
    const rnd = this.rnd.orders;
    const id = this.nextId("order");
    const number = this.nextOrderNumber++;
    const customer = shopper.hasAccount ? shopper : null;
    const presentment = this.currency === "USD" && rnd.chance(0.08) ? { currency: "CAD", rate: 1.3912 } : { currency: this.currency, rate: 1 };
    const taxRate = this.taxesIncluded ? VAT : rnd.pick(TAX_RATES);

    // 1-4 distinct products, mostly one unit each; now and then a gift card.
    const lineCount = rnd.weighted([[1, 45], [2, 30], [3, 17], [4, 8]] as const);
    const chosen = new Set<Product>();
    while (chosen.size < lineCount) {
      const product = rnd.chance(0.05) ? rnd.pick(this.catalog.filter((p) => p.giftCard)) : rnd.pick(this.catalog.filter((p) => !p.giftCard));
      chosen.add(product);
    }
    const lines: SimulatedLine[] = [...chosen].map((product) => ({
      id: this.nextId("line"),
      product,
      quantity: product.giftCard ? 1 : rnd.weighted([[1, 75], [2, 18], [3, 7]] as const),
      allocations: [],
      tax: 0,
      refundedQuantity: 0,
      refundedSubtotal: 0,
      refundedTax: 0,
    }));

    // Discounts: the automatic Black Friday sale on sale items, then maybe a code on everything
    // discountable. Gift cards are never discounted or taxed.
    const discounts: DiscountApplication[] = [];
    const net = (line: SimulatedLine) => line.product.price * line.quantity - line.allocations.reduce((s, a) => s + a.amount, 0);
    const saleLines = lines.filter((l) => l.product.onSale);
    if (saleLines.length > 0) {
      const index = discounts.push({ kind: "automatic", title: "Black Friday", valueType: "percentage", value: 20, targetSelection: "entitled" }) - 1;
      for (const line of saleLines) line.allocations.push({ application: index, amount: share(net(line), 20, 100) });
    }
    const discountable = lines.filter((l) => !l.product.giftCard);
    if (discountable.length > 0 && rnd.chance(0.3)) {
      const fixed = rnd.chance(0.4);
      const code: DiscountApplication = fixed
        ? { kind: "code", title: "SAVE10", code: "SAVE10", valueType: "fixed_amount", value: 1000, targetSelection: "all" }
        : { kind: "code", title: "BFCM15", code: "BFCM15", valueType: "percentage", value: 15, targetSelection: "all" };
      const index = discounts.push(code) - 1;
      const nets = discountable.map(net);
      const total = fixed ? Math.min(code.value, nets.reduce((a, b) => a + b, 0)) : 0;
      const parts = fixed ? allocate(total, nets) : nets.map((n) => share(n, code.value, 100));
      discountable.forEach((line, i) => {
        if (parts[i] > 0) line.allocations.push({ application: index, amount: parts[i] });
      });
    }
    for (const line of lines) {
      if (line.product.giftCard) continue;
      const taxable = net(line);
      line.tax = this.taxesIncluded ? share(taxable, Math.round(taxRate.rate * 100_000), Math.round((1 + taxRate.rate) * 100_000)) : roundRate(taxable, taxRate.rate);
    }

    const goods = lines.reduce((s, l) => s + net(l), 0);
    const onlyGiftCards = lines.every((l) => l.product.giftCard);
    const shippingChoice = onlyGiftCards ? { title: "Digital delivery", code: "Digital", price: 0 }
      : goods >= 7500 ? { title: "Free shipping", code: "Free", price: 0 }
        : rnd.chance(0.2) ? { title: "Express", code: "Express", price: 1499 }
          : { title: "Standard", code: "Standard", price: 599 };
    // US states here do not tax shipping; VAT applies to it, included in the price.
    const shippingTax = this.taxesIncluded ? share(shippingChoice.price, Math.round(taxRate.rate * 100_000), Math.round((1 + taxRate.rate) * 100_000)) : 0;

    const processedAt = this.now;
    return {
      id,
      number,
      name: `#${number}`,
      token: rnd.token(32, "0123456789abcdef"),
      confirmationNumber: rnd.token(9, "ABCDEFGHJKLMNPQRSTUVWXYZ123456789"),
      customer,
      shopper,
      email: customer ? customer.email : rnd.chance(0.03) ? null : shopper.email,
      currency: this.currency,
      presentment,
      taxesIncluded: this.taxesIncluded,
      taxRate,
      discounts,
      lines,
      shipping: { id: this.nextId("shipping"), ...shippingChoice, tax: shippingTax, refunded: false },
      processedAt,
      gateway: rnd.pick(GATEWAYS),
      transactionId: this.nextId("transaction"),
      cancelled: false,
    };
  }

  private lineDiscount(line: SimulatedLine): number {
    return line.allocations.reduce((s, a) => s + a.amount, 0);
  }

  // ------------------------------------------------------------------------------------------
  // Documents

  private webhook(topic: SimulatedTopic, document: unknown, subject: SimulatedWebhook["subject"]): SimulatedWebhook {
    const triggeredAt = new Date(this.clock + this.rnd.deliveries.int(50, 900));
    return {
      topic,
      shop: this.shop,
      webhookId: this.rnd.deliveries.uuid(),
      eventId: this.rnd.deliveries.uuid(),
      triggeredAt,
      body: toShopifyJson(document),
      subject,
    };
  }

  private moneySet(order: SimulatedOrder, minor: number) {
    return {
      shop_money: { amount: amount(minor), currency_code: order.currency },
      presentment_money: { amount: amount(Math.round(minor * order.presentment.rate)), currency_code: order.presentment.currency },
    };
  }

  private addressDocument(customer: SimulatedCustomer) {
    const a = customer.address;
    return {
      first_name: customer.firstName,
      address1: a.address1,
      phone: customer.phone,
      city: a.city,
      zip: a.zip,
      province: a.province,
      country: a.country,
      last_name: customer.lastName,
      address2: null,
      company: null,
      latitude: null,
      longitude: null,
      name: `${customer.firstName} ${customer.lastName}`,
      country_code: a.countryCode,
      province_code: a.provinceCode,
    };
  }

  private customerDocument(customer: SimulatedCustomer, full: boolean) {
    const created = isoWithOffset(customer.createdAt, this.offset);
    const consent = {
      state: customer.emailMarketing,
      opt_in_level: customer.emailMarketing === "subscribed" ? "single_opt_in" : null,
      consent_updated_at: customer.emailMarketing === "subscribed" ? created : null,
    };
    const defaultAddress = {
      id: customer.id + 7n,
      customer_id: customer.id,
      ...this.addressDocument(customer),
      country_name: customer.address.country,
      default: true,
    };
    return {
      id: customer.id,
      email: customer.email,
      created_at: created,
      updated_at: created,
      first_name: customer.firstName,
      last_name: customer.lastName,
      state: "enabled",
      note: null,
      verified_email: true,
      multipass_identifier: null,
      tax_exempt: false,
      phone: customer.phone,
      email_marketing_consent: consent,
      sms_marketing_consent: null,
      tags: customer.tags.join(", "),
      currency: this.currency,
      ...(full ? { addresses: [defaultAddress] } : {}),
      tax_exemptions: [],
      admin_graphql_api_id: `gid://shopify/Customer/${customer.id}`,
      default_address: defaultAddress,
    };
  }

  private lineDocument(order: SimulatedOrder, line: SimulatedLine) {
    const p = line.product;
    return {
      id: line.id,
      admin_graphql_api_id: `gid://shopify/LineItem/${line.id}`,
      attributed_staffs: [],
      current_quantity: line.quantity - line.refundedQuantity,
      fulfillable_quantity: line.quantity - line.refundedQuantity,
      fulfillment_service: "manual",
      fulfillment_status: null,
      gift_card: p.giftCard,
      grams: p.grams,
      name: p.title,
      price: amount(p.price),
      price_set: this.moneySet(order, p.price),
      product_exists: true,
      product_id: p.productId,
      properties: [],
      quantity: line.quantity,
      requires_shipping: !p.giftCard,
      sales_line_item_group_id: null,
      sku: p.sku,
      taxable: !p.giftCard,
      title: p.title,
      total_discount: amount(0),
      total_discount_set: this.moneySet(order, 0),
      variant_id: p.variantId,
      variant_inventory_management: p.giftCard ? null : "shopify",
      variant_title: null,
      vendor: "LoyalNest Demo Goods",
      tax_lines: p.giftCard ? [] : [{
        title: order.taxRate.title,
        rate: order.taxRate.rate,
        price: amount(line.tax),
        price_set: this.moneySet(order, line.tax),
        channel_liable: false,
      }],
      duties: [],
      discount_allocations: line.allocations.map((a) => ({
        amount: amount(a.amount),
        amount_set: this.moneySet(order, a.amount),
        discount_application_index: a.application,
      })),
    };
  }

  private shippingDocument(order: SimulatedOrder) {
    const s = order.shipping;
    return {
      id: s.id,
      carrier_identifier: null,
      code: s.code,
      current_discounted_price_set: this.moneySet(order, s.refunded ? 0 : s.price),
      discounted_price: amount(s.price),
      discounted_price_set: this.moneySet(order, s.price),
      is_removed: false,
      phone: null,
      price: amount(s.price),
      price_set: this.moneySet(order, s.price),
      requested_fulfillment_service_id: null,
      source: "shopify",
      title: s.title,
      tax_lines: s.tax > 0 ? [{ title: order.taxRate.title, rate: order.taxRate.rate, price: amount(s.tax), price_set: this.moneySet(order, s.tax), channel_liable: false }] : [],
      discount_allocations: [],
    };
  }

  private orderDocument(order: SimulatedOrder, cancelledAt?: string) {
    const lineItemsPrice = order.lines.reduce((s, l) => s + l.product.price * l.quantity, 0);
    const discounts = order.lines.reduce((s, l) => s + this.lineDiscount(l), 0);
    const subtotal = lineItemsPrice - discounts;
    const tax = order.lines.reduce((s, l) => s + l.tax, 0) + order.shipping.tax;
    const total = subtotal + order.shipping.price + (order.taxesIncluded ? 0 : tax);
    const refundedGoods = order.lines.reduce((s, l) => s + l.refundedSubtotal, 0);
    const refundedTax = order.lines.reduce((s, l) => s + l.refundedTax, 0) + (order.shipping.refunded ? order.shipping.tax : 0);
    const refundedShipping = order.shipping.refunded ? order.shipping.price : 0;
    const current = {
      subtotal: subtotal - refundedGoods,
      tax: tax - refundedTax,
      shipping: order.shipping.price - refundedShipping,
    };
    const currentTotal = current.subtotal + current.shipping + (order.taxesIncluded ? 0 : current.tax);
    const processed = isoWithOffset(order.processedAt, this.offset);
    const customer = order.customer;
    const codes = order.discounts.filter((d) => d.kind === "code");
    const allocatedTo = (index: number) => order.lines.reduce((s, l) => s + l.allocations.filter((a) => a.application === index).reduce((x, a) => x + a.amount, 0), 0);
    const taxLines = tax > 0 ? [{ title: order.taxRate.title, rate: order.taxRate.rate, price: amount(tax), price_set: this.moneySet(order, tax), channel_liable: false }] : [];
    const refunded = refundedGoods > 0 || refundedShipping > 0;
    const financialStatus = cancelledAt || current.subtotal + current.shipping === 0 ? "refunded" : refunded ? "partially_refunded" : "paid";
    return {
      id: order.id,
      admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
      app_id: 580111,
      browser_ip: `203.0.113.${Number(order.id % 250n) + 1}`,
      buyer_accepts_marketing: customer?.emailMarketing === "subscribed",
      cancel_reason: cancelledAt ? "customer" : null,
      cancelled_at: cancelledAt ?? null,
      cart_token: null,
      checkout_token: null,
      client_details: null,
      closed_at: cancelledAt ?? null,
      confirmation_number: order.confirmationNumber,
      confirmed: true,
      contact_email: order.email,
      created_at: processed,
      currency: order.currency,
      current_shipping_price_set: this.moneySet(order, current.shipping),
      current_subtotal_price: amount(current.subtotal),
      current_subtotal_price_set: this.moneySet(order, current.subtotal),
      current_total_additional_fees_set: null,
      current_total_discounts: amount(discounts),
      current_total_discounts_set: this.moneySet(order, discounts),
      current_total_duties_set: null,
      current_total_price: amount(currentTotal),
      current_total_price_set: this.moneySet(order, currentTotal),
      current_total_tax: amount(current.tax),
      current_total_tax_set: this.moneySet(order, current.tax),
      customer_locale: "en",
      device_id: null,
      discount_codes: codes.map((d) => ({ code: d.code, amount: amount(allocatedTo(order.discounts.indexOf(d))), type: d.valueType })),
      duties_included: false,
      email: order.email ?? "",
      estimated_taxes: false,
      financial_status: financialStatus,
      fulfillment_status: null,
      landing_site: "/collections/black-friday",
      landing_site_ref: null,
      location_id: null,
      merchant_of_record_app_id: null,
      name: order.name,
      note: null,
      note_attributes: [],
      number: order.number - 1000,
      order_number: order.number,
      order_status_url: `https://${this.shop}/${Number(order.id % 1_000_000_000n)}/orders/${order.token}/authenticate?key=${order.token.slice(0, 16)}`,
      original_total_additional_fees_set: null,
      original_total_duties_set: null,
      payment_gateway_names: [order.gateway],
      phone: order.shopper.phone,
      po_number: null,
      presentment_currency: order.presentment.currency,
      processed_at: processed,
      reference: null,
      referring_site: null,
      source_identifier: null,
      source_name: "web",
      source_url: null,
      subtotal_price: amount(subtotal),
      subtotal_price_set: this.moneySet(order, subtotal),
      tags: "",
      tax_exempt: false,
      tax_lines: taxLines,
      taxes_included: order.taxesIncluded,
      test: false,
      token: order.token,
      total_discounts: amount(discounts),
      total_discounts_set: this.moneySet(order, discounts),
      total_line_items_price: amount(lineItemsPrice),
      total_line_items_price_set: this.moneySet(order, lineItemsPrice),
      total_outstanding: "0.00",
      total_price: amount(total),
      total_price_set: this.moneySet(order, total),
      total_shipping_price_set: this.moneySet(order, order.shipping.price),
      total_tax: amount(tax),
      total_tax_set: this.moneySet(order, tax),
      total_tip_received: "0.00",
      total_weight: order.lines.reduce((s, l) => s + l.product.grams * l.quantity, 0),
      updated_at: cancelledAt ?? processed,
      user_id: null,
      billing_address: this.addressDocument(order.shopper),
      customer: customer ? this.customerDocument(customer, false) : null,
      discount_applications: order.discounts.map((d) => ({
        target_type: "line_item",
        type: d.kind === "code" ? "discount_code" : "automatic",
        value: d.valueType === "percentage" ? `${d.value}.0` : amount(d.value),
        value_type: d.valueType,
        allocation_method: "across",
        target_selection: d.targetSelection,
        ...(d.kind === "code" ? { code: d.code } : { title: d.title }),
      })),
      fulfillments: [],
      line_items: order.lines.map((line) => this.lineDocument(order, line)),
      payment_terms: null,
      refunds: [],
      shipping_address: this.addressDocument(order.shopper),
      shipping_lines: [this.shippingDocument(order)],
      returns: [],
      line_item_groups: [],
    };
  }
}

export function createShopifyEventGenerator(options: ShopifyEventGeneratorOptions): ShopifyEventGenerator {
  return new ShopifyEventGenerator(options);
}
