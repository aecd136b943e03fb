// The admin speaks English and Thai: every key exists in both languages, every key the pages use exists, and no
// component carries text of its own (JSX text or a text prop written as a literal).
import { readFileSync, readdirSync } from "node:fs";
import ts from "typescript";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createI18n, resolveLocale, resources } from "../../app/i18n";

const en = resources.en.translation;
const th = resources.th.translation;

function keys(tree: unknown, prefix = ""): string[] {
  if (typeof tree !== "object" || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}
/** i18next plural forms (_one, _other …) count as the key itself. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");

const UI_FILES = [
  ...readdirSync("app/routes")
    .filter((f) => f.startsWith("app") && f.endsWith(".tsx"))
    .map((f) => path.join("app/routes", f)),
  ...readdirSync("app/components")
    .filter((f) => f.endsWith(".tsx"))
    .map((f) => path.join("app/components", f)),
];

describe("admin languages", () => {
  it("English and Thai have the same keys", () => {
    expect([...new Set(keys(th).map(base))].sort()).toEqual([...new Set(keys(en).map(base))].sort());
  });

  it("every literal key a page asks for exists", () => {
    const known = new Set(keys(en).map(base));
    const missing: string[] = [];
    for (const file of UI_FILES) {
      for (const [, key] of readFileSync(file, "utf8").matchAll(/\bt\("([a-zA-Z0-9_.]+)"/g)) {
        if (!known.has(key)) missing.push(`${file}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("components carry no text of their own", () => {
    const TEXT_PROPS = new Set([
      "title",
      "label",
      "content",
      "placeholder",
      "helpText",
      "heading",
      "accessibilityLabel",
      "subtitle",
      "alt",
    ]);
    const found: string[] = [];
    for (const file of UI_FILES) {
      const source = ts.createSourceFile(
        file,
        readFileSync(file, "utf8"),
        ts.ScriptTarget.Latest,
        true,
        ts.ScriptKind.TSX,
      );
      const visit = (node: ts.Node) => {
        // Text between JSX tags with a letter in it (Latin or Thai)
        if (ts.isJsxText(node) && /[A-Za-z\u0E00-\u0E7F]/.test(node.text))
          found.push(`${file}: text "${node.text.trim()}"`);
        // A text prop given as a literal: label="Name"
        if (
          ts.isJsxAttribute(node) &&
          TEXT_PROPS.has(node.name.getText()) &&
          node.initializer &&
          ts.isStringLiteral(node.initializer) &&
          /[A-Za-z]/.test(node.initializer.text)
        ) {
          found.push(`${file}: ${node.getText()}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(found).toEqual([]);
  });

  it("the Klaviyo card's given-up line agrees with its count in English (1 profile, 2 profiles); Thai has one form", () => {
    const enT = createI18n("en").t;
    const thT = createI18n("th").t;
    expect(enT("klaviyo.givenUp", { count: 1, error: "x" })).toMatch(/^1 profile is no longer sent /);
    expect(enT("klaviyo.givenUp", { count: 2, error: "x" })).toMatch(/^2 profiles are no longer sent /);
    expect(thT("klaviyo.givenUp", { count: 1, error: "x" })).toMatch(/^หยุดส่ง 1 โปรไฟล์แล้ว/);
  });

  it("follows Shopify admin's locale, English for anything else", () => {
    expect(resolveLocale("th")).toBe("th");
    expect(resolveLocale("th-TH")).toBe("th");
    expect(resolveLocale("en-GB")).toBe("en");
    expect(resolveLocale("fr")).toBe("en");
    expect(resolveLocale(null)).toBe("en");
  });
});
