/** `/app/tracked`: the signed-in user's tracked strategies and the form that creates one. */
import { Bilingual } from "../layout.tsx";
import type { TrackedStrategyView } from "../../../domain/track_record/signals/tracked_strategies.ts";
import { StatusBadge } from "./page_helpers.tsx";

/** The universes a tracked strategy benchmarks against (the API's enum). */
const UNIVERSES = ["hs300", "csi500", "csi1000", "csi2000", "etf_all"] as const;

/** The strategies table (`#tracked-table`). */
export function TrackedTable(props: { strategies: TrackedStrategyView[] }) {
  if (props.strategies.length === 0) {
    return <p id="tracked-empty" class="muted">No tracked strategies yet: create one below.</p>;
  }
  return (
    <div class="table-wrap">
      <table id="tracked-table">
        <caption class="muted">Newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Slug</th>
            <th scope="col">Status</th>
            <th scope="col">Benchmark</th>
            <th scope="col">Execution</th>
            <th scope="col">Public</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {props.strategies.map((s) => (
            <tr data-slug={s.slug}>
              <td>
                <a href={`/app/tracked/${encodeURIComponent(s.slug)}`}>{s.name}</a>
                {s.managed_by ? <span class="muted">(portfolio)</span> : null}
              </td>
              <td>
                <code>{s.slug}</code>
              </td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td>{s.universe}</td>
              <td>{s.execution_price}</td>
              <td>{s.is_public ? "yes" : "no"}</td>
              <td>{s.start_date ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Field(props: { id: string; label: string; hint?: string; children: unknown }) {
  return (
    <div class="field">
      <label for={`tc-${props.id}`}>{props.label}</label>
      {props.children}
      {props.hint ? <small id={`tc-${props.id}-hint`} class="muted">{props.hint}</small> : null}
      <p class="error field-error" id={`tc-${props.id}-error`} role="alert" hidden></p>
    </div>
  );
}

/** The create form (`#tracked-create-form`): exactly the fields `POST /api/v1/strategies` accepts. */
export function CreateTrackedForm() {
  return (
    <form id="tracked-create-form" class="card" novalidate>
      <h2>
        <Bilingual en="Create a tracked strategy" zh="创建跟踪策略" />
      </h2>
      <p class="muted">
        The slug, benchmark, execution price, holding period, capital and costs cannot change later.
      </p>
      <Field id="name" label="Name 名称">
        <input id="tc-name" name="name" required maxlength={200} autocomplete="off" />
      </Field>
      <Field id="slug" label="Slug (public URL) 标识" hint="3–49 characters: a-z, 0-9, _ and -">
        <input
          id="tc-slug"
          name="slug"
          required
          pattern="[a-z0-9][a-z0-9_\-]{2,48}"
          maxlength={49}
          autocomplete="off"
          aria-describedby="tc-slug-hint"
        />
      </Field>
      <Field id="description" label="Description 描述 (optional)">
        <textarea id="tc-description" name="description" rows={3} maxlength={2000}></textarea>
      </Field>
      <div class="row">
        <Field id="universe" label="Benchmark universe 基准">
          <select id="tc-universe" name="universe">
            {UNIVERSES.map((u) => <option key={u} value={u}>{u}</option>)}
          </select>
        </Field>
        <Field id="execution_price" label="Execution price 成交价">
          <select id="tc-execution_price" name="execution_price">
            <option value="open">open (deadline 09:15 CST)</option>
            <option value="close">close (deadline 15:00 CST)</option>
          </select>
        </Field>
        <Field id="holding_period" label="Holding period (trading days) 持仓周期">
          <input
            id="tc-holding_period"
            name="holding_period"
            type="number"
            min={1}
            max={60}
            step={1}
            value="10"
          />
        </Field>
      </div>
      <div class="row">
        <Field id="initial_capital" label="Initial capital 初始资金">
          <input
            id="tc-initial_capital"
            name="initial_capital"
            type="number"
            min={100000}
            max={100000000}
            step="any"
            value="1000000"
          />
        </Field>
        <Field id="commission_rate" label="Commission rate 佣金率">
          <input
            id="tc-commission_rate"
            name="commission_rate"
            type="number"
            min={0}
            max={0.01}
            step="any"
            value="0.0003"
          />
        </Field>
        <Field id="slippage_rate" label="Slippage rate 滑点">
          <input
            id="tc-slippage_rate"
            name="slippage_rate"
            type="number"
            min={0}
            max={0.05}
            step="any"
            value="0.002"
          />
        </Field>
      </div>
      <p>
        <button type="submit" id="tracked-create">Create strategy</button>
      </p>
      <div id="tracked-create-result" aria-live="polite"></div>
    </form>
  );
}
