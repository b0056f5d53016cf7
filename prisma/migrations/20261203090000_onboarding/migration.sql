-- Onboarding progress, the program editor's version counter, and a personal-data-free order
-- snapshot kept with each member order (for the program preview).

-- AlterTable
ALTER TABLE "OrderEarning" ADD COLUMN     "orderSnapshot" JSONB;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "onboardingCompletedAt" TIMESTAMP(3),
ADD COLUMN     "onboardingSteps" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "programVersion" INTEGER NOT NULL DEFAULT 0;

-- Shops installed before onboarding existed already run their program: they are not asked to
-- set it up again.
UPDATE "Shop" SET "onboardingCompletedAt" = CURRENT_TIMESTAMP WHERE "programEnabled";
