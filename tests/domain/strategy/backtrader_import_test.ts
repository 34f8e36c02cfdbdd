/**
 * Backtrader Python → spec: the 21 fixture strategies import to their hand-checked specs, small cases map as the
 * module's table says, `# quantedge:` comments add fields (a conflict is a 422), and everything outside the subset
 * is a 422 naming the construct and the line.
 */
import assert from "node:assert/strict";
import { ValidationError } from "../../../domain/errors.ts";
import { deCamel, parseBacktraderCode } from "../../../domain/strategy/backtrader/backtrader_import.ts";
import { parseStrategyCode } from "../../../domain/strategy/strategy_source.ts";

const LOC = ["strategy_code"];
const DIR = new URL("../../fixtures/backtrader/", import.meta.url);

/** A strategy class around `next` (8-space body) with `init` (8-space body) and a runner on AAPL. */
function strategy(next: string, init = "        pass", extra = "", runner = ""): string {
  return [
    "import backtrader as bt",
    "import datetime",
    "",
    "",
    "class MyStrategy(bt.Strategy):",
    "    params = (('period', 20), ('stop', 0.05))",
    extra,
    "    def __init__(self):",
    init,
    "",
    "    def next(self):",
    next,
    "",
    "",
    "cerebro = bt.Cerebro()",
    "cerebro.addstrategy(MyStrategy)",
    "cerebro.adddata(bt.feeds.YahooFinanceData(dataname='AAPL', fromdate=datetime.datetime(2020, 1, 2),",
    "                                          todate=datetime.datetime(2021, 6, 30)))",
    runner,
    "cerebro.run()",
    "",
  ].join("\n");
}

function refused(code: string, type: string, msg: RegExp): void {
  assert.throws(() => parseBacktraderCode(code, LOC), (e: unknown) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.type, type, e.message);
    assert.match(e.message, msg);
    return true;
  });
}

Deno.test("every fixture strategy imports to its hand-checked spec", () => {
  const names = [...Deno.readDirSync(DIR)].filter((f) => f.name.endsWith(".py")).map((f) => f.name).sort();
  assert.ok(names.length >= 20);
  for (const name of names) {
    const code = Deno.readTextFileSync(new URL(name, DIR));
    const expected = JSON.parse(Deno.readTextFileSync(new URL(name.replace(/\.py$/, ".spec.json"), DIR)));
    assert.deepEqual(parseBacktraderCode(code, LOC), expected, name);
  }
});

Deno.test("the quickstart SMA cross maps field by field, with backtrader's defaults where the code says nothing", () => {
  const spec = parseBacktraderCode(
    strategy(
      [
        "        if not self.position:",
        "            if self.crossover > 0:",
        "                self.buy()",
        "        elif self.crossover < 0:",
        "            self.close()",
      ].join("\n"),
      "        self.crossover = bt.ind.CrossOver(bt.ind.SMA(period=10), bt.ind.SMA())",
    ),
    LOC,
  );
  assert.deepEqual(spec, {
    name: "My Strategy",
    universe: { tickers: ["AAPL"] },
    entry: "crosses_above(sma(close, 10), sma(close, 30))",
    exit: "crosses_below(sma(close, 10), sma(close, 30))",
    rank_by: "sma(close * volume, 20)",
    sizing: { method: "fixed_quantity", quantity: 1, max_positions: 1, min_position: 0 },
    risk: { stop_loss_pct: null, take_profit_pct: null, trailing_stop_pct: null, max_holding_days: null },
    costs: { buy_fee_pct: 0, sell_fee_pct: 0, min_fee: 0, slippage_pct: 0 },
    fill: "next_open",
    capital: 10_000,
    start: "2020-01-02",
    end: "2021-06-30",
    benchmarks: [],
    close_at_end: false,
    risk_free_pct: 0,
  });
});

Deno.test("conditions: aliases, [-k], CrossOver comparisons, params, chained comparisons and RSI/MACD/Bollinger lines", () => {
  const rule = (cond: string, init = "        pass") =>
    parseBacktraderCode(
      strategy(`        if not self.position:\n            if ${cond}:\n                self.buy()`, init),
      LOC,
    ).entry;
  assert.equal(rule("self.data.close[0] > self.data.close[-1]"), "close > delay(close, 1)");
  assert.equal(rule("self.data[0] > self.datas[0].close[-2]"), "close > delay(close, 2)");
  assert.equal(
    rule("self.dataclose[0] > self.dataclose[-1]", "        self.dataclose = self.datas[0].close"),
    "close > delay(close, 1)",
  );
  assert.equal(
    rule(
      "self.data.close[0] > self.hh[-1]",
      "        self.hh = bt.ind.Highest(self.data.close, period=self.p.period)",
    ),
    "close > delay(highest(close, 20), 1)",
  );
  assert.equal(
    rule("self.x == 1", "        self.x = bt.ind.CrossOver(self.data.close, bt.ind.EMA(period=5))"),
    "crosses_above(close, ema(close, 5))",
  );
  assert.equal(
    rule("0 > self.x", "        self.x = bt.ind.CrossOver(self.data.close, bt.ind.EMA(period=5))"),
    "crosses_below(close, ema(close, 5))",
  );
  assert.equal(
    rule("20 < self.r[0] < 30", "        self.r = bt.ind.RSI()"),
    "20 < rsi(close, 14) and rsi(close, 14) < 30",
  );
  assert.equal(
    rule("self.m.macd[0] > self.m.signal[0] and self.m.histo[-1] < 0", "        self.m = bt.ind.MACDHisto()"),
    "macd(close, 12, 26, 9) > macd_signal(close, 12, 26, 9) and delay(macd_hist(close, 12, 26, 9), 1) < 0",
  );
  assert.equal(
    rule("self.data.close < self.b.bot", "        self.b = bt.ind.BollingerBands(period=10, devfactor=1.5)"),
    "close < bb_lower(close, 10, 1.5)",
  );
  assert.equal(rule("not self.data.close[0] > 1e3"), "not close > 1000");
});

Deno.test("stops, targets and trailing stops from price checks and protective orders", () => {
  const risk = (next: string, extra = "") =>
    parseBacktraderCode(strategy(next, "        pass", extra), LOC).risk;
  const buy = "        if not self.position:\n            self.buy()\n";
  assert.deepEqual(
    risk(
      buy +
        "        else:\n            if self.data.close[0] < self.position.price * (1 - self.p.stop):\n                self.close()",
    ),
    { stop_loss_pct: 5, take_profit_pct: null, trailing_stop_pct: null, max_holding_days: null },
  );
  assert.deepEqual(
    risk(
      buy +
        "        elif self.buyprice * 1.2 < self.data.close[0] or self.data.close[0] <= self.buyprice * 0.9:\n            self.close()",
    ),
    { stop_loss_pct: 10, take_profit_pct: 20, trailing_stop_pct: null, max_holding_days: null },
  );
  assert.deepEqual(
    risk(
      buy +
        "        elif (self.data.close[0] - self.buyprice) / self.buyprice < -0.07:\n            self.close()",
    ),
    { stop_loss_pct: 7, take_profit_pct: null, trailing_stop_pct: null, max_holding_days: null },
  );
  assert.deepEqual(
    risk(
      "        if not self.position:\n            self.buy()\n            self.sell(exectype=bt.Order.StopTrail, trailpercent=0.05)",
    ),
    { stop_loss_pct: null, take_profit_pct: null, trailing_stop_pct: 5, max_holding_days: null },
  );
  assert.deepEqual(
    risk(
      "        if not self.position:\n            self.buy_bracket(limitprice=self.data.close[0] * 1.08, stopprice=self.data.close[0] * 0.97)",
    ),
    { stop_loss_pct: 3, take_profit_pct: 8, trailing_stop_pct: null, max_holding_days: null },
  );
});

Deno.test("runner: cash, commission, slippage, cheat-on-close, sizers; several buy branches are OR-ed", () => {
  const spec = parseBacktraderCode(
    strategy(
      "        if not self.position:\n            if self.data.close[0] > 10:\n                self.buy()\n" +
        "            if self.data.close[0] < 5:\n                self.buy()",
      "        pass",
      "",
      [
        "cerebro.broker.setcash(250000.0)",
        "cerebro.broker.setcommission(commission=0.0015)",
        "cerebro.broker.set_slippage_perc(0.001)",
        "cerebro.broker.set_coc(True)",
        "cerebro.addsizer(bt.sizers.PercentSizer, percents=80)",
      ].join("\n"),
    ),
    LOC,
  );
  assert.equal(spec.entry, "close > 10 or close < 5");
  assert.equal(spec.exit, "0 > 1");
  assert.equal(spec.capital, 250_000);
  assert.deepEqual(spec.costs, { buy_fee_pct: 0.15, sell_fee_pct: 0.15, min_fee: 0, slippage_pct: 0.1 });
  assert.equal(spec.fill, "close");
  assert.deepEqual(spec.sizing, { method: "percent_equity", percent: 80, max_positions: 1, min_position: 0 });
});

Deno.test("`# quantedge:` comment lines add strategy-text fields; a field the code gives differently is a 422", () => {
  const next = "        if not self.position:\n            self.buy()";
  const withComments = (...lines: string[]) => lines.join("\n") + "\n" + strategy(next);
  const spec = parseBacktraderCode(
    withComments(
      '# quantedge: name: "Buy and hold"',
      "# quantedge: rank_by: roc(close, 20)",
      '# quantedge: benchmarks: ["SPY"]',
      "# quantedge: close_at_end: true",
      "# quantedge: risk_free_pct: 2",
      '# quantedge: costs: {"buy_fee_pct":0,"sell_fee_pct":0,"min_fee":1,"slippage_pct":0}',
      "#   quantedge: capital: 5",
    ),
    LOC,
  );
  assert.equal(spec.name, "Buy and hold");
  assert.equal(spec.rank_by, "roc(close, 20)");
  assert.deepEqual(spec.benchmarks, ["SPY"]);
  assert.equal(spec.close_at_end, true);
  assert.equal(spec.risk_free_pct, 2);
  assert.equal(spec.costs.min_fee, 1);
  assert.equal(spec.capital, 10_000, "only lines starting with `# quantedge:` are read");
  assert.equal(spec.entry, "1 > 0");
  refused(
    withComments('# quantedge: universe: {"tickers":["MSFT"]}'),
    "conflicting_fields",
    /^line 1: the comment gives universe/,
  );
  refused(withComments('# quantedge: start: "2019-01-01"'), "conflicting_fields", /start/);
  refused(withComments("# quantedge: colour: 1"), "invalid_comment", /^line 1: unknown key "colour"/);
  refused(withComments("# quantedge: capital: {"), "invalid_comment", /not valid JSON/);
  refused(withComments("# quantedge: rank_by: smaa(close)"), "invalid_comment", /Unknown function/);
});

Deno.test("a one-ticker run's universe fills in for code with no data feed", () => {
  const code = [
    "import backtrader as bt",
    "class S(bt.Strategy):",
    "    def __init__(self):",
    "        self.rsi = bt.ind.RSI(period=14)",
    "    def next(self):",
    "        if not self.position:",
    "            if self.rsi < 30:",
    "                self.buy()",
    "        elif self.rsi > 70:",
    "            self.sell()",
  ].join("\n");
  const spec = parseStrategyCode(code, ["strategy_code"], { universe: { tickers: ["RELIANCE.NS"] } });
  assert.deepEqual(spec.universe, { tickers: ["RELIANCE.NS"] });
  assert.equal(spec.entry, "rsi(close, 14) < 30");
  assert.equal(spec.exit, "rsi(close, 14) > 70");
  assert.throws(() => parseStrategyCode(code, ["strategy_code"]), /universe/);
});

Deno.test("outside the subset: a 422 naming the construct and the line", () => {
  const buy = "        if not self.position:\n            self.buy()";
  refused(
    strategy("        self.sell()"),
    "unsupported_construct",
    /^line 12: self.sell\(\) outside `if self.position:` would open a short/,
  );
  refused(
    strategy("        if self.data.close[0] > 1:\n            self.buy()"),
    "unsupported_construct",
    /^line 13: self.buy\(\) outside `if not self.position:` .*pyramiding/,
  );
  refused(
    strategy("        if self.position:\n            self.order_target_percent(target=0.5)"),
    "unsupported_construct",
    /^line 13: .*pyramiding/,
  );
  refused(
    strategy(buy, "        self.r = bt.ind.RSI_SMA(period=14)"),
    "unsupported_construct",
    /^line 9: bt.ind.RSI_SMA smooths with a simple average/,
  );
  refused(
    strategy(buy, "        self.k = bt.ind.Stochastic()"),
    "unsupported_construct",
    /^line 9: the indicator bt.ind.Stochastic is not supported/,
  );
  refused(
    strategy("        if not self.position and self.data.close[1] > 0:\n            self.buy()"),
    "unsupported_construct",
    /^line 12: \[1\] reads a future bar/,
  );
  refused(
    strategy(
      buy + "\n        elif self.data.close[0] < self.buyprice - 2 * self.atr[0]:\n            self.close()",
      "        self.atr = bt.ind.ATR()",
    ),
    "unsupported_construct",
    /^line 14: .*entry price/,
  );
  refused(
    strategy(
      buy +
        "\n        elif self.data.close[0] < self.buyprice * 0.9 and self.data.close[0] > 1:\n            self.close()",
    ),
    "unsupported_construct",
    /^line 14: a stop or target check joined with `and`/,
  );
  refused(
    strategy(buy + "\n        elif self.data.close[0] > self.data1.close[0]:\n            self.close()"),
    "unsupported_construct",
    /^line 14: self.data1: only one data feed/,
  );
  refused(
    strategy(buy, "        pass", "    def helper(self):\n        pass\n"),
    "unsupported_construct",
    /^line 7: the method helper\(\) is not supported/,
  );
  refused(
    strategy(buy, "        self.x = self.p.missing"),
    "unsupported_construct",
    /^line 9: the parameter `missing` is not declared/,
  );
  refused(
    strategy(buy, "        pass", "", "cerebro.optstrategy(MyStrategy, period=range(10, 20))"),
    "unsupported_construct",
    /optstrategy/,
  );
  refused(
    strategy(buy, "        pass", "", "cerebro.broker.setcommission(commission=0.001, margin=2000)"),
    "unsupported_construct",
    /setcommission\(margin=…\)/,
  );
  refused(
    strategy("        if not self.position:\n            self.buy(exectype=bt.Order.Limit, price=1)"),
    "unsupported_construct",
    /^line 13: a buy of type bt.Order.Limit/,
  );
  refused(
    strategy(buy, "        pass", "", "cerebro.addsizer(bt.sizers.SizerRisk)"),
    "unsupported_construct",
    /sizer bt.sizers.SizerRisk/,
  );
  refused(
    strategy(buy).replace(
      "cerebro.run()",
      "cerebro.adddata(bt.feeds.YahooFinanceData(dataname='MSFT'))\ncerebro.run()",
    ),
    "unsupported_construct",
    /trades self.data only, but several data feeds/,
  );
  refused(
    strategy(buy).replace("class MyStrategy", "class Helper(bt.Indicator):\n    pass\n\n\nclass MyStrategy"),
    "unsupported_construct",
    /^line 5: the class Helper is not a bt.Strategy/,
  );
  refused("import backtrader as bt\n...", "no_strategy", /^line 1: the code defines no backtrader strategy/);
  refused("import backtrader as bt\n\ncerebro = bt.Cerebro()\n", "no_strategy", /no backtrader strategy/);
});

Deno.test("class names de-camel into the spec's name; a `name` param wins", () => {
  assert.equal(deCamel("SmaCross"), "Sma Cross");
  assert.equal(deCamel("RSIMeanReversion"), "RSI Mean Reversion");
  assert.equal(deCamel("my_strategy2"), "my strategy2");
  const code = strategy("        if not self.position:\n            self.buy()").replace(
    "params = (('period', 20), ('stop', 0.05))",
    "params = (('name', 'Always long'),)",
  );
  assert.equal(parseBacktraderCode(code, LOC).name, "Always long");
});

Deno.test("Quantedge's own export is read from its # quantedge: lines and must be exactly the export of that spec", () => {
  const spec = parseBacktraderCode(Deno.readTextFileSync(new URL("sma_cross.py", DIR)), LOC);
  const engineForm = [
    '# quantedge: name: "SMA cross"',
    "import backtrader as bt",
    "",
    "",
    "class SMACross(bt.Strategy):",
    "    def entry_signal(self, d, i):",
    "        return i['x'][0] > 0",
    "",
    "    def exit_signal(self, d, i):",
    "        return i['x'][0] < 0",
    "",
  ].join("\n");
  refused(
    engineForm,
    "quantedge_export",
    /^line 6: this is a Quantedge backtrader export .* its entry rule is neither in the exporter.s shape/,
  );
  const withRules = [
    `# quantedge: entry: ${spec.entry}`,
    `# quantedge: exit: ${spec.exit}`,
    `# quantedge: universe: ${JSON.stringify(spec.universe)}`,
    engineForm,
  ].join("\n");
  refused(withRules, "edited_export", /^line 1: this Quantedge export differs from the export of the spec/);
});

Deno.test("round trip: every export sample (toBacktraderCode) imports back to its spec", async () => {
  const { sampleSpecs } = await import("../../../scripts/backtrader_export_samples.ts");
  const { toBacktraderCode } = await import("../../../domain/strategy/backtrader/backtrader_export.ts");
  const { parseExpression, printExpression } = await import("../../../domain/strategy/expression.ts");
  const canonical = (s: string) => printExpression(parseExpression(s));
  const samples = Object.entries(sampleSpecs());
  assert.ok(samples.length >= 20);
  for (const [name, spec] of samples) {
    const got = parseBacktraderCode(toBacktraderCode(spec), ["code"]);
    // The importer answers expressions canonically printed (`not (a < b)` reads back as `not a < b`).
    const want = {
      ...spec,
      entry: canonical(spec.entry),
      exit: canonical(spec.exit),
      rank_by: canonical(spec.rank_by),
    };
    if (spec.universe.tickers === undefined) {
      // A named universe exports no data feed, so nothing in the code carries `end` (it reads as today).
      assert.deepEqual({ ...got, end: spec.end }, want, name);
    } else assert.deepEqual(got, want, name);
  }
});
