/**
 * `/app/build/import`: paste backtrader Python (document 000/003's "pasted backtrader code"). The code is parsed,
 * never run: `web/client/build_import.js` sends it to `POST /api/v1/generate` (whose importer reads backtrader's
 * common subset and names the line of anything outside it), shows the strategy text it became, and saves or
 * backtests it.
 */
import { BuildTabs } from "./build_tabs.tsx";

/** What the code box opens with: an SMA 20/50 crossover in backtrader. */
const SAMPLE = `import backtrader as bt


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
`;

/** The page's content. */
export function ImportPage() {
  return (
    <>
      <BuildTabs active="import" />
      <noscript>
        <p class="error">Importing needs JavaScript (the API does the work).</p>
      </noscript>
      <form id="import-form" class="card">
        <p class="muted">
          The code is read, never run. A common subset of backtrader is supported (indicators, crossovers,
          buy/sell/ close, sizers, stops); anything else is refused with the line it is on.
        </p>
        <label for="backtrader-code">Backtrader Python 代码</label>
        <textarea id="backtrader-code" rows={18} spellcheck={false} wrap="off" maxlength={20000} required>
          {SAMPLE}
        </textarea>
        <label for="import-universe">Universe or tickers (when the code names none) 股票池</label>
        <input id="import-universe" type="text" maxlength={200} value="RELIANCE.NS" autocomplete="off" />
        <button type="submit" id="import-submit">Import 导入</button>
        <p id="import-status" role="status" class="muted"></p>
        <div id="import-errors"></div>
      </form>
      <section id="import-result" class="card" aria-labelledby="import-result-heading" hidden>
        <h2 id="import-result-heading">
          Strategy text <span class="zh" lang="zh-Hans">策略文本</span>
        </h2>
        <ul id="import-notes"></ul>
        <pre id="import-text"></pre>
        <div class="row">
          <button type="button" id="import-run">Run backtest 运行回测</button>
          <button type="button" class="secondary" id="import-edit">Edit as text 以文本编辑</button>
        </div>
        <div class="row">
          <div>
            <label for="import-name">Name 名称</label>
            <input id="import-name" type="text" maxlength={200} required value="Imported SMA cross" />
          </div>
          <button type="button" id="import-save">Save to library 保存到策略库</button>
        </div>
        <div id="import-action-status" aria-live="polite"></div>
      </section>
    </>
  );
}
