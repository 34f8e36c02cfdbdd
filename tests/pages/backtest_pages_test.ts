/**
 * The backtest pages: the list and the result page of a real job (queued through the API, run by the runner the
 * queue uses), live-progress wiring, cancel, downloads, ownership, unknown ids, bad queries and signed-out visits.
 */
import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { getPage, pageToken, postForm, signInPage } from "../_helpers/page_session.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  name: "RSI dip page",
  universe: { tickers: ["600519.SH", "600036.SH"] },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  sizing: { method: "percent_equity", percent: 40, max_positions: 2 },
  start: "2017-01-01",
  end: "2019-12-31",
  benchmarks: ["000300.SH"],
};

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** A signed-in page visitor: their cookie and the token their page scripts use. */
async function visitor(w: TestWorld, email: string, ip: string) {
  const cookie = await signInPage(w, email, ip);
  return { cookie, token: await pageToken(w, cookie) };
}

/** Queues `spec` for the visitor through the public API; answers the job id. */
async function submit(w: TestWorld, token: string, spec: Record<string, unknown> = SPEC): Promise<string> {
  const res = await w.request("POST", "/api/v1/backtests", { json: { spec }, token });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json()).job_id;
}

async function html(res: Response): Promise<string> {
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  return await res.text();
}

/** The inner HTML of the element `<tag id="id" …>…</tag>` (tables, sections: no nesting of the same tag). */
function elementHtml(page: string, tag: string, id: string): string {
  const m = page.match(new RegExp(`<${tag}[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</${tag}>`));
  assert.ok(m, `no <${tag} id="${id}"> in the page`);
  return m[1];
}

/** The rows of a table's body, each as its cells' text. */
function bodyRows(page: string, id: string): string[][] {
  const body = elementHtml(page, "table", id).match(/<tbody>([\s\S]*)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1].replace(/<[^>]+>/g, "")).trim())
  );
}

const decode = (s: string) =>
  s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

/** The page's embedded data. */
function pageData(page: string) {
  const m = page.match(/<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/);
  assert.ok(m, "no page data");
  return JSON.parse(m[1]);
}

Deno.test("backtest pages send a signed-out visitor to sign in and back", () =>
  withWorld(async (w) => {
    for (const path of ["/app/backtests", "/app/backtests/bt_x", "/app/backtests/bt_x/trades.csv"]) {
      const res = await getPage(w, path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get("location"), `/app/sign-in?next=${encodeURIComponent(path)}`);
    }
  }));

Deno.test("the list shows my jobs newest first with status, dates, capital, final value, return and trades", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "list@example.com", "10.1.0.1");
    const first = await submit(w, me.token);
    assert.equal(await runBacktestJob(w.deps.backtests, first), "completed");
    w.clock.advance(60_000);
    const second = await submit(w, me.token, { ...SPEC, name: "Waiting one" });
    const res = await getPage(w, "/app/backtests", me.cookie);
    assert.equal(res.status, 200);
    const page = await html(res);
    const rows = bodyRows(page, "backtests-table");
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0].slice(0, 4), ["Waiting one", "queued", "2017-01-01", "2019-12-31"]);
    assert.equal(rows[0][5], "—");
    assert.equal(rows[1][0], "RSI dip page");
    assert.equal(rows[1][1], "completed");
    assert.equal(rows[1][4], "100,000.00");
    const done = await (await w.request("GET", `/api/v1/backtests/${first}`, { token: me.token })).json();
    assert.equal(
      rows[1][5],
      done.final_value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    );
    assert.equal(rows[1][7], String(done.total_trades));
    assert.ok(
      page.includes(`href="/app/backtests/${first}"`) && page.includes(`href="/app/backtests/${second}"`),
    );
    const queuedOnly = bodyRows(
      await html(await getPage(w, "/app/backtests?status=queued", me.cookie)),
      "backtests-table",
    );
    assert.deepEqual(queuedOnly.map((r) => r[0]), ["Waiting one"]);
  }));

Deno.test("the list shows nobody else's jobs and no older link on a short list", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "pager@example.com", "10.1.0.2");
    const other = await visitor(w, "pager-other@example.com", "10.1.0.3");
    await submit(w, other.token, { ...SPEC, name: "Not mine" });
    const page = await html(await getPage(w, "/app/backtests", me.cookie));
    assert.ok(!page.includes("Not mine"));
    assert.match(bodyRows(page, "backtests-table")[0][0], /No backtests/);
    assert.ok(!page.includes('rel="next"'));
  }));

Deno.test("the list shows my recorded synchronous runs beside the jobs", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "sync@example.com", "10.1.0.13");
    const res = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: { ...SPEC, name: "Sync one" } },
      token: me.token,
    });
    assert.equal(res.status, 200, await res.clone().text());
    const report = await res.json();
    const page = await html(await getPage(w, "/app/backtests", me.cookie));
    const rows = bodyRows(page, "runs-table");
    assert.equal(rows.length, 1);
    assert.equal(rows[0][1], "Sync one");
    assert.equal(rows[0][7], String(report.summary.totalTrades));
  }));

Deno.test("the synchronous runs are paged with runs_offset: older runs are reachable", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "syncpages@example.com", "10.1.0.14");
    const res = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: { ...SPEC, name: "Run 0" } },
      token: me.token,
    });
    assert.equal(res.status, 200, await res.clone().text());
    await res.body?.cancel();
    const repo = w.deps.dashboard.runs;
    const userId = (await (await w.request("GET", "/api/v1/auth/me", { token: me.token })).json()).id;
    const [first] = await repo.listByUser(userId, 1);
    const report = (await repo.getReport(first.id))!;
    // 24 more recorded runs, newer one after another: 25 in all (the history keeps 50).
    for (let i = 1; i < 25; i++) {
      const id = `${first.id}_${String(i).padStart(3, "0")}`; // the index sorts by id: after the first
      await repo.record(
        { ...first, id, name: `Run ${i}`, created_at: first.created_at + i * 1000 },
        report,
        50,
      );
    }
    const page1 = await html(await getPage(w, "/app/backtests", me.cookie));
    const names1 = bodyRows(page1, "runs-table").map((r) => r[1]);
    assert.equal(names1.length, 20);
    assert.equal(names1[0], "Run 24");
    assert.equal(names1[19], "Run 5");
    const pager1 = elementHtml(page1, "nav", "runs-pager");
    assert.match(pager1, /href="\/app\/backtests\?runs_offset=20#runs-heading" rel="next"/);
    assert.doesNotMatch(pager1, /rel="prev"/);
    const page2 = await html(await getPage(w, "/app/backtests?runs_offset=20", me.cookie));
    assert.deepEqual(bodyRows(page2, "runs-table").map((r) => r[1]), [
      "Run 4",
      "Run 3",
      "Run 2",
      "Run 1",
      "Run 0",
    ]);
    const pager2 = elementHtml(page2, "nav", "runs-pager");
    assert.match(pager2, /href="\/app\/backtests#runs-heading" rel="prev"/);
    assert.doesNotMatch(pager2, /rel="next"/);
    for (const q of ["-1", "1.5", "abc", "1e3", "1001", "9999999"]) {
      const bad = await getPage(w, `/app/backtests?runs_offset=${q}`, me.cookie);
      assert.equal(bad.status, 400, q);
      await bad.body?.cancel();
    }
  }));

Deno.test("a bad list query is the 400 page, not a 500", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "badq@example.com", "10.1.0.4");
    for (const q of ["?status=done", "?offset=-1", "?offset=abc", "?offset=99999999"]) {
      const res = await getPage(w, `/app/backtests${q}`, me.cookie);
      assert.equal(res.status, 400, q);
      assert.match(await html(res), /Unknown status or page offset/);
    }
  }));

Deno.test("a queued job's page shows its status, progress, a cancel button and the socket to follow", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "queued@example.com", "10.1.0.5");
    const id = await submit(w, me.token);
    const res = await getPage(w, `/app/backtests/${id}`, me.cookie);
    assert.equal(res.status, 200);
    const page = await html(res);
    assert.match(page, /<span id="job-status" class="badge warn" data-status="queued">queued<\/span>/);
    assert.match(page, /<progress id="job-progress"[^>]*value="0"/);
    assert.match(page, /<button type="submit" id="job-cancel"/);
    assert.match(page, new RegExp(`<form method="post" action="/app/backtests/${id}/cancel"`));
    assert.ok(!page.includes('id="monthly-table"'));
    const data = pageData(page);
    assert.equal(data.socket, `/ws/backtests/${id}`);
    assert.equal(data.cancel, `/api/v1/backtests/${id}/cancel`);
    assert.equal(data.chart, null);
    assert.ok(!page.includes(me.token), "the access token is never in the page");
    assert.match(page, /client\/backtest_result\.js/);
  }));

Deno.test("a completed job's page shows the summary, the monthly table, the trades with reasons and exports", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "done@example.com", "10.1.0.6");
    const id = await submit(w, me.token);
    assert.equal(await runBacktestJob(w.deps.backtests, id), "completed");
    const report = await (await w.request("GET", `/api/v1/backtests/${id}/report-data`, { token: me.token }))
      .json();
    const page = await html(await getPage(w, `/app/backtests/${id}`, me.cookie));
    assert.match(page, /data-status="completed">completed</);
    assert.ok(!page.includes('id="job-cancel"'));
    const metrics = elementHtml(page, "dl", "summary-metrics");
    assert.match(metrics, /Sharpe ratio/);
    assert.ok(metrics.includes(`${report.summary.totalReturn.toFixed(2)}%`));
    const months = bodyRows(page, "monthly-table");
    assert.equal(months.length, report.monthlyPerformance.length);
    assert.equal(months[0][0], report.monthlyPerformance[0].month);
    assert.equal(months[0][5], String(report.monthlyPerformance[0].tradesCount));
    const trades = bodyRows(page, "trades-table");
    assert.equal(trades.length, Math.min(200, report.trades.length));
    assert.ok(trades.length > 0);
    assert.equal(trades[0][0], report.trades[0].date);
    assert.equal(trades[0][9], report.trades[0].reason);
    assert.match(trades[0][9], /^entry:/);
    assert.equal(trades[0][10], String(report.trades[0].confidence));
    for (const chart of ["equity-chart", "drawdown-chart"]) {
      assert.match(page, new RegExp(`class="chart" id="${chart}"`));
    }
    assert.match(page, /000300\.SH \d/);
    assert.match(page, new RegExp(`id="export-csv" href="/app/backtests/${id}/trades.csv"`));
    assert.match(page, new RegExp(`id="export-code" href="/app/backtests/${id}/strategy.txt"`));
    const data = pageData(page);
    assert.deepEqual(data.chart.spec.benchmarks, ["000300.SH"]);
    assert.equal(data.chart.dailyPortfolio.length, report.dailyPortfolio.length);
    assert.deepEqual(data.chart.dailyPortfolio[0], {
      date: report.dailyPortfolio[0].date,
      portfolioNormalized: report.dailyPortfolio[0].portfolioNormalized,
      drawdown: report.dailyPortfolio[0].drawdown,
      "000300.SHNormalized": 100,
    });
  }));

Deno.test("a completed job's downloads: the API's trades CSV, the strategy text and backtrader Python", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "files@example.com", "10.1.0.7");
    const id = await submit(w, me.token);
    await runBacktestJob(w.deps.backtests, id);
    const csv = await getPage(w, `/app/backtests/${id}/trades.csv`, me.cookie);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
    assert.match(
      csv.headers.get("content-disposition") ?? "",
      /attachment; filename="backtest-.*-trades\.csv"/,
    );
    const apiCsv = await (await w.request("GET", `/api/v1/backtests/${id}/trades.csv`, { token: me.token }))
      .text();
    assert.equal(await csv.text(), apiCsv);
    const text = await (await getPage(w, `/app/backtests/${id}/strategy.txt`, me.cookie)).text();
    assert.match(text, /rsi\(close, 14\) < 35/);
    const py = await getPage(w, `/app/backtests/${id}/strategy.py`, me.cookie);
    assert.match(py.headers.get("content-type") ?? "", /^text\/x-python/);
    assert.match(await py.text(), /import backtrader as bt/);
  }));

Deno.test("another user's job and its downloads are the 404 page, like an unknown or malformed id", () =>
  withWorld(async (w) => {
    const owner = await visitor(w, "owner@example.com", "10.1.0.8");
    const other = await visitor(w, "nosy@example.com", "10.1.0.9");
    const id = await submit(w, owner.token);
    await runBacktestJob(w.deps.backtests, id);
    const paths = [
      `/app/backtests/${id}`,
      `/app/backtests/${id}/trades.csv`,
      `/app/backtests/${id}/strategy.txt`,
      `/app/backtests/${id}/strategy.py`,
      "/app/backtests/bt_does_not_exist",
      `/app/backtests/${"x".repeat(80)}`,
      "/app/backtests/bad%20id",
      `/app/backtests/${id}/cancel`,
      "/app/backtests/bt_does_not_exist/cancel",
    ];
    const answers: string[] = [];
    for (const path of paths) {
      const res = await getPage(w, path, other.cookie);
      assert.equal(res.status, 404, path);
      const page = await html(res);
      assert.match(page, /This backtest does not exist or is not yours/);
      answers.push(page);
    }
    assert.equal(answers[0], answers[4], "someone else's job reads exactly like an unknown one");
    const cancel = await postForm(w, `/app/backtests/${id}/cancel`, {}, other.cookie);
    assert.equal(cancel.status, 404);
  }));

Deno.test("the cancel form cancels a queued job without JavaScript and the page then shows it cancelled", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "cancel@example.com", "10.1.0.10");
    const id = await submit(w, me.token);
    const res = await postForm(w, `/app/backtests/${id}/cancel`, {}, me.cookie);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `/app/backtests/${id}`);
    const page = await html(await getPage(w, `/app/backtests/${id}`, me.cookie));
    assert.match(page, /data-status="cancelled">cancelled</);
    assert.ok(!page.includes('id="job-cancel"'));
    assert.match(page, /This run has no result \(cancelled\)/);
    const back = await getPage(w, `/app/backtests/${id}/cancel`, me.cookie);
    assert.equal(back.status, 303, "a GET (after signing in again) only goes back to the job");
    assert.equal(back.headers.get("location"), `/app/backtests/${id}`);
    const again = await postForm(w, `/app/backtests/${id}/cancel`, {}, me.cookie);
    assert.equal(again.status, 303, "cancelling a finished job just shows it");
  }));

Deno.test("a failed job's page shows its error", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "failed@example.com", "10.1.0.11");
    const id = await submit(w, me.token, { ...SPEC, universe: { tickers: ["NOPE.XX"] } });
    assert.equal(await runBacktestJob(w.deps.backtests, id), "failed");
    const job = await (await w.request("GET", `/api/v1/backtests/${id}`, { token: me.token })).json();
    const page = await html(await getPage(w, `/app/backtests/${id}`, me.cookie));
    assert.match(page, /data-status="failed">failed</);
    assert.ok(job.error);
    assert.ok(decode(elementHtml(page, "p", "job-error")).includes(job.error));
  }));

Deno.test("a long trade list shows 200 rows, says so, and links the CSV with all of them", () =>
  withWorld(async (w) => {
    const me = await visitor(w, "busy@example.com", "10.1.0.12");
    const id = await submit(w, me.token, {
      ...SPEC,
      name: "Busy",
      universe: { tickers: ["600519.SH", "600036.SH", "000001.SZ", "601318.SH"] },
      entry: "close > sma(close, 3)",
      exit: "close < sma(close, 3)",
      sizing: { method: "percent_equity", percent: 20, max_positions: 4 },
    });
    assert.equal(await runBacktestJob(w.deps.backtests, id), "completed");
    const report = await (await w.request("GET", `/api/v1/backtests/${id}/report-data`, { token: me.token }))
      .json();
    assert.ok(report.trades.length > 200, `only ${report.trades.length} trades`);
    const page = await html(await getPage(w, `/app/backtests/${id}`, me.cookie));
    assert.equal(bodyRows(page, "trades-table").length, 200);
    assert.match(page, new RegExp(`Showing the first 200 of ${report.trades.length} trades`));
  }));
