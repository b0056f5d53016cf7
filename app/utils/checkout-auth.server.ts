import { authenticate } from "~/shopify.server";
import { apiError } from "./api.server";

// The checkout extension's session token: the shop from `dest`, the shopper from `sub` (a customer
// gid only when they are logged in). The library's own 401 carries no CORS headers, which a
// browser reports as a network error; ours is a JSON error the extension can read.

export type CheckoutAuth =
  | { ok: true; shop: string; customerId: bigint | null; cors: (response: Response) => Response }
  | { ok: false; response: Response };

const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization, Content-Type" };

export async function authenticateCheckout(request: Request): Promise<CheckoutAuth> {
  try {
    const { sessionToken, cors } = await authenticate.public.checkout(request);
    const shop = new URL(String(sessionToken.dest)).hostname;
    const match = /^gid:\/\/shopify\/Customer\/(\d{1,19})$/.exec(String(sessionToken.sub ?? ""));
    return { ok: true, shop, customerId: match ? BigInt(match[1]) : null, cors };
  } catch (thrown) {
    if (thrown instanceof Response) {
      // OPTIONS preflight answers (204) pass through as the library built them.
      if (thrown.status < 400) return { ok: false, response: thrown };
      return { ok: false, response: apiError(401, "unauthorized", "A valid checkout session token is required", {}, CORS) };
    }
    throw thrown;
  }
}
