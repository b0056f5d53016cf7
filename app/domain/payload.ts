import { isLosslessNumber } from "lossless-json";
import { z } from "zod";
import { parseMoney } from "./money";

// Reading Shopify webhook JSON exactly, shared by the order and refund normalisers. Numbers may
// arrive as JS numbers, bigints, strings or lossless-json LosslessNumbers depending on how the
// body was parsed; money must arrive as decimal text (`*_set.shop_money.amount`).

/** The exact decimal text of a JSON number however it was parsed, or null if not a number. */
export function numericText(value: unknown): string | null {
  if (typeof value === "bigint") return value.toString();
  if (isLosslessNumber(value)) return value.toString();
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) {
    // The shortest round-trip text of a double is the JSON text for any value it holds exactly.
    return String(value);
  }
  return null;
}

/**
 * A Shopify numeric id as a decimal string. Accepts string, bigint, LosslessNumber and numbers
 * within 2^53; prefers the digits of `gid` when it names the expected resource.
 */
export function exactShopifyId(value: unknown, gid: unknown, resource: string): { id: string } | { error: string } {
  if (typeof gid === "string") {
    const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(gid);
    if (match && match[1] === resource) return { id: match[2] };
  }
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    return { error: `${value} is a JSON number above 2^53 and has lost digits; parse the payload with lossless-json` };
  }
  const text = numericText(value);
  if (text === null || !/^\d+$/.test(text)) return { error: `must be a numeric ${resource} id` };
  return { id: text.replace(/^0+(?=\d)/, "") };
}

export const decimalText = z.unknown().transform((value, ctx) => {
  const text = numericText(value);
  if (text === null || !/^-?\d+(\.\d+)?$/.test(text)) {
    ctx.addIssue({ code: "custom", input: value, message: "must be a decimal amount" });
    return z.NEVER;
  }
  return text;
});

export const moneySet = z
  .object({
    shop_money: z.object({ amount: decimalText, currency_code: z.string().regex(/^[A-Z]{3}$/, "must be a currency code") }),
  })
  .transform((set, ctx) => {
    try {
      return parseMoney(set.shop_money.amount, set.shop_money.currency_code);
    } catch (error) {
      ctx.addIssue({ code: "custom", input: set, path: ["shop_money", "amount"], message: (error as Error).message });
      return z.NEVER;
    }
  });

export const quantity = z.unknown().transform((value, ctx) => {
  const text = numericText(value);
  const parsed = text !== null && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(parsed)) {
    ctx.addIssue({ code: "custom", input: value, message: "must be a whole number" });
    return z.NEVER;
  }
  return parsed;
});

export const timestamp = z.string().transform((value, ctx) => {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    ctx.addIssue({ code: "custom", input: value, message: "must be an ISO 8601 date-time" });
    return z.NEVER;
  }
  return new Date(time);
});

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "(payload)";
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") return issue.input === undefined ? "is required" : `must be ${issue.expected}`;
  return issue.message;
}

const MAX_SHOPIFY_ID_DIGITS = 18;

/** A Shopify id sent by an API client: digits as a string or number, or a gid; exact to 18 digits. */
export function shopifyIdSchema(resource: "Customer" | "Product") {
  const pattern = new RegExp(`^(?:gid://shopify/${resource}/)?(\\d{1,${MAX_SHOPIFY_ID_DIGITS}})$`);
  const message = `must be a Shopify ${resource.toLowerCase()} id: up to ${MAX_SHOPIFY_ID_DIGITS} digits, as a string or a number, or gid://shopify/${resource}/<id>`;
  return z.unknown().transform((value, ctx) => {
    if (value === undefined || value === null) {
      ctx.addIssue({ code: "custom", message: "is required" });
      return z.NEVER;
    }
    // A JSON number beyond 2^53 reaches us as its exact digits (parseExactJson), never rounded.
    const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : typeof value === "string" ? value.trim() : "";
    const match = pattern.exec(text);
    if (!match || BigInt(match[1]) === 0n) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return BigInt(match[1]);
  });
}
