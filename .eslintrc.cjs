// ESLint as Shopify's Remix app template has it (Remix's React/TypeScript/import/accessibility rules, then Prettier's
// switch-off of formatting rules). `npm run lint`; `npm test` runs it (a lint error fails the run).
/** @type {import('eslint').Linter.Config} */
module.exports = {
  root: true,
  extends: ["@remix-run/eslint-config", "@remix-run/eslint-config/node", "prettier"],
  parserOptions: { warnOnUnsupportedTypeScriptVersion: false },
  globals: { shopify: "readonly" },
  ignorePatterns: ["build/", "app/generated/", "tmp/", "node_modules/", "extensions/**/dist/", "simulator/app-bridge/app-bridge.js"],
  rules: {
    "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
  },
};
