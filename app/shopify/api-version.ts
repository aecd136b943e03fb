// The one Admin API version the app speaks. shopify.app.toml and the test simulator must say the same (a test checks).
export const API_VERSION = "2026-04" as const;
