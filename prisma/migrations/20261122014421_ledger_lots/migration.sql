-- DropForeignKey
ALTER TABLE "LedgerEntry" DROP CONSTRAINT "LedgerEntry_reversesId_fkey";

-- AlterTable
ALTER TABLE "LedgerEntry" ADD COLUMN     "pendingId" BIGINT,
ADD COLUMN     "shortfall" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "LedgerLotAllocation" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "entryId" BIGINT NOT NULL,
    "lotEntryId" BIGINT NOT NULL,
    "points" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerLotAllocation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LedgerLotAllocation_shop_lotEntryId_idx" ON "LedgerLotAllocation"("shop", "lotEntryId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerLotAllocation_shop_entryId_lotEntryId_key" ON "LedgerLotAllocation"("shop", "entryId", "lotEntryId");

-- CreateIndex
CREATE INDEX "LedgerEntry_shop_reversesId_idx" ON "LedgerEntry"("shop", "reversesId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_shop_id_key" ON "LedgerEntry"("shop", "id");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_shop_pendingId_key" ON "LedgerEntry"("shop", "pendingId");

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_shop_reversesId_fkey" FOREIGN KEY ("shop", "reversesId") REFERENCES "LedgerEntry"("shop", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_shop_pendingId_fkey" FOREIGN KEY ("shop", "pendingId") REFERENCES "LedgerEntry"("shop", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerLotAllocation" ADD CONSTRAINT "LedgerLotAllocation_shop_entryId_fkey" FOREIGN KEY ("shop", "entryId") REFERENCES "LedgerEntry"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerLotAllocation" ADD CONSTRAINT "LedgerLotAllocation_shop_lotEntryId_fkey" FOREIGN KEY ("shop", "lotEntryId") REFERENCES "LedgerEntry"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: guarantees Prisma's schema language cannot express (not part of the diff).

-- The sign convention, enforced: `points` is signed from the member's side (+ towards them,
-- - away from them) and each kind has one shape (app/models/ledger.server.ts, balanceEffect).
-- Resolutions (pendingId) post, capture or void a PENDING entry; only a REVERSAL names reversesId;
-- only a REVERSAL may record a shortfall (points the member had already spent).
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_shape" CHECK (
  CASE "kind"
    WHEN 'EARN' THEN "points" > 0 AND (
      ("status" = 'PENDING' AND "pendingId" IS NULL) OR "status" = 'POSTED'
      OR ("status" = 'VOIDED' AND "pendingId" IS NOT NULL))
    WHEN 'ADJUST' THEN "status" = 'POSTED' AND "points" <> 0 AND "pendingId" IS NULL
    WHEN 'IMPORT' THEN "status" = 'POSTED' AND "points" > 0 AND "pendingId" IS NULL
    WHEN 'REFERRAL' THEN "status" = 'POSTED' AND "points" > 0 AND "pendingId" IS NULL
    WHEN 'CAMPAIGN' THEN "status" = 'POSTED' AND "points" > 0 AND "pendingId" IS NULL
    WHEN 'EXPIRE' THEN "status" = 'POSTED' AND "points" < 0 AND "pendingId" IS NULL
    WHEN 'REVERSAL' THEN "status" = 'POSTED' AND "points" <= 0 AND "pendingId" IS NULL
      AND "reversesId" IS NOT NULL AND ("points" < 0 OR "shortfall" > 0)
    WHEN 'REDEEM_HOLD' THEN "status" = 'PENDING' AND "points" < 0 AND "pendingId" IS NULL
    WHEN 'REDEEM_CAPTURE' THEN "status" = 'POSTED' AND "points" < 0 AND "pendingId" IS NOT NULL
    WHEN 'REDEEM_VOID' THEN "status" = 'VOIDED' AND "points" > 0 AND "pendingId" IS NOT NULL
    WHEN 'REDEEM_RETURN' THEN "status" = 'POSTED' AND "points" > 0 AND "pendingId" IS NULL AND "reversesId" IS NOT NULL
    ELSE false
  END
  AND "shortfall" >= 0
  AND ("shortfall" = 0 OR "kind" = 'REVERSAL')
  AND ("reversesId" IS NULL OR "kind" IN ('REVERSAL', 'REDEEM_RETURN'))
);

-- A captured redemption is given back at most once.
CREATE UNIQUE INDEX "LedgerEntry_one_return_per_capture" ON "LedgerEntry" ("shop", "reversesId") WHERE "kind" = 'REDEEM_RETURN';

ALTER TABLE "LedgerLotAllocation" ADD CONSTRAINT "LedgerLotAllocation_points_nonzero" CHECK ("points" <> 0);

-- Allocations are as append-only as the entries (a voided hold appends negated rows), and neither
-- table may be emptied by TRUNCATE, which row triggers do not see. Erasing a shop (GDPR
-- shop/redact) sets loyalnest.ledger_purge = 'on' in its transaction, as for LedgerEntry.
CREATE FUNCTION "ledger_append_only"() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('loyalnest.ledger_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "LedgerLotAllocation_append_only"
  BEFORE UPDATE OR DELETE ON "LedgerLotAllocation"
  FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();

CREATE TRIGGER "LedgerLotAllocation_no_truncate"
  BEFORE TRUNCATE ON "LedgerLotAllocation"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_append_only"();

CREATE TRIGGER "LedgerEntry_no_truncate"
  BEFORE TRUNCATE ON "LedgerEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_append_only"();
