// "Verify in your browser": runs the independent verifier (verifier/*.ts, served as JavaScript at
// /app/assets/verifier/) against this record's public endpoints, here, with the browser's WebCrypto, and shows
// the verdict and every kind of check with its counts and failures. Nothing here judges the record: the verdict
// and the counts are the verifier's, exactly as `deno task verify` reports them.
import { byId, h, replaceChildren, showError } from "/app/assets/client/dom.js";

/** The steps the verifier reports, in order, with what they show. */
const STEPS = {
  record: "Reading the record, its parameters and the log's signed head…",
  calendar: "Reading the benchmark's bars (the trading calendar)…",
  days:
    "Checking each settled day: signal hashes, deadlines, Merkle inclusion proofs, signatures, day chain…",
  performance: "Recomputing the performance figures from the verified NAVs…",
  log: "Checking the log: consistency proofs to the head, the signed checkpoint list…",
  replay: "Reading the stocks' bars and replaying the settlement…",
};
const ORDER = Object.keys(STEPS);

/** The kinds of checks by their first word, with what they cover. */
const GROUPS = [
  ["signal", "Signals: canonical JSON, hash, deadline, log inclusion (Merkle proof), checkpoint signature"],
  ["witness", "Witnesses: cosignatures of the signals' checkpoints"],
  ["log", "Transparency log: signed head, origin, consistency proofs"],
  ["checkpoints", "Checkpoint list: signatures, order, times"],
  ["chain", "Day-record hash chain: hashes, links, inclusion in the log"],
  ["parameters", "Published parameters"],
  ["calendar", "Trading calendar"],
  ["track_record", "Published track record"],
  ["performance", "Performance metrics, recomputed"],
  ["replay", "Settlement replay"],
];
/** First words of the replay's kinds (the day-by-day figures compared with the settlement replayed here). */
const REPLAY_WORDS = new Set([
  "day",
  "trade",
  "position",
  "dividend",
  "cash",
  "benchmark",
  "nav",
  "prev_nav",
  "daily_return",
  "nav_check",
  "action",
  "symbols_hash",
]);

/** How many failure lines are listed (the counts cover them all). */
const MAX_LISTED = 200;

function groupOf(kind) {
  const word = kind.split(".")[0];
  if (REPLAY_WORDS.has(word)) return "replay";
  return GROUPS.some(([g]) => g === word) ? word : "other";
}

/** `[kind] message` → {kind, message}. */
function parseFailure(line) {
  const m = /^\[([^\]]+)\] ([\s\S]*)$/.exec(line);
  return m ? { kind: m[1], message: m[2] } : { kind: "other", message: line };
}

function keysOf(text) {
  return text.split(/[\s,]+/).map((k) => k.trim()).filter((k) => k.length > 0);
}

/** The options the form asks for, as the verifier takes them. */
function readOptions() {
  const witnesses = keysOf(byId("verify-witnesses").value);
  const required = byId("verify-witnesses-required").value.trim();
  const opts = {};
  if (witnesses.length > 0) opts.witnesses = witnesses;
  if (required !== "") opts.witnessesRequired = Number(required);
  return opts;
}

function showProgress(meter, line, p) {
  const index = ORDER.indexOf(p.step);
  const fraction = p.step === "days" && p.total ? (p.done ?? 0) / p.total : 0;
  meter.value = Math.max(0, index) + fraction;
  const count = p.step === "days" && p.total ? ` (${p.done ?? 0} of ${p.total} days)` : "";
  line.textContent = (STEPS[p.step] ?? p.step) + count;
}

function fmtError(x) {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

/** The verdict line (with `data-verdict`) and its one-line summary. */
function renderVerdict(el, v) {
  const label = { verified: "Verified", not_verified: "Not verified", unreachable: "Unreachable" }[v.verdict];
  const zh = { verified: "已验证", not_verified: "验证失败", unreachable: "无法读取" }[v.verdict];
  const badge = { verified: "good", not_verified: "bad", unreachable: "warn" }[v.verdict];
  const sentence = {
    verified: "verified",
    not_verified: "not verified",
    unreachable: "unreachable (some answers could not be read, and nothing read was wrong)",
  }[v.verdict];
  const failingDays = v.days.filter((d) => !d.ok).length;
  const log = v.log
    ? `Log ${v.log.origin}, size ${v.log.tree_size}, root ${
      v.log.root_hash.slice(0, 16)
    }…, key ${v.log.key_id}.`
    : "The log's head could not be read.";
  replaceChildren(
    el,
    h(
      "p",
      {},
      h(
        "span",
        { class: `badge ${badge}`, id: "verify-verdict-label" },
        `${label} `,
        h("span", { lang: "zh-Hans" }, zh),
      ),
      ` The record ${v.slug} is ${sentence}: ${v.days.length} settled days, ${failingDays} failing; ${v.checks.total} checks of ` +
        `${Object.keys(v.checks.by_kind).length} kinds, ${v.checks.failed} failed.`,
    ),
    h(
      "p",
      { id: "verify-replay" },
      `Replay: ${v.replay.compared} published figures compared with the replay, largest relative error ` +
        `${fmtError(v.replay.max_relative_error)} (agreement needs 1e-9 or less). ${log}`,
    ),
  );
  el.dataset.verdict = v.verdict;
  el.dataset.total = String(v.checks.total);
  el.dataset.failed = String(v.checks.failed);
  el.dataset.compared = String(v.replay.compared);
}

/** Every failure line with its kind, day failures prefixed with their date. */
function allFailures(v) {
  const out = [];
  for (const d of v.days) for (const f of d.failures) out.push({ date: d.date, ...parseFailure(f) });
  for (const f of v.failures) out.push({ date: null, ...parseFailure(f) });
  return out;
}

/** One group's table of kinds: passed and failed counts per kind. */
function kindTable(rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Check"),
          h("th", { scope: "col", class: "num" }, "Passed"),
          h("th", { scope: "col", class: "num" }, "Failed"),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map(([kind, count]) =>
          h(
            "tr",
            { "data-kind": kind, "data-total": count.total, "data-failed": count.failed },
            h("th", { scope: "row" }, h("code", {}, kind)),
            h("td", { class: "num" }, String(count.total - count.failed)),
            h("td", { class: count.failed > 0 ? "num neg" : "num" }, String(count.failed)),
          )
        ),
      ),
    ),
  );
}

/** The checks group by group (each kind with its counts; a group with a failure opened), then the failures. */
function renderChecks(el, v) {
  const kinds = Object.entries(v.checks.by_kind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const groups = [];
  for (const [group, title] of [...GROUPS, ["other", "Other checks"]]) {
    const rows = kinds.filter(([kind]) => groupOf(kind) === group);
    if (rows.length === 0) continue;
    const total = rows.reduce((n, [, c]) => n + c.total, 0);
    const failed = rows.reduce((n, [, c]) => n + c.failed, 0);
    groups.push(h(
      "details",
      { class: "check-group", "data-group": group, open: failed > 0 },
      h(
        "summary",
        {},
        h("span", { class: `badge ${failed > 0 ? "bad" : "good"}` }, failed > 0 ? "fail" : "pass"),
        ` ${title}: ${total} checks of ${rows.length} kind${rows.length === 1 ? "" : "s"}, ${failed} failed`,
      ),
      kindTable(rows),
    ));
  }
  const failures = allFailures(v);
  const listed = failures.slice(0, MAX_LISTED).map((f) =>
    h("li", { "data-kind": f.kind }, h("code", {}, f.kind), " ", f.date ? `${f.date}: ` : "", f.message)
  );
  const more = failures.length > MAX_LISTED
    ? h("p", { class: "muted" }, `…and ${failures.length - MAX_LISTED} more.`)
    : null;
  replaceChildren(
    el,
    h("h3", {}, "Checks by kind ", h("span", { lang: "zh-Hans" }, "各项检查")),
    groups,
    failures.length > 0
      ? [
        h("h3", {}, `Failures (${failures.length})`),
        h("ul", { class: "checks", id: "verify-failures" }, listed),
        more,
      ]
      : h("p", { class: "ok" }, "No check failed."),
  );
}

async function run(panel) {
  const button = byId("verify-button");
  const line = byId("verify-progress");
  const meter = byId("verify-meter");
  const verdict = byId("verify-verdict");
  const checks = byId("verify-checks");
  let opts;
  try {
    opts = readOptions();
  } catch (e) {
    showError(line, e);
    return;
  }
  button.disabled = true;
  panel.setAttribute("aria-busy", "true");
  delete verdict.dataset.verdict;
  replaceChildren(verdict);
  replaceChildren(checks);
  meter.hidden = false;
  meter.value = 0;
  line.textContent = "Loading the verifier…";
  try {
    const { verifyPublicRecord } = await import("/app/assets/verifier/verify.js");
    const v = await verifyPublicRecord({
      baseUrl: location.origin,
      slug: panel.dataset.slug,
      ...opts,
      onProgress: (p) => showProgress(meter, line, p),
    });
    meter.value = meter.max;
    line.textContent = "Done.";
    renderVerdict(verdict, v);
    renderChecks(checks, v);
  } catch (e) {
    // A wrong option (a TypeError naming it) or the verifier failing to load: no verdict.
    meter.hidden = true;
    showError(line, e);
  } finally {
    button.disabled = false;
    panel.removeAttribute("aria-busy");
  }
}

const panel = document.getElementById("verify-panel");
if (panel) {
  const cli = document.getElementById("verify-cli");
  if (cli) cli.textContent = `deno task verify ${location.origin} ${panel.dataset.slug}`;
  const button = byId("verify-button");
  button.addEventListener("click", () => run(panel));
  button.disabled = false;
  panel.dataset.ready = "true";
}
