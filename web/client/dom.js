// Small DOM helpers shared by the dashboard's page scripts (plain ES modules, no build step).

/** The element with `id`, or an error naming it. */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

/** The page's data, embedded by the server as `<script type="application/json" id="page-data">`. */
export function readPageData() {
  const el = document.getElementById("page-data");
  return el ? JSON.parse(el.textContent || "null") : null;
}

/**
 * Builds an element: `h("td", { class: "num" }, "1.5")`. Text children become text nodes (never HTML);
 * attributes starting with `on` are listeners; `null`, `undefined` and `false` children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces `el`'s children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** A number with fixed decimals and thousands separators; "—" for null/NaN. */
export function fmtNumber(v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return "—";
  return Number(v).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A percentage: `fmtPct(12.345)` → "12.35%" (the value is already in percent). */
export function fmtPct(v, digits = 2) {
  return v === null || v === undefined || !Number.isFinite(Number(v)) ? "—" : `${fmtNumber(v, digits)}%`;
}

/** A fraction as a percentage: `fmtFraction(0.1234)` → "12.34%". */
export function fmtFraction(v, digits = 2) {
  return v === null || v === undefined || !Number.isFinite(Number(v)) ? "—" : fmtPct(Number(v) * 100, digits);
}

/**
 * One figure of a `<dl class="metrics">`: `<div><dt>label <span class="zh">zh</span></dt><dd>value</dd></div>`
 * (the Chinese label only when given). `value` is text or an element.
 */
export function metricItem(label, value, zh) {
  return h(
    "div",
    {},
    h("dt", {}, label, zh ? h("span", { class: "zh", lang: "zh-Hans" }, zh) : null),
    h("dd", {}, value),
  );
}

/** Shows an error (an `ApiError` or any error) in `el`, as an alert for screen readers. */
export function showError(el, err) {
  const message = err && typeof err === "object" && "message" in err ? String(err.message) : String(err);
  replaceChildren(el, h("p", { class: "error", role: "alert" }, message));
}

/** Shows a status line in `el` (polite live region). */
export function showStatus(el, text) {
  replaceChildren(el, h("p", { role: "status" }, text));
}

/** Triggers a download of `text` as a file named `name`. */
export function download(name, text, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
