/**
 * `/health` latency while the largest synchronous backtest the expression budget allows runs on the same
 * process: a real `Deno.serve` loopback server, one client running the backtest, another polling `/health`
 * back to back. Prints the run's time and `/health` p50 / p99 / max per round, then over all rounds.
 *
 *   deno run -A benchmarks/health_under_load.ts [rounds=5]
 */
import { estimateBacktestCost } from "../domain/backtest/run_backtest.ts";
import { DEFAULT_MAX_EXPRESSION_COST } from "../domain/config.ts";
import { StrategySpecSchema } from "../domain/strategy/spec.ts";
import { openTestWorld, signInWithOtp } from "../tests/_helpers/test_app.ts";

const rounds = Number(Deno.args[0] ?? 5);
const SYMBOL = "600519.SH";
const budget = DEFAULT_MAX_EXPRESSION_COST;

const w = await openTestWorld();
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
const base = `http://127.0.0.1:${server.addr.port}`;
const me = await signInWithOtp(w, "load@example.com");
const auth = { authorization: `Bearer ${me.access_token}`, "content-type": "application/json" };

/** ts_rank terms (windows near half the bars: the costliest per term) until the estimate is near the budget. */
async function nearBudgetSpec() {
  const base = { universe: { tickers: [SYMBOL] }, start: "2015-01-01", end: "2026-05-13", rank_by: "close" };
  const terms: string[] = [];
  let spec = StrategySpecSchema.parse({ ...base, entry: "close > 0", exit: "close < 0" });
  for (let win = 1500;; win += 3) {
    const next = [...terms, `ts_rank(close, ${win}) > 0.5`];
    const half = Math.ceil(next.length / 2);
    const candidate = StrategySpecSchema.parse({
      ...base,
      entry: next.slice(0, half).join(" and "),
      exit: next.slice(half).join(" and ") || "close < 0",
    });
    const cost = (await estimateBacktestCost(candidate, w.deps.market.data, null)).cost;
    if (cost > budget * 0.98) break;
    terms.push(next.at(-1)!);
    spec = candidate;
  }
  return spec;
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const spec = await nearBudgetSpec();
const cost = (await estimateBacktestCost(spec, w.deps.market.data, null)).cost;
console.log(`spec: 1 symbol, estimated cost ${cost} of budget ${budget}`);
// Generate the synthetic bars first, so the rounds measure evaluation and simulation, not data generation.
await (await fetch(`${base}/api/v1/data/bars/${SYMBOL}?start=2015-01-01&end=2026-05-13`, { headers: auth }))
  .body?.cancel();

const all: number[] = [];
for (let r = 0; r < rounds; r++) {
  const latencies: number[] = [];
  let done = false;
  const t0 = performance.now();
  const run = fetch(`${base}/api/v1/backtests/run`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ spec }),
  })
    .then(async (res) => {
      await res.arrayBuffer();
      done = true;
      return res.status;
    });
  while (!done) {
    const h0 = performance.now();
    await (await fetch(`${base}/health`)).arrayBuffer();
    latencies.push(performance.now() - h0);
  }
  const status = await run;
  const runMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  all.push(...latencies);
  console.log(
    `round ${r + 1}: run ${status} in ${runMs.toFixed(0)} ms; /health n=${latencies.length} ` +
      `p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${
        latencies.at(-1)!.toFixed(1)
      } ms`,
  );
}
all.sort((a, b) => a - b);
console.log(
  `all rounds: /health n=${all.length} p50 ${pct(all, 50).toFixed(1)} ms, p99 ${
    pct(all, 99).toFixed(1)
  } ms, ` +
    `max ${all.at(-1)!.toFixed(1)} ms`,
);
await server.shutdown();
await w.close();
