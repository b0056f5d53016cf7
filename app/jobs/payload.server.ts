import { z } from "zod";
import { config } from "~/config.server";
import { InvalidJobPayloadError } from "./errors";
import type { AnyJobDefinition, EnqueueOptions, JobPayload } from "./types";

// Enqueue-time checks of STYLE §7, "jobs carry ids, not data". Redis is not encrypted, is copied
// into backups and is shown on staff screens: a customer's email or a shop's access token must
// never get there, whatever a job's schema forgets to forbid. Handlers load the data by id.

/** Keys (compared lowercase, without `_`/`-`) that name personal data or secrets. */
const FORBIDDEN_KEYS = new Set([
  "name", "firstname", "lastname", "fullname", "displayname", "username", "customername",
  "email", "emailaddress", "phone", "phonenumber", "mobile", "sms",
  "address", "address1", "address2", "street", "city", "zip", "postalcode", "postcode",
  "birthday", "birthdate", "dateofbirth", "dob", "ip", "ipaddress", "note",
  "token", "accesstoken", "refreshtoken", "idtoken", "sessiontoken", "apikey", "apisecret",
  "secret", "clientsecret", "password", "authorization", "cookie", "creditcard", "cardnumber",
]);
const FORBIDDEN_SUFFIXES = ["email", "emails", "token", "tokens", "secret", "password", "phone", "address", "addresses"];
const EMAIL_LIKE_PATTERN = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
// The pattern backtracks over the whole string at every start position; most strings have no "@".
const EMAIL_LIKE = { test: (value: string) => value.includes("@") && EMAIL_LIKE_PATTERN.test(value) };
const MAX_PAYLOAD_BYTES = 4096;
const MAX_DEPTH = 3;
const MAX_JOB_ID_LENGTH = 200;
const MAX_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

function isForbiddenKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return FORBIDDEN_KEYS.has(k) || FORBIDDEN_SUFFIXES.some((suffix) => k.endsWith(suffix));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Personal data, secrets and anything JSON would silently mangle, found anywhere in the payload. */
function findProblems(value: unknown, path: string, depth: number, problems: string[]): void {
  if (value === null || typeof value === "boolean") return;
  if (typeof value === "string") {
    if (EMAIL_LIKE.test(value)) problems.push(`${path} looks like an email address (jobs carry ids, not personal data)`);
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) problems.push(`${path} is not a finite number`);
    return;
  }
  if (typeof value === "bigint") {
    problems.push(`${path} is a bigint, which JSON cannot carry: pass 64-bit ids as strings`);
    return;
  }
  if (depth >= MAX_DEPTH) {
    problems.push(`${path} is nested too deeply: a job payload is {shop, ...ids}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => findProblems(item, `${path}[${i}]`, depth + 1, problems));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (isForbiddenKey(key)) {
        problems.push(`${path}.${key} looks like personal data or a secret (jobs carry ids only; load the data in the handler)`);
        continue;
      }
      findProblems(child, `${path}.${key}`, depth + 1, problems);
    }
    return;
  }
  problems.push(`${path} is a ${typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value}, not plain JSON`);
}

let shopDomainPattern: RegExp | undefined;

function shopDomain(): RegExp {
  // Shopify's dev platforms use another shop domain (SHOP_CUSTOM_DOMAIN, as shopifyApp() accepts).
  if (!shopDomainPattern) {
    const custom = config().SHOP_CUSTOM_DOMAIN;
    const suffixes = ["myshopify\\.com", ...(custom ? [custom.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")] : [])];
    shopDomainPattern = new RegExp(`^[a-z0-9][a-z0-9-]*\\.(?:${suffixes.join("|")})$`);
  }
  return shopDomainPattern;
}

/**
 * The payload as it will be stored: checked for `{shop, ...ids}` shape, scanned for personal data
 * and secrets, then parsed by the job's schema. Throws InvalidJobPayloadError listing every problem.
 */
export function validateJobPayload(definition: AnyJobDefinition, payload: unknown): JobPayload {
  if (!isPlainObject(payload)) {
    throw new InvalidJobPayloadError(definition.name, ["payload must be a plain object {shop, ...ids}"]);
  }
  const problems: string[] = [];
  if (typeof payload.shop !== "string" || !shopDomain().test(payload.shop)) {
    problems.push("payload.shop must be the shop's myshopify domain");
  }
  findProblems(payload, "payload", 0, problems);
  if (problems.length === 0) {
    const size = Buffer.byteLength(JSON.stringify(payload));
    if (size > MAX_PAYLOAD_BYTES) {
      problems.push(`payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES} (store the data and pass its id)`);
    }
  }
  if (problems.length > 0) throw new InvalidJobPayloadError(definition.name, problems);

  const parsed = definition.schema.safeParse(payload);
  if (!parsed.success) {
    throw new InvalidJobPayloadError(definition.name, [z.prettifyError(parsed.error).replace(/\n\s*/g, " ")]);
  }
  const data: unknown = parsed.data;
  // The schema may transform, but it cannot move the job to another shop or drop the shop.
  if (!isPlainObject(data) || data.shop !== payload.shop) {
    throw new InvalidJobPayloadError(definition.name, ["the job's schema must keep payload.shop unchanged"]);
  }
  return data as JobPayload;
}

export function validateEnqueueOptions(jobName: string, options: EnqueueOptions): { jobId: string; delayMs: number } {
  const problems: string[] = [];
  const { jobId, delayMs = 0 } = options;
  if (typeof jobId !== "string" || jobId.length === 0 || jobId.length > MAX_JOB_ID_LENGTH || /[\s\p{Cc}]/u.test(jobId)) {
    problems.push(`jobId must be 1-${MAX_JOB_ID_LENGTH} characters without spaces (an idempotency key such as the webhook id)`);
  } else if (EMAIL_LIKE.test(jobId)) {
    problems.push("jobId looks like it contains an email address");
  }
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    problems.push(`delayMs must be an integer from 0 to ${MAX_DELAY_MS}`);
  }
  if (problems.length > 0) throw new InvalidJobPayloadError(jobName, problems);
  return { jobId: `${jobName}:${jobId}`, delayMs };
}
