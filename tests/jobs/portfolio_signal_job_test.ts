/**
 * The portfolio signal job, end to end through the real routes, submission, settlement and verifier:
 *
 * - ACCEPTANCE (issue 15): a two-factor hs300 portfolio activated at 08:30 CST on a trading day submits its
 *   signal at once (the algorithm's answer, checked against a plain computation here); the 09:00 run is a no-op
 *   ("already submitted"); the 18:15 settlement settles it; `/verify` answers a consistent package; the offline
 *   verifier behind `deno task verify` accepts the record.
 * - not a trading day → nothing; after 09:15 → activation does not submit and the 09:16 check marks `missed`
 *   (owner notified, error logged); a paused portfolio is skipped; values fall back at most 5 trading days.
 * - the cron table: 09:00/09:05/09:12 runs and the 09:16 check, in UTC.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { checkPortfolioSignals, runPortfolioSignals } from "../../domain/portfolios/portfolio_job.ts";
import { runDailyJob } from "../../domain/track_record/daily_tasks.ts";
import { MAX_SIGNAL_SYMBOLS } from "../../domain/track_record/signals/signals.ts";
import { CRON_JOBS, type CronDeps } from "../../jobs/cron.ts";
import { createApp } from "../../routes/app.ts";
import { verifyRecord } from "../../scripts/verify_record.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import {
  cstOn,
  DAY,
  pseudoValues,
  seedFactor,
  signIn,
  sse,
  universeStocks,
} from "../domain/portfolios/portfolio_fixtures.ts";

const P = "/api/v1/portfolios";
/** The factor date of DAY (delay 1): the SSE trading day before 2026-05-14. */
const FACTOR_DATE = "2026-05-13";

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

async function json(res: Response, status: number) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return JSON.parse(text);
}

/**
 * A user with two active hs300 factors (values on `dates`, each the same pseudo-random cross-section per seed)
 * and a portfolio of both (top_n 10); answers the ids and the values used.
 */
async function setup(
  w: TestWorld,
  email: string,
  opts: { dates?: string[]; weighting?: "equal" | "ic_weighted"; top_n?: number } = {},
) {
  const user = await signIn(w, email);
  const symbols = await universeStocks(w, "hs300");
  const v1 = pseudoValues(symbols, 101);
  const v2 = pseudoValues(symbols, 202);
  const dates = opts.dates ?? [FACTOR_DATE];
  const f1 = await seedFactor(w, user.id, {
    name: "reversal_20d",
    ic_ir: 0.6,
    values: dates.map((date) => ({ date, symbols, values: v1 })),
  });
  const f2 = await seedFactor(w, user.id, {
    name: "value_score",
    ic_ir: 0.3,
    values: dates.map((date) => ({ date, symbols, values: v2 })),
  });
  const p = await json(
    await w.request("POST", P, {
      token: user.token,
      json: {
        name: "momentum_value",
        universe: "hs300",
        weighting: opts.weighting ?? "equal",
        top_n: opts.top_n ?? 10,
      },
    }),
    201,
  );
  for (const factor_id of [f1, f2]) {
    await json(
      await w.request("POST", `${P}/${p.id}/members`, { token: user.token, json: { factor_id } }),
      200,
    );
  }
  return { user, id: p.id as string, symbols, v1, v2 };
}

/** The top 10 of (z1 + z2) / 2 written out plainly: mean, sample sd, sort by (−score, symbol). */
function expectedTop10(symbols: string[], v1: Float64Array, v2: Float64Array): string[] {
  const z = (v: Float64Array) => {
    const xs = Array.from(v);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    return xs.map((x) => (x - m) / sd);
  };
  const z1 = z(v1);
  const z2 = z(v2);
  return symbols.map((s, i) => ({ s, score: z1[i] / 2 + z2[i] / 2 }))
    .sort((a, b) => b.score - a.score || (a.s < b.s ? -1 : 1))
    .slice(0, 10).map((x) => x.s);
}

Deno.test("ACCEPTANCE: activated at 08:30 on a trading day, submits at once, 09:00 is a no-op, settles at 18:15 and verifies", () =>
  withWorld(async (w) => {
    assert.ok(sse.isTradingDay(DAY));
    w.clock.set(cstOn(DAY, "08:30"));
    const { user, id, symbols, v1, v2 } = await setup(w, "pf-accept@example.com");
    const active = await json(await w.request("POST", `${P}/${id}/activate`, { token: user.token }), 200);
    const slug = active.strategy_slug as string;
    assert.equal(active.status, "active");
    assert.equal(active.last_run.status, "submitted");
    assert.equal(active.last_run.trade_date, DAY);
    assert.equal(active.last_run.values_date, FACTOR_DATE);
    assert.equal(active.last_run.stock_count, 10);
    assert.equal(active.strategy.status, "active"); // the first signal activated the strategy
    assert.equal(active.strategy.start_date, DAY);

    const page = await json(await w.request("GET", `${P}/${id}/signals`, { token: user.token }), 200);
    assert.equal(page.total, 1);
    const sig = page.signals[0];
    assert.equal(sig.trade_date, DAY);
    assert.equal(sig.stock_count, 10);
    assert.equal(sig.is_settled, false);
    assert.equal(sig.github_committed, false);
    assert.deepEqual(sig.attestation, { committed: false, reason: "repo_not_configured" });
    assert.deepEqual(sig.signals.map((s: { symbol: string }) => s.symbol), expectedTop10(symbols, v1, v2));
    assert.ok(sig.signals.every((s: { weight: number }) => s.weight === 0.1));
    assert.equal(sig.signal_hash, active.last_run.signal_hash);

    // 09:00: the cron's run finds it submitted and does nothing.
    w.clock.set(cstOn(DAY, "09:00"));
    const logs: { msg: string; summary?: unknown }[] = [];
    const cronDeps: CronDeps = {
      queue: { enqueueHeartbeat: () => Promise.resolve(), enqueue: () => Promise.resolve() },
      clock: w.clock,
      log: (_l, msg, fields) => logs.push({ msg, summary: fields?.summary }),
      portfolios: w.deps.portfolios,
    };
    await CRON_JOBS.find((j) => j.name === "portfolio-signals")!.run(cronDeps);
    const ran = JSON.parse(String(logs.find((l) => l.msg === "portfolio signals ran")!.summary));
    assert.deepEqual(ran.already_submitted, [id]);
    assert.deepEqual(ran.submitted, []);
    const run = await w.deps.portfolios.portfolios.getRun(id, DAY);
    assert.equal(run!.attempts, 1);
    assert.equal((await w.deps.track.signals.get(slug, DAY))!.replaced_hashes.length, 0);

    // 09:16: the check finds it submitted.
    w.clock.set(cstOn(DAY, "09:16"));
    const check = await checkPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.deepEqual(check.ok, [id]);
    assert.deepEqual(check.missed, []);

    // 18:15: settlement.
    w.clock.set(cstOn(DAY, "18:15"));
    await runDailyJob(w.deps.track, w.deps.dailyJobs, "settle-signals", DAY);
    const settled = await json(
      await w.request("GET", `${P}/${id}/signals?limit=1`, { token: user.token }),
      200,
    );
    assert.equal(settled.signals[0].is_settled, true);

    const verify = await json(
      await w.request("GET", `/api/v1/public/strategies/${slug}/verify?date=${DAY}`),
      200,
    );
    assert.equal(verify.strategy, slug);
    assert.equal(verify.action, "REBALANCE");
    assert.equal(verify.signal.signal_hash, sig.signal_hash);
    assert.equal(verify.signal.submitted_before_deadline, true);
    assert.equal(verify.data_provenance.execution_price, "open");
    assert.ok(Math.abs(verify.nav_check.difference) < 1e-6);
    assert.deepEqual(
      verify.signal.signals.map((s: { symbol: string }) => s.symbol).sort(),
      [...sig.signals.map((s: { symbol: string }) => s.symbol)].sort(),
    );
    assert.ok(verify.positions.length > 0 && verify.positions.length <= 10);

    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createApp(w.deps).fetch,
    );
    try {
      const v = await verifyRecord(`http://127.0.0.1:${server.addr.port}`, slug);
      assert.equal(v.ok, true, JSON.stringify([v.failures, v.days]).slice(0, 800));
      assert.equal(v.days.length, 1);
      assert.equal(v.days[0].signal_hash, sig.signal_hash);
    } finally {
      await server.shutdown();
    }
  }));

Deno.test("not a trading day: the job and the check do nothing, activation submits nothing", () =>
  withWorld(async (w) => {
    const saturday = "2026-05-16";
    assert.equal(sse.isTradingDay(saturday), false);
    w.clock.set(cstOn(saturday, "08:30"));
    const { user, id } = await setup(w, "pf-sat@example.com");
    const active = await json(await w.request("POST", `${P}/${id}/activate`, { token: user.token }), 200);
    assert.equal(active.last_run, null);
    w.clock.set(cstOn(saturday, "09:00"));
    const r = await runPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.equal(r.skipped, "not an SSE trading day");
    assert.deepEqual([r.submitted, r.already_submitted, r.failed], [[], [], []]);
    w.clock.set(cstOn(saturday, "09:16"));
    assert.equal(
      (await checkPortfolioSignals(w.deps.portfolios, w.clock.now())).skipped,
      "not an SSE trading day",
    );
    assert.equal((await w.deps.track.signals.list(active.strategy_slug, 10, 0)).total, 0);
  }));

Deno.test("after 09:15: activation does not submit; the next day's late run skips and the 09:16 check marks missed and alerts", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "09:30"));
    const { user, id } = await setup(w, "pf-late@example.com", { dates: [FACTOR_DATE, DAY] });
    const active = await json(await w.request("POST", `${P}/${id}/activate`, { token: user.token }), 200);
    assert.equal(active.last_run, null);
    // The same day's check does not count a portfolio activated after that day's deadline.
    const sameDay = await checkPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.deepEqual(sameDay.missed, []);

    const next = sse.nextTradingDay(DAY);
    w.clock.set(cstOn(next, "09:20"));
    const late = await runPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.equal(late.skipped, "past the 09:15 deadline");
    const check = await checkPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.deepEqual(check.missed, [id]);
    const run = await w.deps.portfolios.portfolios.getRun(id, next);
    assert.equal(run!.status, "missed");
    assert.match(run!.error!, /no signal was generated before the 09:15 deadline/);
    assert.ok(w.logs.some((l) => l.level === "error" && l.msg === "portfolio signal missed"));
    const notes = await json(await w.request("GET", "/api/v1/notifications", { token: user.token }), 200);
    const missed = (notes.items ?? notes.notifications).filter((n: { kind: string }) =>
      n.kind === "portfolio_signal_missed"
    );
    assert.equal(missed.length, 1);
    assert.match(missed[0].title, new RegExp(`missed its signal for ${next}`));
    // A second check the same day alerts no more.
    await checkPortfolioSignals(w.deps.portfolios, w.clock.now());
    const again = await json(await w.request("GET", "/api/v1/notifications", { token: user.token }), 200);
    assert.equal(
      (again.items ?? again.notifications).filter((n: { kind: string }) =>
        n.kind === "portfolio_signal_missed"
      )
        .length,
      1,
    );
    const view = await json(await w.request("GET", `${P}/${id}`, { token: user.token }), 200);
    assert.equal(view.last_run.status, "missed");
  }));

Deno.test("the 09:00 run submits for active portfolios, skips paused ones, and retries only what failed", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(sse.previousTradingDay(DAY), "10:00"));
    const a = await setup(w, "pf-job-a@example.com");
    const b = await setup(w, "pf-job-b@example.com");
    const c = await setup(w, "pf-job-c@example.com", { dates: ["2026-05-06"] }); // too old for DAY
    for (const s of [a, b, c]) {
      await json(await w.request("POST", `${P}/${s.id}/activate`, { token: s.user.token }), 200);
    }
    await json(await w.request("POST", `${P}/${b.id}/pause`, { token: b.user.token }), 200);
    w.clock.set(cstOn(DAY, "09:00"));
    const first = await runPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.deepEqual(first.submitted, [a.id]);
    assert.deepEqual(first.failed.map((f) => f.portfolio_id), [c.id]);
    assert.match(first.failed[0].error, /no values dated 2026-05-07 … 2026-05-13.*latest: 2026-05-06/);
    assert.equal(await w.deps.portfolios.portfolios.getRun(b.id, DAY), null);
    w.clock.set(cstOn(DAY, "09:05"));
    const retry = await runPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.deepEqual(retry.already_submitted, [a.id]);
    assert.deepEqual(retry.failed.map((f) => f.portfolio_id), [c.id]);
    assert.equal((await w.deps.portfolios.portfolios.getRun(c.id, DAY))!.attempts, 2);
    w.clock.set(cstOn(DAY, "09:16"));
    const check = await checkPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.deepEqual(check.ok, [a.id]);
    assert.deepEqual(check.missed, [c.id]);
    const missed = await w.deps.portfolios.portfolios.getRun(c.id, DAY);
    assert.equal(missed!.status, "missed");
    assert.match(missed!.error!, /no values dated/);
  }));

Deno.test("a member without values for the day before uses its latest within 5 trading days, and says so", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "08:00"));
    const s = await setup(w, "pf-fallback@example.com", { dates: ["2026-05-11"] });
    const active = await json(await w.request("POST", `${P}/${s.id}/activate`, { token: s.user.token }), 200);
    assert.equal(active.last_run.status, "submitted");
    assert.equal(active.last_run.values_date, "2026-05-11");
    assert.deepEqual(active.last_run.member_dates.map((d: { values_date: string }) => d.values_date), [
      "2026-05-11",
      "2026-05-11",
    ]);
    assert.ok(
      active.last_run.notes.some((n: string) => /no values for 2026-05-13, used those of 2026-05-11/.test(n)),
    );
  }));

Deno.test("resume before 09:15 submits at once; the strategy is paused and reactivated with the portfolio", () =>
  withWorld(async (w) => {
    const before = sse.previousTradingDay(DAY);
    w.clock.set(cstOn(before, "08:00"));
    const s = await setup(w, "pf-resume@example.com", {
      dates: [sse.previousTradingDay(before), FACTOR_DATE],
      weighting: "ic_weighted",
    });
    const active = await json(await w.request("POST", `${P}/${s.id}/activate`, { token: s.user.token }), 200);
    assert.equal(active.last_run.trade_date, before);
    const slug = active.strategy_slug;
    await json(await w.request("POST", `${P}/${s.id}/pause`, { token: s.user.token }), 200);
    assert.equal((await w.deps.track.strategies.get(slug))!.status, "paused");
    w.clock.set(cstOn(DAY, "07:45"));
    const r = await runPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.deepEqual([r.submitted, r.failed], [[], []]); // paused: not visited
    const resumed = await json(await w.request("POST", `${P}/${s.id}/resume`, { token: s.user.token }), 200);
    assert.equal((await w.deps.track.strategies.get(slug))!.status, "active");
    assert.equal(resumed.last_run.trade_date, DAY);
    assert.equal(resumed.last_run.status, "submitted");
    assert.equal(resumed.last_run.values_date, FACTOR_DATE);
    const page = await json(await w.request("GET", `${P}/${s.id}/signals`, { token: s.user.token }), 200);
    assert.deepEqual(page.signals.map((x: { trade_date: string }) => x.trade_date), [DAY, before]);
  }));

Deno.test("the largest top_n a signal allows submits, settles and verifies (fewer names than top_n: the rest is cash)", () =>
  withWorld(async (w) => {
    // 100 on main; 500 once the track record takes 500-symbol signals (hs300 has 300 stocks: 300 names at 1/500).
    const topN = Math.min(MAX_SIGNAL_SYMBOLS, 500);
    w.clock.set(cstOn(DAY, "08:30"));
    const s = await setup(w, "pf-big@example.com", { top_n: topN });
    const active = await json(await w.request("POST", `${P}/${s.id}/activate`, { token: s.user.token }), 200);
    assert.equal(active.last_run.status, "submitted", active.last_run.error);
    const names = Math.min(topN, s.symbols.length);
    assert.equal(active.last_run.stock_count, names);
    const signal = await w.deps.track.signals.get(active.strategy_slug, DAY);
    assert.equal(signal!.signals.length, names);
    assert.ok(signal!.signals.every((x) => x.weight === 1 / topN));
    w.clock.set(cstOn(DAY, "18:15"));
    await runDailyJob(w.deps.track, w.deps.dailyJobs, "settle-signals", DAY);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createApp(w.deps).fetch,
    );
    try {
      const v = await verifyRecord(`http://127.0.0.1:${server.addr.port}`, active.strategy_slug);
      assert.equal(v.ok, true, JSON.stringify([v.failures, v.days]).slice(0, 800));
    } finally {
      await server.shutdown();
    }
  }));

Deno.test("the cron table runs the portfolio job at 09:00, 09:05, 09:12 and checks at 09:16 Asia/Shanghai", async () => {
  const byName = new Map(CRON_JOBS.map((j) => [j.name, j.schedule]));
  assert.equal(byName.get("portfolio-signals"), "0 1 * * *");
  assert.equal(byName.get("portfolio-signals-retry-1"), "5 1 * * *");
  assert.equal(byName.get("portfolio-signals-retry-2"), "12 1 * * *");
  assert.equal(byName.get("portfolio-signals-check"), "16 1 * * *");
  // Without portfolio services the handlers do nothing.
  const deps: CronDeps = {
    queue: { enqueueHeartbeat: () => Promise.resolve(), enqueue: () => Promise.resolve() },
    clock: fixedClock(cstOn(DAY, "09:00")),
    log: () => {},
  };
  for (const name of ["portfolio-signals", "portfolio-signals-check"]) {
    await CRON_JOBS.find((j) => j.name === name)!.run(deps);
  }
});
