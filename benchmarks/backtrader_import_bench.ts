/**
 * Parsing backtrader code into a spec: a typical 60-line strategy (params, three indicators, a pending-order
 * guard, logging, entry and exit with a percent stop, a runner with a feed, cash, commission and a sizer) through
 * the lexer alone, the parser, and the whole import (parse → spec → `StrategySpecSchema`).
 */
import { parseBacktraderCode } from "../domain/strategy/backtrader/backtrader_import.ts";
import { tokenizePython } from "../domain/strategy/python/python_lexer.ts";
import { parsePython } from "../domain/strategy/python/python_parser.ts";

const CODE = `import datetime

import backtrader as bt


class TrendPullback(bt.Strategy):
    """Buy pullbacks in an uptrend; leave on a cross down, a 6 % stop or an RSI blow-off."""

    params = (
        ('fast', 20),
        ('slow', 100),
        ('rsi_period', 14),
        ('rsi_low', 40),
        ('rsi_high', 75),
        ('stop_loss', 0.06),
    )

    def log(self, txt, dt=None):
        dt = dt or self.datas[0].datetime.date(0)
        print('%s, %s' % (dt.isoformat(), txt))

    def __init__(self):
        self.dataclose = self.datas[0].close
        self.fast = bt.ind.EMA(self.data.close, period=self.p.fast)
        self.slow = bt.ind.SMA(self.data.close, period=self.p.slow)
        self.rsi = bt.ind.RSI(self.data.close, period=self.p.rsi_period)
        self.cross = bt.ind.CrossOver(self.fast, self.slow)
        self.order = None
        self.buyprice = None

    def notify_order(self, order):
        if order.status in [order.Completed]:
            if order.isbuy():
                self.buyprice = order.executed.price
        self.order = None

    def next(self):
        if self.order:
            return
        if not self.position:
            if self.fast[0] > self.slow[0] and self.rsi[0] < self.p.rsi_low:
                self.log('BUY CREATE, %.2f' % self.dataclose[0])
                self.order = self.buy()
        else:
            if self.dataclose[0] < self.buyprice * (1 - self.p.stop_loss):
                self.order = self.close()
            elif self.cross < 0 or self.rsi[0] > self.p.rsi_high:
                self.order = self.close()


if __name__ == '__main__':
    cerebro = bt.Cerebro()
    cerebro.addstrategy(TrendPullback)
    data = bt.feeds.YahooFinanceData(dataname='AAPL', fromdate=datetime.datetime(2018, 1, 1),
                                     todate=datetime.datetime(2022, 12, 31))
    cerebro.adddata(data)
    cerebro.broker.setcash(100000.0)
    cerebro.broker.setcommission(commission=0.001)
    cerebro.addsizer(bt.sizers.PercentSizer, percents=95)
    cerebro.run()
`;

const LOC = ["strategy_code"];
if (CODE.split("\n").length < 60) throw new Error("the benchmark strategy should be about 60 lines");

Deno.bench("lex a 60-line backtrader strategy", () => {
  tokenizePython(CODE, LOC);
});

Deno.bench("parse a 60-line backtrader strategy (AST)", () => {
  parsePython(CODE, LOC);
});

Deno.bench("import a 60-line backtrader strategy (AST → validated spec)", { baseline: true }, () => {
  parseBacktraderCode(CODE, LOC);
});
