import { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "~/db.server";
import { exactShopifyId } from "~/domain/payload";
import { TerminalJobError } from "~/jobs/errors";
import { recordAudit } from "~/models/audit-log.server";
import { findMemberByCustomerId, redactMember } from "~/models/member.server";
import { guestEmailHash } from "./customer-facts.server";

// Shopify's mandatory privacy webhooks. Exports and redactions are audit-logged without the
// personal data itself.

const customerRequest = z.object({
  customer: z.object({ id: z.unknown(), email: z.string().nullish() }),
  orders_requested: z.array(z.unknown()).nullish(),
  orders_to_redact: z.array(z.unknown()).nullish(),
  data_request: z.object({ id: z.unknown() }).nullish(),
});

function parseCustomerRequest(payload: unknown) {
  const parsed = customerRequest.safeParse(payload);
  if (!parsed.success) throw new TerminalJobError(`compliance payload: ${parsed.error.message}`);
  const id = exactShopifyId(parsed.data.customer.id, undefined, "Customer");
  if ("error" in id) throw new TerminalJobError(`compliance payload customer.id: ${id.error}`);
  const orderIds = (parsed.data.orders_requested ?? parsed.data.orders_to_redact ?? []).flatMap((o) => {
    const order = exactShopifyId(o, undefined, "Order");
    return "error" in order ? [] : [BigInt(order.id)];
  });
  const requestId = parsed.data.data_request ? String(parsed.data.data_request.id) : null;
  return { customerId: BigInt(id.id), email: parsed.data.customer.email ?? null, orderIds, requestId };
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));

/** customers/data_request: everything we hold on the customer, stored for the merchant to download. */
export async function exportCustomerData(shop: string, payload: unknown, now = new Date()) {
  const { customerId, email, orderIds, requestId } = parseCustomerRequest(payload);
  const member = await findMemberByCustomerId(shop, customerId);
  const hash = email ? guestEmailHash(shop, email) : null;
  const [entries, earnings, refunds] = await Promise.all([
    member ? prisma.ledgerEntry.findMany({ where: { shop, memberId: member.id }, orderBy: { id: "asc" } }) : [],
    prisma.orderEarning.findMany({
      where: {
        shop,
        OR: [
          ...(member ? [{ memberId: member.id }] : []),
          { customerId },
          ...(hash ? [{ guestEmailHash: hash }] : []),
          ...(orderIds.length ? [{ orderId: { in: orderIds } }] : []),
        ],
      },
      orderBy: { orderedAt: "asc" },
    }),
    orderIds.length ? prisma.orderRefund.findMany({ where: { shop, orderId: { in: orderIds } } }) : [],
  ]);
  const document = json({
    generatedAt: now.toISOString(),
    shop,
    customerId: customerId.toString(),
    dataRequestId: requestId,
    member: member && {
      email: member.email,
      firstName: member.firstName,
      lastName: member.lastName,
      birthday: member.birthday,
      tags: member.tags,
      emailMarketingConsent: member.emailMarketingConsent,
      state: member.state,
      enrolledAt: member.enrolledAt,
      balances: { available: member.pointsAvailable, pending: member.pointsPending, lifetimeEarned: member.lifetimeEarned },
    },
    pointsHistory: entries.map((e) => ({
      id: e.id, kind: e.kind, status: e.status, points: e.points, orderId: e.orderId, refundId: e.refundId,
      reason: e.reason, createdAt: e.createdAt, expiresAt: e.expiresAt,
    })),
    orders: earnings.map((o) => ({
      orderId: o.orderId, orderName: o.orderName, status: o.status, points: o.points, eligibleBase: o.eligibleBase,
      currencyCode: o.currencyCode, orderedAt: o.orderedAt, trace: o.trace,
    })),
    refunds: refunds.map((r) => ({ refundId: r.refundId, orderId: r.orderId, base: r.base, pointsReversed: r.pointsReversed })),
  });
  const created = await prisma.customerDataExport.create({
    data: { shop, customerId, dataRequestId: requestId, document },
  });
  await recordAudit(shop, {
    actor: "webhook:customers/data_request",
    action: "customer.data_exported",
    subjectType: "customer",
    subjectId: customerId.toString(),
    details: { exportId: created.id, dataRequestId: requestId, ledgerEntries: entries.length, orders: earnings.length },
  });
  return created;
}

/** customers/redact: erase personal data; keep the ledger amounts (the merchant's liability). */
export async function redactCustomer(shop: string, payload: unknown) {
  const { customerId, email, orderIds } = parseCustomerRequest(payload);
  const hash = email ? guestEmailHash(shop, email) : null;
  await prisma.$transaction(async (tx) => {
    await redactMember(shop, customerId, tx);
    await tx.orderEarning.updateMany({
      where: {
        shop,
        OR: [{ customerId }, ...(hash ? [{ guestEmailHash: hash }] : []), ...(orderIds.length ? [{ orderId: { in: orderIds } }] : [])],
      },
      data: { guestEmailHash: null, guestOrder: Prisma.DbNull, orderName: null },
    });
    // Exports were made for the customer's own request; they hold the very data being erased.
    await tx.customerDataExport.deleteMany({ where: { shop, customerId } });
    // Unprocessed deliveries still carry bodies; drop those that name this customer.
    await tx.$executeRaw`
      UPDATE "ProcessedWebhook" SET "payload" = NULL
      WHERE "shop" = ${shop} AND "payload" IS NOT NULL
        AND ("payload"->'customer'->>'id' = ${customerId.toString()} OR "payload"->>'id' = ${customerId.toString()})`;
  });
  await recordAudit(shop, {
    actor: "webhook:customers/redact",
    action: "customer.redacted",
    subjectType: "customer",
    subjectId: customerId.toString(),
    details: { orders: orderIds.length },
  });
}

/** shop/redact (48 h after uninstall): delete everything the shop had, the ledger included. */
export async function redactShop(shop: string) {
  await prisma.$transaction(async (tx) => {
    // The ledger's append-only triggers allow deletion only inside a shop erasure.
    await tx.$executeRaw`SELECT set_config('loyalnest.ledger_purge', 'on', true)`;
    await tx.shop.deleteMany({ where: { domain: shop } });
    await tx.session.deleteMany({ where: { shop } });
    await tx.auditLog.deleteMany({ where: { shop } });
    // The shop/redact deliveries stay (ids and dates only; their job clears the body): a replay
    // is then acknowledged as done instead of being stored again with nothing left to run it.
    await tx.processedWebhook.deleteMany({ where: { shop, topic: { not: "shop/redact" } } });
  });
}
