/**
 * The synchronous backtest path, piece by piece: 100 imported symbols × 2,520 weekdays in an in-memory KV, an
 * SMA(10)/SMA(30) crossover. Each stage of `POST /api/v1/backtests/run` is timed on its own — load (symbol
 * look-up and bar read), indicators (rule evaluation), simulation, metrics (report building) and serialisation
 * (the JSON answer) — and the whole request is timed through the real app, so the overhead around the engine
 * core (indicators + simulation) can be read as a ratio.
 */
import { addDays, fromDayNumber, toDayNumber } from "../domain/calendar/dates.ts";
import { createSimulation, type SymbolInput } from "../domain/backtest/engine.ts";
import { buildReport } from "../domain/backtest/report.ts";
import {
  runBacktest,
  runBacktestTimed,
  sessionDaysOf,
  WARMUP_DAYS,
} from "../domain/backtest/run_backtest.ts";
import type { ExchangeCode } from "../domain/calendar/exchanges.ts";
import { importMany } from "../domain/market/csv/import_bars.ts";
import { openRunMarket } from "../domain/market/market_service.ts";
import type { BarSeries } from "../domain/market/types.ts";
import { costedNodes, createWorkPacer } from "../domain/strategy/cost.ts";
import { createEvalContext, evaluate, evaluateNodes } from "../domain/strategy/evaluate.ts";
import { parseExpression, printExpression } from "../domain/strategy/expression.ts";
import { type StrategySpec, StrategySpecSchema } from "../domain/strategy/spec.ts";
import { toStrategyText } from "../domain/strategy/strategy_text.ts";
import { openTestWorld, signInWithOtp } from "../tests/_helpers/test_app.ts";
import process from "node:process";

const N_SYMBOLS = 100;
const N_DAYS = 2_520;
const SYMBOLS = Array.from({ length: N_SYMBOLS }, (_, i) => `BP${String(i).padStart(3, "0")}`);

/** 2,520 weekdays from 2014-01-01. */
const DAYS = (() => {
  const out = new Int32Array(N_DAYS);
  let n = 0;
  for (let d = toDayNumber("2014-01-01"); n < N_DAYS; d++) {
    const wd = new Date(d * 86_400_000).getUTCDay();
    if (wd !== 0 && wd !== 6) out[n++] = d;
  }
  return out;
})();

/** A seeded random walk of symbol `i` (prices to the cent). */
function seriesOf(i: number): BarSeries {
  let seed = 4242 + i * 7919;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const s: BarSeries = {
    symbol: SYMBOLS[i],
    source: "csv",
    days: DAYS.slice(),
    open: new Float64Array(N_DAYS),
    high: new Float64Array(N_DAYS),
    low: new Float64Array(N_DAYS),
    close: new Float64Array(N_DAYS),
    volume: new Float64Array(N_DAYS),
    adj_factor: new Float64Array(N_DAYS).fill(1),
  };
  let close = 20 + i;
  for (let k = 0; k < N_DAYS; k++) {
    const open = Math.round(close * (1 + (rnd() - 0.5) * 0.02) * 100) / 100;
    close = Math.round(open * (1 + (rnd() - 0.5) * 0.04) * 100) / 100;
    s.open[k] = open;
    s.close[k] = close;
    s.high[k] = Math.round(Math.max(open, close) * (1 + rnd() * 0.01) * 100) / 100;
    s.low[k] = Math.round(Math.min(open, close) * (1 - rnd() * 0.01) * 100) / 100;
    s.volume[k] = 1000 + Math.floor(rnd() * 1e5);
  }
  return s;
}

const world = await openTestWorld({ RATE_LIMIT_BACKTEST: "1000000/1m" });
const me = await signInWithOtp(world, "bench@example.com");
await importMany(world.deps.imports, {
  ownerId: me.user.id,
  entries: SYMBOLS.map((_, i) => ({ symbol: SYMBOLS[i], series: seriesOf(i), skipped: [] })),
  nowMs: 0,
});

const spec: StrategySpec = StrategySpecSchema.parse({
  name: "SMA 10/30 cross",
  universe: { tickers: SYMBOLS },
  entry: "crosses_above(sma(close, 10), sma(close, 30))",
  exit: "crosses_below(sma(close, 10), sma(close, 30))",
  sizing: { method: "percent_equity", percent: 10, max_positions: 10 },
  start: fromDayNumber(DAYS[0] + WARMUP_DAYS),
  end: fromDayNumber(DAYS[N_DAYS - 1]),
});
const market = world.deps.market.data;
const owner = me.user.id;
const loadFrom = addDays(spec.start, -WARMUP_DAYS);
const startDay = toDayNumber(spec.start);
const rules = [spec.entry, spec.exit, spec.rank_by].map(parseExpression);

/**
 * Stage 1: symbol look-ups and bar reads, as a run reads them (`openRunMarket`: the import records and metas in
 * one batched sweep, bars as views of the decoded cache).
 */
async function load(): Promise<
  { info: { symbol: string; name: string; lot_size: number }; bars: BarSeries }[]
> {
  const run = openRunMarket(market, SYMBOLS, owner);
  const out = [];
  for (const symbol of SYMBOLS) {
    const info = (await run.getSymbol(symbol))!;
    const bars = (await run.getBars(symbol, loadFrom, spec.end))!;
    out.push({ info, bars });
  }
  return out;
}

/** Stage 1 through the service one call at a time (`getSymbol`, `getBars`: per-call reads, copied bars). */
async function loadPerCall(): Promise<void> {
  for (const symbol of SYMBOLS) {
    await market.getSymbol(symbol, owner);
    await market.getBars(symbol, loadFrom, spec.end, owner);
  }
}

/** Stage 2: the rules on every symbol, cut to the run's start as the engine gets them. */
async function indicators(loaded: Awaited<ReturnType<typeof load>>): Promise<SymbolInput[]> {
  const pacer = createWorkPacer(() => Promise.resolve());
  const inputs: SymbolInput[] = [];
  for (const { info, bars } of loaded) {
    const ctx = createEvalContext(bars);
    await evaluateNodes(costedNodes(rules, bars.days.length), ctx, pacer);
    const [e, x, r] = rules.map((rule) => evaluate(rule, ctx));
    let from = 0;
    while (from < bars.days.length && bars.days[from] < startDay) from++;
    const cut = <T extends Float64Array | Int32Array>(a: T) => a.subarray(from) as T;
    inputs.push({
      symbol: info.symbol,
      name: info.name,
      lotSize: info.lot_size,
      days: cut(bars.days),
      open: cut(bars.open),
      high: cut(bars.high),
      low: cut(bars.low),
      close: cut(bars.close),
      entry: cut(e),
      exit: cut(x),
      rank: cut(r),
      atr: cut(new Float64Array(bars.days.length).fill(NaN)),
      entryText: printExpression(rules[0]),
      exitText: printExpression(rules[1]),
    });
  }
  return inputs;
}

const loaded = await load();
const inputs = await indicators(loaded);
const exchanges = [
  ...new Set(await Promise.all(SYMBOLS.map(async (s) => (await market.getSymbol(s, owner))!.exchange))),
] as ExchangeCode[];
const sessions = sessionDaysOf(exchanges, inputs[0].days[0], inputs[0].days[inputs[0].days.length - 1]);
const simulate = () => createSimulation(spec, inputs, sessions).finish();
const sim = simulate();
const report = () =>
  buildReport({
    spec,
    sim,
    benchmarks: [],
    source: "csv",
    engineVersion: "bench",
    firstDate: fromDayNumber(sim.days[0]),
    exchanges,
  });
const built = report();
const code = toStrategyText(spec);
console.log(
  `${inputs.length} symbols × ${inputs[0].days.length} simulated days (${N_DAYS} loaded), ` +
    `${sim.trades.length} trades`,
);

/**
 * The request as the server handles it: straight into the app (`world.request` would also check the answer
 * against the OpenAPI contract, a test-only step that parses the whole answer again).
 */
async function postRun(): Promise<void> {
  const res = await world.app.request("/api/v1/backtests/run", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${me.access_token}` },
    body: JSON.stringify({ spec }),
  });
  if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

Deno.bench("load: 100 symbol look-ups and bar reads (KV)", { group: "stages" }, async () => {
  await load();
});
Deno.bench("load, one service call at a time", { group: "stages" }, loadPerCall);
Deno.bench("indicators: SMA 10/30 crossings on 100 symbols", { group: "stages" }, async () => {
  await indicators(loaded);
});
Deno.bench("simulation: 100 symbols × 2,120 days", { group: "stages" }, () => {
  simulate();
});
Deno.bench("metrics: buildReport", { group: "stages" }, () => {
  report();
});
Deno.bench("serialisation: JSON of the report", { group: "stages" }, () => {
  JSON.stringify({ ...built, generated_code: code });
});
Deno.bench("runBacktest() in the domain (no HTTP)", { group: "whole" }, async () => {
  await runBacktest(spec, market, { ownerId: owner, maxSymbolBars: 1e9, now: () => performance.now() });
});
Deno.bench(
  "POST /api/v1/backtests/run through the app",
  { group: "whole", baseline: true },
  postRun,
);

/** Each stage and the whole path, as functions (for the medians below, or to compare two versions in one run). */
export const STAGES: Record<string, () => unknown> = {
  load,
  loadPerCall,
  indicators: () => indicators(loaded),
  simulation: simulate,
  metrics: report,
  serialisation: () => JSON.stringify({ ...built, generated_code: code }),
  runBacktest: () =>
    runBacktest(spec, market, { ownerId: owner, maxSymbolBars: 1e9, now: () => performance.now() }),
  request: postRun,
};

/**
 * `deno run -A benchmarks/backtest_path_bench.ts medians [runs] [stage,…]`: the median wall and CPU time of each
 * stage over `runs` runs (default 21, after 3 warm-up runs), and the request's ratio to the engine core
 * (indicators + simulation). CPU time is the process's, steadier than wall time on a loaded machine.
 */
if (Deno.args[0] === "medians") {
  const runs = Number(Deno.args[1] ?? 21);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const median = async (work: () => unknown) => {
    const wall: number[] = [], cpu: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const t = performance.now(), c = cpuMs();
      await work();
      if (i >= 3) (wall.push(performance.now() - t), cpu.push(cpuMs() - c));
    }
    const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { wall: mid(wall), cpu: mid(cpu) };
  };
  const only = Deno.args[2]?.split(",");
  const m: Record<string, { wall: number; cpu: number }> = {};
  for (const [name, work] of Object.entries(STAGES)) {
    if (!only || only.includes(name)) m[name] = await median(work);
  }
  for (const [k, v] of Object.entries(m)) {
    console.log(
      `${k.padEnd(14)} wall ${v.wall.toFixed(1).padStart(6)} ms   cpu ${v.cpu.toFixed(1).padStart(6)} ms`,
    );
  }
  if (m.indicators && m.simulation && m.request) {
    const core = m.indicators.wall + m.simulation.wall, coreCpu = m.indicators.cpu + m.simulation.cpu;
    const ratio = (m.request.wall / core).toFixed(2), ratioCpu = (m.request.cpu / coreCpu).toFixed(2);
    console.log(
      `core ${core.toFixed(1)} ms (cpu ${coreCpu.toFixed(1)}); request / core ${ratio} (cpu ${ratioCpu})`,
    );
  }
  await world.close();
}

/** `deno run -A benchmarks/backtest_path_bench.ts pauses`: how often a synchronous run pauses, and how long. */
if (Deno.args[0] === "pauses") {
  let n = 0, waited = 0;
  const t = performance.now();
  await runBacktest(spec, market, {
    ownerId: owner,
    maxSymbolBars: 1e9,
    now: () => performance.now(),
    pause: async () => {
      const p = performance.now();
      await new Promise((r) => setTimeout(r, 0));
      n++;
      waited += performance.now() - p;
    },
  });
  console.log(`${n} pauses, ${waited.toFixed(1)} ms paused of ${(performance.now() - t).toFixed(1)} ms`);
  await world.close();
}

/** `deno run -A --cpu-prof benchmarks/backtest_path_bench.ts request [runs]`: only requests, for a profile. */
if (Deno.args[0] === "request") {
  for (let i = 0; i < Number(Deno.args[1] ?? 20); i++) await STAGES.request();
  await world.close();
}

/**
 * `deno run -A benchmarks/backtest_path_bench.ts inside [runs]`: the medians of the stage timings `runBacktest`
 * itself reports (load here is what is left of the run outside the other stages and the pauses, so it includes
 * waits on KV and garbage collection), the time spent paused, and the whole run.
 */
if (Deno.args[0] === "inside") {
  const runs = Number(Deno.args[1] ?? 21);
  const rows: Record<string, number[]> = {};
  const add = (k: string, v: number) => (rows[k] ??= []).push(v);
  for (let i = 0; i < runs + 3; i++) {
    let paused = 0;
    const t = performance.now();
    const { timing } = await runBacktestTimed(spec, market, {
      ownerId: owner,
      maxSymbolBars: 1e9,
      now: () => performance.now(),
      pause: async () => {
        const p = performance.now();
        await new Promise((r) => setTimeout(r, 0));
        paused += performance.now() - p;
      },
    });
    if (i < 3) continue;
    add("total", performance.now() - t);
    add("paused", paused);
    for (const [k, v] of Object.entries(timing)) add(k, v);
  }
  for (const [k, xs] of Object.entries(rows)) {
    console.log(
      `${k.padEnd(14)} ${xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1).padStart(6)} ms`,
    );
  }
  await world.close();
}
