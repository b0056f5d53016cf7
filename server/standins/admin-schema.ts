import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  type DocumentNode,
  extendSchema,
  getOperationAST,
  getVariableValues,
  type GraphQLError,
  GraphQLScalarType,
  type GraphQLSchema,
  isInputObjectType,
  type IntrospectionQuery,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
  type ValueNode,
} from "graphql";

// The Admin API schema the stand-in executes against: Shopify's published 2025-01 introspection
// plus the few later additions our operations use. Any query the app sends is validated against it,
// so a misspelt field or an input field Shopify does not accept fails in tests, not in production.

const DEFAULT_SCHEMA_PATH = fileURLToPath(
  new URL("./schemas/admin_schema_2025-01.introspection.json.gz", import.meta.url),
);

/**
 * Added to Shopify between 2025-01 and the app's API version (2025-10). Only what the app uses;
 * each entry is applied only when the loaded schema lacks it, so a newer dump supersedes it.
 */
const LATER_ADDITIONS: { present: (schema: GraphQLSchema) => boolean; sdl: string }[] = [
  {
    // 2025-10: `context` replaces the deprecated `customerSelection` on code discounts.
    present: (schema) => schema.getType("DiscountContextInput") !== undefined,
    sdl: /* GraphQL */ `
      "All buyers are eligible for the discount."
      enum DiscountBuyerSelection { ALL }

      "The input fields for the buyers who can use this discount."
      input DiscountContextInput {
        all: DiscountBuyerSelection
        customers: DiscountCustomersInput
        customerSegments: DiscountCustomerSegmentsInput
      }

      extend input DiscountCodeBasicInput {
        "The context defining which buyers can use the discount."
        context: DiscountContextInput
      }
    `,
  },
  {
    // 2025-04 (the unified Discount Function API): an app discount lists the classes it applies in.
    present: (schema) => inputHasField(schema, "DiscountCodeAppInput", "discountClasses"),
    sdl: /* GraphQL */ `
      extend input DiscountCodeAppInput {
        "The discount classes the discount's Function can apply discounts in."
        discountClasses: [DiscountClass!]
      }
    `,
  },
  {
    // 2025-10: the Function is named by its extension handle, which stays the same across deploys.
    present: (schema) => inputHasField(schema, "DiscountCodeAppInput", "functionHandle"),
    sdl: /* GraphQL */ `
      extend input DiscountCodeAppInput {
        "The handle of the Function providing the discount."
        functionHandle: String
      }
    `,
  },
  {
    // 2025-10: `context` replaces the deprecated `customerSelection` on app code discounts too.
    present: (schema) => inputHasField(schema, "DiscountCodeAppInput", "context"),
    sdl: /* GraphQL */ `
      extend input DiscountCodeAppInput {
        "The context defining which buyers can use the discount."
        context: DiscountContextInput
      }
    `,
  },
];

function inputHasField(schema: GraphQLSchema, typeName: string, field: string): boolean {
  const type = schema.getType(typeName);
  return isInputObjectType(type) && field in type.getFields();
}

export interface ShopifyGraphQLError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions: { code: string; [key: string]: unknown };
}

const loaded = new Map<string, GraphQLSchema>();

/** The Admin schema, parsed once per process (about half a second; every stand-in shares it). */
export function loadAdminSchema(path = process.env.SHOPIFY_ADMIN_SCHEMA_PATH ?? DEFAULT_SCHEMA_PATH): GraphQLSchema {
  const cached = loaded.get(path);
  if (cached) return cached;
  const raw = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
  let schema = buildClientSchema((raw.data ?? raw) as IntrospectionQuery);
  for (const addition of LATER_ADDITIONS) {
    if (!addition.present(schema)) schema = extendSchema(schema, parse(addition.sdl));
  }
  tightenScalars(schema);
  loaded.set(path, schema);
  return schema;
}

// A client schema accepts any value for custom scalars. Shopify does not: a malformed DateTime or
// Decimal is refused before the mutation runs, so the stand-in refuses it too.
function tightenScalars(schema: GraphQLSchema) {
  const rules: Record<string, { kind: "string" | "stringOrNumber"; test: (value: string) => boolean; what: string }> = {
    DateTime: { kind: "string", test: (v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)), what: "an ISO 8601 date-time" },
    Date: { kind: "string", test: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), what: "an ISO 8601 date" },
    Decimal: { kind: "stringOrNumber", test: (v) => /^-?\d+(\.\d+)?$/.test(v), what: "a decimal" },
    UnsignedInt64: { kind: "stringOrNumber", test: (v) => /^\d+$/.test(v) && BigInt(v) < 2n ** 64n, what: "an unsigned 64-bit integer" },
    URL: { kind: "string", test: (v) => URL.canParse(v), what: "a URL" },
  };
  for (const [name, rule] of Object.entries(rules)) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLScalarType)) continue;
    const check = (value: unknown) => {
      const ok =
        (typeof value === "string" || (rule.kind === "stringOrNumber" && typeof value === "number" && Number.isFinite(value))) &&
        rule.test(String(value));
      if (!ok) throw new TypeError(`${JSON.stringify(value)} is not ${rule.what}`);
      return String(value);
    };
    type.parseValue = check;
    type.parseLiteral = (node: ValueNode) => {
      if (node.kind === Kind.STRING || ((node.kind === Kind.INT || node.kind === Kind.FLOAT) && rule.kind === "stringOrNumber")) {
        return check(node.kind === Kind.STRING ? node.value : Number(node.value));
      }
      throw new TypeError(`${name} literal must be a string`);
    };
  }
}

export type PreparedOperation =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode; variables: Record<string, unknown> }
  | { ok: false; errors: ShopifyGraphQLError[] };

/** Parses, validates and coerces variables the way Shopify does before it executes anything. */
export function prepareAdminOperation(
  query: string,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
  schema = loadAdminSchema(),
): PreparedOperation {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const syntax = error as GraphQLError;
    return { ok: false, errors: [shopifyError(syntax.message, syntax, "PARSE_ERROR")] };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { ok: false, errors: invalid.map(toShopifyValidationError) };

  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) {
    const message = operationName
      ? `No operation named "${operationName}"`
      : "An operation name is required when the document contains several operations";
    return { ok: false, errors: [{ message, extensions: { code: "OPERATION_NOT_FOUND" } }] };
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 25 });
  if (coerced.errors) {
    return { ok: false, errors: coerced.errors.map((e) => shopifyError(e.message, e, "INVALID_VARIABLE")) };
  }
  return { ok: true, document, operation, variables: coerced.coerced };
}

/**
 * The errors Shopify would answer for this operation; empty when it is valid. Without `variables`
 * only the document is checked; with them, they are coerced against the variable definitions.
 */
export function validateAdminOperation(
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): ShopifyGraphQLError[] {
  if (variables !== undefined) {
    const prepared = prepareAdminOperation(query, variables, operationName);
    return prepared.ok ? [] : prepared.errors;
  }
  const schema = loadAdminSchema();
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const syntax = error as GraphQLError;
    return [shopifyError(syntax.message, syntax, "PARSE_ERROR")];
  }
  return validate(schema, document).map(toShopifyValidationError);
}

function shopifyError(message: string, source: GraphQLError, code: string, extra: Record<string, unknown> = {}): ShopifyGraphQLError {
  return {
    message,
    ...(source.locations ? { locations: source.locations.map(({ line, column }) => ({ line, column })) } : {}),
    extensions: { code, ...extra },
  };
}

// graphql-js wording → the wording and codes of Shopify's (graphql-ruby) validator, for the cases
// a developer meets most. Anything else keeps graphql-js's message.
const VALIDATION_PATTERNS: { pattern: RegExp; code: string; rewrite?: (m: RegExpExecArray) => [string, Record<string, unknown>] }[] = [
  {
    pattern: /^Cannot query field "(\w+)" on type "(\w+)"/,
    code: "undefinedField",
    rewrite: (m) => [`Field '${m[1]}' doesn't exist on type '${m[2]}'`, { typeName: m[2], fieldName: m[1] }],
  },
  {
    pattern: /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"/,
    code: "argumentNotAccepted",
    rewrite: (m) => [`Field '${m[3]}' doesn't accept argument '${m[1]}'`, { name: m[3], typeName: "Field", argumentName: m[1] }],
  },
  {
    pattern: /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required/,
    code: "missingRequiredArguments",
    rewrite: (m) => [`Field '${m[1]}' is missing required arguments: ${m[2]}`, { className: "Field", name: m[1], arguments: m[2] }],
  },
  { pattern: /^Unknown type "(\w+)"/, code: "undefinedType" },
  { pattern: /^Variable "\$\w+" is never used/, code: "variableNotUsed" },
  { pattern: /^Variable "\$\w+" is not defined/, code: "undefinedVariable" },
  { pattern: /^Variable "\$\w+" of type "[^"]+" used in position expecting/, code: "variableMismatch" },
  { pattern: /must have a selection of subfields/, code: "selectionMismatch" },
  { pattern: /must not have a selection since type/, code: "selectionMismatch" },
  { pattern: /^Fragment .* cannot be spread here/, code: "fragmentSpreadTypeMismatch" },
  { pattern: /^(Field|Argument) .* (has invalid value|expected)/, code: "argumentLiteralsIncompatible" },
  { pattern: /^Expected value of type/, code: "argumentLiteralsIncompatible" },
];

function toShopifyValidationError(error: GraphQLError): ShopifyGraphQLError {
  for (const { pattern, code, rewrite } of VALIDATION_PATTERNS) {
    const match = pattern.exec(error.message);
    if (!match) continue;
    const [message, extra] = rewrite ? rewrite(match) : [error.message, {}];
    return shopifyError(message, error, code, extra);
  }
  return shopifyError(error.message, error, "GRAPHQL_VALIDATION_FAILED");
}
