// React 18's streaming renderer and the NUL bytes it writes before a multi-byte character at its 2048-byte view's
// edge (app/render-stream.server.ts): the bug is shown on React's own output, and the app's stream removes it.
import { PassThrough, type Writable } from "node:stream";
import { createElement } from "react";
import { renderToPipeableStream, renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { withoutNulBytes } from "../../app/render-stream.server";

const THAI = "การรักษาลูกค้าตามเดือนที่ซื้อครั้งแรก";

/** Paragraphs of ASCII padding, each followed by Thai, with the padding shifted by one byte each time so some Thai
 * character meets the view's edge whatever the markup around it. */
function page() {
  return createElement(
    "div",
    null,
    Array.from({ length: 64 }, (_, i) => createElement("p", { key: i, title: THAI }, "x".repeat(97 + i), THAI)),
  );
}

function render(through: (out: Writable) => Writable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (c: Buffer) => chunks.push(c));
    sink.on("end", () => resolve(Buffer.concat(chunks)));
    sink.on("error", reject);
    const { pipe } = renderToPipeableStream(page(), {
      onAllReady: () => pipe(through(sink)),
      onError: reject,
    });
  });
}

describe("the HTML stream", () => {
  it("React 18 alone writes NUL bytes into multi-byte text (the bug this works around)", async () => {
    const raw = await render((sink) => sink);
    expect(raw.includes(0)).toBe(true);
  });

  it("through withoutNulBytes: no NUL, every Thai string intact, the same markup as a whole render", async () => {
    const clean = await render((sink) => {
      const t = withoutNulBytes();
      t.pipe(sink);
      return t;
    });
    expect(clean.includes(0)).toBe(false);
    const text = clean.toString("utf8");
    expect(text).not.toContain("\uFFFD");
    expect(text.split(THAI).length - 1).toBe(128);
    expect(text).toBe(renderToString(page()));
  });
});
