import polarisEn from "@shopify/polaris/locales/en.json";
import polarisFr from "@shopify/polaris/locales/fr.json";
import type { Locale } from "./config";

// Polaris ships no Arabic strings (the Shopify admin has no Arabic); its few built-in labels fall
// back to English there while all LoyalNest text is translated and laid out right-to-left.
export const polarisTranslations: Record<Locale, typeof polarisEn> = { en: polarisEn, fr: polarisFr, ar: polarisEn };
