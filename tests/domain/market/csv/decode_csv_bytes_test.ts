import assert from "node:assert/strict";
import { ValidationError } from "../../../../domain/errors.ts";
import { decodeCsvBytes } from "../../../../domain/market/csv/decode_csv_bytes.ts";

const HEADER = "日期,开盘";
// "日期,开盘" in GBK: 日 C8D5, 期 C6DA, 开 BFAA, 盘 C5CC.
const GBK = new Uint8Array([0xc8, 0xd5, 0xc6, 0xda, 0x2c, 0xbf, 0xaa, 0xc5, 0xcc]);

Deno.test("decodeCsvBytes() reads UTF-8 with or without a BOM, and drops the BOM", () => {
  const utf8 = new TextEncoder().encode(HEADER);
  assert.equal(decodeCsvBytes(utf8), HEADER);
  assert.equal(decodeCsvBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8])), HEADER);
});

Deno.test("decodeCsvBytes() reads UTF-16 LE and BE files by their byte-order mark", () => {
  const units = Array.from(HEADER, (ch) => ch.charCodeAt(0));
  const le = new Uint8Array([0xff, 0xfe, ...units.flatMap((u) => [u & 0xff, u >> 8])]);
  const be = new Uint8Array([0xfe, 0xff, ...units.flatMap((u) => [u >> 8, u & 0xff])]);
  assert.equal(decodeCsvBytes(le), HEADER);
  assert.equal(decodeCsvBytes(be), HEADER);
});

Deno.test("decodeCsvBytes() honours a declared charset and falls back to GB18030 for undeclared non-UTF-8", () => {
  assert.equal(decodeCsvBytes(GBK, "gbk"), HEADER);
  assert.equal(decodeCsvBytes(GBK, "GB18030"), HEADER);
  assert.equal(decodeCsvBytes(GBK), HEADER);
});

Deno.test("decodeCsvBytes() refuses an unknown charset and bytes invalid in the declared one", () => {
  assert.throws(
    () => decodeCsvBytes(GBK, "klingon"),
    (e) => e instanceof ValidationError && e.type === "csv_charset_unknown",
  );
  assert.throws(
    () => decodeCsvBytes(GBK, "utf-8"),
    (e) => e instanceof ValidationError && e.type === "csv_encoding_invalid" && /charset=gbk/.test(e.message),
  );
});
