import { createHmac, randomUUID } from "node:crypto";
import { testEnv } from "./env";

export interface SignedWebhookOptions {
  shop: string;
  topic: string; // "orders/paid"
  body: string; // the raw JSON text, exactly as Shopify sends it
  webhookId?: string;
  secret?: string;
  hmac?: string; // override to forge
  appUrl?: string;
}

/** A webhook request signed the way Shopify signs it (HMAC-SHA256 of the raw body, base64). */
export function signedWebhookRequest(opts: SignedWebhookOptions): Request {
  const secret = opts.secret ?? testEnv.SHOPIFY_API_SECRET;
  const hmac = opts.hmac ?? createHmac("sha256", secret).update(opts.body, "utf8").digest("base64");
  return new Request(`${opts.appUrl ?? testEnv.SHOPIFY_APP_URL}/webhooks/${opts.topic}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      "X-Shopify-Topic": opts.topic,
      "X-Shopify-Shop-Domain": opts.shop,
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Webhook-Id": opts.webhookId ?? randomUUID(),
      "X-Shopify-Event-Id": randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-API-Version": "2025-10",
    },
    body: opts.body,
  });
}
