// The environment every test runs with (a fake app; nothing here is a real credential).
export const TEST_API_KEY = "test-api-key-0000";
export const TEST_API_SECRET = "test-api-secret-shhh";
export const TEST_APP_URL = "https://loyalty.test.example";

export const TEST_ENV = {
  NODE_ENV: "test",
  SHOPIFY_API_KEY: TEST_API_KEY,
  SHOPIFY_API_SECRET: TEST_API_SECRET,
  SHOPIFY_APP_URL: TEST_APP_URL,
  LOG_LEVEL: "error",
} as const;

/** Node's fetch says "node", which Shopify's library treats as a bot (410): tests browse as a browser does. */
export const BROWSER_HEADERS = {
  "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
};
