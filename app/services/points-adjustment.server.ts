import { z } from "zod";
import * as ledger from "~/models/ledger.server";
import { InsufficientPointsError, LedgerConflictError } from "~/models/ledger-errors";
import { recordAudit } from "~/models/audit-log.server";
import { getMember } from "~/models/member.server";

export const MAX_ADJUSTMENT = 1_000_000;

/** The admin form. `requestId` is minted when the form renders: a double submit adjusts once. */
export const adjustmentSchema = z.object({
  points: z.coerce
    .number({ error: "points.invalid" })
    .int("points.whole")
    .refine((n) => n !== 0, "points.zero")
    .refine((n) => Math.abs(n) <= MAX_ADJUSTMENT, "points.tooLarge"),
  reason: z.string().trim().min(3, "reason.short").max(500, "reason.long"),
  requestId: z.uuid("requestId.invalid"),
});

export type AdjustmentInput = z.infer<typeof adjustmentSchema>;

export type AdjustmentOutcome =
  | { ok: true; entryId: string; points: number; replayed: boolean }
  | { ok: false; status: 404 | 409 | 422; errors: Record<string, string>; available?: number };

/** Adds or removes points by hand, audit-logged with the staff user who did it. */
export async function adjustMemberPoints(shop: string, memberId: string, input: AdjustmentInput, actor: string): Promise<AdjustmentOutcome> {
  const member = await getMember(shop, memberId);
  if (!member) return { ok: false, status: 404, errors: { form: "member.notFound" } };
  const meta = { idempotencyKey: `adjust:${input.requestId}`, reason: input.reason, actor };
  try {
    const { entry, replayed } =
      input.points > 0
        ? await ledger.credit(shop, memberId, { ...meta, kind: "ADJUST", points: input.points })
        : await ledger.debit(shop, memberId, { ...meta, kind: "ADJUST", points: -input.points });
    if (!replayed) {
      await recordAudit(shop, {
        actor,
        action: "points.adjusted",
        subjectType: "member",
        subjectId: memberId,
        details: { points: input.points, reason: input.reason, entryId: entry.id.toString() },
      });
    }
    return { ok: true, entryId: entry.id.toString(), points: input.points, replayed };
  } catch (error) {
    if (error instanceof InsufficientPointsError) {
      return { ok: false, status: 422, errors: { points: "points.insufficient" }, available: error.available };
    }
    if (error instanceof LedgerConflictError) {
      // The same form was submitted again with other values: ask for a fresh form.
      return { ok: false, status: 409, errors: { form: "form.stale" } };
    }
    throw error;
  }
}
