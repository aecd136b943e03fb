// ESLint as Shopify's Remix app template has it (Remix's React/TypeScript/import/accessibility rules, then Prettier's
// switch-off of formatting rules). `npm run lint`; `npm test` runs it (an error or a warning fails the run).
/** @type {import('eslint').Linter.Config} */
module.exports = {
  root: true,
  extends: ["@remix-run/eslint-config", "@remix-run/eslint-config/node", "prettier"],
  parserOptions: { warnOnUnsupportedTypeScriptVersion: false },
  globals: { shopify: "readonly" },
  ignorePatterns: [
    "build/",
    "app/generated/",
    "tmp/",
    "node_modules/",
    "extensions/**/dist/",
    // Written by Shopify CLI for each UI extension (the `shopify` global's type per module); regenerated on build.
    "extensions/*/shopify.d.ts",
    "simulator/app-bridge/app-bridge.js",
  ],
  rules: {
    "@typescript-eslint/no-unused-vars": [
      "error",
      { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
    ],
    // TypeScript parameter properties (`constructor(private readonly x: X) {}`) are not useless: the TypeScript-aware
    // rule knows that, the base rule does not.
    "no-useless-constructor": "off",
    "@typescript-eslint/no-useless-constructor": "warn",
    // Worker and polling loops define callbacks over a variable the loop reassigns on purpose (the next wake-up, the
    // current run); each callback is used within its iteration.
    "no-loop-func": "off",
  },
  overrides: [
    {
      // Tests and the local Shopify write hostile input on purpose: control characters, `javascript:` URLs, Liquid's
      // `${…}`-looking text.
      files: ["tests/**", "simulator/**"],
      rules: { "no-control-regex": "off", "no-script-url": "off", "no-template-curly-in-string": "off" },
    },
  ],
};
