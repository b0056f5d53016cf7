// What the app proxy answers (app/services/storefront.server.ts and the redeem service). The widget
// reads only these fields; the e2e test drives the real app, so a drift shows there.

export type Rounding = "floor" | "half_up" | "ceil";

export interface PurchaseRule {
  pointsPerUnit: string;
  rounding: Rounding;
  currencyExponent: number;
  minimumOrder: string | null;
  includeGiftCards: boolean;
  activeNow: boolean;
  eligibleCustomersOnly: boolean;
  products: { include: string[]; exclude: string[] };
  collections: { include: string[]; exclude: string[] };
  productTags: { include: string[]; exclude: string[] };
  campaigns: { multiplier: string; productIds: string[]; collectionIds: string[]; productTags: string[] }[];
  perOrderCap: number | null;
}

export type ActionName = "signup" | "newsletter" | "birthday" | "review";

export interface RewardOffer {
  id: string;
  type: "FIXED_AMOUNT" | "PERCENTAGE" | "FREE_SHIPPING" | "FREE_PRODUCT" | "POINTS_SLIDER";
  title: string;
  description: string;
  /** For a slider: its minimum. */
  pointsCost: number;
  affordable: boolean | null;
  slider: { min: number; max: number; step: number; pointsPerUnit: number; unitAmount: string } | null;
  value: { amount?: string; percentage?: string; cap?: string; currencyCode: string };
  minimumSubtotal: string | null;
  endsAt: string | null;
}

export interface Program {
  shop: string;
  locale: string;
  programEnabled: boolean;
  pointsName: string;
  currency: string;
  pendingDays: number;
  purchase: PurchaseRule | null;
  actions: { action: ActionName; points: number }[];
  rewards?: RewardOffer[];
}

export interface HistoryItem {
  id: string;
  type: string;
  points: number;
  status: "pending" | "posted" | "cancelled";
  date: string;
}

export interface IssuedCode {
  id: string;
  rewardId: string;
  code: string;
  points: number;
  status: string;
  expiresAt: string;
  title: string;
}

export interface Member {
  customerId: string;
  enrolled: boolean;
  available: number;
  pending: number;
  lifetimeEarned: number;
  history: HistoryItem[];
  rewards?: RewardOffer[];
  codes?: IssuedCode[];
}

export interface RedeemAnswer {
  redemption: IssuedCode;
  balance: { available: number; pending: number };
  replayed: boolean;
}
