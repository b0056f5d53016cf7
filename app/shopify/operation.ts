// A named Admin GraphQL operation. One per file under ./operations; the stand-in test validates
// every one of them against the Admin schema, so a typo fails CI instead of a merchant's job.

/** The variables type of an operation that takes none. */
export type NoVariables = Record<never, never>;

export interface AdminOperation<TData, TVariables extends Record<string, unknown> = NoVariables> {
  /** Must equal the operation name inside `query` (Shopify logs and throttles by it). */
  readonly name: string;
  readonly query: string;
  /** Roughly what Shopify will charge; lets the gateway wait for the bucket instead of being throttled. */
  readonly expectedCost?: number;
  /** Path in `data` to a `userErrors` list that must be empty, e.g. ["metafieldsSet", "userErrors"]. */
  readonly userErrorsPath?: readonly string[];
  /** Type carrier only; never set at runtime. */
  readonly __types?: { data: TData; variables: TVariables };
}

export type OperationData<Op> = Op extends AdminOperation<infer D, Record<string, unknown>> ? D : never;

export function defineAdminOperation<TData, TVariables extends Record<string, unknown> = NoVariables>(
  operation: Omit<AdminOperation<TData, TVariables>, "__types">,
): AdminOperation<TData, TVariables> {
  const declared = /^\s*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(operation.query)?.[1];
  if (declared !== operation.name) {
    throw new Error(`Admin operation "${operation.name}" declares "${declared ?? "(anonymous)"}" in its query`);
  }
  return Object.freeze({ ...operation });
}
