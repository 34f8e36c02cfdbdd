/**
 * The reference of the strategy-text format (what answers call `generated_code` and what `strategy_code` and
 * `code` take), as Markdown: served by the HTTP front end and linked from refusals of other languages. It
 * describes `parseStrategyText` (strategy_text.ts) and the spec's defaults (spec.ts); a test parses its example
 * and checks that every key of the parser is described.
 */

/** The example strategy of the reference (it parses as written). */
export const STRATEGY_TEXT_EXAMPLE = `# SMA 20/50 crossover on one Indian stock
name: "SMA cross"
universe: {"tickers":["RELIANCE.NS"]}
entry: crosses_above(sma(close, 20), sma(close, 50))
exit: crosses_below(sma(close, 20), sma(close, 50)) or rsi(close, 14) > 80
sizing: {"method":"percent_equity","percent":100,"max_positions":1}
risk: {"stop_loss_pct":5,"take_profit_pct":null,"trailing_stop_pct":null,"max_holding_days":null}
costs: {"buy_fee_pct":0.1,"sell_fee_pct":0.1,"min_fee":0,"slippage_pct":0}
fill: "next_open"
capital: 100000
start: "2018-01-01"
end: "2022-12-31"
`;

/** The reference, Markdown. */
export const STRATEGY_TEXT_FORMAT = `# Quantedge strategy text

Strategy text is the plain-text form of a Quantedge strategy: what every answer calls \`generated_code\`, and
what \`strategy_code\` (backtests, plots) and \`code\` (saving, the leaderboard) take. It is data, never a
program: nothing in it is executed. The same fields also accept backtrader Python of a common subset (see
"Backtrader code" below): it is parsed, never run, and turned into the same strategy.

## Lines

The text is read line by line (LF or CRLF):

- **Blank lines** are ignored.
- **Comments**: a line whose first non-blank character is \`#\` is ignored (a \`#\` later in a line is not a comment).
- **Fields**: every other line is \`key: value\`. The key is everything before the first \`:\` (case-insensitive,
  surrounding spaces ignored), the value everything after it (trimmed). A field is one line: a value cannot
  continue on the next line. Each key may appear once; an unknown key, a repeated key or a line without \`:\`
  is refused with 422 naming the line number.

## Keys

Three keys hold rules in the expression language, written as is (no quotes); all others hold one JSON value.

| key | value | default |
| --- | --- | --- |
| \`name\` | JSON string, 1–200 characters | \`"Untitled strategy"\` (saving sets it to the saved name) |
| \`universe\` | JSON object: \`{"tickers": [...]}\` (1–500 symbols) and/or \`{"name": "hs300"}\` (hs300, csi500, csi1000, csi2000, etf_all, nifty, lq45, us, crypto), optional \`"filters"\`: \`market_cap\` (\`["small","mid","large"]\`), \`sectors\`, \`syariah\`, \`min_avg_traded_value\`, \`fundamentals\` (\`[{"metric":"PE_RATIO","max":20}]\`; PE_RATIO, PBV, ROE, DE_RATIO, ROA, NPM, EPS) | required, except in a one-ticker run (\`POST /backtest\`, \`/plot\` with \`ticker\`: the ticker is the universe, and a \`universe\` line there is replaced by it) |
| \`entry\` | expression: true on the bars where a position is opened | required |
| \`exit\` | expression: true on the bars where the position is closed (\`0 > 1\` never exits; risk rules still apply) | required |
| \`rank_by\` | expression: which entry candidates to take first when there are more than free slots (highest first) | \`sma(close * volume, 20)\` |
| \`sizing\` | JSON object, by \`method\`: \`{"method":"percent_equity","percent":100}\`, \`{"method":"fixed_cash","cash":10000}\`, \`{"method":"fixed_quantity","quantity":100}\`, \`{"method":"risk_adjusted","risk_pct":1,"atr_period":14,"atr_multiple":2}\`; each also takes \`max_positions\` (1–500, default 1) and \`min_position\` (currency, default 0) | \`{"method":"percent_equity","percent":100,"max_positions":1,"min_position":0}\` |
| \`risk\` | JSON object: \`stop_loss_pct\`, \`take_profit_pct\`, \`trailing_stop_pct\` (percent), \`max_holding_days\`; each \`null\` for none | all \`null\` |
| \`costs\` | JSON object: \`buy_fee_pct\`, \`sell_fee_pct\` (percent of notional), \`min_fee\` (currency), \`slippage_pct\` | \`{"buy_fee_pct":0.1,"sell_fee_pct":0.1,"min_fee":0,"slippage_pct":0}\` |
| \`fill\` | JSON string: \`"next_open"\` (decide on bar t's close, fill at bar t+1's open) or \`"close"\` (fill at bar t's close) | \`"next_open"\` |
| \`capital\` | JSON number: starting cash | \`100000\` |
| \`start\`, \`end\` | JSON string \`"YYYY-MM-DD"\` (start not after end) | \`end\`: today (UTC); \`start\`: five years before \`end\` |
| \`benchmarks\` | JSON array of up to 5 symbols | \`[]\` |
| \`close_at_end\` | JSON boolean: sell what is still held at the last close | \`false\` |
| \`risk_free_pct\` | JSON number: annual risk-free rate for Sharpe and Sortino, percent | \`0\` |

JSON values are strict JSON: strings in double quotes, no trailing commas, no comments.

## Expressions

Numbers; the fields \`open high low close volume\`; \`+ - * /\`; comparisons \`< <= > >= == !=\`; \`and or not\`;
parentheses; and the functions \`sma(x, n)\`, \`ema(x, n)\`, \`rsi(x, n=14)\`, \`macd(x, 12, 26, 9)\`,
\`macd_signal(x, 12, 26, 9)\`, \`macd_hist(x, 12, 26, 9)\`, \`bb_upper(x, n=20, k=2)\`, \`bb_middle(x, n=20)\`,
\`bb_lower(x, n=20, k=2)\`, \`atr(n=14)\`, \`zscore(x, n=20)\`, \`obv()\`, \`vwap(n=20)\`, \`vpt()\`,
\`volume_sma(n=20)\`, \`highest(x, n)\`, \`lowest(x, n)\`, \`roc(x, n)\`, \`stdev(x, n)\`, \`ts_mean(x, n)\`,
\`ts_std(x, n)\`, \`ts_rank(x, n)\`, \`delay(x, n)\`, \`delta(x, n)\`, \`correlation(x, y, n)\`, \`abs(x)\`, \`log(x)\`,
\`crosses_above(a, b)\` (a[t−1] ≤ b[t−1] and a[t] > b[t]), \`crosses_below(a, b)\`. No function reads a later
bar. A mistake is a 422 with the column and a hint (\`did you mean "sma"?\`).

## Backtrader code

Code with an \`import\`, \`class\` or \`def\` line is read as backtrader Python. It must define one
\`bt.Strategy\` subclass (otherwise 422 of type \`no_strategy\`); anything outside this subset is a 422 of type
\`unsupported_construct\` naming the construct and the line (e.g. "line 12: \`while\` loops are not supported …").
At most 20 000 characters, 2 000 lines, 50 nested brackets or blocks.

| backtrader | strategy |
| --- | --- |
| \`params = (('fast', 10),)\` or \`dict(fast=10)\`, \`self.p.fast\`, \`cerebro.addstrategy(S, fast=5)\` | the value |
| \`bt.ind.SMA\` (default period 30), \`EMA\`, \`RSI\` (Wilder), \`MACD\` (\`.macd .signal .histo\`), \`BollingerBands\` (\`.top .mid .bot\`), \`ATR\`, \`Highest\`, \`Lowest\`, \`StdDev\` | \`sma ema rsi macd macd_signal macd_hist bb_upper bb_middle bb_lower atr highest lowest stdev\` |
| \`bt.ind.CrossOver(a, b) > 0\` / \`< 0\`, \`CrossUp\`, \`CrossDown\` | \`crosses_above(a, b)\` / \`crosses_below(a, b)\` |
| \`self.data.close[0]\`, \`self.data[0]\`, \`self.datas[0].close\`, aliases set in \`__init__\`; \`x[-k]\` | \`close\`; \`delay(x, k)\` |
| \`if not self.position:\` … \`self.buy()\` / \`self.order_target_percent(target=0.95)\` | \`entry\` (several buys: \`or\`) |
| \`else:\` / \`if self.position:\` … \`self.close()\` / \`self.sell()\` / \`order_target_percent(target=0)\` | \`exit\` |
| \`self.data.close[0] < self.buyprice * 0.95\` (or \`self.position.price * (1 - p)\`); \`> self.buyprice * 1.1\` | \`risk.stop_loss_pct\` 5; \`take_profit_pct\` 10 |
| \`self.buy_bracket(stopprice=…, limitprice=…)\`, \`self.sell(exectype=bt.Order.Stop/Limit, price=…)\` after a buy | stop loss / take profit |
| \`self.sell(exectype=bt.Order.StopTrail, trailpercent=0.05)\` | \`risk.trailing_stop_pct\` 5 |
| \`cerebro.addsizer(bt.sizers.PercentSizer, percents=95)\`, \`AllInSizer\`, \`FixedSize, stake=10\`, \`self.buy(size=n)\`, \`order_target_value\` (no sizer: one share, as backtrader) | \`sizing\` |
| \`for d in self.datas:\` / \`for i, d in enumerate(self.datas):\` | the rule on every symbol |
| \`cerebro.broker.setcash(x)\` (default 10 000), \`setcommission(commission=0.001)\` (default 0), \`set_slippage_perc(p)\`, \`set_coc(True)\` | \`capital\`, \`costs\` 0.1 %, slippage, \`fill: "close"\` |
| \`bt.feeds.YahooFinanceData(dataname='AAPL', fromdate=…, todate=…)\`, \`GenericCSVData\` / \`YahooFinanceCSVData\` (file name without extension), \`PandasData(dataname=pd.read_csv(path))\` | \`universe\`, \`start\`, \`end\` |
| a comment line \`# quantedge: key: value\` (key and value as in strategy text) | that field (a different value from the code: 422) |

Not supported (422): \`while\`, \`lambda\`, \`try\`, \`with\`, comprehensions, decorators, \`*args\`, \`global\`,
\`exec\`/\`eval\`/\`getattr\`, imports other than backtrader, datetime, math and pandas, custom indicators,
shorting (\`self.sell()\` with no open position), buying into an open position, other indicators.

## Example

\`\`\`
${STRATEGY_TEXT_EXAMPLE}\`\`\`

For a one-ticker run (\`POST /backtest\` or \`/plot\` with \`ticker\`) two lines are enough:

\`\`\`
entry: crosses_above(sma(close, 20), sma(close, 50))
exit: crosses_below(sma(close, 20), sma(close, 50))
\`\`\`
`;
