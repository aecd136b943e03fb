/// <reference types="@shopify/ui-extensions/customer-account.profile.block.render" />
// The profile block shows the customer's points (the app's `$app.points` metafield through the Customer Account API)
// and links to the loyalty page, in the customer's language.
import { getExtension } from "@shopify/ui-extensions-tester";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { intlFormatters, translator } from "../../test-support/i18n";
import { CUSTOMER_ACCOUNT_API } from "../src/points";

const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const extension = getExtension("customer-account.profile.block.render");

beforeEach(() => {
  extension.setUp();
  Object.assign(extension.shopify.i18n, intlFormatters("en"));
  extension.fetch = vi.fn().mockResolvedValue(new Response(JSON.stringify({ data: { customer: { points: null } } })));
});

/** The Customer Account API answering with this points metafield value (a string as is). */
const pointsApi = (value: unknown) =>
  vi.fn().mockImplementation(
    async () =>
      new Response(
        JSON.stringify({
          data: { customer: { points: { value: typeof value === "string" ? value : JSON.stringify(value) } } },
        }),
      ),
  );
const texts = () => [...document.body.querySelectorAll("s-text")].map((e) => e.textContent);
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

test("shows the points available and pending from the points metafield", async () => {
  extension.shopify.i18n.translate = translator(EXTENSION_DIR, "en") as typeof extension.shopify.i18n.translate;
  extension.fetch = pointsApi({ available: 1240, pending: 150, next_available: null, expiring: null });
  await extension.render();
  await waitFor(() => expect(texts()).toEqual(["1,240 points available", "150 points pending"]));
  const [url, init] = vi.mocked(extension.fetch).mock.calls[0];
  expect(url).toBe(CUSTOMER_ACCOUNT_API);
  expect(JSON.parse(String(init!.body)).query).toContain(
    'points: metafield(namespace: "$app", key: "points") { value }',
  );
  expect(href(document.body.querySelector("s-button"))).toBe("extension:loyalty-page/");
});

test("nothing pending: available only; in Thai", async () => {
  extension.shopify.i18n.translate = translator(EXTENSION_DIR, "th") as typeof extension.shopify.i18n.translate;
  Object.assign(extension.shopify.i18n, intlFormatters("th"));
  extension.fetch = pointsApi({ available: 80, pending: 0, next_available: null, expiring: null });
  await extension.render();
  await waitFor(() => expect(texts()).toEqual(["คะแนนที่ใช้ได้ 80 คะแนน"]));
});

test("no points metafield, a malformed one or a failed request: the link alone, no error", async () => {
  extension.shopify.i18n.translate = translator(EXTENSION_DIR, "en") as typeof extension.shopify.i18n.translate;
  for (const fetch of [
    pointsApi("{not json"),
    pointsApi({ available: "many", pending: 0 }),
    vi.fn().mockResolvedValue(new Response("", { status: 502 })),
    vi.fn().mockRejectedValue(new Error("offline")),
  ]) {
    extension.tearDown();
    extension.setUp();
    Object.assign(extension.shopify.i18n, intlFormatters("en"));
    extension.shopify.i18n.translate = translator(EXTENSION_DIR, "en") as typeof extension.shopify.i18n.translate;
    extension.fetch = fetch;
    await extension.render();
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 10));
    expect(texts()).toEqual([]);
    expect(document.body.querySelector("s-button")?.textContent).toBe("View my rewards");
  }
});
