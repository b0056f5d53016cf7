import type { LoaderFunctionArgs } from "@remix-run/node";
import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "~/config.server";
import { loader as indexLoader } from "~/routes/demo.storefront._index";
import { action as splatAction, loader as splatLoader } from "~/routes/demo.storefront.$";
import { createTestShop, prisma } from "../helpers/db";

// /demo/storefront exists for the local demo only: without DEMO=1 every path under it is a plain
// 404 (no page, no asset, no signing proxy that would sign requests with the app's secret).

const BASE = "http://127.0.0.1:3000/demo/storefront";

function args(path: string, method = "GET"): LoaderFunctionArgs {
  return { request: new Request(`${BASE}${path}`, { method }), params: { "*": path.replace(/^\//, "") }, context: {} };
}

afterEach(() => {
  delete process.env.DEMO;
  delete process.env.DEMO_SHOP;
  delete process.env.HOST;
  resetConfigForTests();
});

describe("/demo/storefront", () => {
  it("is a 404 everywhere unless DEMO=1", async () => {
    const { domain } = await createTestShop();
    process.env.DEMO_SHOP = domain;
    resetConfigForTests();
    const responses = [
      await indexLoader(args("")),
      await splatLoader(args("/ar")),
      await splatLoader(args("/pages/rewards")),
      await splatLoader(args("/assets/loyalnest-launcher.js")),
      await splatLoader(args("/apps/loyalnest/member")),
      await splatAction(args("/apps/loyalnest/redeem", "POST")),
      await splatLoader(args("/account/login?customer=1")),
    ];
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(await response.text()).toBe("Not Found");
    }
  });

  it("renders the widget's real blocks for the demo shop when DEMO=1", async () => {
    const { domain } = await createTestShop();
    await prisma.shop.update({ where: { domain }, data: { name: "Demo Test Store" } });
    Object.assign(process.env, { DEMO: "1", DEMO_SHOP: domain, HOST: "127.0.0.1" });
    resetConfigForTests();
    const page = await indexLoader(args(""));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Demo Test Store");
    expect(html).toMatch(/<aside\s+class="ln-root"/);
    expect(html).toContain("data-loyalnest-product");
    expect(html).toContain('"proxy":"/demo/storefront/apps/loyalnest"');
    expect(html).not.toContain("translation missing");
    expect(html).toMatch(/<script src="\/demo\/storefront\/assets\/loyalnest-launcher\.js\?v=[0-9a-f]+" defer><\/script>/);

    const arabic = await (await splatLoader(args("/ar/pages/rewards"))).text();
    expect(arabic).toContain('<html lang="ar" dir="rtl">');
    expect(arabic).toContain("data-loyalnest-page");
    expect(arabic).toContain("برنامج المكافآت");

    const asset = await splatLoader(args("/assets/loyalnest-panel.js"));
    expect(asset.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    for (const path of ["/assets/..%2F..%2Fpackage.json", "/assets/shopify.extension.toml", "/nowhere"]) expect((await splatLoader(args(path))).status, path).toBe(404);
  });
});
