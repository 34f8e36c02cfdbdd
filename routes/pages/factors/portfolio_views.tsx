/**
 * `/app/portfolios` and `/app/portfolios/:id`: multi-factor portfolios, their members with weights, status,
 * lifecycle actions and the signals their strategy published.
 */
import { Bilingual } from "../layout.tsx";
import type { FactorView } from "../../../domain/factors/factor_views.ts";
import type { PortfolioSignalsPage, PortfolioView } from "../../../domain/portfolios/portfolio_views.ts";
import { fmtFraction, fmtNumber, fmtTime } from "../format.ts";
import { PAGE_ROWS, StatusBadge } from "../tracked/page_helpers.tsx";
import { Pager } from "../paging.tsx";

const UNIVERSES = ["hs300", "csi500", "csi1000"] as const;

/** The portfolios table (`#portfolios-table`). */
export function PortfoliosTable(props: { portfolios: PortfolioView[] }) {
  if (props.portfolios.length === 0) return <p id="portfolios-empty" class="muted">No portfolios yet.</p>;
  return (
    <div class="table-wrap">
      <table id="portfolios-table">
        <caption class="muted">Newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Universe</th>
            <th scope="col">Status</th>
            <th scope="col">Weighting</th>
            <th scope="col" class="num">Top N</th>
            <th scope="col" class="num">Members</th>
            <th scope="col">Strategy</th>
          </tr>
        </thead>
        <tbody>
          {props.portfolios.map((p) => (
            <tr data-portfolio-id={p.id}>
              <td>
                <a href={`/app/portfolios/${encodeURIComponent(p.id)}`}>{p.name}</a>
              </td>
              <td>{p.universe}</td>
              <td>
                <StatusBadge status={p.status} />
              </td>
              <td>{p.weighting}</td>
              <td class="num">{p.top_n}</td>
              <td class="num">{p.members.length}</td>
              <td>{p.strategy_slug ? <code>{p.strategy_slug}</code> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The create form (`#portfolio-create-form`): the fields of `POST /api/v1/portfolios`. */
export function CreatePortfolioForm() {
  return (
    <form id="portfolio-create-form" class="card" novalidate>
      <h2>
        <Bilingual en="Create a portfolio" zh="创建组合" />
      </h2>
      <div class="field">
        <label for="pc-name">Name 名称</label>
        <input id="pc-name" name="name" required maxlength={100} autocomplete="off" />
        <p class="error field-error" id="pc-name-error" role="alert" hidden></p>
      </div>
      <div class="row">
        <div class="field">
          <label for="pc-universe">Universe 股票池</label>
          <select id="pc-universe" name="universe">
            {UNIVERSES.map((u) => <option key={u} value={u}>{u}</option>)}
          </select>
          <p class="error field-error" id="pc-universe-error" role="alert" hidden></p>
        </div>
        <div class="field">
          <label for="pc-weighting">Weighting 权重</label>
          <select id="pc-weighting" name="weighting">
            <option value="equal">equal (1/N)</option>
            <option value="ic_weighted">ic_weighted (|IC IR|)</option>
          </select>
          <p class="error field-error" id="pc-weighting-error" role="alert" hidden></p>
        </div>
        <div class="field">
          <label for="pc-top_n">Stocks per day (top N) 持股数</label>
          <input id="pc-top_n" name="top_n" type="number" min={5} max={500} step={1} value="50" />
          <p class="error field-error" id="pc-top_n-error" role="alert" hidden></p>
        </div>
      </div>
      <p>
        <button type="submit" id="portfolio-create">Create portfolio</button>
      </p>
      <div id="portfolio-create-result" aria-live="polite"></div>
    </form>
  );
}

function Lifecycle(props: { p: PortfolioView }) {
  const p = props.p;
  return (
    <div>
      <div class="row" role="group" aria-label="Lifecycle">
        {p.status === "draft" ? <button type="button" id="portfolio-activate">Activate</button> : null}
        {p.status === "active"
          ? <button type="button" id="portfolio-pause" class="secondary">Pause</button>
          : null}
        {p.status === "paused" ? <button type="button" id="portfolio-resume">Resume</button> : null}
      </div>
      {p.status === "draft" ? <p class="muted">Activation needs at least 2 members.</p> : null}
      <div id="portfolio-action-result" aria-live="polite"></div>
    </div>
  );
}

function Members(props: { p: PortfolioView; candidates: FactorView[] }) {
  const p = props.p;
  const editable = p.status !== "active";
  const memberIds = new Set(p.members.map((m) => m.factor_id));
  const options = props.candidates.filter((f) => !memberIds.has(f.id));
  return (
    <section class="card" aria-labelledby="members-h">
      <h2 id="members-h">
        <Bilingual en="Members" zh="成员因子" />
      </h2>
      <div class="table-wrap">
        <table id="portfolio-members">
          <thead>
            <tr>
              <th scope="col">Factor</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">IC mean</th>
              <th scope="col" class="num">IC IR</th>
              <th scope="col" class="num">Weight</th>
              <th scope="col">Added</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {p.members.length === 0
              ? (
                <tr>
                  <td colspan={7} class="muted">No members yet.</td>
                </tr>
              )
              : p.members.map((m) => (
                <tr data-factor-id={m.factor_id}>
                  <td>
                    {m.status === "deleted"
                      ? <code>{m.factor_id}</code>
                      : <a href={`/app/factors/${encodeURIComponent(m.factor_id)}`}>{m.name}</a>}
                  </td>
                  <td>
                    <StatusBadge status={m.status} />
                  </td>
                  <td class="num">{fmtNumber(m.ic_mean, 4)}</td>
                  <td class="num">{fmtNumber(m.ic_ir, 3)}</td>
                  <td class="num">{fmtFraction(m.weight)}</td>
                  <td>{fmtTime(m.added_at)}</td>
                  <td>
                    {editable
                      ? (
                        <button type="button" class="secondary member-remove" data-factor-id={m.factor_id}>
                          Remove
                        </button>
                      )
                      : <span class="muted">pause to edit</span>}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {editable
        ? (
          <form id="member-add-form" class="row" novalidate>
            <div class="field">
              <label for="member-factor">Add an active {p.universe} factor 添加因子</label>
              <select id="member-factor" name="factor_id" disabled={options.length === 0}>
                {options.length === 0
                  ? <option value="">No other active {p.universe} factor</option>
                  : options.map((f) => (
                    <option key={f.id} value={f.id}>{f.name} (IC IR {fmtNumber(f.is.ic_ir, 3)})</option>
                  ))}
              </select>
              <p class="error field-error" id="member-factor_id-error" role="alert" hidden></p>
            </div>
            <button type="submit" id="member-add" disabled={options.length === 0}>Add member</button>
          </form>
        )
        : null}
      <div id="member-result" aria-live="polite"></div>
    </section>
  );
}

function Signals(props: { p: PortfolioView; page: PortfolioSignalsPage; offset: number; url: string }) {
  const rows = props.page.signals;
  return (
    <section class="card" aria-labelledby="psignals-h">
      <h2 id="psignals-h">
        <Bilingual en="Signals" zh="信号" />
      </h2>
      <div class="table-wrap">
        <table id="portfolio-signals">
          <caption class="muted">Newest trade date first</caption>
          <thead>
            <tr>
              <th scope="col">Trade date</th>
              <th scope="col" class="num">Stocks</th>
              <th scope="col">Signal hash</th>
              <th scope="col">Settled</th>
              <th scope="col">GitHub</th>
              <th scope="col">Submitted</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0
              ? (
                <tr>
                  <td colspan={6} class="muted">No signals yet.</td>
                </tr>
              )
              : rows.map((s) => (
                <tr data-trade-date={s.trade_date}>
                  <td>{s.trade_date}</td>
                  <td class="num">{s.stock_count}</td>
                  <td>
                    <code class="hash" title={s.signal_hash}>{s.signal_hash.slice(0, 16)}…</code>
                  </td>
                  <td>{s.is_settled ? "yes" : "no"}</td>
                  <td>{s.github_committed ? "committed" : "no"}</td>
                  <td>{fmtTime(s.submitted_at)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <Pager
        url={props.url}
        offset={props.offset}
        limit={PAGE_ROWS}
        total={props.page.total}
        label="Pages of signals"
      />
    </section>
  );
}

/** The portfolio page body. */
export function PortfolioDetail(
  props: {
    p: PortfolioView;
    candidates: FactorView[];
    signals: PortfolioSignalsPage;
    offset: number;
    url: string;
  },
) {
  const p = props.p;
  return (
    <>
      <p>
        <a href="/app/portfolios">← My portfolios</a> · <a href="/app/factors">Factors</a>
      </p>
      <section class="card" aria-labelledby="portfolio-h">
        <h2 id="portfolio-h">
          <Bilingual en="Portfolio" zh="组合" />
        </h2>
        <dl class="metrics">
          <div>
            <dt>Status</dt>
            <dd id="portfolio-status">
              <StatusBadge status={p.status} />
            </dd>
          </div>
          <div>
            <dt>Universe</dt>
            <dd>{p.universe}</dd>
          </div>
          <div>
            <dt>Weighting</dt>
            <dd>{p.weighting}</dd>
          </div>
          <div>
            <dt>Stocks per day</dt>
            <dd>{p.top_n}</dd>
          </div>
          <div>
            <dt>Strategy</dt>
            <dd>
              {p.strategy
                ? (
                  <a id="portfolio-strategy" href={`/app/tracked/${encodeURIComponent(p.strategy.slug)}`}>
                    {p.strategy.slug}
                  </a>
                )
                : "— (created on activation)"}
            </dd>
          </div>
          <div>
            <dt>Last run</dt>
            <dd>
              {p.last_run
                ? `${p.last_run.trade_date}: ${p.last_run.status}${
                  p.last_run.error ? ` (${p.last_run.error})` : ""
                }`
                : "—"}
            </dd>
          </div>
        </dl>
        <Lifecycle p={p} />
      </section>
      <Members p={p} candidates={props.candidates} />
      <Signals p={p} page={props.signals} offset={props.offset} url={props.url} />
    </>
  );
}
