/// <reference types="@shopify/ui-extensions/customer-account.profile.block.render" />
// The profile block links to the loyalty page, in the customer's language.
import { getExtension } from "@shopify/ui-extensions-tester";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, test } from "vitest";
import { translator } from "../../test-support/i18n";

const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const extension = getExtension("customer-account.profile.block.render");

beforeEach(() => extension.setUp());
afterEach(() => extension.tearDown());

const href = (element: unknown) => {
  const e = element as (Element & { href?: string }) | null;
  return e?.getAttribute("href") ?? e?.href;
};

test("links to the full-page extension loyalty-page", async () => {
  extension.shopify.i18n.translate = translator(EXTENSION_DIR, "en") as typeof extension.shopify.i18n.translate;
  await extension.render();
  const button = document.body.querySelector("s-button")!;
  expect(href(button)).toBe("extension:loyalty-page/");
  expect(button.textContent).toBe("View my rewards");
  expect(document.body.querySelector("s-section")?.getAttribute("heading")).toBe("Loyalty rewards");
});

test("in Thai", async () => {
  extension.shopify.i18n.translate = translator(EXTENSION_DIR, "th") as typeof extension.shopify.i18n.translate;
  await extension.render();
  expect(document.body.querySelector("s-button")?.textContent).toBe("ดูสิทธิพิเศษของฉัน");
  expect(href(document.body.querySelector("s-button"))).toBe("extension:loyalty-page/");
});
