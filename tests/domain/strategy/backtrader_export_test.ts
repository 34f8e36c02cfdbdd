/**
 * The backtrader export's text: the header states the conventions, features with no backtrader form travel as
 * `# quantedge: <key>: <value>` lines that read back as the spec's values, every function of the expression
 * language has a form (and the parity set runs each one but rank() in backtrader), and the file is Python that
 * compiles. Whether it trades like the engine is `backtrader_parity_test.ts`.
 */
import assert from "node:assert/strict";
import { toBacktraderCode } from "../../../domain/strategy/backtrader/backtrader_export.ts";
import { type Expr, FUNCTIONS, parseExpression } from "../../../domain/strategy/expression.ts";
import { StrategySpecSchema } from "../../../domain/strategy/spec.ts";
import { PARITY_SPECS, paritySpecs } from "../../../scripts/backtrader_parity.ts";

const spec = (extra: Record<string, unknown> = {}) =>
  StrategySpecSchema.parse({
    name: "SMA cross",
    universe: { tickers: ["AAA", "BBB"] },
    entry: "crosses_above(sma(close, 20), sma(close, 50))",
    exit: "crosses_below(sma(close, 20), sma(close, 50))",
    start: "2022-01-03",
    end: "2023-06-30",
    ...extra,
  });

/** The `# quantedge:` lines of a file, key → parsed JSON value. */
function carried(code: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of code.matchAll(/^# quantedge: ([a-z_]+): (.*)$/gm)) out[m[1]] = JSON.parse(m[2]);
  return out;
}

Deno.test("backtrader export: a backtrader user's layout and a header with the conventions", () => {
  const code = toBacktraderCode(spec({ risk: { stop_loss_pct: 5, take_profit_pct: 10 } }));
  for (
    const part of [
      /^import backtrader as bt$/m,
      /^class SMACross\(bt\.Strategy\):$/m,
      /^ {4}params = \($/m,
      /^ {8}\("start", datetime\.date\(2022, 1, 3\)\),/m,
      /^ {8}\("stop_loss_pct", 5\),$/m,
      /^ {8}\("take_profit_pct", 10\),$/m,
      /i\["sma_close_20"\] = bt\.ind\.SMA\(d\.close, period=20\)/,
      /i\["cross_sma_close_20_sma_close_50"\] = QuantedgeCrossOver\(i\["sma_close_20"\], i\["sma_close_50"\]\)/,
      /^class QuantedgeCrossOver\(bt\.Indicator\):$/m,
      /return i\["cross_sma_close_20_sma_close_50"\]\[0\] > 0$/m,
      /return i\["cross_sma_close_20_sma_close_50"\]\[0\] < 0$/m,
      /^if __name__ == "__main__":$/m,
      /cerebro = bt\.Cerebro\(cheat_on_open=True, runonce=False\)/,
      /cerebro\.broker\.setcash\(100000\)/,
      /cerebro\.broker\.setcommission\(commission=0\.1 \/ 100\)/,
      /bt\.feeds\.GenericCSVData\(dataname="AAA\.csv", fromdate=datetime\.date\(2020, 11, 29\), todate=datetime\.date\(2023, 6, 30\), dtformat="%Y-%m-%d"/,
      /dataname="BBB\.csv"/,
      /cerebro\.addsizer\(PercentOfEquity, percents=100\)/,
      /cerebro\.addstrategy\(SMACross\)/,
      // The header: fill timing, fee basis, sizing rounding, stop/target priority, indicator definitions.
      /orders fill at the NEXT bar's open/,
      /Fees: 0\.1 % of notional on buys, 0\.1 % on sales/,
      /rounded down to whole lots and cut /,
      /If a bar reaches both, the stop comes first/,
      /TalibMACD \(bt\.ind\.MACD seeds the fast EMA differently\)/,
      /QuantedgeCrossOver \(bt\.ind\.CrossOver skips a bar where both series are equal/,
    ]
  ) assert.match(code, part);
  assert.deepEqual(carried(code), { name: "SMA cross" });
});

Deno.test("backtrader export: features with no backtrader form read back as the spec's values", () => {
  const s = spec({
    universe: { name: "lq45", filters: { market_cap: ["large"], syariah: true } },
    benchmarks: ["^JKSE"],
    risk_free_pct: 5.5,
    fill: "close",
    close_at_end: true,
  });
  const code = toBacktraderCode(s);
  assert.deepEqual(carried(code), {
    name: s.name,
    universe: s.universe,
    end: s.end, // no feed carries it
    benchmarks: s.benchmarks,
    risk_free_pct: s.risk_free_pct,
    fill: s.fill,
    close_at_end: s.close_at_end,
  });
  // Each carried line follows a human comment saying why.
  for (
    const m of code.matchAll(/^(.*)\n# quantedge: (universe|benchmarks|risk_free_pct|fill|close_at_end):/gm)
  ) {
    assert.match(m[1], /^# No (exact )?backtrader equivalent/);
  }
  assert.match(code, /# Add one feed per member of the universe/);
});

Deno.test("backtrader export: costs and sizing other than the defaults are in code", () => {
  const code = toBacktraderCode(spec({
    costs: { buy_fee_pct: 0.15, sell_fee_pct: 0.25, min_fee: 5, slippage_pct: 0.05 },
    sizing: { method: "fixed_cash", cash: 25000, max_positions: 3, min_position: 1000 },
    capital: 2.5e6,
  }));
  assert.match(code, /addcommissioninfo\(PercentFees\(buy_pct=0\.15, sell_pct=0\.25, min_fee=5\)\)/);
  assert.match(code, /set_slippage_perc\(0\.05 \/ 100, slip_open=True, slip_match=True, slip_out=True\)/);
  assert.match(code, /cerebro\.addsizer\(FixedCash, cash=25000\)/);
  assert.match(code, /\("max_positions", 3\),/);
  assert.match(code, /\("min_position", 1000\),/);
  assert.match(code, /setcash\(2500000\)/);
  assert.deepEqual(Object.keys(carried(code)), ["name"]);
  const fixed = toBacktraderCode(spec({ sizing: { method: "fixed_quantity", quantity: 150 } }));
  assert.match(fixed, /cerebro\.addsizer\(bt\.sizers\.FixedSize, stake=150\)/);
  const risk = toBacktraderCode(spec({ sizing: { method: "risk_adjusted", risk_pct: 1, atr_period: 10 } }));
  assert.match(risk, /cerebro\.addsizer\(RiskAdjusted, risk_pct=1, atr_period=10, atr_multiple=2\)/);
  assert.match(risk, /i\["atr_sizing"\] = bt\.ind\.ATR\(d, period=10\)/);
});

Deno.test("backtrader export: class names stay valid Python and never shadow the file's own classes", () => {
  for (
    const [name, cls] of [["none", "NoneStrategy"], ["log", "LogStrategy"], ["2 fast", "Strategy2Fast"], [
      "RSI — dip / rebound!",
      "RSIDipRebound",
    ]]
  ) {
    assert.match(
      toBacktraderCode(spec({ name })),
      new RegExp(`^class ${cls}\\(bt\\.Strategy\\):$`, "m"),
      name,
    );
  }
});

/** Every function called in `e`. */
function calls(e: Expr, out = new Set<string>()): Set<string> {
  if (e.kind === "call") (out.add(e.name), e.args.forEach((a) => calls(a, out)));
  else if (e.kind === "bin") (calls(e.left, out), calls(e.right, out));
  else if (e.kind === "not" || e.kind === "neg") calls(e.arg, out);
  return out;
}

Deno.test("backtrader export: every function of the language has a form, and the parity set runs all but rank()", () => {
  const used = new Set<string>();
  for (const s of Object.values(paritySpecs())) {
    for (const rule of [s.entry, s.exit, s.rank_by]) calls(parseExpression(rule), used);
  }
  assert.deepEqual(
    Object.keys(FUNCTIONS).filter((f) => !used.has(f)),
    ["rank"],
    "rank() is cross-sectional: the engine refuses it on one symbol",
  );
  assert.ok(Object.keys(PARITY_SPECS).length >= 12);
  // Each function alone exports without throwing (rank() exports a class that refuses to run, as the engine does).
  for (const [name, f] of Object.entries(FUNCTIONS)) {
    const args = f.params.map((p) => (p.type === "series" ? "close" : String(p.default ?? 5))).join(", ");
    const rule = f.boolean ? `${name}(${args})` : `${name}(${args}) > 0`;
    const code = toBacktraderCode(spec({ entry: rule, exit: rule }));
    assert.match(code, /def entry_signal\(self, d, i\):\n {8}return .+\n/, name);
  }
});

Deno.test("backtrader export: the file is Python that compiles (when python3 is here)", async () => {
  let python = true;
  try {
    await new Deno.Command("python3", { args: ["--version"], stdout: "null", stderr: "null" }).output();
  } catch {
    python = false;
  }
  if (!python) {
    console.warn("python3 not available: compile check skipped");
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "bt_export_" });
  try {
    const codes = Object.values(paritySpecs()).map(toBacktraderCode);
    codes.push(toBacktraderCode(spec({ universe: { name: "us" }, fill: "close", close_at_end: true })));
    for (const [k, code] of codes.entries()) await Deno.writeTextFile(`${dir}/s${k}.py`, code);
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        "import sys, ast\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)",
        ...codes.map((_, k) => `${dir}/s${k}.py`),
      ],
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
