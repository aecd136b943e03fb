import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

const generatedClient = fileURLToPath(new URL("./app/generated/prisma/client.ts", import.meta.url));

export default defineConfig({
  plugins: [tsconfigPaths()],
  // Same aliasing as vite.config.ts (see docs/decisions/0001-prisma-without-engines.md).
  resolve: { alias: [{ find: /^@prisma\/client$/, replacement: generatedClient }] },
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/per-file.ts"],
    server: { deps: { inline: ["@shopify/shopify-app-session-storage-prisma"] } },
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
    restoreMocks: true,
  },
});
