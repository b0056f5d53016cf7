import type { Prisma } from "@prisma/client";
import { guestEmailHash } from "~/domain/customer";
import { parseCustomerPrivacyRequest } from "~/domain/privacy-request";
import { recordAudit } from "~/models/audit-log.server";
import { createCustomerDataExport, deleteCustomerDataExports } from "~/models/customer-data-export.server";
import { entriesForMember, purgeShopLedger } from "~/models/ledger.server";
import { findMemberByCustomerId, redactMember } from "~/models/member.server";
import { orderEarningsForCustomer, redactCustomerOrders, refundsForOrders } from "~/models/order-earning.server";
import { deleteShopRecords } from "~/models/shop.server";
import { transaction } from "~/models/sql.server";
import { deleteShopDeliveries, forgetCustomerInDeliveries } from "~/models/webhook-delivery.server";

// Shopify's mandatory privacy webhooks. Exports and redactions are audit-logged without the
// personal data itself.

const json = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))) as Prisma.InputJsonValue;

/** customers/data_request: everything we hold on the customer, stored for the merchant to download. */
export async function exportCustomerData(shop: string, payload: unknown, now = new Date()) {
  const { customerId, email, orderIds, requestId } = parseCustomerPrivacyRequest(payload);
  const member = await findMemberByCustomerId(shop, customerId);
  const hash = email ? guestEmailHash(shop, email) : null;
  const [entries, earnings, refunds] = await Promise.all([
    member ? entriesForMember(shop, member.id) : [],
    orderEarningsForCustomer(shop, { memberId: member?.id ?? null, customerId, guestEmailHash: hash, orderIds }),
    refundsForOrders(shop, orderIds),
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
  const created = await createCustomerDataExport(shop, { customerId, dataRequestId: requestId, document });
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
  const { customerId, email, orderIds } = parseCustomerPrivacyRequest(payload);
  const hash = email ? guestEmailHash(shop, email) : null;
  await transaction(async (tx) => {
    await Promise.all([
      redactMember(shop, customerId, tx),
      redactCustomerOrders(shop, { customerId, guestEmailHash: hash, orderIds }, tx),
      // Exports were made for the customer's own request; they hold the very data being erased.
      deleteCustomerDataExports(shop, customerId, tx),
      // Unprocessed deliveries still carry bodies; drop those that name this customer.
      forgetCustomerInDeliveries(shop, customerId, tx),
    ]);
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
  await transaction(async (tx) => {
    await purgeShopLedger(shop, tx);
    await deleteShopRecords(shop, tx);
    // The shop/redact deliveries stay (see deleteShopDeliveries).
    await deleteShopDeliveries(shop, tx);
  });
}
