import { createHash } from "node:crypto";
import { GraphQLError, type GraphQLFieldResolver } from "graphql";
import {
  metafieldKey,
  nextGid,
  type StandinAppDiscount,
  type StandinCodeDiscount,
  type StandinCollection,
  type StandinCustomer,
  type StandinDiscountClass,
  type StandinEligibility,
  type StandinMetafield,
  type StandinProduct,
  type StandinShop,
  type StandinState,
} from "./admin-store";

// Resolvers for the slice of the Admin API that LoyalNest uses, with Shopify's validation and
// userErrors for bad input. Views are plain objects; a field missing from a view is a field the
// stand-in does not implement, and asking for it is an error that names it (never a silent null).

export interface ResolverContext {
  state: StandinState;
  shop: StandinShop;
  now: () => number;
}

type Args = Record<string, unknown>;
type View = Record<string, unknown>;

interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
  [extra: string]: unknown;
}

export const standinFieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (source, args, context, info) => {
  if (source !== null && typeof source === "object" && Object.hasOwn(source, info.fieldName)) {
    const value = (source as View)[info.fieldName];
    if (value !== undefined) return typeof value === "function" ? value(args, context, info) : value;
  }
  throw new GraphQLError(`Field '${info.parentType.name}.${info.fieldName}' is not implemented by the Admin API stand-in`, {
    extensions: { code: "NOT_IMPLEMENTED", typeName: info.parentType.name, fieldName: info.fieldName },
  });
};

export const rootValue = {
  shop: (_args: Args, ctx: ResolverContext) => shopView(ctx),
  customer: ({ id }: { id: string }, ctx: ResolverContext) => {
    requireGid(id, "customer");
    const customer = ctx.shop.customers.get(id);
    return customer ? customerView(customer, ctx) : null;
  },
  customers: (args: ConnectionArgs & { query?: string | null }, ctx: ResolverContext) => customersConnection(args, ctx),
  product: ({ id }: { id: string }, ctx: ResolverContext) => {
    requireGid(id, "product");
    const product = ctx.shop.products.get(id);
    return product ? productView(product, ctx) : null;
  },
  collection: ({ id }: { id: string }, ctx: ResolverContext) => {
    requireGid(id, "collection");
    const collection = ctx.shop.collections.get(id);
    return collection ? collectionView(collection, ctx) : null;
  },
  node: ({ id }: { id: string }, ctx: ResolverContext) => nodeView(id, ctx),
  nodes: ({ ids }: { ids: string[] }, ctx: ResolverContext) => {
    if (ids.length > MAX_NODES) {
      throw new GraphQLError(`nodes accepts at most ${MAX_NODES} ids, ${ids.length} were given`, { extensions: { code: "BAD_REQUEST" } });
    }
    return ids.map((id) => nodeView(id, ctx));
  },
  codeDiscountNode: ({ id }: { id: string }, ctx: ResolverContext) => {
    requireGid(id, "codeDiscountNode");
    const discount = ctx.shop.discounts.get(id);
    return discount ? codeDiscountNodeView(discount, ctx) : null;
  },
  codeDiscountNodeByCode: ({ code }: { code: string }, ctx: ResolverContext) => {
    const discount = findDiscountByCode(ctx.shop, code);
    return discount ? codeDiscountNodeView(discount, ctx) : null;
  },
  metafieldsSet: ({ metafields }: { metafields: MetafieldsSetInput[] }, ctx: ResolverContext) => metafieldsSet(metafields, ctx),
  discountCodeBasicCreate: ({ basicCodeDiscount }: { basicCodeDiscount: DiscountCodeBasicInput }, ctx: ResolverContext) =>
    discountCodeBasicCreate(basicCodeDiscount, ctx),
  discountCodeAppCreate: ({ codeAppDiscount }: { codeAppDiscount: DiscountCodeAppInput }, ctx: ResolverContext) =>
    discountCodeAppCreate(codeAppDiscount, ctx),
  discountCodeDelete: ({ id }: { id: string }, ctx: ResolverContext) => discountCodeDelete(id, ctx),
};

// ---------------------------------------------------------------------------------------------
// Ids, connections

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/;

function requireGid(id: string, path: string): { resource: string; id: string } {
  const match = GID.exec(id);
  if (!match) {
    throw new GraphQLError(`Invalid global id '${id}'`, {
      extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError", path },
    });
  }
  return { resource: match[1], id: match[2] };
}

interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

const MAX_PAGE_SIZE = 250;

const cursorOf = (id: string) => Buffer.from(JSON.stringify({ last_id: id })).toString("base64url");

function idFromCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { last_id?: unknown };
    if (typeof parsed.last_id === "string") return parsed.last_id;
  } catch {
    // fall through to the error Shopify gives for a cursor it did not issue
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: "argumentLiteralsIncompatible" } });
}

function connection<T extends { id: string }>(all: T[], args: ConnectionArgs, view: (item: T) => unknown): View {
  const { first, last } = args;
  if (first == null && last == null) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  if ((first ?? 0) > MAX_PAGE_SIZE || (last ?? 0) > MAX_PAGE_SIZE) {
    throw new GraphQLError(`The maximum page size is ${MAX_PAGE_SIZE}`, { extensions: { code: "BAD_REQUEST" } });
  }
  let items = args.reverse ? [...all].reverse() : all;
  if (args.after) {
    const index = items.findIndex((item) => item.id === idFromCursor(args.after as string));
    items = index === -1 ? [] : items.slice(index + 1);
  }
  if (args.before) {
    const index = items.findIndex((item) => item.id === idFromCursor(args.before as string));
    items = index === -1 ? items : items.slice(0, index);
  }
  const total = items.length;
  if (first != null) items = items.slice(0, first);
  if (last != null) items = items.slice(Math.max(0, items.length - last));
  const edges = items.map((item) => ({ cursor: cursorOf(item.id), node: view(item) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: first != null ? total > items.length : false,
      hasPreviousPage: last != null ? total > items.length : Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shop, customers, metafields (read side)

function shopView(ctx: ResolverContext): View {
  const { details, domain } = ctx.shop;
  return {
    id: details.id,
    name: details.name,
    email: details.email,
    contactEmail: details.contactEmail,
    currencyCode: details.currencyCode,
    ianaTimezone: details.ianaTimezone,
    myshopifyDomain: details.myshopifyDomain,
    createdAt: details.createdAt,
    url: `https://${domain}`,
    primaryDomain: {
      id: details.id.replace("/Shop/", "/Domain/"),
      host: new URL(details.primaryDomainUrl).host,
      url: details.primaryDomainUrl,
      sslEnabled: details.primaryDomainUrl.startsWith("https:"),
    },
    plan: { displayName: details.planDisplayName, partnerDevelopment: details.partnerDevelopment, shopifyPlus: details.shopifyPlus },
    metafield: ({ namespace, key }: { namespace?: string | null; key: string }) => ownerMetafield(details.id, namespace, key, ctx),
    customers: (args: ConnectionArgs & { query?: string | null }) => customersConnection(args, ctx),
  };
}

function customerView(customer: StandinCustomer, ctx: ResolverContext): View {
  const displayName = [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || "";
  return {
    id: customer.id,
    legacyResourceId: customer.id.slice(customer.id.lastIndexOf("/") + 1),
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName,
    phone: customer.phone,
    tags: customer.tags,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    emailMarketingConsent:
      customer.emailMarketingState === null
        ? null
        : { marketingState: customer.emailMarketingState, marketingOptInLevel: null, consentUpdatedAt: null },
    metafield: ({ namespace, key }: { namespace?: string | null; key: string }) => ownerMetafield(customer.id, namespace, key, ctx),
  };
}

function customersConnection(args: ConnectionArgs & { query?: string | null }, ctx: ResolverContext): View {
  const all = [...ctx.shop.customers.values()].filter((c) => matchesCustomerQuery(c, args.query ?? ""));
  return connection(all, args, (c) => customerView(c, ctx));
}

// Shopify's search syntax, reduced to what a loyalty app filters customers by.
function matchesCustomerQuery(customer: StandinCustomer, query: string): boolean {
  const terms = query.trim().split(/\s+/).filter(Boolean);
  return terms.every((term) => {
    const separator = term.indexOf(":");
    const field = separator > 0 ? term.slice(0, separator).toLowerCase() : null;
    const wanted = (separator > 0 ? term.slice(separator + 1) : term).replace(/^["']|["']$/g, "").toLowerCase();
    const text = (v: string | null) => (v ?? "").toLowerCase();
    switch (field) {
      case "email":
        return text(customer.email) === wanted;
      case "tag":
        return customer.tags.some((t) => t.toLowerCase() === wanted);
      case "id":
        return customer.id.endsWith(`/${wanted}`);
      case "first_name":
        return text(customer.firstName) === wanted;
      case "last_name":
        return text(customer.lastName) === wanted;
      case null:
        return [customer.email, customer.firstName, customer.lastName].some((v) => text(v).includes(wanted));
      default:
        return false;
    }
  });
}

function ownerMetafield(ownerId: string, namespace: string | null | undefined, key: string, ctx: ResolverContext) {
  const resolved = resolveNamespace(namespace, ctx.state.appId);
  if ("error" in resolved) return null;
  const found = ctx.shop.metafields.get(metafieldKey(ownerId, resolved.namespace, key));
  return found ? metafieldView(found) : null;
}

function metafieldView(metafield: StandinMetafield): View {
  return {
    id: metafield.id,
    legacyResourceId: metafield.id.slice(metafield.id.lastIndexOf("/") + 1),
    namespace: metafield.namespace,
    key: metafield.key,
    type: metafield.type,
    value: metafield.value,
    jsonValue: jsonValueOf(metafield),
    compareDigest: metafield.compareDigest,
    ownerType: metafield.ownerType,
    description: null,
    createdAt: metafield.createdAt,
    updatedAt: metafield.updatedAt,
  };
}

function jsonValueOf(metafield: StandinMetafield): unknown {
  if (metafield.type === "number_integer") return Number(metafield.value);
  if (metafield.type === "boolean") return metafield.value === "true";
  if (metafield.type === "json" || metafield.type.startsWith("list.")) return JSON.parse(metafield.value);
  return metafield.value;
}

// ---------------------------------------------------------------------------------------------
// Nodes, products, collections

const MAX_NODES = 250;

/** Any Node by global id, typed for `... on X` fragments; null for an id this shop does not have. */
function nodeView(id: string, ctx: ResolverContext): View | null {
  const { resource } = requireGid(id, "ids");
  const typed = (typename: string, view: View | null) => (view ? { __typename: typename, ...view } : null);
  switch (resource) {
    case "Product": {
      const product = ctx.shop.products.get(id);
      return typed("Product", product ? productView(product, ctx) : null);
    }
    case "Collection": {
      const collection = ctx.shop.collections.get(id);
      return typed("Collection", collection ? collectionView(collection, ctx) : null);
    }
    case "Customer": {
      const customer = ctx.shop.customers.get(id);
      return typed("Customer", customer ? customerView(customer, ctx) : null);
    }
    default:
      throw new GraphQLError(`Node type '${resource}' is not implemented by the Admin API stand-in`, {
        extensions: { code: "NOT_IMPLEMENTED", typeName: resource },
      });
  }
}

const legacyId = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

function requireCollectionGid(id: string, path: string): void {
  const { resource } = requireGid(id, path);
  if (resource !== "Collection") {
    throw new GraphQLError(`Invalid id '${id}': expected a Collection id`, {
      extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError", path },
    });
  }
}

function productView(product: StandinProduct, ctx: ResolverContext): View {
  return {
    id: product.id,
    legacyResourceId: legacyId(product.id),
    title: product.title,
    handle: product.handle,
    status: product.status,
    tags: product.tags,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    // A collection the shop does not have (deleted) holds no products.
    inCollection: ({ id }: { id: string }) => {
      requireCollectionGid(id, "inCollection");
      return product.collectionIds.includes(id);
    },
    collections: (args: ConnectionArgs) => {
      const all = product.collectionIds.flatMap((id) => ctx.shop.collections.get(id) ?? []);
      return connection(all, args, (c) => collectionView(c, ctx));
    },
  };
}

function collectionView(collection: StandinCollection, ctx: ResolverContext): View {
  return {
    id: collection.id,
    legacyResourceId: legacyId(collection.id),
    title: collection.title,
    handle: collection.handle,
    hasProduct: ({ id }: { id: string }) => {
      requireGid(id, "hasProduct");
      return ctx.shop.products.get(id)?.collectionIds.includes(collection.id) ?? false;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// metafieldsSet

interface MetafieldsSetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}

const MAX_METAFIELDS_PER_SET = 25;
const NAME_CHARS = /^[A-Za-z0-9_-]+$/;
const MAX_SAFE_METAFIELD_INTEGER = 9_007_199_254_740_991n;

/** `$app` and `$app:<ns>` are the calling app's reserved namespaces, stored as `app--<id>[--<ns>]`. */
function resolveNamespace(namespace: string | null | undefined, appId: string): { namespace: string } | { error: UserError } {
  const fail = (message: string, code: string): { error: UserError } => ({ error: { field: ["namespace"], message, code } });
  let resolved: string;
  let checked: string;
  if (namespace == null || namespace === "$app") {
    return { namespace: `app--${appId}` };
  } else if (namespace.startsWith("$app:")) {
    checked = namespace.slice("$app:".length);
    resolved = `app--${appId}--${checked}`;
  } else {
    checked = namespace;
    resolved = namespace;
    const reserved = /^app--(\d+)(?:--|$)/.exec(namespace);
    if (reserved && reserved[1] !== appId) {
      return fail("Access to this namespace and key on Metafields for this resource type is not allowed.", "APP_NOT_AUTHORIZED");
    }
  }
  if (checked.length < 3) return fail("Namespace is too short (minimum is 3 characters)", "TOO_SHORT");
  if (resolved.length > 255) return fail("Namespace is too long (maximum is 255 characters)", "TOO_LONG");
  if (!NAME_CHARS.test(checked)) return fail("Namespace contains one or more invalid characters.", "INVALID_VALUE");
  return { namespace: resolved };
}

const isGid = (v: unknown) => typeof v === "string" && GID.test(v);

// What Shopify checks for each metafield type's value; null means valid.
const VALUE_RULES: Record<string, (value: string) => string | null> = {
  single_line_text_field: (v) => (/[\r\n]/.test(v) ? "Value must be a single line text string." : null),
  multi_line_text_field: () => null,
  number_integer: (v) =>
    !/^[-+]?\d+$/.test(v)
      ? "Value must be an integer."
      : (BigInt(v) < 0n ? -BigInt(v) : BigInt(v)) > MAX_SAFE_METAFIELD_INTEGER
        ? "Value must be between -9,007,199,254,740,991 and 9,007,199,254,740,991."
        : null,
  number_decimal: (v) => (/^[-+]?\d+(\.\d+)?$/.test(v) ? null : "Value must be a decimal."),
  boolean: (v) => (v === "true" || v === "false" ? null : "Value must be true or false."),
  json: (v) => (parsesAsJson(v) ? null : "Value is invalid JSON."),
  date: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? null : "Value must be in YYYY-MM-DD format."),
  date_time: (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v) && !Number.isNaN(Date.parse(v))
      ? null
      : "Value must be in YYYY-MM-DDTHH:MM:SS format.",
  url: (v) => (/^(https?|mailto|sms|tel):/.test(v) && URL.canParse(v) ? null : "Value must be a valid URL."),
  color: (v) => (/^#[0-9A-Fa-f]{6}$/.test(v) ? null : "Value must be a hexadecimal color code."),
  customer_reference: (v) => (isGid(v) ? null : "Value must be a valid customer reference."),
  product_reference: (v) => (isGid(v) ? null : "Value must be a valid product reference."),
  variant_reference: (v) => (isGid(v) ? null : "Value must be a valid variant reference."),
  collection_reference: (v) => (isGid(v) ? null : "Value must be a valid collection reference."),
  metaobject_reference: (v) => (isGid(v) ? null : "Value must be a valid metaobject reference."),
  money: (v) => (parsesAsJson(v) && /"amount"/.test(v) && /"currency_code"/.test(v) ? null : "Value must be a money JSON object."),
};

function parsesAsJson(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

function checkValue(type: string, value: string): string | null {
  if (type.startsWith("list.")) {
    const rule = VALUE_RULES[type.slice("list.".length)];
    let items: unknown;
    try {
      items = JSON.parse(value);
    } catch {
      return "Value must be a JSON array.";
    }
    if (!Array.isArray(items)) return "Value must be a JSON array.";
    for (const [index, item] of items.entries()) {
      const problem = rule?.(typeof item === "string" ? item : JSON.stringify(item));
      if (problem) return `Value at index ${index}: ${problem}`;
    }
    return null;
  }
  return VALUE_RULES[type]?.(value) ?? null;
}

const isKnownType = (type: string) => type in VALUE_RULES || (type.startsWith("list.") && type.slice(5) in VALUE_RULES && type !== "list.json");

function digestOf(metafield: Pick<StandinMetafield, "id" | "value" | "type" | "updatedAt">): string {
  return createHash("sha256").update(`${metafield.id}|${metafield.type}|${metafield.value}|${metafield.updatedAt}`).digest("hex");
}

function metafieldsSet(inputs: MetafieldsSetInput[], ctx: ResolverContext) {
  const userErrors: UserError[] = [];
  if (inputs.length > MAX_METAFIELDS_PER_SET) {
    userErrors.push({
      field: ["metafields"],
      message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_PER_SET}.`,
      code: "LESS_THAN_OR_EQUAL_TO",
      elementIndex: null,
    });
    return { metafields: [], userErrors };
  }

  const planned: { input: MetafieldsSetInput; namespace: string; type: string; ownerType: StandinMetafield["ownerType"] }[] = [];
  inputs.forEach((input, index) => {
    const at = (name: string) => ["metafields", String(index), name];
    const fail = (name: string, message: string, code: string) => userErrors.push({ field: at(name), message, code, elementIndex: index });
    const before = userErrors.length;

    const owner = GID.exec(input.ownerId);
    let ownerType: StandinMetafield["ownerType"] = "CUSTOMER";
    if (owner?.[1] === "Customer" && ctx.shop.customers.has(input.ownerId)) ownerType = "CUSTOMER";
    else if (owner?.[1] === "Shop" && input.ownerId === ctx.shop.details.id) ownerType = "SHOP";
    else fail("ownerId", "Owner does not exist.", "INVALID_VALUE");

    const namespace = resolveNamespace(input.namespace, ctx.state.appId);
    if ("error" in namespace) fail("namespace", namespace.error.message, namespace.error.code ?? "INVALID_VALUE");

    if (input.key.length < 2) fail("key", "Key is too short (minimum is 2 characters)", "TOO_SHORT");
    else if (input.key.length > 64) fail("key", "Key is too long (maximum is 64 characters)", "TOO_LONG");
    else if (!NAME_CHARS.test(input.key)) fail("key", "Key contains one or more invalid characters.", "INVALID_VALUE");

    const existing =
      "namespace" in namespace ? ctx.shop.metafields.get(metafieldKey(input.ownerId, namespace.namespace, input.key)) : undefined;
    const type = input.type ?? existing?.type;
    if (!type) fail("type", "Type can't be blank", "BLANK");
    else if (!isKnownType(type)) fail("type", `Type '${type}' is not a valid metafield type.`, "INVALID_TYPE");
    else if (existing && existing.type !== type) {
      fail("type", `Type '${type}' does not match the type '${existing.type}' of the existing metafield.`, "INVALID_TYPE");
    }

    if (input.value.trim() === "") fail("value", "Value can't be blank.", "BLANK");
    else if (type && isKnownType(type)) {
      const problem = checkValue(type, input.value);
      if (problem) fail("value", problem, "INVALID_VALUE");
    }

    if (input.compareDigest != null && existing && input.compareDigest !== existing.compareDigest) {
      fail(
        "compareDigest",
        "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.",
        "STALE_OBJECT",
      );
    }
    if (userErrors.length === before && "namespace" in namespace && type) {
      planned.push({ input, namespace: namespace.namespace, type, ownerType });
    }
  });

  // All or nothing, as on Shopify: one bad element and nothing is written.
  if (userErrors.length > 0) return { metafields: [], userErrors };

  const now = new Date(ctx.now()).toISOString();
  const written = planned.map(({ input, namespace, type, ownerType }) => {
    const key = metafieldKey(input.ownerId, namespace, input.key);
    const existing = ctx.shop.metafields.get(key);
    const record: StandinMetafield = {
      id: existing?.id ?? nextGid(ctx.state, "Metafield"),
      ownerId: input.ownerId,
      ownerType,
      namespace,
      key: input.key,
      type,
      value: input.value,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      compareDigest: "",
    };
    record.compareDigest = digestOf(record);
    ctx.shop.metafields.set(key, record);
    return metafieldView(record);
  });
  return { metafields: written, userErrors };
}

// ---------------------------------------------------------------------------------------------
// Code discounts

interface DiscountCustomersInput {
  add?: string[] | null;
  remove?: string[] | null;
}

interface CommonDiscountInput {
  title?: string | null;
  code?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean | null;
  combinesWith?: { orderDiscounts?: boolean | null; productDiscounts?: boolean | null; shippingDiscounts?: boolean | null } | null;
  customerSelection?: { all?: boolean | null; customers?: DiscountCustomersInput | null; customerSegments?: DiscountCustomersInput | null } | null;
  context?: { all?: "ALL" | null; customers?: DiscountCustomersInput | null; customerSegments?: DiscountCustomersInput | null } | null;
}

interface DiscountCodeBasicInput extends CommonDiscountInput {
  customerGets?: {
    value?: {
      percentage?: number | null;
      discountAmount?: { amount?: string | null; appliesOnEachItem?: boolean | null } | null;
      discountOnQuantity?: unknown;
    } | null;
    items?: {
      all?: boolean | null;
      products?: { productsToAdd?: string[] | null; productVariantsToAdd?: string[] | null } | null;
      collections?: { add?: string[] | null } | null;
    } | null;
  } | null;
  minimumRequirement?: {
    subtotal?: { greaterThanOrEqualToSubtotal?: string | null } | null;
    quantity?: { greaterThanOrEqualToQuantity?: string | null } | null;
  } | null;
}

function discountCodeBasicCreate(input: DiscountCodeBasicInput, ctx: ResolverContext) {
  const userErrors: UserError[] = [];
  const fail = (path: string[], message: string, code: string) =>
    userErrors.push({ field: ["basicCodeDiscount", ...path], message, code, extraInfo: null });

  const { code, title } = readCommonDiscountFields(input, ctx.shop, fail);

  const eligibility = readEligibility(input, ctx, fail);
  const value = readDiscountValue(input, fail);
  const items = readItems(input, fail);
  const minimumRequirement = readMinimumRequirement(input, fail);

  if (userErrors.length > 0 || !eligibility || !value || !items) {
    return { codeDiscountNode: null, userErrors };
  }
  const now = new Date(ctx.now()).toISOString();
  const discount: StandinCodeDiscount = {
    id: nextGid(ctx.state, "DiscountCodeNode"),
    redeemCodeId: nextGid(ctx.state, "DiscountRedeemCode"),
    code,
    title,
    startsAt: input.startsAt as string,
    endsAt: input.endsAt ?? null,
    usageLimit: input.usageLimit ?? null,
    appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
    eligibility: eligibility.eligibility,
    eligibilityInput: eligibility.via,
    value,
    items,
    combinesWith: {
      orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
      productDiscounts: input.combinesWith?.productDiscounts ?? false,
      shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
    },
    minimumRequirement,
    asyncUsageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  ctx.shop.discounts.set(discount.id, discount);
  return { codeDiscountNode: codeDiscountNodeView(discount, ctx), userErrors };
}

type Fail = (path: string[], message: string, code: string) => void;

/** Code discounts of every type share one code space; Shopify matches codes case-insensitively. */
export function findDiscountByCode(shop: StandinShop, code: string): StandinCodeDiscount | StandinAppDiscount | undefined {
  const wanted = code.trim().toLowerCase();
  for (const discount of shop.discounts.values()) {
    if (discount.code.toLowerCase() === wanted) return discount;
  }
  return undefined;
}

/** The code, title, dates and usage limit, checked the same way for basic and app discounts. */
function readCommonDiscountFields(input: CommonDiscountInput, shop: StandinShop, fail: Fail): { code: string; title: string } {
  const code = input.code?.trim() ?? "";
  if (!code) fail(["code"], "Code can't be blank", "BLANK");
  else if (code.length > 255) fail(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG");
  else if (/[\r\n]/.test(code)) fail(["code"], "Code can't contain newline characters.", "INVALID");
  else if (findDiscountByCode(shop, code)) fail(["code"], "Code must be unique. Please try a different code.", "TAKEN");

  const title = input.title?.trim() ?? "";
  if (!title) fail(["title"], "Title can't be blank", "BLANK");
  else if (title.length > 255) fail(["title"], "Title is too long (maximum is 255 characters)", "TOO_LONG");

  if (!input.startsAt) fail(["startsAt"], "Starts at can't be blank", "BLANK");
  if (input.startsAt && input.endsAt && Date.parse(input.endsAt) <= Date.parse(input.startsAt)) {
    fail(["endsAt"], "Ends at needs to be after starts_at", "INVALID");
  }
  if (input.usageLimit != null && input.usageLimit < 1) fail(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN");
  return { code, title };
}

function readEligibility(input: CommonDiscountInput, ctx: ResolverContext, fail: Fail) {
  if (input.context && input.customerSelection) {
    fail(["context"], "Only one of context or customerSelection can be provided.", "TOO_MANY_ARGUMENTS");
    return null;
  }
  const via = input.context ? "context" : input.customerSelection ? "customerSelection" : null;
  const given = input.context ?? input.customerSelection;
  if (!via || !given) {
    fail(["context"], "Context can't be blank", "BLANK");
    return null;
  }
  const chosen = [given.all ? "all" : null, given.customers ? "customers" : null, given.customerSegments ? "customerSegments" : null].filter(
    (v): v is string => v !== null,
  );
  if (chosen.length !== 1) {
    fail([via], "Specify exactly one of all, customers or customerSegments.", chosen.length ? "TOO_MANY_ARGUMENTS" : "BLANK");
    return null;
  }
  let eligibility: StandinEligibility;
  if (chosen[0] === "all") {
    eligibility = { kind: "all" };
  } else if (chosen[0] === "customers") {
    const ids = given.customers?.add ?? [];
    const unknown = ids.filter((id) => !ctx.shop.customers.has(id));
    if (ids.length === 0) fail([via, "customers", "add"], "Customers can't be blank", "BLANK");
    if (unknown.length > 0) fail([via, "customers", "add"], `Customer ids do not exist: ${unknown.join(", ")}`, "INVALID");
    eligibility = { kind: "customers", customerIds: ids };
  } else {
    eligibility = { kind: "segments", segmentIds: given.customerSegments?.add ?? [] };
  }
  return { eligibility, via: via as StandinCodeDiscount["eligibilityInput"] };
}

function readDiscountValue(input: DiscountCodeBasicInput, fail: Fail): StandinCodeDiscount["value"] | null {
  if (!input.customerGets) {
    fail(["customerGets"], "Customer gets can't be blank", "BLANK");
    return null;
  }
  const value = input.customerGets.value;
  const kinds = value ? (["percentage", "discountAmount", "discountOnQuantity"] as const).filter((k) => value[k] != null) : [];
  if (!value || kinds.length === 0) {
    fail(["customerGets", "value"], "Value can't be blank", "BLANK");
    return null;
  }
  if (kinds.length > 1) {
    fail(["customerGets", "value"], "Only one of percentage, discountAmount or discountOnQuantity can be provided.", "TOO_MANY_ARGUMENTS");
    return null;
  }
  if (value.discountOnQuantity != null) {
    fail(["customerGets", "value", "discountOnQuantity"], "Discount on quantity is only valid for buy X get Y discounts.", "INVALID");
    return null;
  }
  if (value.percentage != null) {
    if (!(value.percentage > 0 && value.percentage <= 1)) {
      fail(["customerGets", "value", "percentage"], "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE");
      return null;
    }
    return { kind: "percentage", percentage: value.percentage };
  }
  const amount = value.discountAmount?.amount;
  if (!amount || Number(amount) <= 0) {
    fail(["customerGets", "value", "discountAmount", "amount"], "Value must be greater than 0", "GREATER_THAN");
    return null;
  }
  return { kind: "amount", amount: normaliseMoney(amount), appliesOnEachItem: value.discountAmount?.appliesOnEachItem ?? false };
}

function readItems(input: DiscountCodeBasicInput, fail: Fail): StandinCodeDiscount["items"] | null {
  const items = input.customerGets?.items;
  if (!input.customerGets) return null;
  if (!items) {
    fail(["customerGets", "items"], "Items can't be blank", "BLANK");
    return null;
  }
  if (items.all) return { all: true };
  const productIds = [...(items.products?.productsToAdd ?? []), ...(items.products?.productVariantsToAdd ?? [])];
  const collectionIds = items.collections?.add ?? [];
  if (productIds.length === 0 && collectionIds.length === 0) {
    fail(["customerGets", "items"], "Items can't be blank", "BLANK");
    return null;
  }
  return { all: false, productIds, collectionIds };
}

function readMinimumRequirement(input: DiscountCodeBasicInput, fail: Fail): StandinCodeDiscount["minimumRequirement"] {
  const requirement = input.minimumRequirement;
  if (!requirement) return null;
  const subtotal = requirement.subtotal?.greaterThanOrEqualToSubtotal;
  const quantity = requirement.quantity?.greaterThanOrEqualToQuantity;
  if (subtotal != null && quantity != null) {
    fail(["minimumRequirement"], "Specify a minimum subtotal or a quantity, but not both.", "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT");
    return null;
  }
  if (subtotal != null) return { subtotal: normaliseMoney(subtotal) };
  if (quantity != null) return { quantity };
  return null;
}

const normaliseMoney = (amount: string) => (amount.includes(".") ? amount : `${amount}.0`);

function discountCodeDelete(id: string, ctx: ResolverContext) {
  const parsed = requireGid(id, "discountCodeDelete");
  const discount = parsed.resource === "DiscountCodeNode" ? ctx.shop.discounts.get(id) : undefined;
  if (!discount) {
    return { deletedCodeDiscountId: null, userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID", extraInfo: null }] };
  }
  ctx.shop.discounts.delete(id);
  // A resource's metafields go with it.
  if ("metafieldKeys" in discount) for (const key of discount.metafieldKeys) ctx.shop.metafields.delete(key);
  return { deletedCodeDiscountId: id, userErrors: [] };
}

function codeDiscountNodeView(discount: StandinCodeDiscount | StandinAppDiscount, ctx: ResolverContext): View {
  return {
    id: discount.id,
    codeDiscount: "function" in discount ? discountCodeAppView(discount, ctx) : discountCodeBasicView(discount, ctx),
    metafield: ({ namespace, key }: { namespace?: string | null; key: string }) => ownerMetafield(discount.id, namespace, key, ctx),
  };
}

function discountStatus(discount: { startsAt: string; endsAt: string | null }, now: number) {
  return Date.parse(discount.startsAt) > now ? "SCHEDULED" : discount.endsAt && Date.parse(discount.endsAt) <= now ? "EXPIRED" : "ACTIVE";
}

function redeemCodes(discount: StandinCodeDiscount | StandinAppDiscount) {
  return (args: ConnectionArgs) =>
    connection([{ id: discount.redeemCodeId, code: discount.code }], args, (c) => ({ id: c.id, code: c.code, asyncUsageCount: discount.asyncUsageCount }));
}

function customerSelectionView(eligibility: StandinEligibility, ctx: ResolverContext): View {
  if (eligibility.kind === "all") return { __typename: "DiscountCustomerAll", allCustomers: true };
  if (eligibility.kind === "segments") return { __typename: "DiscountCustomerSegments" };
  return {
    __typename: "DiscountCustomers",
    customers: eligibility.customerIds.flatMap((id) => {
      const customer = ctx.shop.customers.get(id);
      return customer ? [customerView(customer, ctx)] : [];
    }),
  };
}

function discountCodeBasicView(discount: StandinCodeDiscount, ctx: ResolverContext): View {
  const status = discountStatus(discount, ctx.now());
  const money = (amount: string) => ({ amount, currencyCode: ctx.shop.details.currencyCode });
  const { value, eligibility } = discount;
  const valueText = value.kind === "amount" ? `${value.amount} ${ctx.shop.details.currencyCode} off` : `${Math.round(value.percentage * 100)}% off`;
  const summary = [
    `${valueText} ${discount.items.all ? "entire order" : "selected products"}`,
    eligibility.kind === "all" ? "For all customers" : "For specific customers",
    discount.appliesOncePerCustomer ? "One use per customer" : null,
    discount.usageLimit != null ? `Limit of ${discount.usageLimit} uses` : null,
  ]
    .filter(Boolean)
    .join(" • ");
  return {
    __typename: "DiscountCodeBasic",
    title: discount.title,
    status,
    summary,
    shortSummary: valueText,
    startsAt: discount.startsAt,
    endsAt: discount.endsAt,
    createdAt: discount.createdAt,
    updatedAt: discount.updatedAt,
    usageLimit: discount.usageLimit,
    appliesOncePerCustomer: discount.appliesOncePerCustomer,
    asyncUsageCount: discount.asyncUsageCount,
    hasTimelineComment: false,
    discountClass: discount.items.all ? "ORDER" : "PRODUCT",
    combinesWith: discount.combinesWith,
    codesCount: { count: 1, precision: "EXACT" },
    codes: redeemCodes(discount),
    customerGets: {
      appliesOnOneTimePurchase: true,
      appliesOnSubscription: false,
      value:
        value.kind === "amount"
          ? { __typename: "DiscountAmount", amount: money(value.amount), appliesOnEachItem: value.appliesOnEachItem }
          : { __typename: "DiscountPercentage", percentage: value.percentage },
      items: discount.items.all ? { __typename: "AllDiscountItems", allItems: true } : { __typename: "DiscountProducts" },
    },
    customerSelection: customerSelectionView(eligibility, ctx),
    minimumRequirement: !discount.minimumRequirement
      ? null
      : "subtotal" in discount.minimumRequirement
        ? { __typename: "DiscountMinimumSubtotal", greaterThanOrEqualToSubtotal: money(discount.minimumRequirement.subtotal) }
        : { __typename: "DiscountMinimumQuantity", greaterThanOrEqualToQuantity: discount.minimumRequirement.quantity },
  };
}

// ---------------------------------------------------------------------------------------------
// App code discounts (discountCodeAppCreate): a code whose value one of the app's Functions computes.

interface DiscountCodeAppInput extends CommonDiscountInput {
  functionId?: string | null;
  functionHandle?: string | null;
  discountClasses?: StandinDiscountClass[] | null;
  metafields?: { namespace?: string | null; key?: string | null; type?: string | null; value?: string | null; id?: string | null }[] | null;
}

function discountCodeAppCreate(input: DiscountCodeAppInput, ctx: ResolverContext) {
  const userErrors: UserError[] = [];
  const fail = (path: string[], message: string, code: string) =>
    userErrors.push({ field: ["codeAppDiscount", ...path], message, code, extraInfo: null });

  const { code, title } = readCommonDiscountFields(input, ctx.shop, fail);
  const providingFunction = readFunction(input, ctx, fail);
  const discountClasses = [...new Set(input.discountClasses ?? [])];
  if (discountClasses.length === 0) fail(["discountClasses"], "Discount classes can't be blank", "BLANK");
  const eligibility = readEligibility(input, ctx, fail);
  const metafields = readDiscountMetafields(input.metafields ?? [], ctx, fail);

  if (userErrors.length > 0 || !providingFunction || !eligibility) return { codeAppDiscount: null, userErrors };

  const now = new Date(ctx.now()).toISOString();
  const id = nextGid(ctx.state, "DiscountCodeNode");
  const metafieldKeys = metafields.map(({ namespace, key, type, value }) => {
    const storeKey = metafieldKey(id, namespace, key);
    const record: StandinMetafield = {
      id: nextGid(ctx.state, "Metafield"),
      ownerId: id,
      ownerType: "DISCOUNT",
      namespace,
      key,
      type,
      value,
      createdAt: now,
      updatedAt: now,
      compareDigest: "",
    };
    record.compareDigest = digestOf(record);
    ctx.shop.metafields.set(storeKey, record);
    return storeKey;
  });
  const discount: StandinAppDiscount = {
    id,
    redeemCodeId: nextGid(ctx.state, "DiscountRedeemCode"),
    code,
    title,
    startsAt: input.startsAt as string,
    endsAt: input.endsAt ?? null,
    usageLimit: input.usageLimit ?? null,
    appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
    eligibility: eligibility.eligibility,
    eligibilityInput: eligibility.via,
    function: providingFunction,
    discountClasses,
    combinesWith: {
      orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
      productDiscounts: input.combinesWith?.productDiscounts ?? false,
      shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
    },
    metafieldKeys,
    asyncUsageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  ctx.shop.discounts.set(discount.id, discount);
  return { codeAppDiscount: discountCodeAppView(discount, ctx), userErrors };
}

// The Function must be one the calling app has released, named by handle (2025-10) or id, not both.
function readFunction(input: DiscountCodeAppInput, ctx: ResolverContext, fail: Fail) {
  const handle = input.functionHandle?.trim() || null;
  const functionId = input.functionId?.trim() || null;
  if (handle && functionId) {
    fail(["functionHandle"], "Only one of functionId or functionHandle can be provided.", "TOO_MANY_ARGUMENTS");
    return null;
  }
  if (!handle && !functionId) {
    fail(["functionHandle"], "Function handle or function id must be provided.", "BLANK");
    return null;
  }
  const found = handle ? ctx.state.functions.get(handle) : [...ctx.state.functions.values()].find((f) => f.id === functionId);
  if (!found) {
    const named = handle ?? functionId;
    fail(
      [handle ? "functionHandle" : "functionId"],
      `Function ${named} not found. Ensure that it is released in the current app (${ctx.state.appId}), and that the app is installed.`,
      "INVALID",
    );
    return null;
  }
  if (found.apiType !== "discount") {
    fail([handle ? "functionHandle" : "functionId"], `Function ${found.handle} does not provide discounts.`, "INVALID");
    return null;
  }
  return found;
}

// The same checks metafieldsSet makes, on the metafields created with the discount.
function readDiscountMetafields(inputs: NonNullable<DiscountCodeAppInput["metafields"]>, ctx: ResolverContext, fail: Fail) {
  const planned: { namespace: string; key: string; type: string; value: string }[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const at = (name: string) => ["metafields", String(index), name];
    let ok = true;
    const bad = (name: string, message: string, code: string) => {
      ok = false;
      fail(at(name), message, code);
    };
    const namespace = resolveNamespace(input.namespace, ctx.state.appId);
    if ("error" in namespace) bad("namespace", namespace.error.message, namespace.error.code ?? "INVALID");
    const key = input.key ?? "";
    if (key.length < 2) bad("key", "Key is too short (minimum is 2 characters)", "TOO_SHORT");
    else if (key.length > 64) bad("key", "Key is too long (maximum is 64 characters)", "TOO_LONG");
    else if (!NAME_CHARS.test(key)) bad("key", "Key contains one or more invalid characters.", "INVALID");
    const type = input.type ?? "";
    if (!type) bad("type", "Type can't be blank", "BLANK");
    else if (!isKnownType(type)) bad("type", `Type '${type}' is not a valid metafield type.`, "INVALID");
    const value = input.value ?? "";
    if (value.trim() === "") bad("value", "Value can't be blank.", "BLANK");
    else if (type && isKnownType(type)) {
      const problem = checkValue(type, value);
      if (problem) bad("value", problem, "INVALID");
    }
    if (ok && "namespace" in namespace) {
      const identity = `${namespace.namespace}|${key}`;
      if (seen.has(identity)) bad("key", "Key must be unique within this namespace on this resource", "TAKEN");
      else {
        seen.add(identity);
        planned.push({ namespace: namespace.namespace, key, type, value });
      }
    }
  });
  return planned;
}

function discountCodeAppView(discount: StandinAppDiscount, ctx: ResolverContext): View {
  const [firstClass] = discount.discountClasses;
  return {
    __typename: "DiscountCodeApp",
    discountId: discount.id,
    title: discount.title,
    status: discountStatus(discount, ctx.now()),
    startsAt: discount.startsAt,
    endsAt: discount.endsAt,
    createdAt: discount.createdAt,
    updatedAt: discount.updatedAt,
    usageLimit: discount.usageLimit,
    appliesOncePerCustomer: discount.appliesOncePerCustomer,
    appliesOnOneTimePurchase: true,
    appliesOnSubscription: false,
    recurringCycleLimit: 1,
    asyncUsageCount: discount.asyncUsageCount,
    hasTimelineComment: false,
    // 2025-01's single class; the Function may act in several (discountClasses).
    discountClass: firstClass,
    combinesWith: discount.combinesWith,
    codesCount: { count: 1, precision: "EXACT" },
    codes: redeemCodes(discount),
    customerSelection: customerSelectionView(discount.eligibility, ctx),
    appDiscountType: {
      appKey: ctx.state.appId,
      functionId: discount.function.id,
      title: discount.function.handle,
      description: null,
      discountClass: firstClass,
      targetType: firstClass === "SHIPPING" ? "SHIPPING_LINE" : "LINE_ITEM",
    },
  };
}
