import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { fileURLToPath } from "node:url";

// @shopify/shopify-app-session-storage-prisma imports `Prisma` from "@prisma/client", which the engine-free
// `prisma-client` generator does not populate. Bundle the storage and point that import at our generated client
// (same runtime, same error classes). See docs/decisions/0001-prisma-without-engines.md.
const generatedClient = fileURLToPath(new URL("./app/generated/prisma/client.ts", import.meta.url));

export default defineConfig({
  server: { port: 3000, fs: { allow: ["app", "node_modules"] } },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
      },
    }),
    tsconfigPaths(),
  ],
  resolve: { alias: [{ find: /^@prisma\/client$/, replacement: generatedClient }] },
  ssr: { noExternal: ["@shopify/shopify-app-session-storage-prisma"] },
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
