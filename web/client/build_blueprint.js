// The blueprint form of /app/build: keeps the entry and exit conditions (add, remove, the inputs of the chosen
// indicator), previews the prompt and the strategy text live (POST /api/v1/builder/translate, debounced), shows
// the API's 422 issues beside the fields they name, queues a backtest or saves the blueprint to the library.
import { api, ApiError } from "/app/assets/client/api.js";
import { byId, h, readPageData, replaceChildren, showError } from "/app/assets/client/dom.js";
import { clearFieldErrors, showIssues } from "/app/assets/client/field_issues.js";

const data = readPageData();
const form = byId("blueprint-form");
const PARAMS = ["lookback", "value", "multiplier"];
const SIDES = ["entry", "exit"];
const DEBOUNCE_MS = 300;

/** The rows as the inputs hold them (strings), read once from the server-rendered form. */
const rows = Object.fromEntries(SIDES.map((side) => [side, readRows(side)]));
let lastPreview = null;

function readRows(side) {
  return [...byId(`bp-${side}`).querySelectorAll("fieldset.condition")].map((fs) => {
    const row = {};
    for (const el of fs.querySelectorAll("[data-field]")) row[el.dataset.field] = el.value;
    return row;
  });
}

const fieldsOf = (indicator) => data.indicatorFields[indicator]?.fields ?? [];

function paramInput(side, index, row, name) {
  const f = fieldsOf(row.indicator).find((x) => x.name === name);
  const id = `bp-${side}-${index}-${name}`;
  return h(
    "div",
    { "data-param": name, hidden: !f },
    h("label", { for: id }, f ? `${f.label} ${f.zh}` : name),
    h("input", {
      id,
      type: "number",
      "data-field": name,
      min: f?.min,
      max: f?.max,
      step: f?.step ?? "any",
      placeholder: f && f.fallback !== null ? String(f.fallback) : "",
      value: row[name] ?? "",
      inputmode: "decimal",
    }),
  );
}

function select(id, field, options, chosen) {
  return h(
    "select",
    { id, "data-field": field },
    options.map(([value, label]) => h("option", { value, selected: value === chosen }, label)),
  );
}

/** One condition row: the same markup the server renders. */
function rowElement(side, index, row) {
  const id = (f) => `bp-${side}-${index}-${f}`;
  const removable = side === "exit" || rows.entry.length > 1;
  return h(
    "fieldset",
    { class: "condition", "data-side": side, "data-index": index },
    h("legend", {}, `${side === "entry" ? "Entry" : "Exit"} condition ${index + 1}`),
    h(
      "div",
      { class: "row" },
      h(
        "div",
        {},
        h("label", { for: id("indicator") }, "Indicator 指标"),
        select(id("indicator"), "indicator", data.indicators.map((i) => [i, i.toUpperCase()]), row.indicator),
      ),
      h(
        "div",
        {},
        h("label", { for: id("operator") }, "Operator 条件"),
        select(
          id("operator"),
          "operator",
          data.operators.map((o) => [o, data.operatorLabels[o]]),
          row.operator,
        ),
      ),
      PARAMS.map((p) => paramInput(side, index, row, p)),
      h(
        "div",
        {},
        h("button", {
          type: "button",
          class: "secondary",
          "data-action": "remove",
          "aria-label": `Remove ${side} condition ${index + 1}`,
          disabled: !removable,
        }, "Remove 删除"),
      ),
    ),
    h(
      "p",
      { class: "muted", "data-role": "compares" },
      `Compares ${data.indicatorFields[row.indicator].compares}.`,
    ),
  );
}

function renderSide(side, focusId) {
  replaceChildren(byId(`bp-${side}`), rows[side].map((row, i) => rowElement(side, i, row)));
  byId(`bp-${side}-add`).disabled = rows[side].length >= data.maxRows;
  if (focusId) document.getElementById(focusId)?.focus();
}

/** A number from an input, `undefined` when empty (an unreadable entry is sent as typed, for the API to name). */
function numberOf(text) {
  if (text === undefined || text === null || String(text).trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : String(text);
}

/** A percent typed by the user as the blueprint reads it (≤ 1 is a fraction, above 1 a percent). */
function percentOf(text) {
  const n = numberOf(text);
  if (typeof n !== "number") return n;
  return n > 1 ? n : n / 100;
}

function ruleOf(row) {
  const takes = new Set(fieldsOf(row.indicator).map((f) => f.name));
  const rule = { indicator: row.indicator, operator: row.operator, params: {} };
  if (takes.has("value")) rule.value = numberOf(row.value) ?? null;
  for (const p of ["lookback", "multiplier"]) {
    const n = numberOf(row[p]);
    if (takes.has(p) && n !== undefined) rule.params[p] = n;
  }
  return rule;
}

/** The blueprint the form describes (document 000's StrategyBlueprint). */
function blueprint() {
  const bp = {
    asset: byId("bp-asset").value.trim(),
    timeframe: byId("bp-timeframe").value,
    entry: rows.entry.map(ruleOf),
    exit: rows.exit.map(ruleOf),
    risk: {},
    position_sizing: byId("bp-sizing").value,
  };
  for (
    const [key, id] of [["stop_loss", "bp-stop-loss"], ["take_profit", "bp-take-profit"], [
      "trailing_stop",
      "bp-trailing-stop",
    ]]
  ) {
    const v = percentOf(byId(id).value);
    if (v !== undefined) bp.risk[key] = v;
  }
  const capital = numberOf(byId("bp-capital").value);
  if (capital !== undefined) bp.capital = capital;
  for (const key of ["start", "end"]) {
    const v = byId(`bp-${key}`).value;
    if (v) bp[key] = v;
  }
  return bp;
}

/** Where an issue's `loc` points in this form (after `body` and `blueprint`). */
function fieldIdOf(loc) {
  const path = loc.filter((p, i) => !(i === 0 && p === "body")).filter((p, i) =>
    !(i === 0 && p === "blueprint")
  );
  const [head, index, ...rest] = path;
  if (head === "entry" || head === "exit") {
    if (typeof index !== "number") return `bp-${head}`;
    const leaf = rest[0] === "params" ? rest[1] : rest[0];
    const id = `bp-${head}-${index}-${leaf === "threshold" ? "value" : leaf}`;
    return document.getElementById(id) ? id : `bp-${head}-${index}-indicator`;
  }
  if (head === "risk") {
    return {
      stop_loss: "bp-stop-loss",
      take_profit: "bp-take-profit",
      trailing_stop: "bp-trailing-stop",
    }[index] ?? null;
  }
  if (head === "name") return "strategy-name";
  return {
    asset: "bp-asset",
    timeframe: "bp-timeframe",
    position_sizing: "bp-sizing",
    capital: "bp-capital",
    start: "bp-start",
    end: "bp-end",
  }[head] ?? null;
}

// ---- live preview

let timer = null;
let seq = 0;

function schedulePreview() {
  clearTimeout(timer);
  timer = setTimeout(preview, DEBOUNCE_MS);
}

async function preview() {
  const mine = ++seq;
  const status = byId("preview-status");
  status.textContent = "Updating the preview…";
  try {
    const answer = await api("/api/v1/builder/translate", { method: "POST", json: blueprint() });
    if (mine !== seq) return;
    clearFieldErrors(form);
    replaceChildren(byId("bp-errors"));
    lastPreview = answer;
    byId("prompt-preview").textContent = answer.prompt;
    byId("code-preview").textContent = answer.generated_code;
    byId("backtrader-preview").textContent = answer.backtrader_code;
    for (const id of ["prompt-preview", "code-preview"]) byId(id).style.opacity = "";
    status.textContent = "Preview up to date.";
  } catch (e) {
    if (mine !== seq) return;
    lastPreview = null;
    for (const id of ["prompt-preview", "code-preview"]) byId(id).style.opacity = "0.45";
    clearFieldErrors(form);
    if (e instanceof ApiError && e.status === 422) {
      showIssues(e.body, fieldIdOf, byId("bp-errors"));
      status.textContent = "The preview is out of date: fix the marked fields.";
    } else {
      status.textContent = "";
      showError(byId("bp-errors"), e);
    }
  }
}

// ---- editing the rows

form.addEventListener("submit", (ev) => ev.preventDefault());

form.addEventListener("input", (ev) => {
  const el = ev.target;
  const fs = el.closest?.("fieldset.condition");
  if (fs && el.dataset.field) {
    const side = fs.dataset.side;
    const index = Number(fs.dataset.index);
    rows[side][index][el.dataset.field] = el.value;
    if (el.dataset.field === "indicator") renderSide(side, el.id);
  }
  schedulePreview();
});

form.addEventListener("click", (ev) => {
  const button = ev.target.closest?.("button[data-action=remove]");
  if (!button) return;
  const fs = button.closest("fieldset.condition");
  const side = fs.dataset.side;
  rows[side].splice(Number(fs.dataset.index), 1);
  renderSide(side, `bp-${side}-add`);
  if (side === "exit") renderSide("entry");
  schedulePreview();
});

for (const side of SIDES) {
  byId(`bp-${side}-add`).addEventListener("click", () => {
    if (rows[side].length >= data.maxRows) return;
    rows[side].push({ indicator: "rsi", operator: side === "entry" ? "<" : ">", lookback: "", value: "" });
    renderSide(side, `bp-${side}-${rows[side].length - 1}-indicator`);
    if (side === "entry") renderSide("exit");
    schedulePreview();
  });
}

// ---- run, save, edit as text

const actionStatus = byId("action-status");

async function withIssues(run) {
  clearFieldErrors(document);
  replaceChildren(actionStatus, h("p", { role: "status" }, "Working…"));
  try {
    await run();
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) {
      showIssues(e.body, fieldIdOf, actionStatus);
    } else showError(actionStatus, e);
  }
}

byId("run-backtest").addEventListener("click", () =>
  withIssues(async () => {
    const name = byId("strategy-name").value.trim();
    const body = { blueprint: blueprint(), ...(name ? { experiment_name: name } : {}) };
    const queued = await api("/api/v1/backtests", { method: "POST", json: body });
    replaceChildren(actionStatus, h("p", { role: "status" }, `Queued ${queued.job_id}: opening it…`));
    location.assign(`/app/backtests/${encodeURIComponent(queued.job_id)}`);
  }));

byId("save-strategy").addEventListener("click", () =>
  withIssues(async () => {
    const nameInput = byId("strategy-name");
    const name = nameInput.value.trim();
    if (!name) {
      showIssues(
        { detail: [{ loc: ["body", "name"], msg: "Give the strategy a name" }] },
        fieldIdOf,
        actionStatus,
      );
      nameInput.focus();
      return;
    }
    const prompt = lastPreview?.prompt ?? null;
    const saved = await api("/api/v1/library", {
      method: "POST",
      json: { name, prompt, blueprint: blueprint() },
    });
    const id = encodeURIComponent(saved.strategy_id);
    replaceChildren(
      actionStatus,
      h(
        "p",
        { class: "ok", role: "status", id: "save-result" },
        `Saved “${name}” (version ${saved.version}). `,
        h("a", { href: `/app/library/${id}` }, "Open in the library"),
        " · ",
        h("a", { href: `/app/build/editor?library_id=${id}` }, "Edit as text"),
      ),
    );
  }));

byId("edit-as-text").addEventListener("click", () => {
  if (!lastPreview) {
    replaceChildren(
      actionStatus,
      h("p", { class: "error", role: "alert" }, "Fix the form first: no strategy text yet."),
    );
    return;
  }
  sessionStorage.setItem("qe_editor_text", lastPreview.generated_code);
  location.assign("/app/build/editor?from=build");
});

for (const side of SIDES) renderSide(side);
preview();
