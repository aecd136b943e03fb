import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

// `shopify app dev` (shopify.web.toml) runs `npm run dev` with PORT, where its proxy sends requests, and the tunnel's
// URL in SHOPIFY_APP_URL and, for older apps, in HOST. Here HOST is the interface `npm start` listens on
// (app/env.server.ts): a URL in it is the CLI's, not an interface, and is dropped.
if (process.env.HOST?.includes("://")) {
  process.env.SHOPIFY_APP_URL ||= process.env.HOST;
  delete process.env.HOST;
}
const appHost = URL.canParse(process.env.SHOPIFY_APP_URL ?? "")
  ? new URL(process.env.SHOPIFY_APP_URL!).hostname
  : "localhost";
const tunnelled = !["localhost", "127.0.0.1"].includes(appHost);

export default defineConfig({
  server: {
    port: Number(process.env.PORT || 3000),
    // Through the tunnel: Vite must accept its host name, and hot reload goes over its HTTPS port.
    ...(tunnelled
      ? {
          allowedHosts: [appHost],
          hmr: { protocol: "wss", host: appHost, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 },
        }
      : {}),
    fs: { allow: ["app", "node_modules"] },
  },
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
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
