import { z } from "zod";
import { calculatePurchasePoints, type EarningTrace } from "~/domain/earning";
import { formatMoneyAmount } from "~/domain/money";
import { normalizeOrderForEarning, OrderPayloadError, type EarningOrder } from "~/domain/order";
import { orderFromSnapshot } from "~/domain/order-snapshot";
import { defaultEarningProgram, programNeedsEnrichment, type EarningProgram } from "~/domain/program";
import { validateProgramInput, type TranslatableIssue } from "~/domain/program-issues";
import { validateProgramEdit, type ProgramSettings } from "~/domain/program-settings";
import { localDateKey, localDayBounds } from "~/domain/time";
import { findMemberForPreview, getOrderForPreview, listPreviewableOrders, memberPurchasePointsBetween } from "~/models/order-preview.server";
import { applyProgramChange, getProgramRecord } from "~/models/program.server";
import { AdminApiError } from "~/shopify/errors";
import { parseExactJson } from "~/utils/json.server";
import { enrichOrderForProgram, type OrderEnrichmentDeps } from "./order-enrichment.server";
import { interactiveGatewayForShop, NoOfflineSessionError } from "./shop-gateway.server";

// The program editor (/app/program): load the program, save a new one atomically, and preview
// what unsaved rules would give on a past or pasted order — with the engine itself, so the
// preview and the real earning cannot disagree.

/** Largest order JSON a merchant may paste (a 250-line order is about 300 KB). */
export const MAX_PREVIEW_JSON_LENGTH = 1_000_000;

export interface ProgramEditorData {
  program: EarningProgram;
  /** True when the stored program no longer parses: the editor starts from the defaults. */
  storedProgramInvalid: boolean;
  settings: ProgramSettings;
  version: number;
  programEnabled: boolean;
  currencyCode: string;
  timezone: string;
  previewOrders: { orderId: string; orderName: string | null; orderedAt: string; status: string; points: number }[];
}

export async function loadProgramEditor(shop: string): Promise<ProgramEditorData | null> {
  const [record, orders] = await Promise.all([getProgramRecord(shop), listPreviewableOrders(shop)]);
  if (!record) return null;
  return {
    program: record.program ?? defaultEarningProgram(),
    storedProgramInvalid: record.program === null,
    settings: record.settings,
    version: record.version,
    programEnabled: record.programEnabled,
    currencyCode: record.currencyCode,
    timezone: record.ianaTimezone,
    previewOrders: orders.map((o) => ({
      orderId: o.orderId.toString(),
      orderName: o.orderName,
      orderedAt: o.orderedAt.toISOString(),
      status: o.status,
      points: o.points,
    })),
  };
}

const saveBody = z.object({ version: z.int().min(0), program: z.unknown(), settings: z.unknown() });

export type SaveOutcome =
  | { status: 200; ok: true; version: number; changed: number }
  | { status: 422; ok: false; issues: TranslatableIssue[] }
  | { status: 409; ok: false; error: "conflict"; version: number }
  | { status: 404; ok: false; error: "not_found" };

/** Validates the whole submission first: a wrong value anywhere saves nothing. */
export async function saveProgramEdit(shop: string, body: unknown, actor: string): Promise<SaveOutcome> {
  const envelope = saveBody.safeParse(body);
  if (!envelope.success) return { status: 422, ok: false, issues: [{ path: "form", code: "invalid", params: {} }] };
  const validation = validateProgramEdit(envelope.data);
  if (!validation.success) return { status: 422, ok: false, issues: validation.issues };
  const result = await applyProgramChange(shop, actor, {
    expectedVersion: envelope.data.version,
    program: validation.edit.program,
    settings: validation.edit.settings,
    source: "program_editor",
  });
  if (result.status === "not_found") return { status: 404, ok: false, error: "not_found" };
  if (result.status === "conflict") return { status: 409, ok: false, error: "conflict", version: result.version };
  return { status: 200, ok: true, version: result.version, changed: result.changes.length };
}

const previewBody = z.object({
  program: z.unknown(),
  source: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("order"), orderId: z.string().regex(/^\d{1,20}$/) }),
    z.object({ kind: z.literal("json"), json: z.string().max(MAX_PREVIEW_JSON_LENGTH) }),
  ]),
});

export type PreviewError = "order_not_found" | "invalid_json" | "invalid_order" | "shopify_unavailable" | "invalid_request";

export type PreviewOutcome =
  | {
      status: 200;
      ok: true;
      preview: {
        points: number;
        base: string;
        currency: string;
        trace: EarningTrace;
        orderName: string | null;
        programEnabled: boolean;
        /** What the order earned when it arrived (picked orders only). */
        earnedBefore: { points: number; status: string } | null;
      };
    }
  | { status: 422; ok: false; issues: TranslatableIssue[] }
  | { status: 404 | 422 | 503; ok: false; error: PreviewError; problems?: string[] };

/** The points and trace the submitted (unsaved) program gives an order. Writes nothing. */
export async function previewProgramEdit(shop: string, body: unknown, deps: OrderEnrichmentDeps = {}): Promise<PreviewOutcome> {
  const envelope = previewBody.safeParse(body);
  if (!envelope.success) return { status: 422, ok: false, error: "invalid_request" };
  const validation = validateProgramInput(envelope.data.program, "program");
  if (!validation.success) return { status: 422, ok: false, issues: validation.issues };
  const program = validation.program;
  const record = await getProgramRecord(shop);
  if (!record) return { status: 404, ok: false, error: "order_not_found" };

  let order: EarningOrder;
  let memberId: string | null = null;
  let memberTags: string[] = [];
  let earnedBefore: { points: number; status: string } | null = null;
  let orderName: string | null = null;
  const source = envelope.data.source;
  if (source.kind === "order") {
    const found = await getOrderForPreview(shop, BigInt(source.orderId));
    if (!found) return { status: 404, ok: false, error: "order_not_found" };
    const customer = found.member ? { id: found.member.shopifyCustomerId.toString(), tags: found.member.tags } : null;
    order = orderFromSnapshot(found.snapshot, customer);
    memberId = found.member?.id ?? null;
    memberTags = found.member?.tags ?? [];
    earnedBefore = { points: found.points, status: found.status };
    orderName = found.orderName;
  } else {
    let payload: unknown;
    try {
      payload = parseExactJson(source.json);
    } catch {
      return { status: 422, ok: false, error: "invalid_json" };
    }
    // The Admin REST API wraps an order as {"order": {...}}; webhooks send it bare.
    if (payload && typeof payload === "object" && "order" in payload && !("line_items" in payload)) payload = (payload as { order: unknown }).order;
    try {
      order = normalizeOrderForEarning(payload);
    } catch (error) {
      if (error instanceof OrderPayloadError) return { status: 422, ok: false, error: "invalid_order", problems: error.problems.slice(0, 20) };
      throw error;
    }
    orderName = order.name;
    if (order.customer && /^\d{1,20}$/.test(order.customer.id)) {
      const member = await findMemberForPreview(shop, BigInt(order.customer.id));
      memberId = member?.id ?? null;
      memberTags = member?.tags ?? [];
    }
  }

  const needs = programNeedsEnrichment(program);
  if (needs.productTags || needs.collectionIds) {
    try {
      // Tag and collection rules need the products' facts, which orders do not carry: one Admin lookup.
      order = await enrichOrderForProgram(shop, program, order, { gateway: deps.gateway ?? interactiveGatewayForShop });
    } catch (error) {
      if (error instanceof AdminApiError || error instanceof NoOfflineSessionError) return { status: 503, ok: false, error: "shopify_unavailable" };
      throw error;
    }
  }

  let pointsEarnedToday = 0;
  if (memberId && program.caps.perDayCap !== undefined) {
    const { start, end } = localDayBounds(localDateKey(order.processedAt, record.ianaTimezone), record.ianaTimezone);
    pointsEarnedToday = await memberPurchasePointsBetween(shop, memberId, start, end, BigInt(order.id));
  }
  const result = calculatePurchasePoints({
    order,
    program,
    // As the engine does: the order's customer tags when it has them, else the member's.
    customer: { tags: order.customer?.tags.length ? order.customer.tags : memberTags },
    shopTimezone: record.ianaTimezone,
    pointsEarnedToday,
    now: order.processedAt,
  });
  return {
    status: 200,
    ok: true,
    preview: {
      points: result.points,
      base: formatMoneyAmount(result.base),
      currency: order.currency,
      trace: result.trace,
      orderName,
      programEnabled: record.programEnabled,
      earnedBefore,
    },
  };
}
