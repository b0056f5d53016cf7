-- CreateEnum
CREATE TYPE "OrderEarningStatus" AS ENUM ('PENDING', 'POSTED', 'NO_POINTS', 'GUEST', 'CANCELLED');

-- AlterTable
ALTER TABLE "ProcessedWebhook" ADD COLUMN     "payload" JSONB,
ADD COLUMN     "processedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "OrderEarning" (
    "shop" TEXT NOT NULL,
    "orderId" BIGINT NOT NULL,
    "orderName" TEXT,
    "customerId" BIGINT,
    "memberId" TEXT,
    "status" "OrderEarningStatus" NOT NULL,
    "orderedAt" TIMESTAMP(3) NOT NULL,
    "currencyCode" TEXT NOT NULL,
    "eligibleBase" TEXT NOT NULL DEFAULT '0',
    "points" INTEGER NOT NULL DEFAULT 0,
    "trace" JSONB NOT NULL DEFAULT '[]',
    "basis" JSONB,
    "guestOrder" JSONB,
    "earnEntryId" BIGINT,
    "availableAt" TIMESTAMP(3),
    "guestEmailHash" TEXT,
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderEarning_pkey" PRIMARY KEY ("shop","orderId")
);

-- CreateTable
CREATE TABLE "OrderRefund" (
    "shop" TEXT NOT NULL,
    "refundId" BIGINT NOT NULL,
    "orderId" BIGINT NOT NULL,
    "document" JSONB NOT NULL,
    "base" TEXT,
    "pointsReversed" INTEGER,
    "clawbackEntryId" BIGINT,
    "appliedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OrderRefund_pkey" PRIMARY KEY ("shop","refundId")
);

-- CreateTable
CREATE TABLE "CustomerDataExport" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" BIGINT NOT NULL,
    "dataRequestId" TEXT,
    "document" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerDataExport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OrderEarning_shop_memberId_orderedAt_idx" ON "OrderEarning"("shop", "memberId", "orderedAt");

-- CreateIndex
CREATE INDEX "OrderEarning_shop_guestEmailHash_idx" ON "OrderEarning"("shop", "guestEmailHash");

-- CreateIndex
CREATE INDEX "OrderEarning_status_availableAt_idx" ON "OrderEarning"("status", "availableAt");

-- CreateIndex
CREATE INDEX "OrderRefund_shop_orderId_idx" ON "OrderRefund"("shop", "orderId");

-- CreateIndex
CREATE INDEX "CustomerDataExport_shop_createdAt_idx" ON "CustomerDataExport"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "CustomerDataExport_shop_customerId_idx" ON "CustomerDataExport"("shop", "customerId");

-- AddForeignKey
ALTER TABLE "OrderEarning" ADD CONSTRAINT "OrderEarning_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderRefund" ADD CONSTRAINT "OrderRefund_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerDataExport" ADD CONSTRAINT "CustomerDataExport_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;


