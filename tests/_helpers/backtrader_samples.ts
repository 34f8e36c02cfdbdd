/**
 * Backtrader programs the route and MCP tests paste as `strategy_code` (parsed, never run). The fixture
 * strategies with their expected specs are in `tests/fixtures/backtrader/`.
 */

/** A strategy whose own universe the synthetic market holds (RELIANCE.NS, 2019–2021). */
export const RELIANCE_SMA = `import backtrader as bt
import datetime


class SmaCross(bt.Strategy):
    params = (('fast', 20), ('slow', 50))

    def __init__(self):
        self.crossover = bt.ind.CrossOver(bt.ind.SMA(period=self.p.fast), bt.ind.SMA(period=self.p.slow))

    def next(self):
        if not self.position:
            if self.crossover > 0:
                self.buy()
        elif self.crossover < 0:
            self.close()


cerebro = bt.Cerebro()
cerebro.addstrategy(SmaCross)
cerebro.adddata(bt.feeds.YahooFinanceData(dataname='RELIANCE.NS', fromdate=datetime.datetime(2019, 1, 1),
                                          todate=datetime.datetime(2021, 12, 31)))
cerebro.broker.setcash(100000)
cerebro.addsizer(bt.sizers.PercentSizer, percents=95)
cerebro.broker.setcommission(commission=0.001)
cerebro.run()
`;
