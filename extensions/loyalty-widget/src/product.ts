import { estimatePoints, shopMinorUnits, type ProductFacts } from "./estimate";
import { fill, formatMoney, formatPoints, loadProgram, readConfig, type Config } from "./shared";
import type { Program } from "./types";

// The product block: "Earn N points with this purchase" under the price, for the selected variant.
// The block reserves its line in Liquid, so filling it in shifts nothing.

interface BlockData extends ProductFacts {
  variant: string;
  /** Variant id → price as Liquid gives it (presentment currency, in hundredths). */
  prices: Record<string, number>;
}

interface ShopifyGlobal {
  currency?: { active?: string; rate?: string };
}

function presentmentRate(cfg: Config, program: Program): number | null {
  if (cfg.presentment === program.currency) return 1;
  const rate = Number((window as unknown as { Shopify?: ShopifyGlobal }).Shopify?.currency?.rate);
  return rate > 0 ? rate : null;
}

function render(el: HTMLElement, cfg: Config, program: Program, data: BlockData) {
  const text = el.querySelector<HTMLElement>("[data-loyalnest-text]");
  if (!text) return;
  text.textContent = "";
  const rule = program.programEnabled ? program.purchase : null;
  const rate = presentmentRate(cfg, program);
  const price = data.prices[data.variant];
  if (!rule || rate === null || price === undefined) return;
  const estimate = estimatePoints(rule, data, shopMinorUnits(price, rate, rule.currencyExponent));
  if (!estimate) return;
  if ("belowMinimum" in estimate) {
    text.textContent = fill(cfg.t["product.minimum"], { amount: formatMoney(cfg, estimate.belowMinimum, program.currency) });
    return;
  }
  // The points are emphasised: split the sentence around them rather than inject markup.
  const [before, after = ""] = cfg.t["product.earn"].split("{points}");
  const strong = document.createElement("strong");
  strong.textContent = formatPoints(cfg, estimate.points, program.pointsName);
  text.append(before, strong, after);
}

function start() {
  const cfg = readConfig();
  if (!cfg) return;
  for (const el of document.querySelectorAll<HTMLElement>("[data-loyalnest-product]")) {
    let data: BlockData;
    try {
      data = JSON.parse(el.querySelector("script")?.textContent || "") as BlockData;
    } catch {
      continue;
    }
    loadProgram(cfg).then(
      (program) => {
        render(el, cfg, program, data);
        // Themes put the chosen variant in the product form's `id` field and fire `change`.
        document.addEventListener("change", (event) => {
          const field = event.target as HTMLInputElement | HTMLSelectElement;
          if (field.name !== "id" || !field.form?.action.includes("/cart/add") || !(field.value in data.prices)) return;
          data.variant = field.value;
          render(el, cfg, program, data);
        });
      },
      () => undefined,
    );
  }
}

start();
