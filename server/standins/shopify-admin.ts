import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execute, GraphQLError } from "graphql";
import { readRequestBody } from "../request-body";
import { computeQueryCost } from "./admin-cost";
import { findDiscountByCode, rootValue, standinFieldResolver, type ResolverContext } from "./admin-resolvers";
import { loadAdminSchema, prepareAdminOperation, type ShopifyGraphQLError } from "./admin-schema";
import {
  createState,
  nextGid,
  refillBucket,
  type StandinAppDiscount,
  type StandinCodeDiscount,
  type StandinCollection,
  type StandinCustomer,
  type StandinFunction,
  type StandinMetafield,
  type StandinProduct,
  type StandinShop,
  type StandinShopDetails,
  type StandinState,
} from "./admin-store";

// A local Shopify Admin GraphQL API for tests and the offline demo. It speaks the real protocol
// (token header, cost extensions, THROTTLED answers, Shopify's error shapes), validates every
// request against the Admin schema and keeps each shop's data in memory.

export { loadAdminSchema, validateAdminOperation, type ShopifyGraphQLError } from "./admin-schema";
export type {
  StandinAppDiscount,
  StandinCodeDiscount,
  StandinFunction,
  StandinCollection,
  StandinCustomer,
  StandinMetafield,
  StandinProduct,
  StandinShop,
  StandinShopDetails,
  StandinState,
} from "./admin-store";

export interface ThrottleSettings {
  maximumAvailable: number;
  restoreRate: number;
}

export interface StartAdminStandinOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  throttle?: ThrottleSettings;
  shops?: Record<string, { accessToken: string; shop?: Partial<StandinShopDetails> }>;
  /** The app id `$app` metafield namespaces resolve to. */
  appId?: string;
  /** The clock for the cost bucket and timestamps; tests pass a fake one to control restoring. */
  now?: () => number;
  /** The app's released Functions; by default the function extensions under extensions/. */
  functions?: { handle: string; apiType?: string; id?: string }[];
}

export interface StandinCall {
  shop: string | null;
  apiVersion: string;
  operationName: string | null;
  query: string;
  variables: Record<string, unknown>;
  status: number;
  requestedQueryCost: number | null;
}

export type FaultResponse = { status: number; body?: unknown; headers?: Record<string, string> };

export interface AdminStandin {
  /** Origin to use as SHOPIFY_ADMIN_API_ORIGIN, e.g. http://127.0.0.1:4100. */
  readonly url: string;
  readonly state: StandinState;
  readonly calls: StandinCall[];
  addShop(domain: string, accessToken: string, details?: Partial<StandinShopDetails>): StandinShop;
  /** With `id` (a Customer gid) the customer gets that id: adding an id that exists returns it. */
  addCustomer(domain: string, customer?: Partial<StandinCustomer>): StandinCustomer;
  addCollection(domain: string, collection?: Partial<Omit<StandinCollection, "id">>): StandinCollection;
  /** `collectionIds` are gids of collections added with addCollection. */
  addProduct(domain: string, product?: Partial<Omit<StandinProduct, "id" | "createdAt" | "updatedAt">>): StandinProduct;
  /** Deletes the product, as a merchant would after it was ordered: lookups answer null. */
  removeProduct(domain: string, productId: string): void;
  /** The next `count` requests fail with `status` (Retry-After applies to 429), or are cut off mid-connection. */
  failNext(count: number, status: number | "network", options?: { retryAfter?: string }): void;
  /** The next request gets exactly this answer (a string body is sent verbatim). */
  setNextResponse(response: FaultResponse): void;
  /** Sets the shop's cost bucket level, e.g. 0 to force the next call to be throttled. */
  setAvailablePoints(domain: string, points: number): void;
  /** The code discount (basic or app) with this code, as the stand-in stores it; case-insensitive. */
  findCodeDiscount(domain: string, code: string): StandinCodeDiscount | StandinAppDiscount | undefined;
  /** The metafields created with an app code discount (e.g. the Function's configuration). */
  discountMetafields(domain: string, code: string): StandinMetafield[];
  /**
   * Marks the code as used by `uses` orders (default 1), as Shopify's asyncUsageCount shows shortly
   * after checkout. Refuses to go past the code's usage limit (Shopify would not accept the order).
   * Returns the new count.
   */
  markCodeUsed(domain: string, code: string, uses?: number): number;
  close(): Promise<void>;
}

const DEFAULT_THROTTLE: ThrottleSettings = { maximumAvailable: 1000, restoreRate: 50 };
const GRAPHQL_PATH = /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/;
const MAX_BODY_BYTES = 1_000_000;
const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

type Fault = { kind: "network" } | { kind: "response"; response: FaultResponse };

export async function startAdminStandin(options: StartAdminStandinOptions = {}): Promise<AdminStandin> {
  const schema = loadAdminSchema();
  const now = options.now ?? Date.now;
  const state = createState({
    appId: options.appId ?? "1234567",
    throttle: options.throttle ?? DEFAULT_THROTTLE,
    functions: (options.functions ?? appFunctionsFromExtensions()).map((f) => ({
      handle: f.handle,
      apiType: f.apiType ?? "discount",
      id: f.id ?? functionIdFor(f.handle),
    })),
  });
  const calls: StandinCall[] = [];
  const faults: Fault[] = [];

  function addShop(domain: string, accessToken: string, details: Partial<StandinShopDetails> = {}): StandinShop {
    if (state.shops.has(domain)) throw new Error(`Shop ${domain} already exists in the stand-in`);
    if (state.tokens.has(accessToken)) throw new Error("Access token already belongs to another shop");
    const name = domain.split(".")[0];
    const shop: StandinShop = {
      domain,
      accessToken,
      details: {
        id: nextGid(state, "Shop"),
        name,
        email: `owner@${name}.example`,
        contactEmail: `support@${name}.example`,
        currencyCode: "USD",
        ianaTimezone: "America/New_York",
        myshopifyDomain: domain,
        primaryDomainUrl: `https://${domain}`,
        planDisplayName: "Development",
        partnerDevelopment: true,
        shopifyPlus: false,
        createdAt: new Date(now()).toISOString(),
        ...details,
      },
      customers: new Map(),
      metafields: new Map(),
      discounts: new Map(),
      products: new Map(),
      collections: new Map(),
      bucket: { available: state.throttle.maximumAvailable, updatedAt: now() },
    };
    state.shops.set(domain, shop);
    state.tokens.set(accessToken, domain);
    return shop;
  }

  function requireShop(domain: string): StandinShop {
    const shop = state.shops.get(domain);
    if (!shop) throw new Error(`Shop ${domain} is not in the stand-in; addShop() it first`);
    return shop;
  }

  function addCustomer(domain: string, customer: Partial<StandinCustomer> = {}): StandinCustomer {
    const shop = requireShop(domain);
    // An explicit id mirrors a customer the app already knows (the demo's members); adding it again is a no-op.
    const existing = customer.id ? shop.customers.get(customer.id) : undefined;
    if (existing) return existing;
    const id = customer.id ?? nextGid(state, "Customer");
    const at = new Date(now()).toISOString();
    const record: StandinCustomer = {
      id,
      email: `customer-${id.slice(-6)}@example.com`,
      firstName: null,
      lastName: null,
      phone: null,
      tags: [],
      emailMarketingState: "NOT_SUBSCRIBED",
      createdAt: at,
      updatedAt: at,
      ...customer,
    };
    shop.customers.set(id, record);
    return record;
  }

  const handleize = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");

  function addCollection(domain: string, collection: Partial<Omit<StandinCollection, "id">> = {}): StandinCollection {
    const shop = requireShop(domain);
    const id = nextGid(state, "Collection");
    const title = collection.title ?? `Collection ${id.slice(-6)}`;
    const record: StandinCollection = { id, title, handle: collection.handle ?? handleize(title) };
    shop.collections.set(id, record);
    return record;
  }

  function addProduct(domain: string, product: Partial<Omit<StandinProduct, "id" | "createdAt" | "updatedAt">> = {}): StandinProduct {
    const shop = requireShop(domain);
    const collectionIds = [...new Set(product.collectionIds ?? [])];
    const unknown = collectionIds.filter((c) => !shop.collections.has(c));
    if (unknown.length > 0) throw new Error(`Collections ${unknown.join(", ")} are not in ${domain}; addCollection() them first`);
    const id = nextGid(state, "Product");
    const at = new Date(now()).toISOString();
    const title = product.title ?? `Product ${id.slice(-6)}`;
    const record: StandinProduct = {
      id,
      title,
      handle: product.handle ?? handleize(title),
      status: product.status ?? "ACTIVE",
      // Shopify trims tags and drops blanks and duplicates.
      tags: [...new Set((product.tags ?? []).map((t) => t.trim()).filter(Boolean))],
      collectionIds,
      createdAt: at,
      updatedAt: at,
    };
    shop.products.set(id, record);
    return record;
  }

  function removeProduct(domain: string, productId: string) {
    if (!requireShop(domain).products.delete(productId)) throw new Error(`Product ${productId} is not in ${domain}`);
  }

  for (const [domain, { accessToken, shop }] of Object.entries(options.shops ?? {})) addShop(domain, accessToken, shop);

  function costExtensions(shop: StandinShop, requested: number, actual: number | null) {
    return {
      cost: {
        requestedQueryCost: requested,
        actualQueryCost: actual,
        throttleStatus: {
          maximumAvailable: state.throttle.maximumAvailable,
          currentlyAvailable: Math.floor(shop.bucket.available),
          restoreRate: state.throttle.restoreRate,
        },
      },
    };
  }

  async function handleGraphQL(apiVersion: string, req: IncomingMessage): Promise<{ status: number; body: unknown; call: StandinCall }> {
    const call: StandinCall = { shop: null, apiVersion, operationName: null, query: "", variables: {}, status: 200, requestedQueryCost: null };
    const finish = (status: number, body: unknown) => {
      call.status = status;
      return { status, body, call };
    };

    const token = req.headers["x-shopify-access-token"];
    const domain = typeof token === "string" ? state.tokens.get(token) : undefined;
    const shop = domain ? state.shops.get(domain) : undefined;
    if (!shop) return finish(401, { errors: INVALID_TOKEN });
    call.shop = shop.domain;

    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(await readBody(req)) as typeof payload;
    } catch {
      return finish(400, { errors: { query: "Required parameter missing or invalid" } });
    }
    if (typeof payload?.query !== "string" || payload.query.trim() === "") {
      return finish(400, { errors: { query: "Required parameter missing or invalid" } });
    }
    const variables = payload.variables && typeof payload.variables === "object" ? (payload.variables as Record<string, unknown>) : {};
    const operationName = typeof payload.operationName === "string" ? payload.operationName : null;
    Object.assign(call, { query: payload.query, variables, operationName });

    const prepared = prepareAdminOperation(payload.query, variables, operationName, schema);
    if (!prepared.ok) return finish(200, { errors: prepared.errors });
    call.operationName ??= prepared.operation.name?.value ?? null;

    const requested = computeQueryCost(schema, prepared.document, prepared.operation, prepared.variables);
    call.requestedQueryCost = requested;
    const available = refillBucket(state, shop, now());
    if (requested > state.throttle.maximumAvailable) {
      return finish(200, {
        errors: [{
          message: `Query cost is ${requested}, which exceeds the single query max cost limit (${state.throttle.maximumAvailable}).`,
          extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: state.throttle.maximumAvailable },
        }],
        extensions: costExtensions(shop, requested, null),
      });
    }
    if (requested > available) {
      return finish(200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: costExtensions(shop, requested, null),
      });
    }
    shop.bucket.available -= requested;

    const context: ResolverContext = { state, shop, now };
    const result = await execute({
      schema,
      document: prepared.document,
      operationName: prepared.operation.name?.value,
      rootValue,
      contextValue: context,
      variableValues: variables,
      fieldResolver: standinFieldResolver,
    });
    const errors = result.errors?.map(formatExecutionError);
    return finish(200, { ...(errors ? { errors } : {}), data: result.data ?? null, extensions: costExtensions(shop, requested, requested) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: `Internal error in the Admin API stand-in: ${(error as Error).message}` });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://standin").pathname;
    const route = GRAPHQL_PATH.exec(path);
    if (!route) return send(res, 404, { errors: "Not Found" });
    if (req.method !== "POST") return send(res, 405, { errors: "Method Not Allowed" }, { Allow: "POST" });

    const fault = faults.shift();
    if (fault) {
      const body = await readBody(req).catch(() => "");
      calls.push(faultCall(route[1], req, body, fault));
      if (fault.kind === "network") {
        req.socket.destroy();
        return;
      }
      return send(res, fault.response.status, fault.response.body ?? { errors: statusText(fault.response.status) }, fault.response.headers);
    }

    const { status, body, call } = await handleGraphQL(route[1], req);
    calls.push(call);
    send(res, status, body, { "X-Shopify-API-Version": route[1] });
  }

  function faultCall(apiVersion: string, req: IncomingMessage, raw: string, fault: Fault): StandinCall {
    let parsed: { query?: string; variables?: Record<string, unknown>; operationName?: string } = {};
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      // a fault answers whatever was sent
    }
    const token = req.headers["x-shopify-access-token"];
    return {
      shop: (typeof token === "string" && state.tokens.get(token)) || null,
      apiVersion,
      operationName: parsed.operationName ?? null,
      query: parsed.query ?? "",
      variables: parsed.variables ?? {},
      status: fault.kind === "network" ? 0 : fault.response.status,
      requestedQueryCost: null,
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${address.address}:${address.port}`,
    state,
    calls,
    addShop,
    addCustomer,
    addCollection,
    addProduct,
    removeProduct,
    failNext(count, status, failOptions = {}) {
      for (let i = 0; i < count; i += 1) {
        faults.push(
          status === "network"
            ? { kind: "network" }
            : {
                kind: "response",
                response: { status, headers: failOptions.retryAfter ? { "Retry-After": failOptions.retryAfter } : undefined },
              },
        );
      }
    },
    setNextResponse(response) {
      faults.push({ kind: "response", response });
    },
    setAvailablePoints(domain, points) {
      const shop = requireShop(domain);
      shop.bucket.available = Math.min(points, state.throttle.maximumAvailable);
      shop.bucket.updatedAt = now();
    },
    findCodeDiscount: (domain, code) => findDiscountByCode(requireShop(domain), code),
    discountMetafields(domain, code) {
      const shop = requireShop(domain);
      const discount = findDiscountByCode(shop, code);
      if (!discount || !("metafieldKeys" in discount)) return [];
      return discount.metafieldKeys.flatMap((key) => shop.metafields.get(key) ?? []);
    },
    markCodeUsed(domain, code, uses = 1) {
      const discount = findDiscountByCode(requireShop(domain), code);
      if (!discount) throw new Error(`No code discount ${code} in ${domain}`);
      if (!Number.isInteger(uses) || uses < 1) throw new Error(`Uses must be a positive integer, got ${uses}`);
      if (discount.usageLimit !== null && discount.asyncUsageCount + uses > discount.usageLimit) {
        throw new Error(`Code ${code} is limited to ${discount.usageLimit} use(s) and has ${discount.asyncUsageCount}`);
      }
      discount.asyncUsageCount += uses;
      return discount.asyncUsageCount;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const EXTENSIONS_DIR = fileURLToPath(new URL("../../extensions/", import.meta.url));

/**
 * The app's Functions as `shopify app deploy` would release them: every extension whose
 * shopify.extension.toml has type "function". Discount targets make it a discount Function.
 */
export function appFunctionsFromExtensions(dir = EXTENSIONS_DIR): StandinFunction[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const toml = path.join(dir, entry.name, "shopify.extension.toml");
    if (!entry.isDirectory() || !existsSync(toml)) return [];
    const text = readFileSync(toml, "utf8");
    const handle = /^\s*handle\s*=\s*"([^"]+)"/m.exec(text)?.[1];
    if (!handle || !/^\s*type\s*=\s*"function"/m.test(text)) return [];
    const apiType = /^\s*target\s*=\s*"cart\.(lines|delivery-options)\.discounts\.generate\.(run|fetch)"/m.test(text) ? "discount" : "other";
    return [{ id: functionIdFor(handle), handle, apiType }];
  });
}

/** Shopify's function ids are UUIDs; the stand-in derives a stable one from the handle. */
function functionIdFor(handle: string): string {
  const hex = createHash("sha256").update(`function:${handle}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function formatExecutionError(error: GraphQLError): ShopifyGraphQLError {
  const json = error.toJSON();
  const code = typeof json.extensions?.code === "string" ? json.extensions.code : "INTERNAL_SERVER_ERROR";
  return { ...json, extensions: { ...json.extensions, code } } as ShopifyGraphQLError;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const body = await readRequestBody(req, MAX_BODY_BYTES);
  if (body === null) {
    req.destroy();
    throw new Error("Request body too large");
  }
  return body.toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "X-Request-Id": randomUUID(),
    ...headers,
  });
  res.end(text);
}

function statusText(status: number): string {
  const texts: Record<number, string> = { 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };
  return texts[status] ?? `HTTP ${status}`;
}

// CLI: `tsx server/standins/shopify-admin.ts --port 4100 [--shop demo.myshopify.com --token shpat_local]`
async function main(argv: string[]) {
  const arg = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  const port = Number(arg("port") ?? 4100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port ${arg("port")}`);
  const standin = await startAdminStandin({ port });
  const shop = arg("shop");
  if (shop) standin.addShop(shop, arg("token") ?? "shpat_local_standin");
  console.log(`Shopify Admin API stand-in listening on ${standin.url}`);
  console.log(`  set SHOPIFY_ADMIN_API_ORIGIN=${standin.url}`);
  if (shop) console.log(`  shop ${shop} answers to access token ${arg("token") ?? "shpat_local_standin"}`);
  const stop = () => void standin.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
