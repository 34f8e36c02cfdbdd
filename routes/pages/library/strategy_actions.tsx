/**
 * The action cards of a library strategy's page. Each form is driven by `web/client/library_strategy.js`, which
 * calls the public API (stage, promote, rollback, publish, delete, queue a backtest, document 000's leaderboard
 * submission, the exports); destructive actions ask for confirmation first. The compare form is a plain GET form
 * (it works without JavaScript).
 */
import { DATASETS } from "../../../domain/leaderboard/leaderboard.ts";
import type { StrategyView } from "../../../domain/strategy/library_views.ts";

/** Stage a version, promote the staging one, roll production back, publish or withdraw, delete. */
export function StageCard(props: { s: StrategyView; rollbackTo: number | null }) {
  const { s } = props;
  return (
    <section class="card" aria-labelledby="stages-h">
      <h2 id="stages-h">Stages 阶段</h2>
      <dl class="metrics">
        <div>
          <dt>Staging 预发布</dt>
          <dd id="staging-version">{s.staging_version !== null ? `v${s.staging_version}` : "none"}</dd>
        </div>
        <div>
          <dt>Production 生产</dt>
          <dd id="production-version">
            {s.production_version !== null ? `v${s.production_version}` : "none"}
          </dd>
        </div>
        <div>
          <dt>Public catalog 公开目录</dt>
          <dd id="catalog-status">
            {s.is_public
              ? (s.production_version !== null ? "listed" : "published (not promoted)")
              : "private"}
          </dd>
        </div>
      </dl>
      <form id="stage-form" class="row">
        <div>
          <label for="stage-version">Version to stage 预发布版本</label>
          <input
            id="stage-version"
            name="version"
            type="number"
            min={1}
            max={s.latest_version}
            value={s.latest_version}
            required
          />
        </div>
        <button type="submit" id="stage-submit">Stage 预发布</button>
      </form>
      <div class="row">
        <button
          type="button"
          id="promote"
          data-version={s.staging_version ?? ""}
          disabled={s.staging_version === null}
        >
          {s.staging_version !== null
            ? `Promote v${s.staging_version} to production`
            : "Promote (nothing staged)"}
        </button>
        <button
          type="button"
          id="rollback"
          class="danger"
          data-version={props.rollbackTo ?? ""}
          disabled={props.rollbackTo === null}
        >
          {props.rollbackTo !== null
            ? `Roll production back to v${props.rollbackTo}`
            : "Roll back (no earlier production)"}
        </button>
        <button type="button" id="publish" class="secondary" data-public={s.is_public ? "true" : "false"}>
          {s.is_public ? "Withdraw from the catalog" : "Publish in the catalog"}
        </button>
        <button type="button" id="delete-strategy" class="danger">Delete strategy 删除</button>
      </div>
      <p class="muted">
        A strategy is listed in the public catalog while it is promoted and published.
      </p>
      <div id="stage-status"></div>
    </section>
  );
}

/** A number input for a version of the strategy. */
function VersionInput(props: { id: string; label: string; latest: number; value: number; name?: string }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name ?? "version"}
        type="number"
        min={1}
        max={props.latest}
        value={props.value}
        required
      />
    </div>
  );
}

/** Compare two versions side by side: a GET form to `/app/library/:id/compare?a=&b=`. */
export function CompareCard(props: { id: string; latest: number; a?: number; b?: number }) {
  return (
    <section class="card" aria-labelledby="compare-h">
      <h2 id="compare-h">Compare two versions 版本对比</h2>
      <form id="compare-form" method="get" action={`/app/library/${encodeURIComponent(props.id)}/compare`}>
        <div class="row">
          <VersionInput
            id="compare-a"
            name="a"
            label="Version A 版本 A"
            latest={props.latest}
            value={props.a ?? Math.max(1, props.latest - 1)}
          />
          <VersionInput
            id="compare-b"
            name="b"
            label="Version B 版本 B"
            latest={props.latest}
            value={props.b ?? props.latest}
          />
          <button type="submit" id="compare-submit">Compare side by side 对比</button>
        </div>
      </form>
      <p class="muted">Runs both versions on their own settings (counts as one backtest of your quota).</p>
    </section>
  );
}

/** Queue a backtest of a version (then open its result page). */
export function BacktestCard(props: { latest: number }) {
  return (
    <section class="card" aria-labelledby="backtest-h">
      <h2 id="backtest-h">Backtest 回测</h2>
      <form id="backtest-form" class="row">
        <VersionInput id="backtest-version" label="Version 版本" latest={props.latest} value={props.latest} />
        <button type="submit" id="backtest-run">Queue a backtest 提交回测</button>
      </form>
      <div id="backtest-status"></div>
    </section>
  );
}

/** Document 000's leaderboard submission of a version on a dataset (the ticker is informational). */
export function LeaderboardCard(props: { latest: number }) {
  return (
    <section class="card" aria-labelledby="submit-h">
      <h2 id="submit-h">Submit to the leaderboard 提交排行榜</h2>
      <form id="submit-leaderboard-form">
        <div class="row">
          <VersionInput id="lb-version" label="Version 版本" latest={props.latest} value={props.latest} />
          <div>
            <label for="lb-submit-dataset">Dataset 数据集</label>
            <select id="lb-submit-dataset" name="dataset">
              {DATASETS.map((d) => <option key={d.name} value={d.name}>{d.name}</option>)}
            </select>
          </div>
          <div>
            <label for="lb-ticker">Ticker (optional) 代码</label>
            <input id="lb-ticker" name="ticker" maxlength={40} placeholder="RELIANCE.NS" autocomplete="off" />
          </div>
          <button type="submit" id="submit-leaderboard">Submit to the leaderboard 提交</button>
        </div>
      </form>
      <ul class="muted">
        {DATASETS.map((d) => (
          <li key={d.name}>
            <strong>{d.name}</strong>: {d.description}
          </li>
        ))}
      </ul>
      <p class="muted">
        The server runs the saved version on the dataset's symbols and dates; a dataset fixes the symbols, so
        the ticker does not change the run.
      </p>
      <div id="lb-result"></div>
    </section>
  );
}

/** Downloads: the strategy text, backtrader Python, and the latest backtest's trades and equity as CSV. */
export function ExportCard() {
  return (
    <section class="card" aria-labelledby="export-h">
      <h2 id="export-h">Exports 导出</h2>
      <div class="row">
        <button type="button" class="secondary" id="export-text">Strategy text (.txt)</button>
        <button type="button" class="secondary" id="export-code">backtrader Python (.py)</button>
        <button type="button" class="secondary" id="export-csv">Trades and equity (CSV)</button>
      </div>
      <p class="muted">
        The CSV holds the trades and daily equity of this strategy's latest completed backtest (with none yet,
        of a run of its latest version).
      </p>
      <div id="export-status"></div>
    </section>
  );
}
