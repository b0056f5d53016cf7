import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  loadFixture,
  loadInputQuery,
  loadSchema,
  validateFixtureInput,
  validateFixtureOutput,
  validateInputQuery,
  type FixtureData,
} from "@shopify/shopify-function-test-helpers";
import type { DocumentNode, GraphQLScalarType, GraphQLSchema } from "graphql";

// Shared by the Function's tests: the Discount Function schema, the two input queries, input
// builders and validators. Everything is checked against Shopify's schema, so a fixture or an
// output Shopify would refuse fails here.

export const FUNCTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The Discount Function API schema, kept beside the Function as Shopify's templates do. */
export const SCHEMA_PATH = process.env.FUNCTIONS_DISCOUNT_SCHEMA_PATH ?? path.join(FUNCTION_DIR, "schema.graphql");
export const FIXTURES_DIR = path.join(FUNCTION_DIR, "tests/fixtures");

export const TARGETS = {
  lines: {
    target: "cart.lines.discounts.generate.run",
    export: "cart-lines-discounts-generate-run",
    queryPath: path.join(FUNCTION_DIR, "src/cart_lines_discounts_generate_run.graphql"),
    mutation: "cartLinesDiscountsGenerateRun",
  },
  delivery: {
    target: "cart.delivery-options.discounts.generate.run",
    export: "cart-delivery-options-discounts-generate-run",
    queryPath: path.join(FUNCTION_DIR, "src/cart_delivery_options_discounts_generate_run.graphql"),
    mutation: "cartDeliveryOptionsDiscountsGenerateRun",
  },
} as const;
export type TargetName = keyof typeof TARGETS;

let loaded: Promise<{ schema: GraphQLSchema; queries: Record<TargetName, DocumentNode> }> | undefined;

/** The schema (with Decimal checked strictly) and the parsed input queries, loaded once per file. */
export function functionSchema() {
  loaded ??= (async () => {
    if (!existsSync(SCHEMA_PATH)) throw new Error(`Discount Function schema not found at ${SCHEMA_PATH} (is ../shared beside the repository?)`);
    const schema = await loadSchema(SCHEMA_PATH);
    tightenDecimal(schema);
    const queries = {
      lines: await loadInputQuery(TARGETS.lines.queryPath),
      delivery: await loadInputQuery(TARGETS.delivery.queryPath),
    };
    return { schema, queries };
  })();
  return loaded;
}

// buildSchema accepts anything for a custom scalar; Shopify does not. Our outputs send Decimals as
// strings, so a number, NaN or "1,5" must fail validation.
function tightenDecimal(schema: GraphQLSchema) {
  // Duck-typed: the helpers load graphql's CommonJS build and vitest its ES build, so instanceof fails.
  const decimal = schema.getType("Decimal") as GraphQLScalarType | undefined;
  if (decimal?.constructor.name !== "GraphQLScalarType") throw new Error("The schema has no Decimal scalar");
  decimal.parseValue = (value: unknown) => {
    if (typeof value !== "string" || !/^-?\d+(\.\d+)?$/.test(value)) throw new TypeError(`${JSON.stringify(value)} is not a Decimal string`);
    return value;
  };
}

export async function inputQueryErrors(target: TargetName) {
  const { schema, queries } = await functionSchema();
  return validateInputQuery(queries[target], schema).map((e) => e.message);
}

export async function inputErrors(target: TargetName, input: unknown) {
  const { schema, queries } = await functionSchema();
  return validateFixtureInput(queries[target], schema, input).errors.map((e) => `${e.path.join(".")}: ${e.message}`);
}

export async function outputErrors(target: TargetName, output: unknown) {
  const { schema } = await functionSchema();
  const result = await validateFixtureOutput(output as Record<string, unknown>, schema, TARGETS[target].mutation);
  return result.errors.map((e) => e.message);
}

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => path.join(FIXTURES_DIR, file));
}

export async function readFixture(file: string): Promise<FixtureData & { target: string }> {
  return loadFixture(file);
}

export function targetOf(fixtureTarget: string): TargetName {
  const entry = (Object.entries(TARGETS) as [TargetName, (typeof TARGETS)[TargetName]][]).find(([, t]) => t.target === fixtureTarget);
  if (!entry) throw new Error(`Unknown target ${fixtureTarget}`);
  return entry[0];
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

// ---------------------------------------------------------------------------------------------
// Input builders

export type DiscountClass = "ORDER" | "PRODUCT" | "SHIPPING";

export interface LineSpec {
  /** Unit price in the cart's currency, as Shopify sends it ("19.99"). */
  price: string;
  quantity?: number;
  variantId?: string;
  custom?: boolean;
}

export interface CartSpec {
  lines: LineSpec[];
  currency?: string;
  rate?: string;
  classes?: DiscountClass[];
  /** The metafield's jsonValue; `undefined` means the discount has no such metafield. */
  config?: unknown;
  /** Overrides the subtotal computed from the lines. */
  subtotal?: string;
}

/** Sums unit price × quantity exactly (prices have at most 3 decimals). */
export function subtotalOf(lines: LineSpec[]): string {
  let thousandths = 0n;
  for (const line of lines) {
    const [whole, fraction = ""] = line.price.split(".");
    thousandths += BigInt(whole + fraction.padEnd(3, "0").slice(0, 3)) * BigInt(line.quantity ?? 1);
  }
  const text = thousandths.toString().padStart(4, "0");
  return `${text.slice(0, -3)}.${text.slice(-3)}`.replace(/0+$/, "").replace(/\.$/, ".0");
}

function discountOf(spec: CartSpec) {
  return {
    discountClasses: spec.classes ?? ["ORDER", "PRODUCT", "SHIPPING"],
    metafield: spec.config === undefined ? null : { jsonValue: spec.config },
  };
}

export function cartInput(spec: CartSpec) {
  const currency = spec.currency ?? "USD";
  return {
    cart: {
      cost: { subtotalAmount: { amount: spec.subtotal ?? subtotalOf(spec.lines), currencyCode: currency } },
      lines: spec.lines.map((line, index) => ({
        id: `gid://shopify/CartLine/${index + 1}`,
        quantity: line.quantity ?? 1,
        cost: { amountPerQuantity: { amount: line.price } },
        merchandise: line.custom
          ? { __typename: "CustomProduct" as const }
          : { __typename: "ProductVariant" as const, id: line.variantId ?? `gid://shopify/ProductVariant/${9000 + index}` },
      })),
    },
    presentmentCurrencyRate: spec.rate ?? "1.0",
    discount: discountOf(spec),
  };
}

export function deliveryInput(spec: CartSpec & { groups?: number }) {
  const currency = spec.currency ?? "USD";
  return {
    cart: {
      cost: { subtotalAmount: { amount: spec.subtotal ?? subtotalOf(spec.lines), currencyCode: currency } },
      deliveryGroups: Array.from({ length: spec.groups ?? 1 }, (_, index) => ({ id: `gid://shopify/CartDeliveryGroup/${index + 1}` })),
    },
    presentmentCurrencyRate: spec.rate ?? "1.0",
    discount: discountOf(spec),
  };
}

/** `count` lines with varied prices and quantities; deterministic. */
export function manyLines(count: number, options: { currencyDigits?: number } = {}): LineSpec[] {
  const digits = options.currencyDigits ?? 2;
  return Array.from({ length: count }, (_, index) => {
    const cents = 199 + ((index * 7919) % 9800);
    const price = digits === 0 ? String(Math.round(cents * 1.5)) : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
    return { price, quantity: 1 + (index % 3), variantId: `gid://shopify/ProductVariant/${10_000 + index}` };
  });
}

export const config = {
  fixed: (amount: string, extra: Record<string, unknown> = {}) => ({ v: 1, kind: "fixed_amount", amount, ...extra }),
  percentage: (percentage: string, extra: Record<string, unknown> = {}) => ({ v: 1, kind: "percentage", percentage, ...extra }),
  freeShipping: (extra: Record<string, unknown> = {}) => ({ v: 1, kind: "free_shipping", ...extra }),
  freeProduct: (variantId: string, extra: Record<string, unknown> = {}) => ({ v: 1, kind: "free_product", variantId, ...extra }),
};
