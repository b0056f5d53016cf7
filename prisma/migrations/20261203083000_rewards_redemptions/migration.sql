-- CreateEnum
CREATE TYPE "RewardType" AS ENUM ('FIXED_AMOUNT', 'PERCENTAGE', 'FREE_SHIPPING', 'FREE_PRODUCT', 'POINTS_SLIDER');

-- CreateEnum
CREATE TYPE "RedemptionStatus" AS ENUM ('ISSUING', 'ISSUED', 'USED', 'EXPIRED', 'RETURNED', 'FAILED');

-- CreateTable
CREATE TABLE "Reward" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "type" "RewardType" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "pointsCost" INTEGER,
    "amount" TEXT,
    "percentage" INTEGER,
    "maxAmount" TEXT,
    "variantId" BIGINT,
    "productTitle" TEXT,
    "sliderPointsPerUnit" INTEGER,
    "sliderUnitAmount" TEXT,
    "sliderStep" INTEGER,
    "sliderMin" INTEGER,
    "sliderMax" INTEGER,
    "minimumSubtotal" TEXT,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "stockTotal" INTEGER,
    "issuedCount" INTEGER NOT NULL DEFAULT 0,
    "perCustomerLimit" INTEGER,
    "codeExpiryDays" INTEGER NOT NULL DEFAULT 30,
    "combinesWithOrder" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithProduct" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithShipping" BOOLEAN NOT NULL DEFAULT true,
    "tierId" TEXT,
    "title" JSONB NOT NULL,
    "description" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Reward_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Redemption" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "rewardId" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "status" "RedemptionStatus" NOT NULL,
    "discountConfig" JSONB NOT NULL,
    "title" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "codeCipher" TEXT NOT NULL,
    "holdEntryId" BIGINT NOT NULL,
    "discountId" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "orderId" BIGINT,
    "usedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "failure" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Redemption_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reward_shop_enabled_idx" ON "Reward"("shop", "enabled");

-- CreateIndex
CREATE UNIQUE INDEX "Reward_shop_id_key" ON "Reward"("shop", "id");

-- CreateIndex
CREATE INDEX "Redemption_shop_memberId_rewardId_idx" ON "Redemption"("shop", "memberId", "rewardId");

-- CreateIndex
CREATE INDEX "Redemption_shop_orderId_idx" ON "Redemption"("shop", "orderId");

-- CreateIndex
CREATE INDEX "Redemption_status_expiresAt_idx" ON "Redemption"("status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shop_id_key" ON "Redemption"("shop", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shop_requestKey_key" ON "Redemption"("shop", "requestKey");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shop_codeHash_key" ON "Redemption"("shop", "codeHash");

-- AddForeignKey
ALTER TABLE "Reward" ADD CONSTRAINT "Reward_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_shop_memberId_fkey" FOREIGN KEY ("shop", "memberId") REFERENCES "Member"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_shop_rewardId_fkey" FOREIGN KEY ("shop", "rewardId") REFERENCES "Reward"("shop", "id") ON DELETE NO ACTION ON UPDATE CASCADE;



-- Guards beside the application's checks: stock can never be oversold, nothing goes negative.
ALTER TABLE "Reward" ADD CONSTRAINT "Reward_issuedCount_check"
  CHECK ("issuedCount" >= 0 AND ("stockTotal" IS NULL OR "issuedCount" <= "stockTotal"));
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_points_check" CHECK ("points" > 0);
