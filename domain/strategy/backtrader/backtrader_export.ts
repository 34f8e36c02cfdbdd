/**
 * Spec → backtrader Python. The exported file, run in backtrader 1.9 on the same CSV data (one
 * `<SYMBOL>.csv` per ticker: date,open,high,low,close,volume), gives the same trades (day, side, quantity, price)
 * and final value as Quantedge's engine (`domain/backtest/engine.ts`) for the supported set: next-open fills,
 * percent fees (with a minimum), percent-of-equity / fixed-cash / fixed-quantity / risk-adjusted sizing, stop loss,
 * take profit, trailing stop, max holding days, max positions with ranking by `rank_by`. Its header comment
 * states the conventions.
 *
 * How the engine's day maps onto backtrader's (with `cheat_on_open`): `next_open()` places the orders decided on
 * the previous close (sales first, then buys cut to the cash the sales leave, in whole lots) and today's stop and
 * target orders for every position; the broker fills the market orders at the open and the stop / limit orders
 * on the bar (at the stop or target, or at the open on a gap; the stop is placed first, the target is its OCO
 * peer, so a bar reaching both stops out); `next()` cancels what did not fill, then decides rule exits and
 * entries on the close.
 *
 * A spec feature with no backtrader form is written as `# quantedge: <key>: <value>` (key and value exactly as
 * in strategy text, `strategy_text.ts`) with a comment saying why; the importer reads those lines back.
 */
import { parseExpression } from "../expression.ts";
import type { StrategySpec } from "../spec.ts";
import { ExpressionCompiler, pyNumber } from "./backtrader_export_expr.ts";
import { PYTHON_CLASS_NAMES, pythonSnippets } from "./backtrader_export_python.ts";

/** Calendar days of bars loaded before `start` to warm the indicators up (the engine's `WARMUP_DAYS`). */
const WARMUP_DAYS = 400;

/** Class names a strategy class must not take. */
const TAKEN_NAMES = new Set([
  "None",
  "True",
  "False",
  "PercentFees",
  "PercentOfEquity",
  "FixedCash",
  "RiskAdjusted",
  ...PYTHON_CLASS_NAMES,
]);

/** A Python class name from the spec's name (letters and digits, CamelCase; `QuantedgeStrategy` when empty). */
function className(name: string): string {
  const words = name.normalize("NFKD").replace(/[^A-Za-z0-9]+/g, " ").trim().split(" ").filter(Boolean);
  const camel = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  if (camel === "") return "QuantedgeStrategy";
  if (/^[0-9]/.test(camel)) return `Strategy${camel}`;
  // Python's capitalised keywords and the file's own class names would be shadowed or refused.
  return TAKEN_NAMES.has(camel) ? `${camel}Strategy` : camel;
}

/** `YYYY-MM-DD` as Python `datetime.date(y, m, d)` (or `datetime.datetime`). */
function pyDate(iso: string, kind: "date" | "datetime" = "date"): string {
  const [y, m, d] = iso.split("-").map(Number);
  return `datetime.${kind}(${y}, ${m}, ${d})`;
}

/** `iso` moved `days` calendar days (UTC). */
function addDays(iso: string, days: number): string {
  const t = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10);
}

const pyOptional = (v: number | null) => (v === null ? "None" : pyNumber(v));

/** A `# quantedge: key: value` line with the human reason before it. */
const carried = (key: string, value: unknown, why: string) => [
  `# ${why}`,
  `# quantedge: ${key}: ${JSON.stringify(value)}`,
];

/** The spec features with no backtrader form, as comment lines (empty when everything is in code). */
function carriedFeatures(spec: StrategySpec): string[] {
  const out: string[] = [];
  out.push(...carried("name", spec.name, "The strategy's name (the class name below is derived from it)."));
  const u = spec.universe;
  if (u.name !== undefined || u.filters !== undefined || u.tickers === undefined) {
    out.push(
      ...carried(
        "universe",
        u,
        "No backtrader equivalent: a named universe and its filters (market cap, sectors, syariah, traded value, " +
          "fundamentals) are resolved by Quantedge's market data; add one feed per member below.",
      ),
      ...carried(
        "end",
        spec.end,
        "With no feed to carry it, the last day of the run (use it as each feed's todate).",
      ),
    );
  }
  if (spec.costs.slippage_pct > 0 && spec.risk.take_profit_pct !== null) {
    out.push(
      "# Not exact: Quantedge slips every fill, a take profit reached within the bar included; backtrader fills a",
      "# Limit order reached within the bar at its limit price without slippage (other fills slip alike).",
    );
  }
  if (spec.fill !== "next_open") {
    out.push(
      ...carried(
        "fill",
        spec.fill,
        "No exact backtrader equivalent: Quantedge fills at the signal bar's close and later candidates of the " +
          "same day see the cash those fills used; this export fills at the next open.",
      ),
    );
  }
  if (spec.close_at_end) {
    out.push(
      ...carried(
        "close_at_end",
        spec.close_at_end,
        "No backtrader equivalent: Quantedge sells what is held at the last close; backtrader has no bar after " +
          "the last one to fill an order on, so positions stay open (valued at the last close).",
      ),
    );
  }
  if (spec.benchmarks.length > 0) {
    out.push(...carried("benchmarks", spec.benchmarks, "No backtrader equivalent: report benchmarks."));
  }
  if (spec.risk_free_pct !== 0) {
    out.push(
      ...carried(
        "risk_free_pct",
        spec.risk_free_pct,
        "No backtrader equivalent: the risk-free rate of Quantedge's Sharpe/Sortino figures.",
      ),
    );
  }
  return out;
}

/** The header comment: what the file is and the conventions it keeps. */
function header(spec: StrategySpec): string[] {
  const c = spec.costs, r = spec.risk, s = spec.sizing;
  const sizing = s.method === "percent_equity"
    ? `${s.percent} % of equity (cash + positions at the close) / the signal bar's close`
    : s.method === "fixed_cash"
    ? `${s.cash} in cash / the signal bar's close`
    : s.method === "fixed_quantity"
    ? `${s.quantity} shares`
    : `equity x ${s.risk_pct} % / (ATR(${s.atr_period}) x ${s.atr_multiple}) on the signal bar`;
  const risk = [
    r.stop_loss_pct !== null ? `stop loss ${r.stop_loss_pct} % below the entry fill` : null,
    r.trailing_stop_pct !== null
      ? `trailing stop ${r.trailing_stop_pct} % below the highest high since entry`
      : null,
    r.take_profit_pct !== null ? `take profit ${r.take_profit_pct} % above the entry fill` : null,
    r.max_holding_days !== null ? `exit after ${r.max_holding_days} bars held` : null,
  ].filter((x) => x !== null);
  return [
    `# ${spec.name.replace(/[\r\n]+/g, " ")}: exported from Quantedge (strategy spec -> backtrader 1.9).`,
    "#",
    "# Run: put one <SYMBOL>.csv per ticker (date,open,high,low,close,volume; a header line) in the working",
    "# directory and run `python3 <this file>`; it prints every fill and the final value.",
    "#",
    "# Conventions (Quantedge's backtest engine; this file gives the same trades and final value):",
    "# - Signals are read on each bar's close; orders fill at the NEXT bar's open (cheat_on_open: the orders are",
    "#   placed in next_open(), before the broker fills them at that open). Sales fill before buys.",
    `# - Fees: ${c.buy_fee_pct} % of notional on buys, ${c.sell_fee_pct} % on sales` +
    (c.min_fee > 0 ? ` (at least ${c.min_fee} a fill)` : "") +
    "; paid in cash on top of a buy",
    "#   and out of a sale's proceeds.",
    ...(c.slippage_pct > 0
      ? [`# - Slippage: every fill price moves ${c.slippage_pct} % against the trade (buys up, sales down).`]
      : []),
    `# - Sizing: ${sizing}, decided on the signal bar.`,
    "#   At the fill the quantity is rounded down to whole lots and cut (by whole lots) until notional + fee <=",
    "#   cash (after the day's sales); an order below min_position is dropped.",
    `# - At most ${s.max_positions} position(s); with more entry signals than free slots the highest rank_value()`,
    "#   goes first (ties: feed order). Long only; no pyramiding (an entry on a held symbol adds nothing).",
    `# - Risk: ${risk.length > 0 ? risk.join("; ") : "none"}.`,
    "#   Stops and targets are checked on each bar's low/high from the entry bar on, and fill at the stop/target",
    "#   price, or at the open when the bar opens beyond it (a gap). If a bar reaches both, the stop comes first.",
    "#   The trailing stop's peak starts at the entry fill and takes each day's high after that day's checks.",
    "# - Indicators (TA-Lib conventions, as Quantedge): SMA; EMA seeded with the SMA of the first n values;",
    "#   RSI and ATR with Wilder smoothing seeded with the mean of the first n changes / true ranges; Bollinger",
    "#   bands with the population standard deviation; Highest/Lowest include the current bar. Custom classes",
    "#   below where backtrader's differs: TalibMACD (bt.ind.MACD seeds the fast EMA differently),",
    "#   QuantedgeCrossOver (bt.ind.CrossOver skips a bar where both series are equal; here a[-1] <= b[-1] and",
    "#   a[0] > b[0] is a cross up). A comparison with a value still warming up (NaN) is false.",
    `# - Bars from ${WARMUP_DAYS} calendar days before the start only warm the indicators up; trading starts on the start`,
    "#   date. Positions still open at the end are valued at the last close.",
  ];
}

/** The sizer class and the runner's `addsizer` line for the spec's sizing. */
function sizer(spec: StrategySpec): { classCode: string | null; add: string } {
  const s = spec.sizing;
  switch (s.method) {
    case "fixed_quantity":
      return { classCode: null, add: `cerebro.addsizer(bt.sizers.FixedSize, stake=${s.quantity})` };
    case "percent_equity":
      return {
        classCode: `class PercentOfEquity(bt.Sizer):
    """Shares worth \`percents\` % of the portfolio value (cash + positions at the close) at today's close; the
    strategy rounds them to whole lots and cuts them to cash when the order fills at the next open."""
    params = (("percents", 100.0),)

    def _getsizing(self, comminfo, cash, data, isbuy):
        return self.broker.getvalue() * self.p.percents / 100 / data.close[0]`,
        add: `cerebro.addsizer(PercentOfEquity, percents=${pyNumber(s.percent)})`,
      };
    case "fixed_cash":
      return {
        classCode: `class FixedCash(bt.Sizer):
    """Shares worth \`cash\` at today's close (rounded to whole lots and cut to cash at the fill)."""
    params = (("cash", 10000.0),)

    def _getsizing(self, comminfo, cash, data, isbuy):
        return self.p.cash / data.close[0]`,
        add: `cerebro.addsizer(FixedCash, cash=${pyNumber(s.cash)})`,
      };
    case "risk_adjusted":
      return {
        classCode: `class RiskAdjusted(bt.Sizer):
    """Shares whose loss over \`atr_multiple\` ATRs is \`risk_pct\` % of the portfolio value; none while the ATR
    warms up."""
    params = (("risk_pct", 1.0), ("atr_period", 14), ("atr_multiple", 2.0))

    def _getsizing(self, comminfo, cash, data, isbuy):
        a = self.strategy.inds[data]["atr_sizing"][0]
        if not a > 0:
            return 0
        return self.broker.getvalue() * self.p.risk_pct / 100 / (a * self.p.atr_multiple)`,
        add: `cerebro.addsizer(RiskAdjusted, risk_pct=${pyNumber(s.risk_pct)}, atr_period=${s.atr_period}, ` +
          `atr_multiple=${pyNumber(s.atr_multiple)})`,
      };
  }
}

/** The strategy class's engine half: order placement at the open, risk orders, decisions at the close. */
const ENGINE_METHODS = `    def prenext_open(self):
        self.next_open()  # trade while longer indicators still warm up (their values read NaN: false)

    def prenext(self):
        self.next()

    def today(self):
        """The newest bar date among the feeds (a feed without a bar today is suspended)."""
        return max(d.datetime.date(0) for d in self.datas if len(d))

    def has_bar(self, d, today):
        return len(d) > 0 and d.datetime.date(0) == today

    def fee(self, value, pct):
        return max(self.p.min_fee, value * pct / 100) if value > 0 else 0.0

    def cut_to_cash(self, size, price, cash):
        """Whole lots of \`size\` cut until notional + fee <= cash (a jump to what cash covers, then lot by lot)."""
        lot = self.p.lot_size
        for _ in range(64):
            if size <= 0 or size * price + self.fee(size * price, self.p.buy_fee_pct) <= cash + 1e-9:
                return size
            covered = math.floor((cash - self.p.min_fee) / (price * (1 + self.p.buy_fee_pct / 100)) / lot) * lot
            size = max(0, covered) if covered < size else size - lot
        return 0

    def next_open(self):
        # 1. Orders decided on the last close fill at this open: sales first, their proceeds fund the buys.
        # A symbol with no bar today (suspended) does not trade: its order lapses.
        today = self.today()
        self.due = {d: order for d, order in self.due.items() if self.has_bar(d, today)}
        cash = self.broker.getcash()
        for d, (side, wanted) in self.due.items():
            size = self.getposition(d).size
            if side == "SELL" and size > 0:
                self.close(data=d)
                price = d.open[0] * (1 - self.p.slippage_pct / 100)  # the broker's slippage
                cash += size * price - self.fee(size * price, self.p.sell_fee_pct)
                del self.held[d]
        for d, (side, wanted) in self.due.items():
            if side == "BUY" and d not in self.held:
                price = d.open[0] * (1 + self.p.slippage_pct / 100)  # the broker's slippage
                size = self.cut_to_cash(math.floor(wanted / self.p.lot_size) * self.p.lot_size, price, cash)
                if size <= 0 or size * price < self.p.min_position:
                    continue
                self.buy(data=d, size=size)
                cash -= size * price + self.fee(size * price, self.p.buy_fee_pct)
                self.held[d] = {"entry": price, "bar": len(d), "peak": price, "size": size}
        self.due = {}
        # 2. Today's stop (placed first: it wins when a bar reaches both) and take-profit orders.
        for d in self.datas:
            h = self.held.get(d)
            if h is None or not self.has_bar(d, today):
                continue
            stop = target = None
            if self.p.stop_loss_pct is not None:
                stop = h["entry"] * (1 - self.p.stop_loss_pct / 100)
            if self.p.trailing_stop_pct is not None:
                trail = h["peak"] * (1 - self.p.trailing_stop_pct / 100)
                if stop is None or trail > stop:
                    stop = trail
            if self.p.take_profit_pct is not None:
                target = h["entry"] * (1 + self.p.take_profit_pct / 100)
            placed = None
            if stop is not None:
                placed = self.sell(data=d, size=h["size"], exectype=bt.Order.Stop, price=stop)
                self.risk_orders.append(placed)
            if target is not None:
                self.risk_orders.append(
                    self.sell(data=d, size=h["size"], exectype=bt.Order.Limit, price=target, oco=placed))

    def next(self):
        for o in self.risk_orders:
            if o.alive():
                self.cancel(o)  # today's stop / target did not fill: tomorrow gets new ones
        self.risk_orders = []
        for d in list(self.held):
            if self.getposition(d).size == 0:
                del self.held[d]  # stopped out or took profit today
        today = self.today()
        if today < self.p.start:
            return
        # 3. Rule exits and max holding days: sell at the next open (symbols with a bar today only).
        for d in self.datas:
            h = self.held.get(d)
            if h is None or not self.has_bar(d, today):
                continue
            h["peak"] = max(h["peak"], d.high[0])
            too_long = self.p.max_holding_days is not None and len(d) - h["bar"] >= self.p.max_holding_days
            if too_long or self.exit_signal(d, self.inds[d]):
                self.due[d] = ("SELL", None)
        # 4. Entries into free slots, highest rank_value() first: buy at the next open.
        slots = self.p.max_positions - len(self.held)
        candidates = [
            d for d in self.datas
            if d not in self.held and self.has_bar(d, today) and self.entry_signal(d, self.inds[d])
        ]
        candidates.sort(key=self.rank_key)
        for d in candidates:
            if slots <= 0:
                break
            wanted = self.getsizing(data=d)
            if not wanted > 0:
                continue
            self.due[d] = ("BUY", wanted)
            slots -= 1

    def rank_key(self, d):
        value = self.rank_value(d, self.inds[d])
        return -value if value == value else float("inf")  # NaN ranks last

    def notify_order(self, order):
        if order.status == order.Completed:
            side = "BUY" if order.isbuy() else "SELL"
            day = bt.num2date(order.executed.dt).date()
            self.fills.append((day, order.data._name, side, abs(order.executed.size), order.executed.price))`;

/** The strategy as backtrader Python. */
export function toBacktraderCode(spec: StrategySpec): string {
  const compiler = new ExpressionCompiler();
  const entry = compiler.condition(parseExpression(spec.entry));
  const exit = compiler.condition(parseExpression(spec.exit));
  const rank = compiler.value(parseExpression(spec.rank_by));
  const s = spec.sizing, r = spec.risk, c = spec.costs;
  const indicators = compiler.indicators.map((ind) => `            i["${ind.key}"] = ${ind.code}`);
  if (s.method === "risk_adjusted") {
    indicators.push(`            i["atr_sizing"] = bt.ind.ATR(d, period=${s.atr_period})  # for the sizer`);
  }
  const sz = sizer(spec);
  const cls = className(spec.name);
  const tickers = spec.universe.tickers ?? [];
  const from = addDays(spec.start, -WARMUP_DAYS);
  const commission = c.buy_fee_pct === c.sell_fee_pct && c.min_fee === 0
    ? [`    cerebro.broker.setcommission(commission=${pyNumber(c.buy_fee_pct)} / 100)  # percent of notional`]
    : [
      `    cerebro.broker.addcommissioninfo(PercentFees(buy_pct=${pyNumber(c.buy_fee_pct)}, ` +
      `sell_pct=${pyNumber(c.sell_fee_pct)}, min_fee=${pyNumber(c.min_fee)}))`,
    ];
  const feesClass = commission[0].includes("PercentFees")
    ? [
      `class PercentFees(bt.CommInfoBase):
    """Percent fees with a different rate for buys and sales and a minimum per fill."""
    params = (("buy_pct", 0.1), ("sell_pct", 0.1), ("min_fee", 0.0), ("stocklike", True),
              ("commtype", bt.CommInfoBase.COMM_PERC), ("percabs", True))

    def _getcommission(self, size, price, pseudoexec):
        value = abs(size) * price
        pct = self.p.buy_pct if size > 0 else self.p.sell_pct
        return max(self.p.min_fee, value * pct / 100) if value > 0 else 0.0`,
    ]
    : [];
  const blocks: string[] = [
    [
      ...header(spec),
      ...carriedFeatures(spec),
      "import datetime",
      "import math",
      "",
      "import backtrader as bt",
    ].join("\n"),
    ...pythonSnippets(compiler.needs),
    ...feesClass,
    ...(sz.classCode ? [sz.classCode] : []),
    [
      `class ${cls}(bt.Strategy):`,
      "    params = (",
      `        ("start", ${pyDate(spec.start)}),  # first day traded; earlier bars warm the indicators up`,
      `        ("max_positions", ${s.max_positions}),`,
      `        ("min_position", ${pyNumber(s.min_position)}),  # smallest order worth placing, in cash`,
      `        ("stop_loss_pct", ${pyOptional(r.stop_loss_pct)}),`,
      `        ("take_profit_pct", ${pyOptional(r.take_profit_pct)}),`,
      `        ("trailing_stop_pct", ${pyOptional(r.trailing_stop_pct)}),`,
      `        ("max_holding_days", ${pyOptional(r.max_holding_days)}),`,
      `        ("buy_fee_pct", ${
        pyNumber(c.buy_fee_pct)
      }),  # as the broker's commission, to cut orders to cash`,
      `        ("sell_fee_pct", ${pyNumber(c.sell_fee_pct)}),`,
      `        ("min_fee", ${pyNumber(c.min_fee)}),`,
      `        ("slippage_pct", ${pyNumber(c.slippage_pct)}),  # as the broker's slippage`,
      `        ("lot_size", 1),  # board lot (Quantedge takes it from the symbol's data)`,
      "    )",
      "",
      "    def __init__(self):",
      "        self.inds = {}",
      "        for d in self.datas:",
      "            i = self.inds[d] = {}",
      ...(indicators.length > 0 ? indicators : ["            pass"]),
      "        self.due = {}  # orders decided on a close: data -> (side, wanted size), filled at the next open",
      "        self.held = {}  # open positions: data -> entry price, entry bar, peak, size",
      "        self.risk_orders = []",
      "        self.fills = []",
      "",
      "    def entry_signal(self, d, i):",
      `        return ${entry}`,
      "",
      "    def exit_signal(self, d, i):",
      `        return ${exit}`,
      "",
      "    def rank_value(self, d, i):",
      `        return ${rank}`,
      "",
      ENGINE_METHODS,
    ].join("\n"),
    [
      'if __name__ == "__main__":',
      "    cerebro = bt.Cerebro(cheat_on_open=True, runonce=False)  # orders placed at the open; bar-by-bar indicators",
      `    cerebro.broker.setcash(${pyNumber(spec.capital)})`,
      ...commission,
      ...(c.slippage_pct > 0
        ? [
          `    cerebro.broker.set_slippage_perc(${
            pyNumber(c.slippage_pct)
          } / 100, slip_open=True, slip_match=True, ` +
          "slip_out=True)  # every fill moves against the trade",
        ]
        : []),
      ...(tickers.length > 0
        ? []
        : ["    # Add one feed per member of the universe (see the quantedge: universe line above)."]),
      ...tickers.map((t) =>
        `    cerebro.adddata(bt.feeds.GenericCSVData(dataname="${t}.csv", fromdate=${pyDate(from)}, ` +
        `todate=${pyDate(spec.end)}, dtformat="%Y-%m-%d", datetime=0, open=1, high=2, low=3, close=4, ` +
        `volume=5, openinterest=-1), name="${t}")`
      ),
      `    ${sz.add}`,
      `    cerebro.addstrategy(${cls})`,
      "    strategy = cerebro.run()[0]",
      "    for day, symbol, side, size, price in strategy.fills:",
      '        print("TRADE", day.isoformat(), symbol, side, size, repr(price))',
      '    print("FINAL_VALUE", repr(cerebro.broker.getvalue()))',
    ].join("\n"),
  ];
  return blocks.join("\n\n\n") + "\n";
}
