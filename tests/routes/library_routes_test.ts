import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
};

const V2_CODE =
  'universe: {"tickers":["600519.SH"]}\nentry: close > sma(close, 100)\nexit: close < sma(close, 100)';

/** Signs in an author nicknamed "alpha_lab" and a second user. */
async function signInAuthorAndOther(w: TestWorld) {
  const me = await signInWithOtp(w, "lib@example.com");
  const other = await signInWithOtp(w, "other@example.com", "10.0.0.3");
  await w.request("PATCH", "/api/v1/auth/profile", {
    json: { nickname: "alpha_lab" },
    token: me.access_token,
  });
  return { t: me.access_token, other: other.access_token };
}

/** The author's "SMA cross" saved twice: version 1 from SPEC, version 2 from code. */
async function saveTwoVersions(w: TestWorld) {
  const users = await signInAuthorAndOther(w);
  const { strategy_id } = await (await w.request("POST", "/api/v1/library", {
    json: { name: "SMA cross", prompt: "trend", spec: SPEC },
    token: users.t,
  })).json();
  await w.request("POST", "/api/v1/library", {
    json: { name: "SMA cross", strategy_id, code: V2_CODE },
    token: users.t,
  });
  return { ...users, strategy_id: strategy_id as string };
}

/** Two versions saved, version 1 staged and promoted, then published. */
async function publishVersionOne(w: TestWorld) {
  const s = await saveTwoVersions(w);
  await w.request("POST", `/api/v1/library/${s.strategy_id}/stage`, { json: { version: 1 }, token: s.t });
  await w.request("POST", `/api/v1/library/${s.strategy_id}/promote`, { token: s.t });
  await w.request("PATCH", `/api/v1/library/${s.strategy_id}`, { json: { is_public: true }, token: s.t });
  return s;
}

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

Deno.test("library: saving a new strategy answers 201 with version 1", () =>
  withWorld(async (w) => {
    const { t } = await signInAuthorAndOther(w);
    const saved = await w.request("POST", "/api/v1/library", {
      json: { name: "SMA cross", prompt: "trend", spec: SPEC },
      token: t,
    });
    assert.equal(saved.status, 201);
    const { message, version } = await saved.json();
    assert.equal(message, "Strategy saved successfully");
    assert.equal(version, 1);
  }));

Deno.test("library: saving again under the same strategy_id adds version 2", () =>
  withWorld(async (w) => {
    const { t } = await signInAuthorAndOther(w);
    const { strategy_id } = await (await w.request("POST", "/api/v1/library", {
      json: { name: "SMA cross", prompt: "trend", spec: SPEC },
      token: t,
    })).json();
    const v2 = await (await w.request("POST", "/api/v1/library", {
      json: { name: "SMA cross", strategy_id, code: V2_CODE },
      token: t,
    })).json();
    assert.equal(v2.version, 2);
  }));

Deno.test("library: another user cannot save a version into someone else's strategy", () =>
  withWorld(async (w) => {
    const { strategy_id, other } = await saveTwoVersions(w);
    assert.equal(
      (await w.request("POST", "/api/v1/library", {
        json: { name: "x", strategy_id, spec: SPEC },
        token: other,
      })).status,
      404,
    );
  }));

Deno.test("library: detail shows the latest version's code and the versions list holds both", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveTwoVersions(w);
    const detail = await (await w.request("GET", `/api/v1/library/${strategy_id}`, { token: t })).json();
    assert.equal(detail.latest_version, 2);
    assert.match(detail.latest.generated_code, /entry: close > sma\(close, 100\)/);
    // Beside the strategy text, the same version as backtrader Python (what /export/code/{id} downloads).
    assert.match(detail.latest.backtrader_code, /^import backtrader as bt$/m);
    assert.match(
      detail.latest.backtrader_code,
      /i\["sma_close_100"\] = bt\.ind\.SMA\(d\.close, period=100\)/,
    );
    const versions = await (await w.request("GET", `/api/v1/library/${strategy_id}/versions`, { token: t }))
      .json();
    assert.equal(versions.total, 2);
  }));

Deno.test("library: another user cannot read someone else's strategy", () =>
  withWorld(async (w) => {
    const { strategy_id, other } = await saveTwoVersions(w);
    assert.equal(
      (await w.request("GET", `/api/v1/library/${strategy_id}`, { token: other })).status,
      404,
    );
  }));

Deno.test("library: promote with nothing staged is refused", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveTwoVersions(w);
    assert.equal(
      (await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t })).status,
      400,
      "nothing staged",
    );
  }));

Deno.test("library: promoting a staged version does not publish it", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveTwoVersions(w);
    await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 1 }, token: t });
    const p1 = await (await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t })).json();
    assert.equal(p1.production_version, 1);
    assert.equal(p1.is_public, false, "promoting does not publish");
    assert.equal((await (await w.request("GET", "/api/v1/catalog/strategies")).json()).total, 0);
  }));

Deno.test("library: publishing lists the strategy in the catalog under the author's nickname, never an email", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveTwoVersions(w);
    await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 1 }, token: t });
    await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t });
    const published = await w.request("PATCH", `/api/v1/library/${strategy_id}`, {
      json: { is_public: true },
      token: t,
    });
    assert.equal((await published.json()).is_public, true);
    const catalog = await (await w.request("GET", "/api/v1/catalog/strategies")).json();
    assert.equal(catalog.total, 1);
    assert.equal(catalog.items[0].author, "alpha_lab");
    assert.ok(!JSON.stringify(catalog).includes("lib@example.com"), "never an email");
  }));

Deno.test("library: rollback returns to the previous production version and is refused when there is none", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await publishVersionOne(w);
    await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 2 }, token: t });
    assert.equal(
      (await (await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token: t })).json())
        .production_version,
      2,
    );
    assert.equal(
      (await (await w.request("POST", `/api/v1/library/${strategy_id}/rollback`, { token: t })).json())
        .production_version,
      1,
    );
    assert.equal(
      (await w.request("POST", `/api/v1/library/${strategy_id}/rollback`, { token: t })).status,
      400,
    );
  }));

Deno.test("library: catalog finds a strategy by name in any case and answers 404 for an unknown name", () =>
  withWorld(async (w) => {
    await publishVersionOne(w);
    assert.equal((await w.request("GET", "/api/v1/catalog/strategies/sma%20CROSS")).status, 200);
    assert.equal((await w.request("GET", "/api/v1/catalog/strategies/nothing")).status, 404);
  }));

Deno.test("library: catalog compare shows each author's production version with its metrics", () =>
  withWorld(async (w) => {
    await publishVersionOne(w);
    const compared = await (await w.request("GET", "/api/v1/catalog/strategies/SMA%20cross/compare")).json();
    assert.equal(compared.strategies.length, 1);
    assert.deepEqual([compared.strategies[0].author, compared.strategies[0].production_version], [
      "alpha_lab",
      1,
    ]);
    assert.equal(typeof compared.strategies[0].metrics.totalReturn, "number");
  }));

Deno.test("library: strategy.txt downloads the latest version's strategy text as an attachment", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveTwoVersions(w);
    const exported = await w.request("GET", `/api/v1/library/${strategy_id}/strategy.txt`, { token: t });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get("content-type")!, /^text\/plain/);
    assert.match(
      exported.headers.get("content-disposition")!,
      /attachment; filename="strat_.*-v2\.strategy\.txt"/,
    );
    assert.match(await exported.text(), /^entry: close > sma\(close, 100\)$/m);
  }));

Deno.test("library: the old export.ts path answers 308 to strategy.txt, query kept", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveTwoVersions(w);
    const old = await w.request("GET", `/api/v1/library/${strategy_id}/export.ts?x=1`, { token: t });
    assert.equal(old.status, 308);
    assert.equal(old.headers.get("location"), `/api/v1/library/${strategy_id}/strategy.txt?x=1`);
    await old.body?.cancel();
  }));

Deno.test("library: another user cannot delete someone else's strategy", () =>
  withWorld(async (w) => {
    const { strategy_id, other } = await saveTwoVersions(w);
    assert.equal(
      (await w.request("DELETE", `/api/v1/library/${strategy_id}`, { token: other })).status,
      404,
    );
  }));

Deno.test("library: deleting a published strategy removes it from detail, catalog and the owner's list", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await publishVersionOne(w);
    assert.equal((await w.request("DELETE", `/api/v1/library/${strategy_id}`, { token: t })).status, 200);
    assert.equal((await w.request("GET", `/api/v1/library/${strategy_id}`, { token: t })).status, 404);
    assert.equal((await (await w.request("GET", "/api/v1/catalog/strategies")).json()).total, 0);
    assert.equal((await (await w.request("GET", "/api/v1/library", { token: t })).json()).total, 0);
  }));

/** "Cross" saved twice over 2017–2019, the versions differing only in their entry rule. */
async function saveCrossVersions(w: TestWorld) {
  const me = await signInWithOtp(w, "cmp@example.com");
  const t = me.access_token;
  const { strategy_id } = await (await w.request("POST", "/api/v1/library", {
    json: { name: "Cross", spec: { ...SPEC, start: "2017-01-01", end: "2019-12-31" } },
    token: t,
  })).json();
  await w.request("POST", "/api/v1/library", {
    json: {
      name: "Cross",
      strategy_id,
      spec: {
        ...SPEC,
        entry: "crosses_above(sma(close, 10), sma(close, 30))",
        start: "2017-01-01",
        end: "2019-12-31",
      },
    },
    token: t,
  });
  return { t, strategy_id: strategy_id as string };
}

Deno.test("library: comparing two versions gives both metrics and the spec paths that differ", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveCrossVersions(w);
    const cmp = await (await w.request("GET", `/api/v1/library/${strategy_id}/compare?a=1&b=2`, { token: t }))
      .json();
    assert.equal(cmp.a.version, 1);
    assert.equal(typeof cmp.b.metrics.totalReturn, "number");
    assert.deepEqual(cmp.spec_differences.map((d: { path: string }) => d.path), ["entry"]);
  }));

Deno.test("library: export.csv answers 404 before any run of the strategy", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveCrossVersions(w);
    assert.equal(
      (await w.request("GET", `/api/v1/library/${strategy_id}/export.csv`, { token: t })).status,
      404,
      "no run yet",
    );
  }));

Deno.test("library: export.csv after a queued run of a version holds its trades and one equity row per day", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveCrossVersions(w);
    const queued = await w.request("POST", "/api/v1/backtests", {
      json: { library_id: strategy_id, version: 1 },
      token: t,
    });
    assert.equal(queued.status, 202);
    const { job_id } = await queued.json();
    assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
    const csv = await w.request("GET", `/api/v1/library/${strategy_id}/export.csv`, { token: t });
    assert.equal(csv.status, 200);
    const text = await csv.text();
    assert.match(text, new RegExp(`^# trades \\(backtest ${job_id}, version 1\\)`));
    const [tradesPart, equityPart] = text.split("# daily equity\r\n");
    assert.match(tradesPart.split("\r\n")[1], /^date,ticker,companyName,action/);
    const equityRows = equityPart.trim().split("\r\n");
    assert.equal(equityRows[0], "date,portfolioValue,cash,drawdown");
    const job = await (await w.request("GET", `/api/v1/backtests/${job_id}`, { token: t })).json();
    assert.equal(equityRows.length - 1, job.equity_curve.length, "one row per day");
    assert.equal(Number(equityRows.at(-1)!.split(",")[1]), job.equity_curve.at(-1).portfolio_value);
  }));

Deno.test("library: queuing a backtest with both library_id and spec is refused with 422", () =>
  withWorld(async (w) => {
    const { strategy_id, t } = await saveCrossVersions(w);
    const both = await w.request("POST", "/api/v1/backtests", {
      json: { library_id: strategy_id, spec: SPEC },
      token: t,
    });
    assert.equal(both.status, 422);
  }));
