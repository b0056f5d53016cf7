// The members list's activity filters: a member is active when they placed an order (on the day
// it was placed) or redeemed points, within the last N shop-local days including today.

export const ACTIVITY_FILTERS = ["active_30", "active_90", "inactive_90"] as const;
export type ActivityFilter = (typeof ACTIVITY_FILTERS)[number];

export const ACTIVITY_FILTER_WINDOWS: Record<ActivityFilter, { days: number; active: boolean }> = {
  active_30: { days: 30, active: true },
  active_90: { days: 90, active: true },
  inactive_90: { days: 90, active: false },
};
