// React 18's streaming renderer (react-dom/server renderToPipeableStream, 18.3.1 the last 18) writes its 2048-byte
// view whole when a string's next character does not fit, though the encoder stopped short of the view's end: the 1–3
// bytes it left unwritten go out as NUL bytes. Any multi-byte character (all of Thai) that meets the view's edge comes
// out with NULs before it, and the browser shows them as "�" (a Thai heading on the analytics page did, once the
// page's length put it there). React 19 writes only the bytes written; until the app can move to it, this stream drops
// the NUL bytes React's output carries. HTML text never needs one (the parser turns U+0000 into U+FFFD or drops it),
// so nothing a page means is lost. Tested in tests/unit/render-stream.test.ts.
import { Transform } from "node:stream";

/** A stream that passes everything through but NUL (0x00) bytes. */
export function withoutNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunk.indexOf(0) === -1) return callback(null, chunk);
      const out = Buffer.allocUnsafe(chunk.length);
      let n = 0;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] !== 0) out[n++] = chunk[i];
      callback(null, out.subarray(0, n));
    },
  });
}
