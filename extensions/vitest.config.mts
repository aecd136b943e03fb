// The customer account UI extensions' tests (extensions/*/tests), apart from the app's (../vitest.config.ts): Preact
// JSX, a jsdom page, and @shopify/ui-extensions-tester's mock `shopify` global. `npm run test:extensions`; `npm test`
// runs it and counts its tests with the others.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  test: {
    include: ["*/tests/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    // The tester imports the extension's module itself: inlined, so that Vite transforms the .tsx it imports.
    server: { deps: { inline: ["@shopify/ui-extensions-tester"] } },
    restoreMocks: true,
  },
});
