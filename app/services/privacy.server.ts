import { z } from "zod";
import { localDayBounds, parseLocalDate } from "~/domain/time";
import { recordAudit } from "~/models/audit-log.server";
import { auditLogFacets, searchAuditLog } from "~/models/audit-log-search.server";
import { getCustomerDataExport, listCustomerDataExports } from "~/models/customer-data-export.server";
import { getShop } from "~/models/shop.server";

// The Privacy page (/app/privacy): customer data exports to download and the audit log. Reading an
// export is itself audit-logged: it holds a customer's personal data.

const localDate = z.string().refine((v) => parseLocalDate(v) !== null, "date");
const id = z.string().regex(/^\d{1,19}$/);

export const privacyQuerySchema = z.object({
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(200).optional(),
  from: localDate.optional(),
  to: localDate.optional(),
  before: id.optional(),
  after: id.optional(),
  exportsBefore: z.string().max(64).optional(),
});

export type PrivacyQuery = z.output<typeof privacyQuerySchema>;

/** The page's query string, each bad parameter dropped (a stale link still shows the log). */
export function parsePrivacyQuery(params: URLSearchParams): { query: PrivacyQuery; ignored: string[] } {
  const query: Record<string, string> = {};
  const ignored: string[] = [];
  for (const key of Object.keys(privacyQuerySchema.shape) as (keyof PrivacyQuery)[]) {
    const value = params.get(key);
    if (value === null || value.trim() === "") continue;
    const field = privacyQuerySchema.shape[key].safeParse(value);
    if (field.success && field.data !== undefined) query[key] = field.data;
    else ignored.push(key);
  }
  return { query, ignored };
}

export async function loadPrivacyPage(shop: string, query: PrivacyQuery) {
  const shopRow = await getShop(shop);
  const timeZone = shopRow?.ianaTimezone ?? "UTC";
  // Dates are the shop's calendar days: "to" includes its whole day.
  const from = query.from ? localDayBounds(query.from, timeZone).start : undefined;
  const to = query.to ? localDayBounds(query.to, timeZone).end : undefined;
  const [exportsPage, auditPage, facets] = await Promise.all([
    listCustomerDataExports(shop, { before: query.exportsBefore }),
    searchAuditLog(
      shop,
      { action: query.action, actor: query.actor, from, to },
      { before: query.before ? BigInt(query.before) : undefined, after: query.after && !query.before ? BigInt(query.after) : undefined },
    ),
    auditLogFacets(shop),
  ]);
  return {
    timeZone,
    filters: { action: query.action ?? "", actor: query.actor ?? "", from: query.from ?? "", to: query.to ?? "" },
    facets,
    exports: exportsPage.exports.map((e) => ({
      id: e.id,
      customerId: e.customerId.toString(),
      dataRequestId: e.dataRequestId,
      createdAt: e.createdAt.toISOString(),
    })),
    exportsNextCursor: exportsPage.nextCursor,
    audit: auditPage.entries.map((entry) => ({
      id: entry.id.toString(),
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: entry.details,
      createdAt: entry.createdAt.toISOString(),
    })),
    auditOlderCursor: auditPage.olderCursor?.toString() ?? null,
    auditNewerCursor: auditPage.newerCursor?.toString() ?? null,
  };
}

/** The export as a JSON file, audit-logged with the staff user; null when the shop has no such export. */
export async function downloadCustomerDataExport(shop: string, exportId: string, actor: string) {
  const found = await getCustomerDataExport(shop, exportId);
  if (!found) return null;
  await recordAudit(shop, {
    actor,
    action: "customer.data_export_downloaded",
    subjectType: "customer",
    subjectId: found.customerId.toString(),
    details: { exportId: found.id, dataRequestId: found.dataRequestId },
  });
  const day = found.createdAt.toISOString().slice(0, 10);
  return {
    filename: `loyalnest-customer-${found.customerId}-${day}.json`,
    body: `${JSON.stringify(found.document, null, 2)}\n`,
  };
}
