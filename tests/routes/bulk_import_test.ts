import assert from "node:assert/strict";
import { strToU8, zipSync } from "fflate";
import { fromDayNumber, toDayNumber } from "../../domain/calendar/dates.ts";
import { assert422, assertDetail, ok } from "../_helpers/identity.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const N_SYMBOLS = 100;
const N_DAYS = 260;
const SYMBOLS = Array.from({ length: N_SYMBOLS }, (_, i) => `BK${String(i).padStart(3, "0")}`);
const HEADER = "date,open,high,low,close,volume";
const ALL_DAYS = [toDayNumber("1800-01-01"), toDayNumber("2199-12-31")] as const;

/** Weekdays from 2023-01-02 on. */
const DAYS = (() => {
  const out: string[] = [];
  for (let d = toDayNumber("2023-01-02"); out.length < N_DAYS; d++) {
    const wd = new Date(d * 86_400_000).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(fromDayNumber(d));
  }
  return out;
})();

/** Deterministic bars of symbol `i`: a seeded random walk, rows `[date, o, h, l, c, v]` oldest first. */
function barsOf(i: number): string[][] {
  let seed = 12345 + i * 7919;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let close = 20 + i;
  return DAYS.map((date) => {
    const open = +(close * (1 + (rnd() - 0.5) * 0.02)).toFixed(2);
    close = +(open * (1 + (rnd() - 0.5) * 0.04)).toFixed(2);
    const high = +(Math.max(open, close) * (1 + rnd() * 0.01)).toFixed(2);
    const low = +(Math.min(open, close) * (1 - rnd() * 0.01)).toFixed(2);
    return [
      date,
      String(open),
      String(high),
      String(low),
      String(close),
      String(1000 + Math.floor(rnd() * 1e5)),
    ];
  });
}
const BARS = SYMBOLS.map((_, i) => barsOf(i));
const csvOf = (i: number) => [HEADER, ...BARS[i].map((r) => r.join(","))].join("\n") + "\n";

/** A zip of `SYMBOL.csv` entries (in a folder, as archivers make them). */
function zipOf(files: Record<string, string>): Uint8Array<ArrayBuffer> {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) entries[name] = strToU8(text);
  return new Uint8Array(zipSync(entries));
}
const ZIP_FILES = Object.fromEntries(SYMBOLS.map((s, i) => [`universe/${s}.csv`, csvOf(i)]));

/** A Tushare-style panel: `ts_code,trade_date,…` with YYYYMMDD dates, newest day first, symbols interleaved. */
function panel(): string {
  const lines = ["ts_code,trade_date,open,high,low,close,vol"];
  for (let d = N_DAYS - 1; d >= 0; d--) {
    for (let i = 0; i < N_SYMBOLS; i++) {
      const [date, ...rest] = BARS[i][d];
      lines.push([SYMBOLS[i], date.replaceAll("-", ""), ...rest].join(","));
    }
  }
  return lines.join("\r\n") + "\r\n";
}

async function user(w: TestWorld, name: string, ip: string) {
  const pair = await signInWithOtp(w, `${name}@example.com`, ip);
  return { token: pair.access_token, id: pair.user.id };
}

function post(w: TestWorld, token: string, body: BodyInit, type: string, query = "") {
  return w.request("POST", `/api/v1/data/import${query}`, { body, token, headers: { "content-type": type } });
}

const SPEC = {
  universe: { tickers: SYMBOLS },
  entry: "close > sma(close, 10)",
  exit: "close < sma(close, 20)",
  start: "2023-01-01",
  end: "2023-12-31",
};

/** The report of a synchronous backtest over the 100 symbols, without its timings. */
async function report(w: TestWorld, token: string) {
  const res = await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token });
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  delete body.timing;
  return body;
}

Deno.test("100 symbols in one zip and in one long CSV import and backtest identically to 100 single imports", async () => {
  const single = await openTestWorld({ RATE_LIMIT_IMPORT: "100/1h" });
  const zipped = await openTestWorld();
  const long = await openTestWorld();
  try {
    const a = await user(single, "ana", "10.0.2.1");
    for (let i = 0; i < N_SYMBOLS; i++) {
      await ok(await post(single, a.token, csvOf(i), "text/csv", `?symbol=${SYMBOLS[i]}`));
    }
    const expected = await report(single, a.token);
    assert.ok(expected.trades.length > 0, "the strategy trades");

    const b = await user(zipped, "ben", "10.0.2.2");
    const zres = await post(zipped, b.token, zipOf(ZIP_FILES), "application/zip");
    assert.equal(zres.status, 200, await zres.clone().text());
    const zsum = await zres.json();
    assert.equal(zsum.count, N_SYMBOLS);
    assert.deepEqual(zsum.symbols.map((s: { symbol: string }) => s.symbol), SYMBOLS);
    assert.ok(zsum.symbols.every((s: { rows: number }) => s.rows === N_DAYS));
    assert.deepEqual(await report(zipped, b.token), expected);

    const c = await user(long, "cai", "10.0.2.3");
    const lres = await post(long, c.token, panel(), "text/csv");
    assert.equal(lres.status, 200, await lres.clone().text());
    const lsum = await lres.json();
    assert.equal(lsum.count, N_SYMBOLS);
    assert.equal(lsum.symbols[7].start, DAYS[0]);
    assert.equal(lsum.symbols[7].end, DAYS[N_DAYS - 1]);
    assert.deepEqual(await report(long, c.token), expected);

    // The stored numbers themselves are the same too.
    for (const k of [0, 42, 99]) {
      const want = await single.deps.imports.bars.getBars(
        { source: "csv", owner: a.id },
        SYMBOLS[k],
        ...ALL_DAYS,
      );
      const gotZip = await zipped.deps.imports.bars.getBars(
        { source: "csv", owner: b.id },
        SYMBOLS[k],
        ...ALL_DAYS,
      );
      const gotLong = await long.deps.imports.bars.getBars(
        { source: "csv", owner: c.id },
        SYMBOLS[k],
        ...ALL_DAYS,
      );
      assert.deepEqual(gotZip, want);
      assert.deepEqual(gotLong, want);
    }
  } finally {
    await single.close();
    await zipped.close();
    await long.close();
  }
});

Deno.test("RATE_LIMIT_IMPORT counts requests, not symbols", async () => {
  const w = await openTestWorld({ RATE_LIMIT_IMPORT: "2/1h" });
  try {
    const me = await user(w, "dee", "10.0.2.4");
    const few = zipOf(Object.fromEntries(SYMBOLS.slice(0, 40).map((s, i) => [`${s}.csv`, csvOf(i)])));
    await ok(await post(w, me.token, few, "application/zip"));
    await ok(await post(w, me.token, csvOf(50), "text/csv", `?symbol=${SYMBOLS[50]}`));
    const third = await post(w, me.token, csvOf(51), "text/csv", `?symbol=${SYMBOLS[51]}`);
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get("retry-after")) > 0);
    assert.equal((await w.deps.imports.imports.list(me.id)).length, 41);
  } finally {
    await w.close();
  }
});

Deno.test("a zip with one bad row names the file and line and stores none of its symbols", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "eve", "10.0.2.5");
    const files = { ...ZIP_FILES };
    const lines = csvOf(7).split("\n");
    lines[5] = lines[5].replace(/,[\d.]+,([\d.]+),([\d.]+),(\d+)$/, ",1,$1,$2,$3"); // high 1: below open
    files[`universe/${SYMBOLS[7]}.csv`] = lines.join("\n");
    const issues = await assert422(await post(w, me.token, zipOf(files), "application/zip"));
    assert.deepEqual(issues.map((i: { loc: unknown[] }) => i.loc), [
      ["body", "file", `universe/${SYMBOLS[7]}.csv`, "row", 6],
    ]);
    assert.deepEqual(await w.deps.imports.imports.list(me.id), []);
    for (const s of [SYMBOLS[0], SYMBOLS[7], SYMBOLS[99]]) {
      assert.equal(await w.deps.imports.bars.getMeta({ source: "csv", owner: me.id }, s), null);
    }
  } finally {
    await w.close();
  }
});

Deno.test("a long CSV with bad rows names the panel's lines and the symbols, and stores nothing", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "fay", "10.0.2.6");
    const lines = panel().split("\r\n");
    lines[3] = lines[3].replace(/^(\w+),\d+,/, "$1,2023-13-45,"); // line 4: a bad date
    lines[10] = "," + lines[10].split(",").slice(1).join(","); // line 11: no symbol
    const issues = await assert422(await post(w, me.token, lines.join("\n"), "text/csv"));
    assert.deepEqual(issues.map((i: { loc: unknown[] }) => i.loc), [["body", "row", 11]]);
    const fixed = [...lines];
    fixed[10] = panel().split("\r\n")[10];
    const again = await assert422(await post(w, me.token, fixed.join("\n"), "text/csv"));
    assert.deepEqual(again.map((i: { loc: unknown[] }) => i.loc), [["body", "row", 4]]);
    assert.match(again[0].msg, new RegExp(`^${SYMBOLS[2]}: `));
    assert.deepEqual(await w.deps.imports.imports.list(me.id), []);
  } finally {
    await w.close();
  }
});

Deno.test("zips with hostile names, bad symbols, or that inflate past the limit are refused with 4xx", async () => {
  const w = await openTestWorld({ MAX_IMPORT_BYTES: "100000" });
  try {
    const me = await user(w, "gus", "10.0.2.7");
    for (const name of ["../evil.csv", "/etc/AAPL.csv", "a/../../AAPL.csv"]) {
      const issues = await assert422(await post(w, me.token, zipOf({ [name]: csvOf(0) }), "application/zip"));
      assert.equal(issues[0].type, "zip_entry_path", name);
    }
    const badName = await assert422(
      await post(w, me.token, zipOf({ "a b.csv": csvOf(0) }), "application/zip"),
    );
    assert.equal(badName[0].type, "zip_entry_name");
    // 1 MB of one repeated row compresses to a few kB: under the body limit, over 4 × 100 kB inflated.
    const bomb = zipOf({ "BOMB.csv": HEADER + "\n" + "2024-01-02,1,1,1,1,1\n".repeat(50_000) });
    assert.ok(bomb.length < 100_000);
    await assertDetail(await post(w, me.token, bomb, "application/zip"), 413, /inflates to more than/);
    await assert422(await post(w, me.token, new Uint8Array([1, 2, 3, 4]), "application/zip"));
    // A `symbol` with a zip is refused, never ignored: the zip's file names say which symbols it holds.
    const withSymbol = await assert422(
      await post(w, me.token, zipOf({ "AAPL.csv": csvOf(0) }), "application/zip", "?symbol=MSFT"),
    );
    assert.deepEqual([withSymbol[0].type, withSymbol[0].loc], ["symbol_with_zip", ["query", "symbol"]]);
    assert.deepEqual(await w.deps.imports.imports.list(me.id), []);
    assert.equal((await w.request("GET", "/health")).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("a zip sent as the multipart `file` imports its symbols; the same symbols again are replaced", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "hal", "10.0.2.8");
    const files = Object.fromEntries(SYMBOLS.slice(0, 3).map((s, i) => [`${s}.csv`, csvOf(i)]));
    const send = () => {
      const form = new FormData();
      form.append("file", new File([zipOf(files)], "universe.zip"));
      return w.request("POST", "/api/v1/data/import", { body: form, token: me.token });
    };
    const first = await ok<{ count: number; symbols: { replaced: boolean }[] }>(await send());
    assert.equal(first.count, 3);
    assert.deepEqual(first.symbols.map((s) => s.replaced), [false, false, false]);
    const again = await ok<{ count: number; symbols: { replaced: boolean }[] }>(await send());
    assert.deepEqual(again.symbols.map((s) => s.replaced), [true, true, true]);
    assert.equal((await w.deps.imports.imports.list(me.id)).length, 3);
  } finally {
    await w.close();
  }
});

Deno.test("the per-user symbol cap holds for bulk uploads: past it the whole upload is refused with 400", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "ivy", "10.0.2.9");
    const tiny = "date,open,high,low,close\n2024-01-02,1,2,1,1.5\n";
    const names = (from: number, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`C${from + i}.csv`, tiny]));
    const first = await ok<{ count: number }>(
      await post(w, me.token, zipOf(names(0, 499)), "application/zip"),
    );
    assert.equal(first.count, 499);
    // Two new symbols would make 501: refused, and neither is stored.
    await assertDetail(await post(w, me.token, zipOf(names(499, 2)), "application/zip"), 400, /at most 500/);
    assert.equal(await w.deps.imports.bars.getMeta({ source: "csv", owner: me.id }, "C499"), null);
    assert.equal((await w.deps.imports.imports.list(me.id)).length, 499);
    // Re-importing ones already held plus one new makes exactly 500: accepted.
    await ok(await post(w, me.token, zipOf({ ...names(0, 3), ...names(499, 1) }), "application/zip"));
    assert.equal((await w.deps.imports.imports.list(me.id)).length, 500);
  } finally {
    await w.close();
  }
});
