-- The overview's revenue by members vs other customers, the members list's activity filters, and
-- the indexes that keep both fast at 100,000 members (bench/admin-pages.ts).

-- AlterTable: the order's total in shop money as charged. eligibleBase is not revenue: it follows
-- the program's settings (shipping, taxes and discounts in or out) and is 0 for guests.
ALTER TABLE "OrderEarning" ADD COLUMN "orderTotal" DECIMAL(20,3);

-- Orders recorded before this column keep their total in the personal-data-free snapshot (guest
-- orders, and member orders since the program preview); older ones stay unknown (null).
UPDATE "OrderEarning"
SET "orderTotal" = (COALESCE("orderSnapshot", "guestOrder") -> 'totals' ->> 'total')::numeric
WHERE (COALESCE("orderSnapshot", "guestOrder") -> 'totals' ->> 'total') ~ '^-?[0-9]{1,17}(\.[0-9]{1,3})?$';

-- AlterTable: when the member last placed an order (the order's processed_at, the business time)
-- or redeemed points (the hold's recording time, which is when the redemption happened).
ALTER TABLE "Member" ADD COLUMN "lastActivityAt" TIMESTAMP(3);

UPDATE "Member" m
SET "lastActivityAt" = a."at"
FROM (
  SELECT "shop", "memberId", max("at") AS "at" FROM (
    SELECT "shop", "memberId", "orderedAt" AS "at" FROM "OrderEarning" WHERE "memberId" IS NOT NULL
    UNION ALL
    SELECT "shop", "memberId", "createdAt" FROM "LedgerEntry" WHERE "kind" = 'REDEEM_HOLD'
  ) activity
  GROUP BY "shop", "memberId"
) a
WHERE m."shop" = a."shop" AND m."id" = a."memberId";

-- Kept by triggers, so that every writer (order earning, guest orders credited at signup,
-- redemptions) keeps it without knowing about it. Only ever moves forward, and writes nothing
-- when it would not change.
CREATE FUNCTION "member_touch_activity"() RETURNS trigger AS $$
DECLARE
  activity_at TIMESTAMP(3);
BEGIN
  IF TG_TABLE_NAME = 'OrderEarning' THEN
    activity_at := NEW."orderedAt";
  ELSE
    activity_at := NEW."createdAt";
  END IF;
  UPDATE "Member" SET "lastActivityAt" = activity_at
  WHERE "shop" = NEW."shop" AND "id" = NEW."memberId"
    AND ("lastActivityAt" IS NULL OR "lastActivityAt" < activity_at);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "OrderEarning_member_activity"
  AFTER INSERT OR UPDATE OF "memberId", "orderedAt" ON "OrderEarning"
  FOR EACH ROW WHEN (NEW."memberId" IS NOT NULL)
  EXECUTE FUNCTION "member_touch_activity"();

CREATE TRIGGER "LedgerEntry_member_activity"
  AFTER INSERT ON "LedgerEntry"
  FOR EACH ROW WHEN (NEW."kind" = 'REDEEM_HOLD')
  EXECUTE FUNCTION "member_touch_activity"();

-- CreateIndex: the members list's order (enrolled, newest first) and keyset pagination.
CREATE INDEX "Member_shop_enrolledAt_id_idx" ON "Member"("shop", "enrolledAt", "id");

-- CreateIndex: the activity filters.
CREATE INDEX "Member_shop_lastActivityAt_idx" ON "Member"("shop", "lastActivityAt");

-- CreateIndex: orders by the day they were placed (revenue, active members, points by order day).
CREATE INDEX "OrderEarning_shop_orderedAt_memberId_idx" ON "OrderEarning"("shop", "orderedAt", "memberId");

-- Partial, covering indexes for the ledger's analytics reads (app/models/ledger.server.ts); Prisma's
-- schema cannot express them. Each holds only the rows its query reads, so the ledger's writes pay
-- at most one small index insertion for them.
-- Points an order issued or took back (the earning, a voided pending earning, a reversal), found
-- from the orders placed in a period.
CREATE INDEX "LedgerEntry_order_issuing_idx" ON "LedgerEntry" ("shop", "orderId") INCLUDE ("kind", "status", "points")
  WHERE "orderId" IS NOT NULL AND "kind" IN ('EARN', 'REVERSAL') AND ("pendingId" IS NULL OR "status" = 'VOIDED');
-- Every other entry (action points, adjustments, redemptions, expiries) by recording time.
CREATE INDEX "LedgerEntry_unordered_by_time_idx" ON "LedgerEntry" ("shop", "createdAt") INCLUDE ("kind", "status", "points", "pendingId", "memberId")
  WHERE "orderId" IS NULL OR "kind" NOT IN ('EARN', 'REVERSAL');
