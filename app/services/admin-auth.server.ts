import type { Session } from "@shopify/shopify-api";
import { config } from "~/config.server";
import { authenticate, sessionStorage } from "~/shopify.server";

export interface AdminContext {
  shop: string;
  session: Session;
  /** Who is acting, for the audit log: "staff:<Shopify user id>" or "staff:demo". */
  actor: string;
  demo: boolean;
}

/**
 * The demo-only session exists when DEMO=1 in a non-production process bound to loopback (the
 * config refuses DEMO=1 with NODE_ENV=production or a non-loopback HOST); the NODE_ENV check is
 * repeated here against process.env itself so a misparsed config can never open it.
 */
export function isDemoMode(): boolean {
  const env = config();
  // Through a local binding: the Remix compiler rewrites the literal `process.env.NODE_ENV` to
  // "production" in every build, which would make this check always false.
  const { env: runtimeEnv } = process;
  return env.DEMO && env.NODE_ENV !== "production" && runtimeEnv.NODE_ENV !== "production";
}

/** Every admin loader and action starts here: Shopify's embedded auth, or the demo session. */
export async function requireAdmin(request: Request): Promise<AdminContext> {
  if (isDemoMode()) {
    const shop = config().DEMO_SHOP;
    const session = await sessionStorage?.loadSession(`offline_${shop}`);
    if (!session) {
      throw new Response("The demo shop is not installed: run `npm run demo`.", { status: 503 });
    }
    return { shop, session, actor: "staff:demo", demo: true };
  }
  const { session, sessionToken } = await authenticate.admin(request);
  return { shop: session.shop, session, actor: `staff:${sessionToken?.sub ?? "unknown"}`, demo: false };
}
