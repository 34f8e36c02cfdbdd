/**
 * `/app/build`: document 000's visual blueprint builder. The form holds a `StrategyBlueprint` (asset, timeframe,
 * entry and exit conditions, risk, sizing); `web/client/build_blueprint.js` keeps the conditions (add, remove, the
 * inputs of the chosen indicator), previews the prompt and the strategy text live through
 * `POST /api/v1/builder/translate`, shows the API's 422 issues beside the fields they name, and queues a backtest
 * or saves to the library. The rows rendered here are the ones the script starts from (same ids and markup).
 */
import {
  INDICATOR_FIELDS,
  INDICATORS,
  MAX_ROWS,
  OPERATOR_LABELS,
  OPERATORS,
  type ParamField,
  type RuleRow,
  SIZING_LABELS,
  SIZINGS,
  START_ROWS,
} from "./blueprint_fields.ts";
import { BuildTabs } from "./build_tabs.tsx";

/** Every rule input in display order (the script hides the ones the chosen indicator does not take). */
const ALL_PARAMS: ParamField["name"][] = ["lookback", "value", "multiplier"];

/** What the form's script needs: the indicator table, labels, the starting rows and the row bound. */
export function blueprintPageData() {
  return {
    indicators: INDICATORS,
    indicatorFields: INDICATOR_FIELDS,
    operators: OPERATORS,
    operatorLabels: OPERATOR_LABELS,
    start: START_ROWS,
    maxRows: MAX_ROWS,
  };
}

/** One `<option>` (a component, so its list key is not written into the HTML). */
function Opt(props: { value: string; selected: boolean; label: string }) {
  return <option value={props.value} selected={props.selected}>{props.label}</option>;
}

function ParamInput(props: { side: string; index: number; row: RuleRow; name: ParamField["name"] }) {
  const fields = INDICATOR_FIELDS[props.row.indicator].fields;
  const f = fields.find((x) => x.name === props.name);
  const id = `bp-${props.side}-${props.index}-${props.name}`;
  const value = props.row[props.name];
  return (
    <div data-param={props.name} hidden={f ? undefined : true}>
      <label for={id}>{f ? `${f.label} ${f.zh}` : props.name}</label>
      <input
        id={id}
        type="number"
        data-field={props.name}
        min={f?.min}
        max={f?.max}
        step={f?.step ?? "any"}
        placeholder={f && f.fallback !== null ? String(f.fallback) : ""}
        value={value === undefined || value === null ? "" : String(value)}
        inputmode="decimal"
      />
    </div>
  );
}

/** One condition row (the script builds the same markup for rows added later). */
function ConditionRow(props: { side: "entry" | "exit"; index: number; row: RuleRow }) {
  const { side, index, row } = props;
  const id = (f: string) => `bp-${side}-${index}-${f}`;
  const sideName = side === "entry" ? "Entry" : "Exit";
  return (
    <fieldset class="condition" data-side={side} data-index={index}>
      <legend>{sideName} condition {index + 1}</legend>
      <div class="row">
        <div>
          <label for={id("indicator")}>Indicator 指标</label>
          <select id={id("indicator")} data-field="indicator">
            {INDICATORS.map((i) => (
              <Opt key={i} value={i} selected={i === row.indicator} label={i.toUpperCase()} />
            ))}
          </select>
        </div>
        <div>
          <label for={id("operator")}>Operator 条件</label>
          <select id={id("operator")} data-field="operator">
            {OPERATORS.map((o) => (
              <Opt key={o} value={o} selected={o === row.operator} label={OPERATOR_LABELS[o]} />
            ))}
          </select>
        </div>
        {ALL_PARAMS.map((p) => <ParamInput key={p} side={side} index={index} row={row} name={p} />)}
        <div>
          <button
            type="button"
            class="secondary"
            data-action="remove"
            aria-label={`Remove ${side} condition ${index + 1}`}
          >
            Remove 删除
          </button>
        </div>
      </div>
      <p class="muted" data-role="compares">Compares {INDICATOR_FIELDS[row.indicator].compares}.</p>
    </fieldset>
  );
}

function Conditions(props: { side: "entry" | "exit"; rows: RuleRow[] }) {
  const entry = props.side === "entry";
  return (
    <section aria-labelledby={`bp-${props.side}-heading`}>
      <h2 id={`bp-${props.side}-heading`}>
        {entry ? "Entry conditions (all must hold)" : "Exit conditions (any one exits)"}
        <span class="zh" lang="zh-Hans">{entry ? "入场条件" : "出场条件"}</span>
      </h2>
      <div id={`bp-${props.side}`}>
        {props.rows.map((row, i) => <ConditionRow key={i} side={props.side} index={i} row={row} />)}
      </div>
      <button type="button" class="secondary" id={`bp-${props.side}-add`}>
        {entry ? "Add entry condition 添加入场条件" : "Add exit condition 添加出场条件"}
      </button>
    </section>
  );
}

function PercentInput(props: { id: string; label: string; value?: number }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        min="0.01"
        max="1000"
        step="any"
        inputmode="decimal"
        value={props.value === undefined ? "" : String(props.value)}
      />
    </div>
  );
}

/** The page's content. */
export function BlueprintPage() {
  return (
    <>
      <BuildTabs active="blueprint" />
      <noscript>
        <p class="error">
          This form needs JavaScript to preview and run the strategy (the API does the work).
        </p>
      </noscript>
      <form id="blueprint-form" class="card" novalidate>
        <div id="bp-errors" role="alert"></div>
        <div class="row">
          <div>
            <label for="bp-asset">Asset (symbol) 标的</label>
            <input
              id="bp-asset"
              type="text"
              required
              maxlength={32}
              pattern="[A-Za-z0-9._^=\-]+"
              autocomplete="off"
              spellcheck={false}
              value="RELIANCE.NS"
            />
          </div>
          <div>
            <label for="bp-timeframe">Timeframe 周期</label>
            <select id="bp-timeframe">
              <option value="1d" selected>Daily (1d) 日线</option>
            </select>
          </div>
        </div>
        <Conditions side="entry" rows={START_ROWS.entry} />
        <Conditions side="exit" rows={START_ROWS.exit} />
        <h2>
          Risk (percent) <span class="zh" lang="zh-Hans">风控（百分比）</span>
        </h2>
        <div class="row">
          <PercentInput id="bp-stop-loss" label="Stop loss % 止损" value={5} />
          <PercentInput id="bp-take-profit" label="Take profit % 止盈" value={10} />
          <PercentInput id="bp-trailing-stop" label="Trailing stop % 移动止损" />
        </div>
        <h2>
          Position sizing and period <span class="zh" lang="zh-Hans">仓位与区间</span>
        </h2>
        <div class="row">
          <div>
            <label for="bp-sizing">Position sizing 仓位</label>
            <select id="bp-sizing" aria-describedby="bp-sizing-help">
              {SIZINGS.map((s) => (
                <Opt key={s} value={s} selected={s === "percent"} label={SIZING_LABELS[s]} />
              ))}
            </select>
          </div>
          <div>
            <label for="bp-capital">Capital 初始资金</label>
            <input
              id="bp-capital"
              type="number"
              min="1"
              step="any"
              inputmode="decimal"
              placeholder="100000"
            />
          </div>
          <div>
            <label for="bp-start">Start 开始</label>
            <input id="bp-start" type="date" value="2019-01-01" />
          </div>
          <div>
            <label for="bp-end">End 结束</label>
            <input id="bp-end" type="date" value="2022-12-31" />
          </div>
        </div>
        <p id="bp-sizing-help" class="muted">
          All equity: one position with all the cash; 100 shares: a fixed quantity; risk-adjusted: 1% of
          equity at risk with a stop 2 × ATR(14) away.
        </p>
      </form>
      <section class="card" aria-labelledby="preview-heading">
        <h2 id="preview-heading">
          Live preview <span class="zh" lang="zh-Hans">实时预览</span>
        </h2>
        <p id="preview-status" role="status" class="muted">The preview appears here as you edit.</p>
        <h3>Prompt 提示词</h3>
        <pre id="prompt-preview" aria-live="polite"></pre>
        <h3>Strategy text 策略文本</h3>
        <pre id="code-preview"></pre>
        <details>
          <summary>Backtrader Python</summary>
          <pre id="backtrader-preview"></pre>
        </details>
      </section>
      <section class="card" aria-labelledby="actions-heading">
        <h2 id="actions-heading">
          Run or save <span class="zh" lang="zh-Hans">回测或保存</span>
        </h2>
        <div class="row">
          <button type="button" id="run-backtest">Run backtest 运行回测</button>
          <button type="button" class="secondary" id="edit-as-text">Edit as text 以文本编辑</button>
        </div>
        <div class="row">
          <div>
            <label for="strategy-name">Name 名称</label>
            <input
              id="strategy-name"
              type="text"
              maxlength={200}
              required
              value=""
              placeholder="My SMA cross"
            />
          </div>
          <button type="button" id="save-strategy">Save to library 保存到策略库</button>
        </div>
        <div id="action-status" aria-live="polite"></div>
      </section>
    </>
  );
}
