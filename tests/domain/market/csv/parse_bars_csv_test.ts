import assert from "node:assert/strict";
import { fromDayNumber } from "../../../../domain/calendar/dates.ts";
import { parseBarsCsv } from "../../../../domain/market/csv/parse_bars_csv.ts";

const DATA = new URL("../../../../../shared/data/", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, DATA));

Deno.test("parseBarsCsv() reads every real sample file with its documented row count", async (t) => {
  const expected: [string, number, string, string, number][] = [
    ["cn/600519.SH.csv", 3987, "2010-01-04", "2026-06-16", 0],
    ["cn/000858.SZ.csv", 3929, "2010-01-04", "2026-06-16", 0],
    ["cn/600036.SH.csv", 3972, "2010-01-04", "2026-06-16", 0],
    ["cn/000300.SH.csv", 3993, "2010-01-04", "2026-06-16", 0],
    ["crypto/BTC-USD.csv", 1827, "2017-10-10", "2022-10-10", 0],
  ];
  for (const [file, rows, first, last, skipped] of expected) {
    await t.step(file, async () => {
      const r = parseBarsCsv(await read(file), "X");
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors.slice(0, 3)));
      assert.equal(r.series.days.length, rows);
      assert.equal(fromDayNumber(r.series.days[0]), first);
      assert.equal(fromDayNumber(r.series.days.at(-1)!), last);
      assert.equal(r.skipped.length, skipped);
    });
  }
});

Deno.test("parseBarsCsv() skips and reports Yahoo null rows (^JKSE)", async () => {
  const text = await read("id/JKSE.csv");
  const lines = text.trim().split(/\r?\n/);
  const nullLines = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => /,null,/.test(l)).map(([, n]) =>
    n
  );
  const r = parseBarsCsv(text, "^JKSE");
  assert.ok(r.ok);
  assert.deepEqual(r.skipped.map((s) => s.row), nullLines);
  assert.equal(r.series.days.length, lines.length - 1 - nullLines.length);
});

Deno.test("parseBarsCsv() derives adj_factor from Adj Close and keeps numbers exactly", async () => {
  const r = parseBarsCsv(await read("in/RELIANCE.NS.csv"), "RELIANCE.NS");
  assert.ok(r.ok);
  assert.equal(r.series.close[0], 15.917451858520508);
  assert.equal(r.series.adj_factor[0], 10.477992057800293 / 15.917451858520508);
  assert.equal(r.series.volume[0], 48051995);
});

Deno.test("parseBarsCsv() accepts headers in any case and order, BOM, CRLF, quotes and compact dates", () => {
  const text =
    '\uFEFFVOLUME;Close;"Trade_Date";low;HIGH;open\r\n100;10.5;20240102;9.5;11;10\r\n200;10.7;20240103;10.1;10.9;10.5';
  const r = parseBarsCsv(text, "Y");
  assert.ok(r.ok);
  assert.deepEqual(Array.from(r.series.days, fromDayNumber), ["2024-01-02", "2024-01-03"]);
  assert.deepEqual(Array.from(r.series.high), [11, 10.9]);
  assert.deepEqual(Array.from(r.series.volume), [100, 200]);
});

Deno.test("parseBarsCsv() fails on each kind of inconsistent row, naming the rows", async (t) => {
  const head = "date,open,high,low,close,volume\n";
  const cases: [string, string, number, RegExp][] = [
    ["high below close", "2024-01-02,10,10.2,9,10.5,1\n", 2, /high/],
    ["low above open", "2024-01-02,10,11,10.5,10.6,1\n", 2, /low/],
    ["non-positive price", "2024-01-02,0,11,9,10,1\n", 2, /positive/],
    ["bad number", "2024-01-02,abc,11,9,10,1\n", 2, /number/],
    ["bad date", "2024-02-30,10,11,9,10,1\n", 2, /date/],
    ["duplicate date", "2024-01-02,10,11,9,10,1\n2024-01-02,10,11,9,10,1\n", 3, /duplicate/],
    ["out of order", "2024-01-03,10,11,9,10,1\n2024-01-02,10,11,9,10,1\n", 3, /out of order/],
  ];
  for (const [name, rows, row, reason] of cases) {
    await t.step(name, () => {
      const r = parseBarsCsv(head + rows, "Z");
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.errors[0].row, row);
      assert.match(r.errors[0].reason, reason);
    });
  }
  const missing = parseBarsCsv("date,open,close\n2024-01-02,1,1\n", "Z");
  assert.equal(missing.ok, false);
  assert.equal(parseBarsCsv("", "Z").ok, false);
});
