import { describe, expect, test, vi } from 'vitest';
import { fetchRewards, redeem, type AppClient } from '../src/api';
import { MALFORMED_ANSWER, NETWORK_FAILURE } from '../src/model';
import { redeemBody, rewardsBody } from './fixtures';

const APP = 'https://loyalnest.test';

function client(fetch: AppClient['fetch'], overrides: Partial<AppClient> = {}): AppClient {
  return { appUrl: APP, sessionToken: async () => 'token-123', fetch, timeoutMs: 1000, ...overrides };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

describe('GET /api/checkout/rewards', () => {
  test('sends the session token and the buyer language, and reads balance and rewards', async () => {
    const fetch = vi.fn(async () => json(200, rewardsBody({ available: 10 })));
    const outcome = await fetchRewards(client(fetch), 'pt-BR');

    expect(outcome.ok && outcome.data.balance).toEqual({ available: 10, pending: 0 });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`${APP}/api/checkout/rewards?locale=pt-BR`);
    expect(init.method).toBe('GET');
    const headers = new Headers(init.headers);
    expect(headers.get('Authorization')).toBe('Bearer token-123');
    expect(headers.get('Accept')).toBe('application/json');
  });

  test('a 200 that is not the contract is a (retryable) failure, not a crash', async () => {
    const outcome = await fetchRewards(client(async () => new Response('<html>oops</html>', { status: 200 })), 'en');
    expect(outcome).toEqual({ ok: false, failure: MALFORMED_ANSWER });
  });

  test('error codes come from {error: {code}}', async () => {
    const outcome = await fetchRewards(client(async () => json(409, { error: { code: 'program_paused', message: 'paused' } })), 'en');
    expect(outcome.ok ? null : outcome.failure.messageKey).toBe('errors.programPaused');
  });

  test('a session token that cannot be had is a network-type failure', async () => {
    const fetch = vi.fn();
    const outcome = await fetchRewards(client(fetch, { sessionToken: () => Promise.reject(new Error('no token')) }), 'en');
    expect(outcome).toEqual({ ok: false, failure: NETWORK_FAILURE });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('POST /api/checkout/redeem', () => {
  test('posts JSON with the reward, slider points and idempotency key', async () => {
    const fetch = vi.fn(async () => json(201, redeemBody('LN-1')));
    const outcome = await redeem(client(fetch), { idempotencyKey: 'checkout_0123456789', rewardId: 'reward-slider', points: 300 }, 'de');

    expect(outcome).toEqual({ ok: true, data: { code: 'LN-1', title: '$5 off', balance: { available: 100, pending: 0 }, replayed: false } });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`${APP}/api/checkout/redeem?locale=de`);
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('Content-Type')).toBe('application/json');
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer token-123');
    expect(JSON.parse(String(init.body))).toEqual({ rewardId: 'reward-slider', points: 300, idempotencyKey: 'checkout_0123456789' });
  });

  test('200 (a replay) is a success like 201', async () => {
    const outcome = await redeem(client(async () => json(200, redeemBody('LN-1', { replayed: true }))), { idempotencyKey: 'checkout_0123456789', rewardId: 'r' }, 'en');
    expect(outcome.ok && outcome.data.replayed).toBe(true);
  });

  test('a request that hangs past the timeout is aborted and reported as a network failure', async () => {
    vi.useFakeTimers();
    try {
      let aborted = false;
      const hanging: AppClient['fetch'] = (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
      const pending = redeem(client(hanging, { timeoutMs: 15_000 }), { idempotencyKey: 'checkout_0123456789', rewardId: 'r' }, 'en');
      await vi.advanceTimersByTimeAsync(15_000);
      expect(await pending).toEqual({ ok: false, failure: NETWORK_FAILURE });
      expect(aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a success without a code is not applied: it is a retryable failure (the replay returns the code)', async () => {
    const outcome = await redeem(client(async () => json(201, { redemption: { id: 'x' } })), { idempotencyKey: 'checkout_0123456789', rewardId: 'r' }, 'en');
    expect(outcome).toEqual({ ok: false, failure: MALFORMED_ANSWER });
  });

  test('a malformed key never leaves the device', async () => {
    const fetch = vi.fn();
    const outcome = await redeem(client(fetch), { idempotencyKey: 'no spaces!', rewardId: 'r' }, 'en');
    expect(outcome.ok ? null : outcome.failure.messageKey).toBe('errors.invalidRequest');
    expect(fetch).not.toHaveBeenCalled();
  });
});
