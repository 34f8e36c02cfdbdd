import assert from "node:assert/strict";
import { parseLongCsv } from "../../../../domain/market/csv/bulk_csv.ts";
import { ValidationError } from "../../../../domain/errors.ts";

/** A stream of `bytes` cut into pieces of `size` bytes (1 splits every CRLF and multi-byte character). */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

// akshare-style Chinese headers, a BOM, CRLF ends, a quoted note spanning two lines, and interleaved symbols.
const PANEL = "\uFEFF代码,日期,开盘,收盘,最高,最低,成交量,备注\r\n" +
  '600519.SH,2024-01-02,1700,1710,1720,1690,100,"多行\r\n备注"\r\n' +
  "000001.SZ,2024-01-02,9.5,9.6,9.7,9.4,1000,\r\n" +
  "\r\n" +
  "600519.sh,2024-01-03,1710,1705,1715,1700,120,\r\n" +
  "000001.SZ,2024-01-03,,,,,,\r\n" +
  "000001.SZ,2024-01-04,9.6,9.8,9.9,9.5,900,\r\n";

Deno.test("parseLongCsv() gives the same symbols, bars and line numbers whatever the chunking", async () => {
  const bytes = new TextEncoder().encode(PANEL);
  const whole = await parseLongCsv(streamOf(bytes, bytes.length));
  for (const size of [1, 2, 3, 7]) {
    assert.deepEqual(await parseLongCsv(streamOf(bytes, size)), whole, `size ${size}`);
  }
  assert.deepEqual(whole.map((e) => [e.symbol, [...e.series.close]]), [
    ["000001.SZ", [9.6, 9.8]],
    ["600519.SH", [1710, 1705]],
  ]);
  // The null row of 000001.SZ is reported at its line in the panel (line 7; the quoted note spans 2–3).
  assert.deepEqual(whole[0].skipped, [{ row: 7, reason: "null row (no open, high, low or close)" }]);
});

Deno.test("parseLongCsv() names a bad row by the panel's line and its symbol; GBK needs a declared charset", async () => {
  const bad = PANEL.replace("1710,1705,1715", "1710,1705,1701");
  const e = await parseLongCsv(streamOf(new TextEncoder().encode(bad), 5)).catch((e) => e);
  assert.ok(e instanceof ValidationError);
  assert.deepEqual(e.issues?.map((i) => [i.loc, i.msg.split(":")[0]]), [[["row", 6], "600519.SH"]]);
  // GBK bytes of a panel: undeclared they are refused (UTF-8 expected); declared they parse.
  const gbk = new Uint8Array([
    ...new TextEncoder().encode("symbol,date,open,high,low,close,"),
    0xb1,
    0xb8,
    0xd7,
    0xa2, // 备注 in GBK
    ...new TextEncoder().encode("\nAAA,2024-01-02,1,2,1,1.5,x\n"),
  ]);
  const undeclared = await parseLongCsv(streamOf(gbk, 4)).catch((e) => e);
  assert.equal(undeclared.type, "csv_encoding_invalid");
  assert.equal((await parseLongCsv(streamOf(gbk, 4), "gbk"))[0].series.close[0], 1.5);
});
