// @vitest-environment happy-dom
/// <reference types="@shopify/ui-extensions/purchase.checkout.reductions.render-after" />
import { setUpExtension } from '@shopify/ui-extensions-tester';
import { createResult } from '@shopify/ui-extensions-tester/checkout';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { isValidIdempotencyKey } from '../src/model';
import { fixedReward, percentageReward, redeemBody, rewardsBody, sliderReward } from './fixtures';
import {
  APP_URL,
  appStandIn,
  body,
  buttonsLabelled,
  click,
  deferred,
  isDisabled,
  json,
  realI18n,
  redeemButtonFor,
  signal,
} from './harness';

const TARGET = 'purchase.checkout.reductions.render-after';
type Harness = ReturnType<typeof setUpExtension<typeof TARGET>>;

const customer = { id: 'gid://shopify/Customer/42' };

/**
 * buyerIdentity only exists when the app has customer data access, so the tester's mock leaves it
 * out (and refuses plain assignment of a property it lacks): define it as the host would.
 */
function withBuyer(extension: { shopify: object }, buyer: typeof customer | undefined) {
  Reflect.defineProperty(extension.shopify, 'buyerIdentity', {
    configurable: true,
    enumerable: true,
    value: {
      customer: signal(buyer),
      email: signal<string | undefined>(undefined),
      phone: signal<string | undefined>(undefined),
      purchasingCompany: signal(undefined),
    },
  });
}

function asMember(extension: Harness, locale = 'en') {
  withBuyer(extension, customer);
  inLocale(extension, locale);
}

function inLocale(extension: Harness, locale: string) {
  const i18n = realI18n(locale);
  extension.shopify.localization.language = signal({ isoCode: locale });
  extension.shopify.i18n.translate = i18n.translate as typeof extension.shopify.i18n.translate;
  extension.shopify.i18n.formatNumber = i18n.formatNumber;
  extension.shopify.i18n.formatCurrency = i18n.formatCurrency;
}

function spyOnApply(extension: Harness, result = createResult('applyDiscountCodeChange')) {
  const apply = vi.fn().mockResolvedValue(result);
  extension.shopify.applyDiscountCodeChange = apply;
  return apply;
}

const text = () => body().textContent ?? '';

beforeEach(() => {
  vi.stubEnv('APP_URL', APP_URL);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('guests', () => {
  test('a shopper who is not logged in is asked to log in or join, and the app is not called', async () => {
    using extension = setUpExtension(TARGET);
    withBuyer(extension, undefined);
    inLocale(extension, 'en');
    const app = appStandIn({});
    extension.fetch = app.fetch;

    await extension.render();

    expect(text()).toContain('Log in to use your reward points on this order.');
    const links = [...body().querySelectorAll('s-link')].map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toEqual([
      ['Log in', 'https://mock-shop.myshopify.com/account/login'],
      ['Join', 'https://mock-shop.myshopify.com/account/register'],
    ]);
    expect(app.requests).toHaveLength(0);
  });

  test('without customer data access, the app decides: 401 not_logged_in shows the same prompt', async () => {
    using extension = setUpExtension(TARGET);
    inLocale(extension, 'en');
    const app = appStandIn({ rewards: () => json(401, { error: { code: 'not_logged_in', message: 'Log in first' } }) });
    extension.fetch = app.fetch;

    await extension.render();

    await vi.waitFor(() => expect(text()).toContain('Log in to use your reward points on this order.'));
    expect(app.gets()).toHaveLength(1);
  });
});

describe('members', () => {
  test('shows a loading state, then balance, pending points, and which rewards are affordable', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const answer = deferred<Response>();
    const app = appStandIn({ rewards: () => answer.promise });
    extension.fetch = app.fetch;

    await extension.render();
    expect(text()).toContain('Loading your points…');
    expect(body().querySelector('s-spinner')).not.toBeNull();

    answer.resolve(json(200, rewardsBody({ available: 1200, pending: 300 })));
    await vi.waitFor(() => expect(text()).toContain('Points available: 1,200'));
    expect(text()).toContain('Points pending: 300');

    const request = app.gets()[0];
    expect(request.url.toString()).toBe(`${APP_URL}/api/checkout/rewards?locale=en`);
    expect(request.authorization).toBe('Bearer mock-session-token');

    // $5 off (500) and free shipping (750) are affordable; 10% off (1500) is 300 points away.
    expect(isDisabled(redeemButtonFor('$5 off'))).toBe(false);
    expect(isDisabled(redeemButtonFor('Free shipping'))).toBe(false);
    expect(isDisabled(redeemButtonFor('10% off your order'))).toBe(true);
    expect(text()).toContain('Points needed: 500');
    expect(text()).toContain('Points still needed: 300');
    expect(text()).toContain('$5.00 off');
    expect(text()).toContain('10% off, up to $50.00');
    expect(text()).toContain('Minimum order: $50.00');

    const titles = [...body().querySelectorAll('s-text[type="strong"]')].map((t) => t.textContent);
    expect(titles.indexOf('10% off your order')).toBeGreaterThan(titles.indexOf('Use your points'));
  });

  test('with too few points for anything, every reward is shown with what is missing and none can be redeemed', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    extension.fetch = appStandIn({ rewards: () => json(200, rewardsBody({ available: 40 })) }).fetch;

    await extension.render();

    await vi.waitFor(() => expect(text()).toContain("Keep earning: you don't have enough points for a reward yet."));
    for (const button of buttonsLabelled('Redeem')) expect(isDisabled(button)).toBe(true);
    expect(text()).toContain('Points still needed: 460');
    expect(body().querySelector('s-number-field')).toBeNull();
  });

  test('a failed load says so and can be retried', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    let calls = 0;
    extension.fetch = appStandIn({
      rewards: () => (++calls === 1 ? json(503, { error: { code: 'shopify_unavailable', message: 'down' } }) : json(200, rewardsBody({ available: 600 }))),
    }).fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Rewards are temporarily unavailable. Try again in a moment.'));
    expect(body().querySelector('s-banner')?.getAttribute('heading')).toBe("Your rewards couldn't be loaded");

    click(buttonsLabelled('Try again')[0]);
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
  });

  test('when the checkout does not allow discount code changes, rewards are listed but cannot be redeemed', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    extension.shopify.instructions = signal({ ...extension.shopify.instructions.value, discounts: { canUpdateDiscountCodes: false } });
    extension.fetch = appStandIn({ rewards: () => json(200, rewardsBody({ available: 5000 })) }).fetch;

    await extension.render();

    await vi.waitFor(() => expect(text()).toContain("Discount codes can't be changed in this checkout"));
    expect(buttonsLabelled('Redeem')).toHaveLength(0);
  });

  test('without a bundled app URL nothing is fetched and the shopper is told rewards are unavailable', async () => {
    vi.stubEnv('APP_URL', '');
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const app = appStandIn({});
    extension.fetch = app.fetch;

    await extension.render();

    await vi.waitFor(() => expect(text()).toContain("Rewards can't be redeemed in this checkout right now."));
    expect(app.requests).toHaveLength(0);
    await vi.waitFor(() => expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('APP_URL')));
    consoleError.mockRestore();
  });
});

describe('the points slider', () => {
  test('offers min..(highest affordable step) in steps, shows the money value, and sends the chosen points', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const apply = spyOnApply(extension);
    const app = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 1250 }, [sliderReward()])),
      redeem: () => json(201, redeemBody('LN-SLIDE7', { title: '$7.00 off', available: 550 })),
    });
    extension.fetch = app.fetch;

    await extension.render();
    const field = await vi.waitFor(() => {
      const element = body().querySelector('s-number-field');
      if (!element) throw new Error('no slider yet');
      return element as Element & { value?: string };
    });
    expect(field.getAttribute('min')).toBe('100');
    expect(field.getAttribute('max')).toBe('1200');
    expect(field.getAttribute('step')).toBe('100');
    expect(text()).toContain('Discount: $1.00');

    field.value = '750';
    field.dispatchEvent(new Event('input'));
    await vi.waitFor(() => expect(field.getAttribute('error')).toBe('Choose from 100 to 1,200, in steps of 100.'));
    expect(isDisabled(redeemButtonFor('Use your points'))).toBe(true);

    field.value = '700';
    field.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(text()).toContain('Discount: $7.00'));
    expect(field.getAttribute('error')).toBeNull();

    click(redeemButtonFor('Use your points'));
    await vi.waitFor(() => expect(apply).toHaveBeenCalledTimes(1));
    expect(app.posts()[0].body).toEqual({ rewardId: 'reward-slider', points: 700, idempotencyKey: expect.any(String) });
    expect(apply).toHaveBeenCalledWith({ type: 'addDiscountCode', code: 'LN-SLIDE7' });
    await vi.waitFor(() => expect(text()).toContain('Points available: 550'));
  });
});

describe('redeeming', () => {
  test('a successful redeem sends one keyed request and applies the code exactly once', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const apply = spyOnApply(extension);
    const app = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 600 })),
      redeem: () => json(201, redeemBody('LN-FIVE-OFF', { available: 100 })),
    });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    click(redeemButtonFor('$5 off'));

    await vi.waitFor(() => expect(text()).toContain('Your reward code was added to this order:'));
    const [post] = app.posts();
    expect(post.url.pathname).toBe('/api/checkout/redeem');
    expect(post.authorization).toBe('Bearer mock-session-token');
    expect(post.body).toEqual({ rewardId: 'reward-fixed', idempotencyKey: expect.any(String) });
    expect(isValidIdempotencyKey(String(post.body?.idempotencyKey))).toBe(true);
    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply).toHaveBeenCalledWith({ type: 'addDiscountCode', code: 'LN-FIVE-OFF' });
    const code = [...body().querySelectorAll('s-text[dir="ltr"]')].map((t) => t.textContent);
    expect(code).toEqual(['LN-FIVE-OFF']);
    expect(text()).toContain('Points available: 100');
    // The new balance no longer pays for free shipping (750).
    expect(isDisabled(redeemButtonFor('Free shipping'))).toBe(true);
  });

  test('a double click sends one request and applies one code', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const apply = spyOnApply(extension);
    const answer = deferred<Response>();
    const app = appStandIn({ rewards: () => json(200, rewardsBody({ available: 600 })), redeem: () => answer.promise });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    const button = redeemButtonFor('$5 off');
    click(button);
    click(button);
    await vi.waitFor(() => expect(app.posts()).toHaveLength(1));
    // While in flight every Redeem button is disabled and this one shows progress.
    await vi.waitFor(() => expect(buttonsLabelled('Redeem').every(isDisabled)).toBe(true));
    expect(redeemButtonFor('$5 off').getAttribute('loading')).toBe('true');
    click(redeemButtonFor('Free shipping'));

    answer.resolve(json(201, redeemBody('LN-ONCE')));
    await vi.waitFor(() => expect(text()).toContain('LN-ONCE'));
    expect(app.posts()).toHaveLength(1);
    expect(apply).toHaveBeenCalledTimes(1);
  });

  test('after a network failure the retry reuses the idempotency key, and the code is applied once', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const apply = spyOnApply(extension);
    let attempts = 0;
    const app = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 600 })),
      redeem: () => {
        attempts += 1;
        if (attempts === 1) throw new TypeError('Failed to fetch');
        return json(200, redeemBody('LN-RETRIED', { replayed: true }));
      },
    });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(text()).toContain("We couldn't reach the rewards service. Check your connection and try again."));
    expect(apply).not.toHaveBeenCalled();

    click(buttonsLabelled('Try again')[0]);
    await vi.waitFor(() => expect(apply).toHaveBeenCalledTimes(1));
    const [first, second] = app.posts();
    expect(second.body?.idempotencyKey).toBe(first.body?.idempotencyKey);
    expect(second.body).toEqual(first.body);
    expect(apply).toHaveBeenCalledWith({ type: 'addDiscountCode', code: 'LN-RETRIED' });
  });

  test('pressing Redeem again on the same reward after a timeout is the same attempt; another reward is a new one', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    spyOnApply(extension);
    const app = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 2000 })),
      redeem: () => json(503, { error: { code: 'shopify_unavailable', message: 'Shopify is down' } }),
    });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 2,000'));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(text()).toContain('Rewards are temporarily unavailable.'));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(app.posts()).toHaveLength(2));
    await vi.waitFor(() => expect(isDisabled(redeemButtonFor('Free shipping'))).toBe(false));
    click(redeemButtonFor('Free shipping'));
    await vi.waitFor(() => expect(app.posts()).toHaveLength(3));

    const keys = app.posts().map((p) => p.body?.idempotencyKey);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  test.each([
    ['insufficient_points', "You don't have enough points for this reward."],
    ['out_of_stock', 'This reward has run out.'],
    ['customer_limit', "You've already redeemed this reward as many times as allowed."],
    ['reward_unavailable', "This reward isn't available right now."],
    ['program_paused', 'The rewards program is paused. Try again later.'],
  ])('a %s refusal is explained, nothing is applied, and the next press is a new attempt', async (code, message) => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const apply = spyOnApply(extension);
    const app = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 600 })),
      redeem: () => json(409, { error: { code, message: 'server text is not shown' } }),
    });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(text()).toContain(message));
    expect(text()).not.toContain('server text is not shown');
    expect(buttonsLabelled('Try again')).toHaveLength(0);
    expect(apply).not.toHaveBeenCalled();

    await vi.waitFor(() => expect(isDisabled(redeemButtonFor('$5 off'))).toBe(false));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(app.posts()).toHaveLength(2));
    expect(app.posts()[1].body?.idempotencyKey).not.toBe(app.posts()[0].body?.idempotencyKey);
  });

  test('a refusal that changes the catalog reloads it', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    spyOnApply(extension);
    let loads = 0;
    const app = appStandIn({
      rewards: () => json(200, rewardsBody({ available: ++loads === 1 ? 600 : 200 })),
      redeem: () => json(409, { error: { code: 'insufficient_points', message: 'no' } }),
    });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(text()).toContain('Points available: 200'));
    expect(text()).toContain("You don't have enough points for this reward.");
    expect(app.gets()).toHaveLength(2);
  });

  test('refusals are in the shopper’s language (French)', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension, 'fr');
    spyOnApply(extension);
    const app = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 600 }, [fixedReward()])),
      redeem: () => json(409, { error: { code: 'out_of_stock', message: 'Out of stock' } }),
    });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points disponibles : 600'));
    expect(app.gets()[0].url.searchParams.get('locale')).toBe('fr');
    const redeem = buttonsLabelled('Échanger')[0];
    expect(redeem.getAttribute('accessibilityLabel')).toBe('Échanger $5 off');
    click(redeem);
    await vi.waitFor(() => expect(text()).toContain('Cette récompense est épuisée.'));
  });

  test('in Arabic (right to left) the messages are Arabic and the code stays a separate left-to-right run', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension, 'ar');
    spyOnApply(extension);
    extension.fetch = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 600 }, [fixedReward()])),
      redeem: () => json(201, redeemBody('LN-AR-5')),
    }).fetch;

    await extension.render();
    await vi.waitFor(() => expect(buttonsLabelled('استبدال')).toHaveLength(1));
    expect(text()).toContain('النقاط المتاحة:');
    click(buttonsLabelled('استبدال')[0]);
    await vi.waitFor(() => expect(text()).toContain('تمت إضافة رمز مكافأتك إلى هذا الطلب:'));
    const code = body().querySelector('s-text[dir="ltr"]');
    expect(code?.textContent).toBe('LN-AR-5');
    // Nothing in the box forces a direction on the shopper's text: only the code is marked.
    expect(body().querySelectorAll('[dir]')).toHaveLength(1);
  });

  test('if checkout refuses the code, the shopper gets it to type in, and "Apply code" retries without redeeming again', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const apply = vi
      .fn()
      .mockResolvedValueOnce(createResult('applyDiscountCodeChange', { type: 'error', message: 'Accelerated checkout' }))
      .mockResolvedValueOnce(createResult('applyDiscountCodeChange'));
    extension.shopify.applyDiscountCodeChange = apply;
    const app = appStandIn({ rewards: () => json(200, rewardsBody({ available: 600 })), redeem: () => json(201, redeemBody('LN-MANUAL')) });
    extension.fetch = app.fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(text()).toContain("We couldn't add your code automatically."));
    expect(text()).toContain('LN-MANUAL');

    click(buttonsLabelled('Apply code')[0]);
    await vi.waitFor(() => expect(text()).toContain('Your reward code was added to this order:'));
    expect(apply).toHaveBeenCalledTimes(2);
    expect(app.posts()).toHaveLength(1);
  });

  test('a replayed code that is already on the checkout is not applied a second time', async () => {
    using extension = setUpExtension(TARGET);
    asMember(extension);
    const apply = spyOnApply(extension);
    extension.shopify.discountCodes = signal([{ code: 'ln-already' }]);
    extension.fetch = appStandIn({
      rewards: () => json(200, rewardsBody({ available: 600 })),
      redeem: () => json(200, redeemBody('LN-ALREADY', { replayed: true })),
    }).fetch;

    await extension.render();
    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    click(redeemButtonFor('$5 off'));
    await vi.waitFor(() => expect(text()).toContain('Your reward code was added to this order:'));
    expect(apply).not.toHaveBeenCalled();
  });
});

describe('the block target', () => {
  test('renders the same box where the merchant places it', async () => {
    using extension = setUpExtension('purchase.checkout.block.render');
    withBuyer(extension, customer);
    const i18n = realI18n('en');
    extension.shopify.i18n.translate = i18n.translate as typeof extension.shopify.i18n.translate;
    extension.shopify.i18n.formatNumber = i18n.formatNumber;
    extension.fetch = appStandIn({ rewards: () => json(200, rewardsBody({ available: 600 }, [percentageReward()])) }).fetch;

    await extension.render();

    await vi.waitFor(() => expect(text()).toContain('Points available: 600'));
    expect(text()).toContain('Points still needed: 900');
  });
});
