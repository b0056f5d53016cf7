import { readdirSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as queueModule from "~/jobs/queue.server";
import { getJob } from "~/jobs/registry.server";
import type { AnyJobDefinition } from "~/jobs/types";
import { loadWebhookDelivery } from "~/models/webhook-delivery.server";
import "~/jobs/index.server";
import { action as ordersPaid } from "~/routes/webhooks.orders.paid";
import { createTestShop, prisma } from "../helpers/db";
import { useIsolatedJobQueue } from "../helpers/jobs";
import { signedWebhookRequest } from "../helpers/webhooks";

const queue = useIsolatedJobQueue();
const orderBody = readFileSync("tests/fixtures/orders/orders-paid-exact-ids.json", "utf8");

async function callRoute(action: typeof ordersPaid, request: Request): Promise<Response> {
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    // Remix turns a thrown Response into the HTTP response.
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function waitingWebhookJobs() {
  return (await queue().queueCounts()).webhooks.waiting;
}

describe("webhook routes", () => {
  afterEach(() => vi.restoreAllMocks());

  it("refuses a forged HMAC with 401 and writes nothing", async () => {
    const { domain: shop } = await createTestShop();
    const before = await waitingWebhookJobs();
    const forged = signedWebhookRequest({ shop, topic: "orders/paid", body: orderBody, secret: "not-the-app-secret" });
    const response = await callRoute(ordersPaid, forged);
    expect(response.status).toBe(401);
    expect(await prisma.processedWebhook.count({ where: { shop } })).toBe(0);
    expect(await waitingWebhookJobs()).toBe(before);
  });

  it("refuses a body altered after signing", async () => {
    const { domain: shop } = await createTestShop();
    const signed = signedWebhookRequest({ shop, topic: "orders/paid", body: orderBody });
    const tampered = new Request(signed.url, {
      method: "POST",
      headers: signed.headers,
      body: orderBody.replace('"total_price": "424.95"', '"total_price": "99424.95"'),
    });
    expect((await callRoute(ordersPaid, tampered)).status).toBe(401);
    expect(await prisma.processedWebhook.count({ where: { shop } })).toBe(0);
  });

  it("stores a signed delivery with exact 18-digit ids and enqueues ids only", async () => {
    const { domain: shop } = await createTestShop();
    const webhookId = randomUUID();
    const response = await callRoute(ordersPaid, signedWebhookRequest({ shop, topic: "orders/paid", body: orderBody, webhookId }));
    expect(response.status).toBe(200);
    // Stored byte for byte as signed, and read back exactly by what the job uses.
    const [stored] = await prisma.$queryRaw<{ payload: string }[]>`
      SELECT "payload" FROM "ProcessedWebhook" WHERE "shop" = ${shop} AND "webhookId" = ${webhookId}`;
    expect(stored.payload).toBe(orderBody);
    const row = await loadWebhookDelivery(shop, webhookId);
    expect(row?.topic).toBe("orders/paid");
    const payload = row?.payload as { id: unknown; customer: { id: unknown }; line_items: { id: unknown }[] };
    expect(String(payload.id)).toBe("820982911946154508");
    expect(String(payload.customer.id)).toBe("115310627314723954");
    expect(String(payload.line_items[0].id)).toBe("487817672276298554");
    const status = await queue().getJobStatus("webhooks", `earn-points-for-order:webhook:${shop}:${webhookId}`);
    expect(status?.state).toBe("waiting");
    const job = await queue().backend.bullQueue?.("webhooks").getJob(`earn-points-for-order:webhook:${shop}:${webhookId}`);
    expect(job?.data).toEqual({ shop, webhookId });
  });

  it("acknowledges replays (sequential and concurrent) with one stored delivery and one job", async () => {
    const { domain: shop } = await createTestShop();
    const webhookId = randomUUID();
    const before = await waitingWebhookJobs();
    const deliver = () => callRoute(ordersPaid, signedWebhookRequest({ shop, topic: "orders/paid", body: orderBody, webhookId }));
    for (let i = 0; i < 3; i++) expect((await deliver()).status).toBe(200);
    const parallel = await Promise.all(Array.from({ length: 5 }, deliver));
    expect(parallel.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await prisma.processedWebhook.count({ where: { shop } })).toBe(1);
    expect(await waitingWebhookJobs()).toBe(before + 1);
  });

  it("does not enqueue again once the delivery was processed", async () => {
    const { domain: shop } = await createTestShop();
    const webhookId = randomUUID();
    await prisma.processedWebhook.create({ data: { shop, webhookId, topic: "orders/paid", processedAt: new Date() } });
    const before = await waitingWebhookJobs();
    const response = await callRoute(ordersPaid, signedWebhookRequest({ shop, topic: "orders/paid", body: orderBody, webhookId }));
    expect(response.status).toBe(200);
    expect(await waitingWebhookJobs()).toBe(before);
  });

  it("fails (so Shopify retries) instead of answering 200 when the queue is down", async () => {
    const { domain: shop } = await createTestShop();
    vi.spyOn(queueModule, "enqueue").mockRejectedValue(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
    await expect(
      callRoute(ordersPaid, signedWebhookRequest({ shop, topic: "orders/paid", body: orderBody })),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("shopify.app.toml and the webhook routes", () => {
  const toml = readFileSync("shopify.app.toml", "utf8");
  const subscriptions = [...toml.matchAll(/^\s*(?:compliance_)?topics\s*=\s*\[([^\]]*)\]\s*\n\s*uri\s*=\s*"([^"]+)"/gm)].map(
    (m) => ({ topics: [...m[1].matchAll(/"([^"]+)"/g)].map((t) => t[1]), uri: m[2] }),
  );
  const routeFiles = readdirSync("app/routes").filter((f) => f.startsWith("webhooks."));

  it("declares every topic the app needs, compliance topics included, one route each", () => {
    const topics = subscriptions.flatMap((s) => s.topics).sort();
    expect(topics).toEqual(
      [
        "app/scopes_update", "app/uninstalled", "customers/create", "customers/data_request", "customers/redact",
        "customers/update", "orders/cancelled", "orders/fulfilled", "orders/paid", "refunds/create", "shop/redact",
      ].sort(),
    );
    for (const s of subscriptions) {
      expect(s.topics).toHaveLength(1);
      expect(s.uri).toBe(`/webhooks/${s.topics[0]}`);
    }
    expect(routeFiles.length).toBe(subscriptions.length);
  });

  it("has a route for every subscription that enqueues a registered webhook job", async () => {
    for (const s of subscriptions) {
      const file = `webhooks.${s.topics[0].replace("/", ".")}.tsx`;
      expect(routeFiles).toContain(file);
      const source = readFileSync(`app/routes/${file}`, "utf8");
      // The route passes a job definition imported from its job file, never a name.
      const [, jobConst, jobModule] = /import \{ (\w+) \} from "~\/jobs\/([\w.-]+)";[\s\S]*acceptWebhook\(request, \1\)/.exec(source) ?? [];
      expect(jobConst, file).toBeTruthy();
      const job = (await import(`../../app/jobs/${jobModule}.ts`))[jobConst] as AnyJobDefinition;
      expect(job.queue, file).toBe("webhooks");
      expect(getJob(job.name), `${file} → ${job.name}`).toBe(job);
    }
  });

  it("has a '# Handled by:' comment naming the route of each subscription", () => {
    for (const s of subscriptions) {
      expect(toml).toContain(`# Handled by: app/routes/webhooks.${s.topics[0].replace("/", ".")}.tsx`);
    }
  });
});
