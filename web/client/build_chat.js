// The copilot chat of /app/build/chat (document 004): each message goes to POST /agent/invoke with a session id
// kept in sessionStorage; the config and its summary come from GET /agent/config/{session_id}; once the agent says
// config_ready, "Run Backtest" posts the config to /run_backtest unchanged and renders the report with the
// shared result view.
import { api, ApiError } from "/app/assets/client/api.js";
import { byId, h, replaceChildren, showError, showStatus } from "/app/assets/client/dom.js";
import { renderBacktestResult } from "/app/assets/client/result_view.js";

const SESSION_KEY = "qe_chat_session";
const LOG_KEY = "qe_chat_log";
const MAX_LOG = 100;

const logEl = byId("chat-log");
const input = byId("chat-input");
const send = byId("chat-send");
const run = byId("chat-run");
const status = byId("chat-status");
const configEl = byId("chat-config");
const resultEl = byId("chat-result");
const intro = logEl.firstElementChild?.cloneNode(true) ?? null;

let config = null;

function sessionId() {
  let id = sessionStorage.getItem(SESSION_KEY);
  if (!id || !/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) {
    id = `web_${crypto.randomUUID().replaceAll("-", "")}`;
    sessionStorage.setItem(SESSION_KEY, id);
  }
  return id;
}

function storedLog() {
  try {
    const log = JSON.parse(sessionStorage.getItem(LOG_KEY) ?? "[]");
    return Array.isArray(log) ? log.slice(-MAX_LOG) : [];
  } catch {
    return [];
  }
}

function addMessage(role, text, keep = true) {
  logEl.append(h("p", { class: `msg ${role === "user" ? "user" : "agent"}` }, text));
  logEl.scrollTop = logEl.scrollHeight;
  if (keep) {
    const log = [...storedLog(), { role, text }].slice(-MAX_LOG);
    sessionStorage.setItem(LOG_KEY, JSON.stringify(log));
  }
}

/** One line of the agent's summary with its `**bold**` spans as <strong> (text only, never HTML). */
function summaryLine(line) {
  return h(
    "span",
    {},
    line.split(/\*\*(.+?)\*\*/).map((part, i) => (i % 2 ? h("strong", {}, part) : part)),
    "\n",
  );
}

function setConfig(answer) {
  config = answer.config_ready ? answer.config : null;
  const lines = (answer.summary || "No configuration yet.").split("\n").slice(0, 200);
  replaceChildren(configEl, lines.map(summaryLine));
  run.disabled = !config;
}

async function refreshConfig() {
  try {
    setConfig(await api(`/agent/config/${encodeURIComponent(sessionId())}`));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      setConfig({ config_ready: false, config: null, summary: "" });
    } else showError(status, e);
  }
}

byId("chat-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const text = input.value.trim();
  if (!text) {
    showStatus(status, "Type a message first.");
    input.focus();
    return;
  }
  send.disabled = true;
  addMessage("user", text);
  input.value = "";
  showStatus(status, "The agent is thinking…");
  try {
    const answer = await api("/agent/invoke", {
      method: "POST",
      json: { input_text: text, session_id: sessionId() },
    });
    addMessage("agent", answer.response);
    showStatus(status, answer.config_ready ? "The configuration is ready: run the backtest." : "");
    await refreshConfig();
  } catch (e) {
    showError(status, e);
  } finally {
    send.disabled = false;
    input.focus();
  }
});

input.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    byId("chat-form").requestSubmit();
  }
});

byId("chat-new").addEventListener("click", () => {
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(LOG_KEY);
  replaceChildren(logEl, intro ? intro.cloneNode(true) : null);
  for (const c of charts) c.remove();
  charts = [];
  replaceChildren(resultEl);
  setConfig({ config_ready: false, config: null, summary: "" });
  showStatus(status, "A new conversation.");
  input.focus();
});

/** The charts of the result shown (removed before another result is drawn). */
let charts = [];

run.addEventListener("click", async () => {
  if (!config) return;
  run.disabled = true;
  for (const c of charts) c.remove();
  charts = [];
  replaceChildren(resultEl, h("p", { role: "status" }, "Running the backtest…"));
  try {
    const report = await api("/run_backtest", { method: "POST", json: { config } });
    charts = renderBacktestResult(resultEl, report);
    resultEl.prepend(h("p", { role: "status", class: "ok", id: "chat-run-done" }, "Backtest finished."));
  } catch (e) {
    showError(resultEl, e);
  } finally {
    run.disabled = !config;
  }
});

// A session that has had a turn has a config to show (a new one has none: asking would be a 404).
const earlier = storedLog();
for (const m of earlier) addMessage(m.role, m.text, false);
if (earlier.length > 0) refreshConfig();
