import assert from "node:assert/strict";
import { fromDayNumber } from "../../../../domain/calendar/dates.ts";
import { ValidationError, type ValidationIssueItem } from "../../../../domain/errors.ts";
import { MAX_REPORTED_BAD_ROWS, parseBarsCsv } from "../../../../domain/market/csv/parse_bars_csv.ts";

const DATA = new URL("../../../fixtures/market/", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, DATA));
const dates = (days: Int32Array) => Array.from(days, fromDayNumber);

/** The issues of the `ValidationError` that parsing `text` throws. */
function issuesOf(text: string): ValidationIssueItem[] {
  try {
    parseBarsCsv(text, "T");
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    assert.ok(e.issues && e.issues.length > 0);
    return e.issues;
  }
  assert.fail("expected the parse to fail");
}

/** Data lines of a file split independently of the parser: [line number, cells]. */
function dataLines(text: string): [number, string[]][] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  return lines.map((l, i) => [i + 1, l.split(",")] as [number, string[]]).slice(1).filter(([, c]) =>
    c.join("") !== ""
  );
}

Deno.test("parseBarsCsv() reads every real sample file with the row counts and dates in SOURCES.md", async (t) => {
  // [file, bars, first, last, skipped] — SOURCES.md: rows, first, last; JKSE has 307 all-null rows.
  const expected: [string, number, string, string, number][] = [
    ["cn/600519.SH.csv", 3987, "2010-01-04", "2026-06-16", 0],
    ["cn/000858.SZ.csv", 3929, "2010-01-04", "2026-06-16", 0],
    ["cn/600036.SH.csv", 3972, "2010-01-04", "2026-06-16", 0],
    ["cn/000300.SH.csv", 3993, "2010-01-04", "2026-06-16", 0],
    ["in/RELIANCE.NS.csv", 6799, "1996-01-01", "2023-01-12", 0],
    ["id/JKSE.csv", 8310 - 307, "1990-06-04", "2023-03-03", 307],
    ["crypto/BTC-USD.csv", 1827, "2017-10-10", "2022-10-10", 0],
  ];
  for (const [file, bars, first, last, skipped] of expected) {
    await t.step(file, async () => {
      const text = await read(file);
      const r = parseBarsCsv(text, "X");
      assert.equal(r.series.source, "csv");
      assert.equal(r.series.days.length, bars);
      assert.equal(r.series.days.length + r.skipped.length, dataLines(text).length);
      assert.equal(fromDayNumber(r.series.days[0]), first);
      assert.equal(fromDayNumber(r.series.days.at(-1)!), last);
      assert.equal(r.skipped.length, skipped);
      assert.equal(r.order, "oldest_first");
    });
  }
});

Deno.test("parseBarsCsv() keeps every number of the BOM-prefixed 600519.SH file exactly", async () => {
  const text = await read("cn/600519.SH.csv");
  assert.equal(text.charCodeAt(0), 0xfeff, "the fixture starts with a BOM");
  const r = parseBarsCsv(text, "600519.SH");
  const rows = dataLines(text);
  assert.equal(rows.length, 3987);
  rows.forEach(([, c], i) => {
    assert.equal(fromDayNumber(r.series.days[i]), c[0]);
    assert.deepEqual(
      [r.series.open[i], r.series.high[i], r.series.low[i], r.series.close[i], r.series.volume[i]],
      c.slice(1, 6).map(Number),
      `line ${i + 2}`,
    );
    assert.equal(r.series.adj_factor[i], 1, "no Adj Close column: factor 1");
  });
});

Deno.test("parseBarsCsv() skips and reports the Yahoo null rows of ^JKSE by line number", async () => {
  const text = await read("id/JKSE.csv");
  const nullLines = text.split("\r\n").flatMap((
    l,
    i,
  ) => (/^\d{4}-\d\d-\d\d,null,null,null,null/.test(l) ? [i + 1] : []));
  assert.equal(nullLines.length, 307);
  const r = parseBarsCsv(text, "^JKSE");
  assert.deepEqual(r.skipped.map((s) => s.row), nullLines);
  assert.match(r.skipped[0].reason, /null row/);
  const zeroVolume = dataLines(text).filter(([, c]) => c[6] === "0").length;
  assert.equal(zeroVolume, 1234, "SOURCES.md: 1234 zero-volume rows");
  assert.equal(r.series.volume.filter((v) => v === 0).length, zeroVolume, "zero volume is allowed");
});

Deno.test("parseBarsCsv() derives adj_factor from Adj Close (RELIANCE.NS) and keeps zero-volume rows", async () => {
  const text = await read("in/RELIANCE.NS.csv");
  const r = parseBarsCsv(text, "RELIANCE.NS");
  assert.equal(r.series.close[0], 15.917451858520508);
  assert.equal(r.series.adj_factor[0], 10.477992057800293 / 15.917451858520508);
  assert.equal(r.series.volume[0], 48051995);
  assert.equal(r.series.volume.filter((v) => v === 0).length, 115, "SOURCES.md: 115 zero-volume rows");
  assert.ok(dates(r.series.days).includes("2019-10-27"), "the Sunday Muhurat session is kept as dated");
});

Deno.test("parseBarsCsv() reads BTC-USD with no trailing newline, 1827 consecutive days", async () => {
  const text = await read("crypto/BTC-USD.csv");
  assert.ok(!text.endsWith("\n"));
  const r = parseBarsCsv(text, "BTC-USD");
  for (let i = 1; i < r.series.days.length; i++) assert.equal(r.series.days[i] - r.series.days[i - 1], 1);
  assert.equal(r.series.close.at(-1), 19320.189453);
  assert.equal(r.series.volume.at(-1), 25182300160);
});

Deno.test("parseBarsCsv() accepts header and format variants", async (t) => {
  const cases: [string, string, string[], number[]][] = [
    ["upper case, any order", "VOLUME,CLOSE,DATE,LOW,HIGH,OPEN\n100,10.5,2024-01-02,9.5,11,10\n", [
      "2024-01-02",
    ], [10, 11, 9.5, 10.5, 100]],
    [
      "Tushare trade_date compact, vol, amount and ts_code ignored",
      "ts_code,trade_date,open,high,low,close,pre_close,vol,amount\n600519.SH,20240102,10,11,9.5,10.5,10,100,1e6\n",
      ["2024-01-02"],
      [10, 11, 9.5, 10.5, 100],
    ],
    ["Chinese headers", "日期,开盘,最高,最低,收盘,成交量\n2024-01-02,10,11,9.5,10.5,100\n", ["2024-01-02"], [
      10,
      11,
      9.5,
      10.5,
      100,
    ]],
    ["semicolon delimiter", "Date;Open;High;Low;Close;Volume\n2024-01-02;10;11;9.5;10.5;100\n", [
      "2024-01-02",
    ], [10, 11, 9.5, 10.5, 100]],
    ["tab delimiter", "date\topen\thigh\tlow\tclose\tvolume\n2024/1/2\t10\t11\t9.5\t10.5\t100", [
      "2024-01-02",
    ], [10, 11, 9.5, 10.5, 100]],
    [
      "BOM, CRLF, quoted header and cells",
      '\uFEFF"Date","Open","High","Low","Close","Volume"\r\n' +
      '"2024-01-02","10","11","9.5","10.5","1,000"\r\n',
      ["2024-01-02"],
      [10, 11, 9.5, 10.5, 1000],
    ],
    ["CR line ends", "date,open,high,low,close,volume\r2024-01-02,10,11,9.5,10.5,100\r", ["2024-01-02"], [
      10,
      11,
      9.5,
      10.5,
      100,
    ]],
    ["no volume column (volume 0)", "date,open,high,low,close\n2024-01-02,10,11,9.5,10.5\n", ["2024-01-02"], [
      10,
      11,
      9.5,
      10.5,
      0,
    ]],
    [
      "timestamps with offsets keep the written date",
      "Datetime,Open,High,Low,Close,Volume\n2024-01-02 00:00:00+05:30,10,11,9.5,10.5,100\n",
      ["2024-01-02"],
      [10, 11, 9.5, 10.5, 100],
    ],
    [
      "adj_close spelled with underscore",
      "date,open,high,low,close,adj_close,volume\n2024-01-02,10,11,9.5,10,5,1\n",
      [
        "2024-01-02",
      ],
      [10, 11, 9.5, 10, 1],
    ],
  ];
  for (const [name, text, wantDates, [o, h, l, c, v]] of cases) {
    await t.step(name, () => {
      const r = parseBarsCsv(text, "Y");
      assert.deepEqual(dates(r.series.days), wantDates);
      assert.deepEqual([
        r.series.open[0],
        r.series.high[0],
        r.series.low[0],
        r.series.close[0],
        r.series.volume[0],
      ], [
        o,
        h,
        l,
        c,
        v,
      ]);
      assert.equal(r.skipped.length, 0);
    });
  }
  const adj = parseBarsCsv("date,open,high,low,close,adj_close\n2024-01-02,10,11,9.5,10,5\n", "Y");
  assert.equal(adj.series.adj_factor[0], 0.5);
  const nullAdj = parseBarsCsv(
    "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9.5,10,null,1\n",
    "Y",
  );
  assert.equal(nullAdj.series.adj_factor[0], 1, "no Adj Close value: factor 1");
});

Deno.test("parseBarsCsv() returns a newest-first (Tushare order) file oldest first", () => {
  const r = parseBarsCsv(
    "trade_date,open,high,low,close,vol\n20240104,3,3,3,3,3\n20240103,2,2,2,2,2\n20240102,1,1,1,1,1\n",
    "Z",
  );
  assert.equal(r.order, "newest_first");
  assert.deepEqual(dates(r.series.days), ["2024-01-02", "2024-01-03", "2024-01-04"]);
  assert.deepEqual(Array.from(r.series.close), [1, 2, 3]);
});

Deno.test("parseBarsCsv() reports empty and null rows by file line, header counted as line 1", () => {
  const text = [
    "", // line 1: blank lines before the header are not rows
    "Date,Open,High,Low,Close,Adj Close,Volume", // line 2
    "2024-01-02,10,11,9,10.5,10.5,100", // 3
    "", // 4: empty row
    ",,,,,,", // 5: empty cells only
    "2024-01-03,null,null,null,null,null,null", // 6: Yahoo null row
    '2024-01-04,10,11,9,10.5,10.5,100,"a note', // 7: quoted field spanning two lines
    'that continues"', // 8
    "2024-01-05,10,11,9,10.5,10.5,0", // 9
    "", // trailing blank lines are not rows
    "",
  ].join("\n");
  const r = parseBarsCsv(text, "Z");
  assert.deepEqual(r.skipped, [
    { row: 4, reason: "empty row" },
    { row: 5, reason: "empty row" },
    { row: 6, reason: "null row (no open, high, low or close)" },
  ]);
  assert.deepEqual(dates(r.series.days), ["2024-01-02", "2024-01-04", "2024-01-05"]);
  const bad = issuesOf(text.replace("2024-01-05,10,11", "2024-01-05,10,9"));
  assert.deepEqual(bad[0].loc, ["row", 9], "rows after a multi-line field keep their file line");
});

Deno.test("parseBarsCsv() fails on each kind of bad row, naming its line", async (t) => {
  const head = "date,open,high,low,close,volume,adj close\n2024-01-01,10,11,9,10,1,\n";
  const cases: [string, string, number, RegExp][] = [
    [
      "high below max(open, close)",
      "2024-01-02,10,10.2,9,10.5,1,\n",
      3,
      /high 10.2 is below max\(open, close\) 10.5/,
    ],
    [
      "low above min(open, close)",
      "2024-01-02,10,11,10.5,10.6,1,\n",
      3,
      /low 10.5 is above min\(open, close\) 10/,
    ],
    ["zero price", "2024-01-02,0,11,9,10,1,\n", 3, /open must be positive/],
    ["negative price", "2024-01-02,10,11,-9,10,1,\n", 3, /low must be positive/],
    ["unparseable number", "2024-01-02,abc,11,9,10,1,\n", 3, /open "abc" is not a number/],
    ["hex is not a number", "2024-01-02,0x10,11,9,10,1,\n", 3, /not a number/],
    ["overflowing number", "2024-01-02,10,1e400,9,10,1,\n", 3, /high "1e400" is not a number/],
    ["missing price", "2024-01-02,10,,9,10,1,\n", 3, /high is missing/],
    ["unparseable date", "02/01/2024,10,11,9,10,1,\n", 3, /unparseable date/],
    ["impossible date", "2024-02-30,10,11,9,10,1,\n", 3, /not a calendar date/],
    ["date out of range", "2224-01-02,10,11,9,10,1,\n", 3, /outside the years/],
    ["negative volume", "2024-01-02,10,11,9,10,-5,\n", 3, /volume -5 is negative/],
    ["non-positive adj close", "2024-01-02,10,11,9,10,1,0\n", 3, /adj close 0 is not positive/],
    [
      "duplicate date",
      "2024-01-02,10,11,9,10,1,\n2024-01-02,10,11,9,10,1,\n",
      4,
      /duplicate date 2024-01-02/,
    ],
    [
      "out-of-order date",
      "2024-01-03,10,11,9,10,1,\n2024-01-02,10,11,9,10,1,\n2024-01-04,10,11,9,10,1,\n",
      4,
      /date 2024-01-02 is out of order \(after 2024-01-03/,
    ],
  ];
  for (const [name, rows, line, msg] of cases) {
    await t.step(name, () => {
      const issues = issuesOf(head + rows);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.deepEqual(issues[0].loc, ["row", line]);
      assert.equal(issues[0].type, "csv_row_invalid");
      assert.match(issues[0].msg, msg);
    });
  }
});

Deno.test("parseBarsCsv() lists every bad row, up to the cap, and counts the rest", () => {
  const lines = ["date,open,high,low,close"];
  for (let i = 0; i < 250; i++) {
    const day = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    lines.push(i % 2 === 0 ? `${day},10,9,8,10` : `${day},10,11,9,10`); // even rows: high below open
  }
  const issues = issuesOf(lines.join("\n"));
  assert.equal(issues.length, MAX_REPORTED_BAD_ROWS + 1);
  assert.deepEqual(issues.slice(0, 3).map((i) => i.loc[1]), [2, 4, 6]);
  assert.deepEqual(issues.at(-1), {
    type: "too_many_errors",
    loc: [],
    msg: "25 more bad rows not listed (125 in all)",
  });
});

Deno.test("parseBarsCsv() refuses an empty file, a header-only file and a header without prices", () => {
  assert.equal(issuesOf("")[0].type, "missing");
  assert.equal(issuesOf(" \r\n\n")[0].type, "missing");
  assert.match(issuesOf("date,open,high,low,close\n")[0].msg, /no bars/);
  assert.match(issuesOf("Date,Open,High,Low,Close\n2024-01-02,null,null,null,null\n")[0].msg, /no bars/);
  const header = issuesOf("date,open,close\n2024-01-02,1,1\n")[0];
  assert.deepEqual(header.loc, ["row", 1]);
  assert.equal(header.type, "csv_header_invalid");
  assert.match(header.msg, /lacks column\(s\): high, low/);
});
