import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";

// Signs and delivers webhooks the way Shopify does: POST <app>/webhooks/<topic> with the raw JSON
// body, X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(body, app secret)) and the X-Shopify-* headers.
// Connections are kept alive, as Shopify's delivery fleet does, so a benchmark measures the app
// rather than TCP handshakes.

/** The browser user agent every delivery carries: the Shopify library answers 410 to bot agents. */
export const SIMULATOR_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export interface WebhookDelivery {
  /** "orders/paid" */
  topic: string;
  /** The shop's myshopify domain (X-Shopify-Shop-Domain). */
  shop: string;
  /** The raw JSON text; these exact bytes are signed and sent. */
  body: string;
  webhookId: string;
  eventId?: string;
  triggeredAt?: Date;
  apiVersion?: string;
}

export interface SendWebhookOptions {
  /** The app's API secret. Default: SHOPIFY_API_SECRET from the environment. */
  secret?: string;
  /** Give up after this long (the request is aborted). Default 30 s. */
  timeoutMs?: number;
  /** Default: a shared keep-alive agent per protocol. */
  agent?: http.Agent;
  userAgent?: string;
}

export interface WebhookAck {
  status: number;
  /** Time from starting the request to the end of the response, in milliseconds. */
  ms: number;
  /** The response body, if any (the app answers webhooks with an empty 200). */
  body: string;
}

const DEFAULT_API_VERSION = "2025-10";
// Idle keep-alive sockets are dropped after 4 s, before Node servers drop theirs (5 s): a request
// written to a socket the server is closing is reset without ever reaching the app.
const FREE_SOCKET_TIMEOUT_MS = 4000;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: Infinity, timeout: FREE_SOCKET_TIMEOUT_MS }),
  https: new https.Agent({ keepAlive: true, maxSockets: Infinity, timeout: FREE_SOCKET_TIMEOUT_MS }),
};

/** base64(HMAC-SHA256(body, secret)): the X-Shopify-Hmac-Sha256 header of `body`. */
export function signWebhook(body: string | Buffer, secret: string): string {
  if (!secret) throw new Error("signWebhook: the secret is empty");
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** The headers Shopify sends with a delivery, signature included. */
export function webhookHeaders(delivery: WebhookDelivery, secret: string, userAgent = SIMULATOR_USER_AGENT): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "User-Agent": userAgent,
    "X-Shopify-Topic": delivery.topic,
    "X-Shopify-Shop-Domain": delivery.shop,
    "X-Shopify-Hmac-Sha256": signWebhook(delivery.body, secret),
    "X-Shopify-Webhook-Id": delivery.webhookId,
    "X-Shopify-Event-Id": delivery.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": (delivery.triggeredAt ?? new Date()).toISOString(),
    "X-Shopify-API-Version": delivery.apiVersion ?? DEFAULT_API_VERSION,
  };
}

/**
 * POSTs one signed delivery to `${baseUrl}/webhooks/<topic>` and resolves with the app's status
 * and the time to its complete response. Rejects only when no response arrives (connection
 * refused, timeout); an error status is a resolved ack for the caller to judge. A request reset
 * on a reused keep-alive socket never reached the app and is sent once more, as Shopify would
 * retry it; its time counts from the first attempt.
 */
export async function sendWebhook(baseUrl: string, delivery: WebhookDelivery, options: SendWebhookOptions = {}): Promise<WebhookAck> {
  const secret = options.secret ?? process.env.SHOPIFY_API_SECRET;
  if (!secret) throw new Error("sendWebhook: pass options.secret or set SHOPIFY_API_SECRET");
  const url = new URL(`webhooks/${delivery.topic}`, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const body = Buffer.from(delivery.body, "utf8");
  const headers = { ...webhookHeaders(delivery, secret, options.userAgent), "Content-Length": String(body.length) };
  const started = performance.now();
  try {
    return await post(url, headers, body, options, started);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return post(url, headers, body, options, started);
  }
}

class StaleSocketError extends Error {}

function post(url: URL, headers: Record<string, string>, body: Buffer, options: SendWebhookOptions, started: number): Promise<WebhookAck> {
  const transport = url.protocol === "https:" ? https : http;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      { method: "POST", headers, agent: options.agent ?? (url.protocol === "https:" ? agents.https : agents.http), timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no response from ${url.href} within ${timeoutMs} ms`)));
    request.on("error", (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE");
      reject(stale ? new StaleSocketError(error.message, { cause: error }) : error);
    });
    request.end(body);
  });
}

export interface ReplayResult<T extends WebhookDelivery> {
  delivery: T;
  /** Epoch milliseconds (fractional) when the request started. */
  sentAt: number;
  /** Open loop only: when it was due. A late start (all senders busy) is the app's delay too. */
  scheduledAt?: number;
  ack?: WebhookAck;
  error?: Error;
}

export interface ReplayOptions<T extends WebhookDelivery> extends SendWebhookOptions {
  /** Deliveries in flight at once. Default 1: in stream order. */
  concurrency?: number;
  /** Open loop: start delivery i at start + i / ratePerSecond, whatever the app's pace. Default: as fast as acks come back. */
  ratePerSecond?: number;
  onResult?: (result: ReplayResult<T>) => void;
  signal?: AbortSignal;
}

/**
 * Delivers a stream of webhooks with `concurrency` senders (closed loop: each sends its next
 * delivery when the previous one is acknowledged) or, with `ratePerSecond`, on a fixed schedule.
 * Used by the local demo to replay a simulated stream and by bench/ingest.
 */
/**
 * Open loop: delivery `slot` is due at start + slot/R. Waits until then and returns the due time
 * (epoch ms), which latency counts from; undefined (no wait) without a rate.
 */
export async function waitForSlot(startedAt: number, slot: number, ratePerSecond: number | undefined): Promise<number | undefined> {
  if (ratePerSecond === undefined) return undefined;
  const due = startedAt + (slot * 1000) / ratePerSecond;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  return performance.timeOrigin + due;
}

export async function replayWebhooks<T extends WebhookDelivery>(
  baseUrl: string,
  deliveries: Iterable<T>,
  options: ReplayOptions<T> = {},
): Promise<ReplayResult<T>[]> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("concurrency must be a positive integer");
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) throw new RangeError("ratePerSecond must be positive");
  const iterator = deliveries[Symbol.iterator]();
  const results: ReplayResult<T>[] = [];
  const startedAt = performance.now();
  let index = 0;

  const sender = async () => {
    for (;;) {
      if (options.signal?.aborted) return;
      const next = iterator.next();
      if (next.done) return;
      const slot = index++;
      const scheduledAt = await waitForSlot(startedAt, slot, options.ratePerSecond);
      const result: ReplayResult<T> = { delivery: next.value, sentAt: performance.timeOrigin + performance.now(), scheduledAt };
      try {
        result.ack = await sendWebhook(baseUrl, next.value, options);
      } catch (error) {
        result.error = error as Error;
      }
      results.push(result);
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return results;
}
