import assert from "node:assert/strict";
import { queueBacktest } from "../../../domain/backtest/job_submission.ts";
import {
  completedReport,
  jobEquity,
  jobPlot,
  jobTradesCsv,
  libraryRunCsv,
} from "../../../domain/backtest/job_reports.ts";
import { cancelJob, jobDetail, listJobs } from "../../../domain/backtest/job_views.ts";
import { runBacktestJob } from "../../../domain/backtest/queued_runs.ts";
import { equityToCsv, tradesToCsv } from "../../../domain/backtest/report_csv.ts";
import { NotFoundError, RateLimitError, ValidationError } from "../../../domain/errors.ts";
import { saveStrategy } from "../../../domain/strategy/library.ts";
import { toStrategyText } from "../../../domain/strategy/strategy_text.ts";
import { openBacktestWorld, rsiSpec } from "../../_helpers/backtest_world.ts";

Deno.test("queueBacktest() queues past the tier's running cap and refuses only past its waiting cap", async () => {
  const w = await openBacktestWorld();
  try {
    const deps = { jobs: w.jobs, library: w.library, maxExpressionCost: 1e12 };
    const free = await w.addUser("usr_free", "free", "free"); // the free tier runs 2 at once, 20 may be queued
    const spec = rsiSpec(["600519.SH"]);
    const first = await queueBacktest(deps, free, { spec });
    w.clock.advance(1);
    await queueBacktest(deps, free, { strategy_code: toStrategyText(spec) });
    const queued = [];
    for (let i = 0; i < 18; i++) {
      w.clock.advance(1);
      queued.push(await queueBacktest(deps, free, { spec }));
    }
    assert.equal(queued[0].queue.position, 3);
    assert.equal(queued[0].queue.max_running, 2);
    assert.equal(queued.at(-1)!.queue.position, 20);
    // 20 queued (none started): the cap.
    await assert.rejects(queueBacktest(deps, free, { spec }), (e) => {
      assert.ok(e instanceof RateLimitError);
      assert.match(e.message, /the free tier runs 2 at once and holds at most 20 queued \(not yet started\)/);
      assert.equal(e.retryAfterSeconds, 30);
      return true;
    });
    await cancelJob(w.jobs, free.id, first.job_id);
    w.clock.advance(1);
    const again = await queueBacktest(deps, free, { spec });
    assert.equal(again.status, "queued", "a cancelled job frees its place");
    assert.equal(again.queue.position, 20);
    const licensed = await w.addUser("usr_lic", "lic", "licensed");
    for (let i = 0; i < 3; i++) await queueBacktest(deps, licensed, { spec });
    assert.equal((await listJobs(w.jobs, licensed.id, { limit: 50, offset: 0 })).total, 3);
  } finally {
    w.close();
  }
});

Deno.test("runBacktestJob() starts a user's jobs in turn: higher priority first, at most the tier's cap at once", async () => {
  const w = await openBacktestWorld();
  try {
    const deps = { jobs: w.jobs, library: w.library, maxExpressionCost: 1e12 };
    const free = await w.addUser("usr_turns", "turns", "free");
    const spec = rsiSpec(["600519.SH"]);
    const ids: string[] = [];
    for (const priority of [0, 0, 0, 5]) {
      w.clock.advance(1);
      ids.push((await queueBacktest(deps, free, { spec, priority })).job_id);
    }
    // Turn order: the priority-5 job, then the oldest two; the third oldest waits.
    assert.equal(await runBacktestJob(w.jobs, ids[2]), "busy");
    assert.equal(await runBacktestJob(w.jobs, ids[3]), "completed");
    assert.equal(await runBacktestJob(w.jobs, ids[2]), "busy", "ids[0] and ids[1] are ahead of it");
    // A job claimed but not finished holds its slot.
    await w.jobs.jobs.update(ids[0], (j) => ({ ...j, status: "running", lease_until: Date.UTC(2100, 0, 1) }));
    assert.equal(await runBacktestJob(w.jobs, ids[2]), "busy");
    assert.equal(await runBacktestJob(w.jobs, ids[1]), "completed");
    assert.equal(await runBacktestJob(w.jobs, ids[2]), "completed", "one running, none ahead: its turn");
  } finally {
    w.close();
  }
});

Deno.test("queueBacktest() runs a library version, and names the strategy's place in the input when over budget", async () => {
  const w = await openBacktestWorld();
  try {
    const me = await w.addUser("usr_lib", "lib");
    const saved = await saveStrategy(w.library, me.id, { name: "RSI", spec: rsiSpec(["600519.SH"]) });
    const ok = await queueBacktest({ jobs: w.jobs, library: w.library, maxExpressionCost: 1e12 }, me, {
      library_id: saved.strategy.id,
    });
    const job = (await w.jobs.jobs.get(ok.job_id))!;
    assert.equal(job.library_id, saved.strategy.id);
    assert.equal(job.library_version, 1);
    const tight = { jobs: w.jobs, library: w.library, maxExpressionCost: 1 };
    for (
      const [input, loc] of [[{ library_id: saved.strategy.id }, ["library_id"]], [{ spec: job.spec }, [
        "spec",
      ]]] as const
    ) {
      await assert.rejects(queueBacktest(tight, me, input), (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, loc);
        assert.match(e.message, /MAX_JOB_EXPRESSION_COST/);
        return true;
      });
    }
  } finally {
    w.close();
  }
});

Deno.test("a completed job answers its typed report, detail, equity, trades CSV and plot; others see nothing", async () => {
  const w = await openBacktestWorld();
  try {
    const me = await w.addUser("usr_done", "done");
    const spec = rsiSpec(["600519.SH", "000001.SZ"], { benchmarks: ["000300.SH"] });
    const { job_id } = await queueBacktest(
      { jobs: w.jobs, library: w.library, maxExpressionCost: 1e12 },
      me,
      {
        spec,
      },
    );
    await assert.rejects(completedReport(w.jobs, me.id, job_id), /has no report \(status: queued\)/);
    assert.equal((await jobDetail(w.jobs, me.id, job_id)).equity_curve, null);
    assert.equal(await runBacktestJob(w.jobs, job_id), "completed");

    const report = await completedReport(w.jobs, me.id, job_id);
    assert.ok(report.trades.length > 0);
    assert.deepEqual(report.spec.universe.tickers, ["600519.SH", "000001.SZ"]);
    const detail = await jobDetail(w.jobs, me.id, job_id);
    assert.equal(detail.status, "completed");
    assert.equal(detail.progress, 100);
    assert.equal(detail.trades!.length, report.trades.length);
    assert.equal(detail.trades![0].asset, report.trades[0].ticker);
    assert.equal(detail.final_value, report.summary.finalValue);
    const { equity_curve } = await jobEquity(w.jobs, me.id, job_id);
    assert.equal(equity_curve.length, report.dailyPortfolio.length);
    assert.equal(equity_curve.at(-1)!.portfolio_value, report.dailyPortfolio.at(-1)!.portfolioValue);
    assert.equal(typeof equity_curve.at(-1)!.benchmark_value, "number", "the first benchmark rides along");

    const csv = await jobTradesCsv(w.jobs, me.id, job_id);
    assert.equal(csv.filename, `backtest-${job_id}-trades.csv`);
    assert.equal(csv.text, tradesToCsv(report.trades));
    assert.equal(csv.text.trimEnd().split("\r\n").length, report.trades.length + 1);

    const counts = new Map<string, number>();
    for (const t of report.trades) counts.set(String(t.ticker), (counts.get(String(t.ticker)) ?? 0) + 1);
    const mostTraded = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const figure = await jobPlot(w.jobs, me.id, job_id);
    assert.equal((figure.data[0] as { name: string }).name, mostTraded, "default: the most traded ticker");
    const other = await jobPlot(w.jobs, me.id, job_id, "600519.SH");
    assert.equal((other.data[0] as { name: string }).name, "600519.SH");

    for (const read of [completedReport, jobEquity, jobTradesCsv, jobPlot, jobDetail]) {
      await assert.rejects(read(w.jobs, "usr_someone_else", job_id), NotFoundError);
    }
  } finally {
    w.close();
  }
});

Deno.test("libraryRunCsv() writes the latest completed job of a library strategy with the one CSV writer", async () => {
  const w = await openBacktestWorld();
  try {
    const me = await w.addUser("usr_csv", "csv");
    const saved = await saveStrategy(w.library, me.id, { name: "RSI", spec: rsiSpec(["600519.SH"]) });
    const deps = { jobs: w.jobs, library: w.library };
    await assert.rejects(libraryRunCsv(deps, me.id, saved.strategy.id), /no completed backtest yet/);
    const { job_id } = await queueBacktest({ ...deps, maxExpressionCost: 1e12 }, me, {
      library_id: saved.strategy.id,
    });
    await runBacktestJob(w.jobs, job_id);
    const report = (await w.jobs.jobs.getReport(job_id))!;
    const file = await libraryRunCsv(deps, me.id, saved.strategy.id);
    assert.equal(file.filename, `${saved.strategy.id}-backtest.csv`);
    assert.equal(
      file.text,
      `# trades (backtest ${job_id}, version 1)\r\n${tradesToCsv(report.trades)}\r\n# daily equity\r\n` +
        equityToCsv(report.dailyPortfolio),
    );
    assert.match(file.text, /\r\n# daily equity\r\ndate,portfolioValue,cash,drawdown\r\n\d{4}-\d\d-\d\d,/);
    await assert.rejects(libraryRunCsv(deps, "usr_other", saved.strategy.id), NotFoundError);
  } finally {
    w.close();
  }
});

Deno.test("csv writer: quotes commas, quotes and line breaks; empty cells for missing values", () => {
  const text = tradesToCsv([{
    date: "2020-01-02",
    ticker: "A",
    reason: 'rsi < 30, "oversold"\nbuy',
    fees: null,
  }]);
  const [header, row] = text.split("\r\n");
  assert.equal(header.split(",")[0], "date");
  assert.equal(row, `2020-01-02,A,,,,,,,,,,,"rsi < 30, ""oversold""\nbuy"`);
  assert.ok(text.endsWith('buy"\r\n'));
  assert.equal(equityToCsv([]), "date,portfolioValue,cash,drawdown\r\n");
});
