// The two app endpoints the extension calls (extensions/README.md), over fetch with the checkout
// session token. Every outcome comes back as a value; nothing here throws.

import {
  appEndpoint,
  errorCodeOf,
  failureForResponse,
  MALFORMED_ANSWER,
  NETWORK_FAILURE,
  parseRedeemResponse,
  parseRewardsResponse,
  redeemRequestBody,
  type Failure,
  type RedeemAttempt,
  type RedeemSuccess,
  type RewardsData,
} from './model';

export interface AppClient {
  appUrl: string;
  /** A fresh checkout session token (Shopify caches it; it lives five minutes). */
  sessionToken: () => Promise<string>;
  fetch: typeof fetch;
  /** A request that hangs longer is treated as a network failure (its attempt stays retryable). */
  timeoutMs: number;
}

export type Outcome<T> = { ok: true; data: T } | { ok: false; failure: Failure };

type RawAnswer = { status: number; body: unknown } | null;

async function call(client: AppClient, url: string, init: RequestInit): Promise<RawAnswer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), client.timeoutMs);
  try {
    const token = await client.sessionToken();
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    headers.set('Accept', 'application/json');
    const response = await client.fetch(url, { ...init, headers, signal: abort.signal });
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // An empty or non-JSON body still has a status worth reading.
    }
    return { status: response.status, body };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** GET /api/checkout/rewards?locale=… — the member's balance and the catalog, titles in `locale`. */
export async function fetchRewards(client: AppClient, locale: string): Promise<Outcome<RewardsData>> {
  const answer = await call(client, appEndpoint(client.appUrl, '/api/checkout/rewards', { locale }), { method: 'GET' });
  if (!answer) return { ok: false, failure: NETWORK_FAILURE };
  if (answer.status !== 200) return { ok: false, failure: failureForResponse(answer.status, errorCodeOf(answer.body)) };
  const data = parseRewardsResponse(answer.body);
  return data ? { ok: true, data } : { ok: false, failure: MALFORMED_ANSWER };
}

/** POST /api/checkout/redeem — 201 new, 200 replayed (same key → same code). */
export async function redeem(client: AppClient, attempt: RedeemAttempt, locale: string): Promise<Outcome<RedeemSuccess>> {
  let body: string;
  try {
    body = JSON.stringify(redeemRequestBody(attempt));
  } catch {
    return { ok: false, failure: failureForResponse(422, 'invalid_fields') };
  }
  const answer = await call(client, appEndpoint(client.appUrl, '/api/checkout/redeem', { locale }), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  if (!answer) return { ok: false, failure: NETWORK_FAILURE };
  if (answer.status !== 200 && answer.status !== 201) {
    return { ok: false, failure: failureForResponse(answer.status, errorCodeOf(answer.body)) };
  }
  const success = parseRedeemResponse(answer.body);
  return success ? { ok: true, data: success } : { ok: false, failure: MALFORMED_ANSWER };
}
