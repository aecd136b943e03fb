-- AlterTable
ALTER TABLE "KlaviyoProfile" ADD COLUMN "consentAt" DATETIME;

