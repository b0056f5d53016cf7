// Digits after the decimal point in a currency's minor unit (ISO 4217). Amounts the Function
// computes are rounded to these, so a JPY cart never gets "¥523.47" off.

const NO_DECIMALS = new Set([
  "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
]);
const THREE_DECIMALS = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

/**
 * @param {string} currencyCode
 * @returns {number}
 */
export function minorUnitDigits(currencyCode) {
  if (NO_DECIMALS.has(currencyCode)) return 0;
  if (THREE_DECIMALS.has(currencyCode)) return 3;
  return 2;
}
