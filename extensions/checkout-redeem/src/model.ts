// Pure rules of the checkout "redeem points" box: what the app's answers mean, which rewards a
// member can afford, what a slider choice is worth, how a redeem request is built and retried, and
// which message a refusal gets. No Shopify globals, no fetch: unit-tested with plain values.

export const REWARD_TYPES = ['FIXED_AMOUNT', 'PERCENTAGE', 'FREE_SHIPPING', 'FREE_PRODUCT', 'POINTS_SLIDER'] as const;
export type RewardType = (typeof REWARD_TYPES)[number];

export interface Balance {
  available: number;
  pending: number;
}

export interface SliderTerms {
  min: number;
  max: number;
  step: number;
  pointsPerUnit: number;
  /** What `pointsPerUnit` points are worth, a decimal string in the shop's currency. */
  unitAmount: string;
}

export interface RewardValue {
  currencyCode: string;
  amount?: string;
  percentage?: string;
  cap?: string;
  productTitle?: string;
}

export interface Reward {
  id: string;
  type: RewardType;
  title: string;
  description: string;
  /** The fewest points it can be redeemed for (a slider's minimum). */
  pointsCost: number;
  slider: SliderTerms | null;
  value: RewardValue;
  minimumSubtotal: string | null;
}

export interface RewardsData {
  balance: Balance;
  rewards: Reward[];
}

// ---------------------------------------------------------------------------------------------
// Reading the app's answers. Anything malformed is dropped rather than shown half-broken.

const MONEY = /^\d{1,12}(\.\d{1,6})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_POINTS = Number.MAX_SAFE_INTEGER;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isPositiveCount = (v: unknown): v is number => isCount(v) && v > 0;
const isMoney = (v: unknown): v is string => typeof v === 'string' && MONEY.test(v);
const optionalText = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parseBalance(value: unknown): Balance | null {
  if (!isObject(value) || !isCount(value.available)) return null;
  // `pending` is informational: a missing one is shown as none pending.
  return { available: value.available, pending: isCount(value.pending) ? value.pending : 0 };
}

function parseSlider(value: unknown): SliderTerms | null {
  if (!isObject(value)) return null;
  const { min, max, step, pointsPerUnit, unitAmount } = value;
  if (!isPositiveCount(min) || !isPositiveCount(max) || !isPositiveCount(step) || !isPositiveCount(pointsPerUnit)) return null;
  if (min > max || !isMoney(unitAmount)) return null;
  return { min, max, step, pointsPerUnit, unitAmount };
}

function parseValue(value: unknown): RewardValue | null {
  if (!isObject(value) || typeof value.currencyCode !== 'string' || !CURRENCY.test(value.currencyCode)) return null;
  const result: RewardValue = { currencyCode: value.currencyCode };
  if (value.amount !== undefined) {
    if (!isMoney(value.amount)) return null;
    result.amount = value.amount;
  }
  if (value.percentage !== undefined) {
    if (typeof value.percentage !== 'string' || !MONEY.test(value.percentage)) return null;
    result.percentage = value.percentage;
  }
  if (value.cap !== undefined) {
    if (!isMoney(value.cap)) return null;
    result.cap = value.cap;
  }
  if (typeof value.productTitle === 'string' && value.productTitle !== '') result.productTitle = value.productTitle;
  return result;
}

export function parseReward(value: unknown): Reward | null {
  if (!isObject(value)) return null;
  const { id, type, title, pointsCost } = value;
  if (typeof id !== 'string' || id === '' || typeof title !== 'string' || title === '') return null;
  if (!REWARD_TYPES.includes(type as RewardType) || !isCount(pointsCost) || pointsCost > MAX_POINTS) return null;
  const rewardValue = parseValue(value.value);
  if (!rewardValue) return null;
  const slider = type === 'POINTS_SLIDER' ? parseSlider(value.slider) : null;
  if (type === 'POINTS_SLIDER' && !slider) return null;
  if (type === 'FIXED_AMOUNT' && rewardValue.amount === undefined) return null;
  if (type === 'PERCENTAGE' && rewardValue.percentage === undefined) return null;
  const minimumSubtotal = isMoney(value.minimumSubtotal) ? value.minimumSubtotal : null;
  return {
    id,
    type: type as RewardType,
    title,
    description: optionalText(value.description),
    pointsCost: slider ? slider.min : pointsCost,
    slider,
    value: rewardValue,
    minimumSubtotal,
  };
}

/** GET /api/checkout/rewards → `{balance, rewards}`; null when the answer is not that shape. */
export function parseRewardsResponse(body: unknown): RewardsData | null {
  if (!isObject(body) || !Array.isArray(body.rewards)) return null;
  const balance = parseBalance(body.balance);
  if (!balance) return null;
  const rewards = body.rewards.map(parseReward).filter((r): r is Reward => r !== null);
  return { balance, rewards };
}

export interface RedeemSuccess {
  code: string;
  title: string;
  balance: Balance | null;
  replayed: boolean;
}

/** POST /api/checkout/redeem (201/200) → the code to apply; null when there is no usable code. */
export function parseRedeemResponse(body: unknown): RedeemSuccess | null {
  if (!isObject(body) || !isObject(body.redemption)) return null;
  const { code, title } = body.redemption;
  if (typeof code !== 'string' || code.trim() === '') return null;
  return {
    code: code.trim(),
    title: optionalText(title),
    balance: parseBalance(body.balance),
    replayed: body.replayed === true,
  };
}

/** The `{error: {code}}` every app error carries, or null. */
export function errorCodeOf(body: unknown): string | null {
  if (!isObject(body) || !isObject(body.error) || typeof body.error.code !== 'string') return null;
  return body.error.code;
}

// ---------------------------------------------------------------------------------------------
// Affordability and the points slider.

export function isAffordable(reward: Reward, available: number): boolean {
  return available >= reward.pointsCost;
}

export function pointsShort(reward: Reward, available: number): number {
  return Math.max(0, reward.pointsCost - available);
}

/** Affordable rewards first, each group in the app's order (cheapest first). */
export function orderForDisplay(rewards: Reward[], available: number): Reward[] {
  return [...rewards.filter((r) => isAffordable(r, available)), ...rewards.filter((r) => !isAffordable(r, available))];
}

/** The highest step the member can pay for, or null when even the minimum is out of reach. */
export function usableSliderMax(slider: SliderTerms, available: number): number | null {
  if (available < slider.min) return null;
  const top = Math.min(slider.max, available);
  return slider.min + Math.floor((top - slider.min) / slider.step) * slider.step;
}

/** A slider choice the app accepts: on a step from the minimum, within range and the balance. */
export function isValidSliderChoice(points: number, slider: SliderTerms, available: number): boolean {
  const max = usableSliderMax(slider, available);
  return max !== null && Number.isSafeInteger(points) && points >= slider.min && points <= max && (points - slider.min) % slider.step === 0;
}

/** The number a shopper typed, or null when it is not a whole number of points. */
export function parsePointsInput(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,15}$/.test(trimmed)) return null;
  const points = Number(trimmed);
  return Number.isSafeInteger(points) ? points : null;
}

const ZERO_DECIMAL_CURRENCIES = new Set(['JPY', 'KRW']);
const THREE_DECIMAL_CURRENCIES = new Set(['BHD', 'KWD', 'JOD', 'OMR', 'TND']);

/** Digits in the currency's minor unit; the same table the app's money code uses. */
export function currencyExponent(currency: string): number {
  if (ZERO_DECIMAL_CURRENCIES.has(currency)) return 0;
  if (THREE_DECIMAL_CURRENCIES.has(currency)) return 3;
  return 2;
}

/**
 * What `points` on a slider take off, rounded down to the currency's minor unit, as a decimal
 * string ("7.50"). Exact integer arithmetic, so the preview matches the code the app issues.
 */
export function sliderAmount(slider: SliderTerms, points: number, currency: string): string {
  const [whole, fraction = ''] = slider.unitAmount.split('.');
  const exponent = currencyExponent(currency);
  // BigInt() calls, no `10n` or `**`: Shopify CLI compiles to ES6, where those do not exist.
  const numerator = BigInt(points) * BigInt(whole + fraction) * BigInt(`1${'0'.repeat(exponent)}`);
  const denominator = BigInt(slider.pointsPerUnit) * BigInt(`1${'0'.repeat(fraction.length)}`);
  const minor = (numerator / denominator).toString().padStart(exponent + 1, '0');
  return exponent === 0 ? minor : `${minor.slice(0, -exponent)}.${minor.slice(-exponent)}`;
}

// ---------------------------------------------------------------------------------------------
// Redeem requests: one idempotency key per attempt, reused by every retry of that attempt.

export interface RedeemAttempt {
  idempotencyKey: string;
  rewardId: string;
  /** Only for points-slider rewards. */
  points?: number;
}

export interface RedeemRequestBody {
  rewardId: string;
  points?: number;
  idempotencyKey: string;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,128}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return IDEMPOTENCY_KEY.test(key);
}

export type RandomBytes = (length: number) => Uint8Array;

const cryptoRandomBytes: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

/** 128 random bits, hex, within the contract's 8–128 characters of [A-Za-z0-9_-]. */
export function newIdempotencyKey(randomBytes: RandomBytes = cryptoRandomBytes): string {
  const hex = Array.from(randomBytes(16), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `checkout_${hex}`;
}

/**
 * The attempt to send for a choice. An attempt whose outcome is unknown (network failure, 5xx)
 * may already have succeeded on the server, so the same choice reuses its key: the app then
 * answers with the same code instead of holding points twice. A different choice is a new attempt.
 */
export function attemptFor(
  unresolved: RedeemAttempt | null,
  rewardId: string,
  points: number | undefined,
  makeKey: () => string = newIdempotencyKey,
): RedeemAttempt {
  if (unresolved && unresolved.rewardId === rewardId && unresolved.points === points) return unresolved;
  return points === undefined ? { idempotencyKey: makeKey(), rewardId } : { idempotencyKey: makeKey(), rewardId, points };
}

export function redeemRequestBody(attempt: RedeemAttempt): RedeemRequestBody {
  if (!isValidIdempotencyKey(attempt.idempotencyKey)) throw new Error('Idempotency key must be 8–128 characters of [A-Za-z0-9_-]');
  return attempt.points === undefined
    ? { rewardId: attempt.rewardId, idempotencyKey: attempt.idempotencyKey }
    : { rewardId: attempt.rewardId, points: attempt.points, idempotencyKey: attempt.idempotencyKey };
}

// ---------------------------------------------------------------------------------------------
// Failures → what the shopper reads (a key in locales/*.json) and what may happen next.

export interface Failure {
  messageKey: string;
  /** The outcome is unknown or passing: the same attempt (same key) may be sent again. */
  retryable: boolean;
  /** The catalog or balance changed under the shopper: reload the rewards. */
  refreshRewards: boolean;
  /** The app does not see a logged-in customer. */
  loggedOut: boolean;
}

const failure = (messageKey: string, overrides: Partial<Omit<Failure, 'messageKey'>> = {}): Failure => ({
  messageKey,
  retryable: false,
  refreshRewards: false,
  loggedOut: false,
  ...overrides,
});

const REFUSALS: Record<string, Failure> = {
  insufficient_points: failure('errors.insufficientPoints', { refreshRewards: true }),
  out_of_stock: failure('errors.outOfStock', { refreshRewards: true }),
  customer_limit: failure('errors.customerLimit', { refreshRewards: true }),
  reward_unavailable: failure('errors.rewardUnavailable', { refreshRewards: true }),
  program_paused: failure('errors.programPaused'),
  not_logged_in: failure('errors.notLoggedIn', { loggedOut: true }),
  unauthorized: failure('errors.sessionExpired'),
  invalid_fields: failure('errors.invalidRequest'),
  shopify_unavailable: failure('errors.temporarilyUnavailable', { retryable: true }),
  rate_limited: failure('errors.tooManyRequests', { retryable: true }),
};

/** The app answered with an error status (and maybe `{error: {code}}`). */
export function failureForResponse(status: number, code: string | null): Failure {
  const known = code ? REFUSALS[code] : undefined;
  if (known) return known;
  if (status === 429) return REFUSALS.rate_limited;
  if (status === 401 || status === 403) return REFUSALS.unauthorized;
  if (status >= 500) return failure('errors.temporarilyUnavailable', { retryable: true });
  return failure('errors.generic');
}

/** No usable answer: the request may or may not have reached the app. */
export const NETWORK_FAILURE: Failure = failure('errors.network', { retryable: true });

/** A 2xx without a usable body: the redemption may exist, so only a replay (same key) is safe. */
export const MALFORMED_ANSWER: Failure = failure('errors.generic', { retryable: true });

/** Every message key the model can produce (tests check each exists in every locale). */
export const FAILURE_MESSAGE_KEYS = [
  ...new Set([...Object.values(REFUSALS), NETWORK_FAILURE, MALFORMED_ANSWER].map((f) => f.messageKey)),
  'errors.temporarilyUnavailable',
  'errors.generic',
];

// ---------------------------------------------------------------------------------------------
// Where the app is.

/** The app's origin for fetch(): an absolute https URL without a trailing slash, or null. */
export function normalizeAppUrl(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  // Checkout runs on https; an http app URL would be blocked as mixed content anyway.
  if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) return null;
  return url.toString().replace(/\/+$/, '');
}

export function appEndpoint(appUrl: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(`${appUrl}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}
