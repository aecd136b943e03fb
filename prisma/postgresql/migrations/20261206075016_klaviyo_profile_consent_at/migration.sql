-- AlterTable
ALTER TABLE "KlaviyoProfile" ADD COLUMN     "consentAt" TIMESTAMP(3);

