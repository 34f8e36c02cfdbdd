/**
 * Poison market data (issue: tiny prices hung the server): the import refuses it, and a poison series that
 * reaches the engine anyway (written straight into KV) fails the run with a 400 or a `failed` job naming the
 * symbol and the day.
 */
import assert from "node:assert/strict";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import { runBacktestJob, submitBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { toDayNumber } from "../../domain/calendar/dates.ts";
import { emptySeries } from "../../domain/store/bar_codec.ts";
import { MAX_PRICE, MAX_VOLUME, MIN_PRICE } from "../../domain/market/csv/parse_bars_csv.ts";
import { ValidationError } from "../../domain/errors.ts";
import { createBarRepo } from "../../domain/store/bar_repo.ts";
import { createUserRepo } from "../../domain/store/user_repo.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { describeCliError, runImportCli } from "../../scripts/import_csv.ts";
import { assert422, assertDetail, ok } from "../_helpers/identity.ts";
import { openTestWorld, signInWithOtp, T0, type TestWorld } from "../_helpers/test_app.ts";

const CSV = { "content-type": "text/csv" };
const ALL_DAYS = [toDayNumber("1800-01-01"), toDayNumber("2199-12-31")] as const;

/** `n` daily rows from 2024-01-02, every price `price`. */
function csvOf(n: number, price: string, volume = "100") {
  const rows = ["Date,Open,High,Low,Close,Volume"];
  for (let k = 0; k < n; k++) {
    const d = new Date(Date.UTC(2024, 0, 2 + k)).toISOString().slice(0, 10);
    rows.push(`${d},${price},${price},${price},${price},${volume}`);
  }
  return rows.join("\n") + "\n";
}

function upload(w: TestWorld, symbol: string, token: string, body: string) {
  return w.request("POST", `/api/v1/data/import?symbol=${symbol}`, { body, token, headers: CSV });
}

async function user(w: TestWorld, name: string, ip: string) {
  const pair = await signInWithOtp(w, `${name}@example.com`, ip);
  return { token: pair.access_token, id: pair.user.id };
}

const SPEC = {
  universe: { tickers: ["POISON"] },
  entry: "close > 0",
  exit: "close < 0",
  start: "2024-01-01",
  end: "2024-03-31",
};

Deno.test("POST /data/import refuses 1e-305 prices, prices above the bound and huge volumes with a row-level 422", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "pia", "10.0.1.1");
    const poison = await assert422(await upload(w, "POISON", me.token, csvOf(30, "1e-305")), [
      "body",
      "row",
      2,
    ]);
    assert.equal(poison.length, 30, "every row is named");
    assert.match(
      poison[0].msg,
      /open 1e-305, high 1e-305, low 1e-305, close 1e-305 are outside the accepted price range/,
    );
    const bad = "Date,Open,High,Low,Close,Volume,Adj Close\n" +
      "2024-01-02,10,11,9,10,100,10\n" +
      "2024-01-03,10,2e9,9,10,100,10\n" + // high above MAX_PRICE
      "2024-01-04,10,11,9,10,1e16,10\n" + // volume above MAX_VOLUME
      "2024-01-05,10,11,9,10,100,1e-9\n" + // adj close below MIN_PRICE
      "2024-01-06,10,11,9,10,-1,10\n" + // negative volume
      "2024-01-07,10,11,9,1e400,100,10\n" + // overflows to Infinity: not a number
      "2024-01-08,0.0000009,0.000001,0.0000009,0.000001,100,0.000001\n"; // open below MIN_PRICE
    const issues = await assert422(await upload(w, "BOUNDS", me.token, bad));
    assert.deepEqual(issues.map((i) => i.loc[2]), [3, 4, 5, 6, 7, 8]);
    assert.match(issues[0].msg, /high 2000000000 is outside the accepted price range/);
    assert.match(issues[1].msg, /volume 10000000000000000 is above the largest accepted volume/);
    assert.match(issues[2].msg, /adj close 1e-9 is outside the accepted price range/);
    assert.match(issues[3].msg, /volume -1 is negative/);
    assert.match(issues[4].msg, /close "1e400" is not a number/);
    assert.match(issues[5].msg, /open 9e-7, low 9e-7 are outside/);
    for (const symbol of ["POISON", "BOUNDS"]) {
      assert.equal(
        await w.deps.imports.bars.getMeta({ source: "csv", owner: me.id }, symbol),
        null,
        "stored nothing",
      );
    }
    // The bounds themselves are accepted.
    const edges = "Date,Open,High,Low,Close,Volume\n" +
      `2024-01-02,${MIN_PRICE},${MIN_PRICE},${MIN_PRICE},${MIN_PRICE},0\n` +
      `2024-01-03,${MAX_PRICE},${MAX_PRICE},${MAX_PRICE},${MAX_PRICE},${MAX_VOLUME}\n`;
    const summary = await ok(await upload(w, "EDGES", me.token, edges));
    assert.equal(summary.rows, 2);
  } finally {
    await w.close();
  }
});

Deno.test("deno task import refuses the poison CSV row by row and stores nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/kv.sqlite`;
    const kv = await Deno.openKv(path);
    await createUserRepo(kv).create(newUserRecord({ id: "usr_cli", email: "cli@example.com" }, 0));
    kv.close();
    const file = `${dir}/poison.csv`;
    await Deno.writeTextFile(file, csvOf(3, "1e-305"));
    const error = await runImportCli(["--symbol", "POISON", "--owner", "usr_cli", file], path, T0).then(
      () => assert.fail("expected a refusal"),
      (e) => e,
    );
    assert.ok(error instanceof ValidationError);
    const text = describeCliError(error);
    assert.match(text, /^The CSV has 3 bad rows; nothing was imported/);
    assert.match(text, /row 2: open 1e-305, high 1e-305, low 1e-305, close 1e-305 are outside/);
    const again = await Deno.openKv(path);
    try {
      assert.equal(await createBarRepo(again).getMeta({ source: "csv", owner: "usr_cli" }, "POISON"), null);
    } finally {
      again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Imports a sane `POISON` for `me`, then overwrites its bars in KV with 1e-305 prices, as a bug or an old
 * import could have left them (the import itself now refuses such a file). */
async function plantPoison(w: TestWorld, me: { token: string; id: string }) {
  await ok(await upload(w, "POISON", me.token, csvOf(40, "10")));
  const n = 40;
  const series = emptySeries("POISON", "csv", n);
  for (let k = 0; k < n; k++) {
    series.days[k] = toDayNumber("2024-01-02") + k;
    series.open[k] =
      series.high[k] =
      series.low[k] =
      series.close[k] =
        1e-305;
    series.volume[k] = 100;
    series.adj_factor[k] = 1;
  }
  await w.deps.imports.bars.replaceSeries({ source: "csv", owner: me.id }, series, T0);
  const back = await w.deps.imports.bars.getBars({ source: "csv", owner: me.id }, "POISON", ...ALL_DAYS);
  assert.equal(back?.close[0], 1e-305, "the poison is in KV");
}

Deno.test("a poison series in KV fails a synchronous run with 400 naming the symbol and day, and the server answers", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "quinn", "10.0.1.2");
    await plantPoison(w, me);
    const res = await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token: me.token });
    const body = await assertDetail(res, 400, /POISON on 2024-01-02/);
    assert.match(body.detail, /not finite/);
    assert.equal((await w.request("GET", "/health")).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("a queued job over a poison series ends failed with the reason naming the symbol and day", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "ravi", "10.0.1.3");
    await plantPoison(w, me);
    const job = await submitBacktestJob(w.deps.backtests, me.id, StrategySpecSchema.parse(SPEC));
    assert.equal(await runBacktestJob(w.deps.backtests, job.id), "failed");
    const done = (await w.deps.backtests.jobs.get(job.id))!;
    assert.equal(done.status, "failed");
    assert.match(done.error ?? "", /Unusable market data for POISON on 2024-01-02/);
    assert.equal(await runBacktestJob(w.deps.backtests, job.id), "skipped", "it never runs again");
    assert.deepEqual(await w.deps.backtests.jobs.listActive(10), []);
  } finally {
    await w.close();
  }
});
