// The page's locale files: English and Thai have the same keys with the same placeholders, and every key the source
// translates exists in both.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { localeStrings, placeholders, translateKeysInSource } from "../../test-support/i18n";

const EXTENSIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

for (const name of ["loyalty-page", "loyalty-profile-block"]) {
  describe(`${name} locales`, () => {
    const dir = path.join(EXTENSIONS, name);
    const en = localeStrings(dir, "en");
    const th = localeStrings(dir, "th");

    test("English (the default) and Thai are the only locale files", () => {
      expect(readdirSync(path.join(dir, "locales")).sort()).toEqual(["en.default.json", "th.json"]);
    });

    test("Thai has every English key with the same placeholders, and nothing else", () => {
      expect([...th.keys()].sort()).toEqual([...en.keys()].sort());
      for (const [key, text] of en) expect(placeholders(th.get(key)!), key).toEqual(placeholders(text));
      for (const text of th.values()) expect(text).not.toBe("");
    });

    test("every key the source translates is in the locale files", () => {
      const src = path.join(dir, "src");
      const files = readdirSync(src).map((f) => path.join(src, f));
      const used = translateKeysInSource(files);
      expect(used.length).toBeGreaterThan(0);
      for (const key of used) expect(en.has(key), key).toBe(true);
    });
  });
}
