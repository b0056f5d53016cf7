// App answers shaped like the lead's RewardOffer (app/domain/rewards.ts) and the redeem answer in
// extensions/README.md. Plain objects so tests can break them on purpose.

export type RewardJson = Record<string, unknown>;

export const fixedReward = (): RewardJson => ({
  id: 'reward-fixed',
  type: 'FIXED_AMOUNT',
  title: '$5 off',
  description: '',
  pointsCost: 500,
  affordable: true,
  slider: null,
  value: { currencyCode: 'USD', amount: '5.00' },
  minimumSubtotal: null,
  endsAt: null,
});

export const freeShippingReward = (): RewardJson => ({
  id: 'reward-shipping',
  type: 'FREE_SHIPPING',
  title: 'Free shipping',
  description: '',
  pointsCost: 750,
  affordable: false,
  slider: null,
  value: { currencyCode: 'USD' },
  minimumSubtotal: '50.00',
  endsAt: null,
});

export const percentageReward = (): RewardJson => ({
  id: 'reward-percent',
  type: 'PERCENTAGE',
  title: '10% off your order',
  description: '',
  pointsCost: 1500,
  affordable: false,
  slider: null,
  value: { currencyCode: 'USD', percentage: '10', cap: '50.00' },
  minimumSubtotal: null,
  endsAt: null,
});

export const sliderReward = (): RewardJson => ({
  id: 'reward-slider',
  type: 'POINTS_SLIDER',
  title: 'Use your points',
  description: 'Every 100 points take $1.00 off.',
  pointsCost: 100,
  affordable: true,
  slider: { min: 100, max: 5000, step: 100, pointsPerUnit: 100, unitAmount: '1.00' },
  value: { currencyCode: 'USD' },
  minimumSubtotal: null,
  endsAt: null,
});

export function rewardsBody(balance: { available: number; pending?: number }, rewards?: RewardJson[]) {
  return {
    balance: { available: balance.available, pending: balance.pending ?? 0 },
    rewards: rewards ?? [fixedReward(), freeShippingReward(), percentageReward(), sliderReward()],
  };
}

export function redeemBody(code: string, overrides: { available?: number; replayed?: boolean; title?: string } = {}) {
  return {
    redemption: {
      id: 'redemption-1',
      rewardId: 'reward-fixed',
      code,
      points: 500,
      status: 'ISSUED',
      expiresAt: '2026-12-31T00:00:00.000Z',
      title: overrides.title ?? '$5 off',
      value: '5.00',
    },
    balance: { available: overrides.available ?? 100, pending: 0 },
    replayed: overrides.replayed ?? false,
  };
}
