import { describe, expect, test } from 'vitest';
import {
  appEndpoint,
  attemptFor,
  currencyExponent,
  failureForResponse,
  isAffordable,
  isValidIdempotencyKey,
  isValidSliderChoice,
  MALFORMED_ANSWER,
  NETWORK_FAILURE,
  newIdempotencyKey,
  normalizeAppUrl,
  orderForDisplay,
  parsePointsInput,
  parseRedeemResponse,
  parseRewardsResponse,
  pointsShort,
  redeemRequestBody,
  sliderAmount,
  usableSliderMax,
  type Reward,
  type SliderTerms,
} from '../src/model';
import { fixedReward, freeShippingReward, percentageReward, rewardsBody, sliderReward } from './fixtures';

const parsedRewards = (): Reward[] => {
  const data = parseRewardsResponse(rewardsBody({ available: 600 }));
  if (!data) throw new Error('fixture did not parse');
  return data.rewards;
};

describe('reading GET /api/checkout/rewards', () => {
  test('keeps the balance and every well-formed reward, in order', () => {
    const data = parseRewardsResponse(rewardsBody({ available: 600, pending: 250 }));
    expect(data?.balance).toEqual({ available: 600, pending: 250 });
    expect(data?.rewards.map((r) => r.id)).toEqual(['reward-fixed', 'reward-shipping', 'reward-percent', 'reward-slider']);
    expect(data?.rewards[3]).toMatchObject({ type: 'POINTS_SLIDER', pointsCost: 100, slider: { min: 100, max: 5000, step: 100 } });
  });

  test('drops a malformed reward instead of hiding the whole catalog', () => {
    const body = rewardsBody({ available: 600 });
    body.rewards.push({ ...fixedReward(), id: 'broken', value: { currencyCode: 'usd', amount: '5.00' } });
    body.rewards.push({ ...sliderReward(), id: 'broken-slider', slider: { min: 500, max: 100, step: 100, pointsPerUnit: 100, unitAmount: '1.00' } });
    body.rewards.push({ ...fixedReward(), id: 'negative', pointsCost: -5 });
    body.rewards.push({ ...fixedReward(), id: 'no-amount', value: { currencyCode: 'USD' } });
    expect(parseRewardsResponse(body)?.rewards.map((r) => r.id)).not.toContain('broken');
    expect(parseRewardsResponse(body)?.rewards).toHaveLength(4);
  });

  test('an answer without a balance is not shown', () => {
    expect(parseRewardsResponse({ rewards: [] })).toBeNull();
    expect(parseRewardsResponse({ balance: { available: 1.5 }, rewards: [] })).toBeNull();
    expect(parseRewardsResponse('<html>')).toBeNull();
    expect(parseRewardsResponse({ balance: { available: 3 }, rewards: [] })).toEqual({ balance: { available: 3, pending: 0 }, rewards: [] });
  });
});

describe('reading POST /api/checkout/redeem', () => {
  test('takes the code, the new balance and whether it was a replay', () => {
    const body = {
      redemption: { id: 'r1', rewardId: 'reward-fixed', code: 'LN-7QK2', points: 500, status: 'ISSUED', expiresAt: '2026-12-01T00:00:00Z', title: '$5 off', value: '5.00' },
      balance: { available: 100, pending: 0 },
      replayed: true,
    };
    expect(parseRedeemResponse(body)).toEqual({ code: 'LN-7QK2', title: '$5 off', balance: { available: 100, pending: 0 }, replayed: true });
  });

  test('no code, no success', () => {
    expect(parseRedeemResponse({ redemption: { code: '  ' } })).toBeNull();
    expect(parseRedeemResponse({ balance: { available: 1 } })).toBeNull();
    expect(parseRedeemResponse(null)).toBeNull();
  });
});

describe('affordability', () => {
  test('a fixed-cost reward needs its cost; a slider needs its minimum', () => {
    const [fixed, , percent, slider] = parsedRewards();
    expect(isAffordable(fixed, 500)).toBe(true);
    expect(isAffordable(fixed, 499)).toBe(false);
    expect(pointsShort(fixed, 420)).toBe(80);
    expect(pointsShort(fixed, 900)).toBe(0);
    expect(isAffordable(percent, 600)).toBe(false);
    expect(isAffordable(slider, 100)).toBe(true);
    expect(isAffordable(slider, 99)).toBe(false);
  });

  test('affordable rewards come first, each group in the app order', () => {
    const ordered = orderForDisplay(parsedRewards(), 600).map((r) => r.id);
    expect(ordered).toEqual(['reward-fixed', 'reward-slider', 'reward-shipping', 'reward-percent']);
  });
});

describe('the points slider', () => {
  const slider: SliderTerms = { min: 100, max: 5000, step: 100, pointsPerUnit: 100, unitAmount: '1.00' };

  test('the top of the range is the highest step the balance pays for', () => {
    expect(usableSliderMax(slider, 99)).toBeNull();
    expect(usableSliderMax(slider, 100)).toBe(100);
    expect(usableSliderMax(slider, 1250)).toBe(1200);
    expect(usableSliderMax(slider, 999_999)).toBe(5000);
    expect(usableSliderMax({ ...slider, min: 150, step: 100 }, 420)).toBe(350);
  });

  test('only steps from the minimum, within range and balance, are valid', () => {
    expect(isValidSliderChoice(300, slider, 1000)).toBe(true);
    expect(isValidSliderChoice(350, slider, 1000)).toBe(false);
    expect(isValidSliderChoice(1100, slider, 1000)).toBe(false);
    expect(isValidSliderChoice(0, slider, 1000)).toBe(false);
    expect(isValidSliderChoice(5100, slider, 99_999)).toBe(false);
    expect(isValidSliderChoice(250, { ...slider, min: 150 }, 1000)).toBe(true);
  });

  test('typed text becomes points only when it is a whole number', () => {
    expect(parsePointsInput(' 300 ')).toBe(300);
    expect(parsePointsInput('3e2')).toBeNull();
    expect(parsePointsInput('-100')).toBeNull();
    expect(parsePointsInput('12.5')).toBeNull();
    expect(parsePointsInput('')).toBeNull();
  });

  test('the money value is exact and rounded down to the currency minor unit', () => {
    expect(sliderAmount(slider, 700, 'USD')).toBe('7.00');
    expect(sliderAmount({ ...slider, pointsPerUnit: 300 }, 100, 'USD')).toBe('0.33');
    expect(sliderAmount({ ...slider, pointsPerUnit: 3, unitAmount: '0.1' }, 1, 'EUR')).toBe('0.03');
    expect(sliderAmount({ ...slider, unitAmount: '150' }, 250, 'JPY')).toBe('375');
    expect(sliderAmount({ ...slider, unitAmount: '0.125' }, 300, 'KWD')).toBe('0.375');
    expect(sliderAmount({ ...slider, pointsPerUnit: 7, unitAmount: '1.00' }, 10_000_000, 'USD')).toBe('1428571.42');
    expect(currencyExponent('BHD')).toBe(3);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('CAD')).toBe(2);
  });
});

describe('redeem attempts and idempotency keys', () => {
  test('keys are 128 random bits in the contract alphabet', () => {
    const key = newIdempotencyKey();
    expect(isValidIdempotencyKey(key)).toBe(true);
    expect(key).not.toBe(newIdempotencyKey());
    expect(newIdempotencyKey(() => new Uint8Array(16).fill(171))).toBe(`checkout_${'ab'.repeat(16)}`);
    expect(isValidIdempotencyKey('short')).toBe(false);
    expect(isValidIdempotencyKey('has space in it')).toBe(false);
  });

  test('the same choice after an unknown outcome reuses the key; another choice gets a new one', () => {
    let made = 0;
    const makeKey = () => `key_number_${++made}`;
    const first = attemptFor(null, 'reward-slider', 300, makeKey);
    expect(attemptFor(first, 'reward-slider', 300, makeKey)).toBe(first);
    expect(attemptFor(first, 'reward-slider', 400, makeKey).idempotencyKey).toBe('key_number_2');
    expect(attemptFor(first, 'reward-fixed', undefined, makeKey).idempotencyKey).toBe('key_number_3');
  });

  test('the body carries points only for a slider, and always the key', () => {
    expect(redeemRequestBody({ idempotencyKey: 'checkout_abcdef12', rewardId: 'reward-fixed' })).toEqual({
      rewardId: 'reward-fixed',
      idempotencyKey: 'checkout_abcdef12',
    });
    expect(redeemRequestBody({ idempotencyKey: 'checkout_abcdef12', rewardId: 'reward-slider', points: 300 })).toEqual({
      rewardId: 'reward-slider',
      points: 300,
      idempotencyKey: 'checkout_abcdef12',
    });
    expect(() => redeemRequestBody({ idempotencyKey: 'bad', rewardId: 'reward-fixed' })).toThrow(/Idempotency key/);
  });
});

describe('failures', () => {
  test.each([
    [409, 'insufficient_points', 'errors.insufficientPoints', false, true],
    [409, 'out_of_stock', 'errors.outOfStock', false, true],
    [409, 'customer_limit', 'errors.customerLimit', false, true],
    [409, 'reward_unavailable', 'errors.rewardUnavailable', false, true],
    [409, 'program_paused', 'errors.programPaused', false, false],
    [401, 'unauthorized', 'errors.sessionExpired', false, false],
    [422, 'invalid_fields', 'errors.invalidRequest', false, false],
    [503, 'shopify_unavailable', 'errors.temporarilyUnavailable', true, false],
    [429, null, 'errors.tooManyRequests', true, false],
    [502, null, 'errors.temporarilyUnavailable', true, false],
    [403, null, 'errors.sessionExpired', false, false],
    [404, null, 'errors.generic', false, false],
    [409, 'something_new', 'errors.generic', false, false],
  ] as const)('%i %s → %s', (status, code, messageKey, retryable, refreshRewards) => {
    expect(failureForResponse(status, code)).toMatchObject({ messageKey, retryable, refreshRewards, loggedOut: false });
  });

  test('not_logged_in means the app sees a guest', () => {
    expect(failureForResponse(401, 'not_logged_in')).toMatchObject({ messageKey: 'errors.notLoggedIn', loggedOut: true, retryable: false });
  });

  test('an unknown outcome is retryable with the same key', () => {
    expect(NETWORK_FAILURE).toMatchObject({ messageKey: 'errors.network', retryable: true });
    expect(MALFORMED_ANSWER.retryable).toBe(true);
  });
});

describe('the app URL', () => {
  test('only an absolute https origin (with an optional path) is used', () => {
    expect(normalizeAppUrl('https://loyalnest.example.com/')).toBe('https://loyalnest.example.com');
    expect(normalizeAppUrl(' https://abc.trycloudflare.com ')).toBe('https://abc.trycloudflare.com');
    expect(normalizeAppUrl('https://host.example/app/')).toBe('https://host.example/app');
    expect(normalizeAppUrl('http://loyalnest.example.com')).toBeNull();
    expect(normalizeAppUrl('loyalnest.example.com')).toBeNull();
    expect(normalizeAppUrl('https://user:pw@loyalnest.example.com')).toBeNull();
    expect(normalizeAppUrl('')).toBeNull();
    expect(normalizeAppUrl(undefined)).toBeNull();
  });

  test('endpoints are built under it with encoded query values', () => {
    expect(appEndpoint('https://host.example/app', '/api/checkout/rewards', { locale: 'pt-BR' })).toBe(
      'https://host.example/app/api/checkout/rewards?locale=pt-BR',
    );
    expect(appEndpoint('https://host.example', '/api/checkout/redeem', { locale: 'a&b' })).toBe('https://host.example/api/checkout/redeem?locale=a%26b');
  });
});

describe('reward types', () => {
  test('each type the app offers parses', () => {
    for (const reward of [fixedReward(), freeShippingReward(), percentageReward(), sliderReward()]) {
      expect(parseRewardsResponse({ balance: { available: 0, pending: 0 }, rewards: [reward] })?.rewards).toHaveLength(1);
    }
  });
});
