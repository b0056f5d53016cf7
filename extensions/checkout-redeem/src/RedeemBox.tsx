import type { Api as ReductionsApi } from '@shopify/ui-extensions/purchase.checkout.reductions.render-after';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fetchRewards, redeem, type AppClient } from './api';
import {
  attemptFor,
  isAffordable,
  isValidSliderChoice,
  orderForDisplay,
  parsePointsInput,
  pointsShort,
  sliderAmount,
  usableSliderMax,
  type Failure,
  type RedeemAttempt,
  type Reward,
  type RewardsData,
} from './model';

/** The part of the checkout API the box uses; both of its targets provide it. */
export type CheckoutHost = Pick<
  ReductionsApi,
  'applyDiscountCodeChange' | 'buyerIdentity' | 'discountCodes' | 'i18n' | 'instructions' | 'localization' | 'sessionToken' | 'shop'
>;

export interface RedeemBoxProps {
  host: CheckoutHost;
  appUrl: string | null;
  timeoutMs?: number;
}

type LoadState =
  | { kind: 'loading' }
  | { kind: 'guest' }
  | { kind: 'failed'; failure: Failure }
  | { kind: 'ready'; data: RewardsData };

type RedeemState =
  | { kind: 'idle' }
  | { kind: 'submitting'; rewardId: string }
  | { kind: 'failed'; rewardId: string; points: number | undefined; failure: Failure }
  | { kind: 'applying'; code: string; title: string }
  | { kind: 'applied'; code: string; title: string }
  | { kind: 'applyFailed'; code: string; title: string };

const DEFAULT_TIMEOUT_MS = 15_000;

/** The text in a Polaris field that fired an input or change event. */
function fieldValue(event: Event): string {
  const value = (event.currentTarget as { value?: unknown } | null)?.value;
  return typeof value === 'string' ? value : '';
}

export function RedeemBox({ host, appUrl, timeoutMs = DEFAULT_TIMEOUT_MS }: RedeemBoxProps) {
  const { i18n } = host;
  const translate = (key: string, replacements?: Record<string, string | number>) => i18n.translate(key, replacements);
  const locale = host.localization.language.value.isoCode;
  // Without protected-customer-data access buyerIdentity is absent: then the app decides (401 not_logged_in).
  const buyerIdentity = 'buyerIdentity' in host ? host.buyerIdentity : undefined;
  const customerId = buyerIdentity ? (buyerIdentity.customer.value?.id ?? null) : undefined;
  const knownGuest = customerId === null;
  const canApplyCodes = host.instructions.value.discounts.canUpdateDiscountCodes;

  const client = useMemo<AppClient | null>(
    () =>
      appUrl
        ? {
            appUrl,
            sessionToken: () => host.sessionToken.get(),
            // Looked up per call: the host (or a test) may replace fetch after render.
            fetch: (input, init) => fetch(input, init),
            timeoutMs,
          }
        : null,
    [appUrl, host, timeoutMs],
  );

  const [load, setLoad] = useState<LoadState>({ kind: 'loading' });
  const [redeemState, setRedeemState] = useState<RedeemState>({ kind: 'idle' });
  const [sliderInputs, setSliderInputs] = useState<Record<string, string>>({});
  // Refs, not state: a second click in the same frame must see the first one at once.
  const busy = useRef(false);
  const unresolvedAttempt = useRef<RedeemAttempt | null>(null);
  const loadGeneration = useRef(0);

  const loadRewards = useCallback(
    async (quiet: boolean) => {
      if (!client) return;
      const generation = ++loadGeneration.current;
      if (!quiet) setLoad({ kind: 'loading' });
      const outcome = await fetchRewards(client, locale);
      if (generation !== loadGeneration.current) return;
      if (outcome.ok) setLoad({ kind: 'ready', data: outcome.data });
      else if (outcome.failure.loggedOut) setLoad({ kind: 'guest' });
      else if (!quiet) setLoad({ kind: 'failed', failure: outcome.failure });
      // A failed background refresh keeps what is on screen.
    },
    [client, locale],
  );

  useEffect(() => {
    if (!knownGuest) void loadRewards(false);
  }, [knownGuest, customerId, loadRewards]);

  useEffect(() => {
    if (!appUrl) console.error('checkout-redeem: built without APP_URL, so it cannot reach the app; see extensions/checkout-redeem/README.md');
  }, [appUrl]);

  const applyCode = useCallback(
    async (code: string, title: string) => {
      setRedeemState({ kind: 'applying', code, title });
      const alreadyApplied = host.discountCodes.value.some((applied) => applied.code.toUpperCase() === code.toUpperCase());
      if (alreadyApplied) {
        setRedeemState({ kind: 'applied', code, title });
        return;
      }
      let applied = false;
      try {
        applied = (await host.applyDiscountCodeChange({ type: 'addDiscountCode', code })).type === 'success';
      } catch {
        applied = false;
      }
      setRedeemState({ kind: applied ? 'applied' : 'applyFailed', code, title });
    },
    [host],
  );

  const submit = useCallback(
    async (rewardId: string, points: number | undefined) => {
      if (busy.current || !client) return;
      busy.current = true;
      const attempt = attemptFor(unresolvedAttempt.current, rewardId, points);
      unresolvedAttempt.current = attempt;
      setRedeemState({ kind: 'submitting', rewardId });
      try {
        const outcome = await redeem(client, attempt, locale);
        if (!outcome.ok) {
          // Only an unknown outcome keeps its key for the retry; a refusal ends the attempt.
          if (!outcome.failure.retryable) unresolvedAttempt.current = null;
          setRedeemState({ kind: 'failed', rewardId, points, failure: outcome.failure });
          if (outcome.failure.loggedOut) setLoad({ kind: 'guest' });
          else if (outcome.failure.refreshRewards) void loadRewards(true);
          return;
        }
        unresolvedAttempt.current = null;
        const { code, title, balance } = outcome.data;
        if (balance) setLoad((current) => (current.kind === 'ready' ? { kind: 'ready', data: { ...current.data, balance } } : current));
        await applyCode(code, title);
      } finally {
        busy.current = false;
      }
    },
    [client, locale, loadRewards, applyCode],
  );

  const retryApply = useCallback(
    async (code: string, title: string) => {
      if (busy.current) return;
      busy.current = true;
      try {
        await applyCode(code, title);
      } finally {
        busy.current = false;
      }
    },
    [applyCode],
  );

  const heading = <s-heading>{translate('heading')}</s-heading>;

  if (!client) {
    return (
      <s-stack gap="small-200">
        {heading}
        <s-text color="subdued">{translate('errors.unavailable')}</s-text>
      </s-stack>
    );
  }

  if (knownGuest || load.kind === 'guest') {
    const storefront = host.shop.storefrontUrl?.replace(/\/+$/, '');
    return (
      <s-stack gap="small-200">
        {heading}
        <s-text>{translate('guest.message')}</s-text>
        {storefront ? (
          <s-stack direction="inline" gap="base">
            <s-link href={`${storefront}/account/login`}>{translate('guest.logIn')}</s-link>
            <s-link href={`${storefront}/account/register`}>{translate('guest.join')}</s-link>
          </s-stack>
        ) : null}
      </s-stack>
    );
  }

  if (load.kind === 'loading') {
    return (
      <s-stack gap="small-200">
        {heading}
        <s-stack direction="inline" gap="small-200" alignItems="center">
          <s-spinner size="small" accessibilityLabel={translate('loading')} />
          <s-text color="subdued">{translate('loading')}</s-text>
        </s-stack>
      </s-stack>
    );
  }

  if (load.kind === 'failed') {
    return (
      <s-stack gap="small-200">
        {heading}
        <s-banner tone="critical" heading={translate('errors.loadFailed')}>
          <s-stack gap="small-200">
            <s-text>{translate(load.failure.messageKey)}</s-text>
            {load.failure.retryable ? (
              <s-button variant="secondary" onClick={() => void loadRewards(false)}>
                {translate('actions.retry')}
              </s-button>
            ) : null}
          </s-stack>
        </s-banner>
      </s-stack>
    );
  }

  const { balance, rewards } = load.data;
  const inFlight = redeemState.kind === 'submitting' || redeemState.kind === 'applying';
  const formatPoints = (points: number) => i18n.formatNumber(points);
  const formatMoney = (amount: string, currency: string) => i18n.formatCurrency(Number(amount), { currency });
  const buyerCurrency = host.localization.currency.value.isoCode;
  const shopCurrency = rewards[0]?.value.currencyCode;

  const sliderText = (reward: Reward): string => sliderInputs[reward.id] ?? String(reward.slider?.min ?? '');
  const sliderChoice = (reward: Reward): number | null => {
    if (!reward.slider) return null;
    const points = parsePointsInput(sliderText(reward));
    return points !== null && isValidSliderChoice(points, reward.slider, balance.available) ? points : null;
  };

  const describe = (reward: Reward): string => {
    const { value } = reward;
    switch (reward.type) {
      case 'FIXED_AMOUNT':
        return translate('reward.amountOff', { amount: formatMoney(value.amount ?? '0', value.currencyCode) });
      case 'PERCENTAGE': {
        const percentage = i18n.formatNumber(Number(value.percentage ?? '0') / 100, { style: 'percent', maximumFractionDigits: 2 });
        return value.cap
          ? translate('reward.percentageOffCapped', { percentage, amount: formatMoney(value.cap, value.currencyCode) })
          : translate('reward.percentageOff', { percentage });
      }
      case 'FREE_SHIPPING':
        return translate('reward.freeShipping');
      case 'FREE_PRODUCT':
        return value.productTitle ? translate('reward.freeProduct', { product: value.productTitle }) : translate('reward.freeProductUnnamed');
      case 'POINTS_SLIDER': {
        const points = sliderChoice(reward);
        return points !== null && reward.slider
          ? translate('slider.worth', { amount: formatMoney(sliderAmount(reward.slider, points, value.currencyCode), value.currencyCode) })
          : '';
      }
    }
  };

  return (
    <s-stack gap="base">
      {heading}
      <s-stack gap="none">
        <s-text type="strong">{translate('balance.available', { points: formatPoints(balance.available) })}</s-text>
        {balance.pending > 0 ? <s-text color="subdued">{translate('balance.pending', { points: formatPoints(balance.pending) })}</s-text> : null}
      </s-stack>

      {canApplyCodes ? null : <s-banner tone="info">{translate('errors.discountsLocked')}</s-banner>}
      <RedeemStatus
        state={redeemState}
        translate={translate}
        onRetry={(rewardId, points) => void submit(rewardId, points)}
        onApplyAgain={(code, title) => void retryApply(code, title)}
      />

      {rewards.length === 0 ? <s-text color="subdued">{translate('rewards.none')}</s-text> : null}
      {rewards.length > 0 && !rewards.some((r) => isAffordable(r, balance.available)) ? (
        <s-text color="subdued">{translate('rewards.noneAffordable')}</s-text>
      ) : null}

      {orderForDisplay(rewards, balance.available).map((reward) => {
        const affordable = isAffordable(reward, balance.available);
        const slider = reward.slider;
        const sliderMax = slider ? usableSliderMax(slider, balance.available) : null;
        const points = slider ? sliderChoice(reward) : undefined;
        const choiceValid = !slider || points !== null;
        const submittingThis = redeemState.kind === 'submitting' && redeemState.rewardId === reward.id;
        const details = describe(reward);
        return (
          <s-stack key={reward.id} gap="small-200">
            <s-divider />
            <s-stack direction="inline" gap="base" justifyContent="space-between" alignItems="center">
              <s-stack gap="none">
                <s-text type="strong">{reward.title}</s-text>
                {details ? <s-text>{details}</s-text> : null}
              </s-stack>
              {canApplyCodes ? (
                <s-button
                  variant="secondary"
                  accessibilityLabel={translate('reward.redeemLabel', { title: reward.title })}
                  disabled={!affordable || !choiceValid || inFlight}
                  loading={submittingThis}
                  onClick={() => void submit(reward.id, slider ? (points ?? undefined) : undefined)}
                >
                  {translate('reward.redeem')}
                </s-button>
              ) : null}
            </s-stack>
            {reward.description ? <s-text color="subdued">{reward.description}</s-text> : null}
            {affordable ? (
              slider ? null : <s-text color="subdued">{translate('reward.cost', { points: formatPoints(reward.pointsCost) })}</s-text>
            ) : (
              <s-text color="subdued">{translate('reward.pointsShort', { points: formatPoints(pointsShort(reward, balance.available)) })}</s-text>
            )}
            {slider && sliderMax !== null && canApplyCodes ? (
              <s-number-field
                label={translate('slider.label')}
                controls="stepper"
                inputMode="numeric"
                min={slider.min}
                max={sliderMax}
                step={slider.step}
                value={sliderText(reward)}
                disabled={inFlight}
                error={
                  choiceValid
                    ? undefined
                    : translate('slider.range', { min: formatPoints(slider.min), max: formatPoints(sliderMax), step: formatPoints(slider.step) })
                }
                onInput={(event: Event) => setSliderInputs((inputs) => ({ ...inputs, [reward.id]: fieldValue(event) }))}
                onChange={(event: Event) => setSliderInputs((inputs) => ({ ...inputs, [reward.id]: fieldValue(event) }))}
              />
            ) : null}
            {reward.minimumSubtotal ? (
              <s-text color="subdued">{translate('reward.minimumSubtotal', { amount: formatMoney(reward.minimumSubtotal, reward.value.currencyCode) })}</s-text>
            ) : null}
          </s-stack>
        );
      })}

      {shopCurrency && buyerCurrency !== shopCurrency ? (
        <s-text color="subdued">{translate('rewards.currencyNote', { currency: shopCurrency })}</s-text>
      ) : null}
    </s-stack>
  );
}

interface RedeemStatusProps {
  state: RedeemState;
  translate: (key: string, replacements?: Record<string, string | number>) => string;
  onRetry: (rewardId: string, points: number | undefined) => void;
  onApplyAgain: (code: string, title: string) => void;
}

/** The outcome of the last redeem. The code sits in its own left-to-right text so RTL sentences stay intact. */
function RedeemStatus({ state, translate, onRetry, onApplyAgain }: RedeemStatusProps) {
  switch (state.kind) {
    case 'idle':
    case 'submitting':
      return null;
    case 'failed':
      return (
        <s-banner tone={state.failure.retryable ? 'warning' : 'critical'}>
          <s-stack gap="small-200">
            <s-text>{translate(state.failure.messageKey)}</s-text>
            {state.failure.retryable ? (
              <s-button variant="secondary" onClick={() => onRetry(state.rewardId, state.points)}>
                {translate('actions.retry')}
              </s-button>
            ) : null}
          </s-stack>
        </s-banner>
      );
    case 'applying':
      return (
        <s-banner tone="info">
          <s-text>{translate('success.applying')}</s-text>
        </s-banner>
      );
    case 'applied':
      return (
        <s-banner tone="success" heading={state.title || undefined}>
          <s-stack gap="none">
            <s-text>{translate('success.applied')}</s-text>
            <s-text type="strong" dir="ltr">
              {state.code}
            </s-text>
          </s-stack>
        </s-banner>
      );
    case 'applyFailed':
      return (
        <s-banner tone="warning" heading={state.title || undefined}>
          <s-stack gap="small-200">
            <s-text>{translate('success.applyFailed')}</s-text>
            <s-text type="strong" dir="ltr">
              {state.code}
            </s-text>
            <s-button variant="secondary" onClick={() => onApplyAgain(state.code, state.title)}>
              {translate('actions.applyCode')}
            </s-button>
          </s-stack>
        </s-banner>
      );
  }
}
