-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "accessProblem" TEXT;
ALTER TABLE "Shop" ADD COLUMN "parkedJobs" TEXT;

