-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "accessProblem" TEXT,
ADD COLUMN     "parkedJobs" TEXT;

