/**
 * Acceptance of the chat agent (issue 14): starting from the Backtester v2 document's message "I want to test a
 * momentum strategy on large cap stocks", a client answers whatever the server asks — it reads `missing` (or,
 * failing that, the question) and answers from a table per slot — until `config_ready`, then POSTs the
 * `backtest_config` to `/run_backtest` unchanged and gets a report. Run twice: against the server's own offline
 * provider (no key, no network), and against a small fake provider (the flow itself, whatever the parser).
 */
import assert from "node:assert/strict";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { fakeChatProvider } from "../_helpers/assistant_chat_fake.ts";

/** A client's answer to each slot the server may ask about. */
const ANSWERS: Record<string, string> = {
  strategy: "SMA crossover 20/50",
  universe: "large cap",
  date_range: "2023-01-01 to 2024-06-30",
  capital: "100 million",
};

/** The slot a question is about, when `missing` is empty (words a question about each slot would use). */
function slotOfQuestion(q: string | null): string | undefined {
  const t = (q ?? "").toLowerCase();
  if (/signal|indicator|strategy|rule|entry/.test(t)) return "strategy";
  if (/stock|ticker|universe|cap/.test(t)) return "universe";
  if (/period|date|when|year/.test(t)) return "date_range";
  if (/capital|money|amount/.test(t)) return "capital";
  return undefined;
}

type Turn = {
  response: string;
  config_ready: boolean;
  backtest_config: Record<string, unknown> | null;
  missing: string[];
  question: string | null;
  validation_errors: string[];
};

async function chatUntilReady(w: TestWorld, sessionId: string): Promise<Turn> {
  const say = async (text: string): Promise<Turn> => {
    const r = await w.request("POST", "/agent/invoke", { json: { input_text: text, session_id: sessionId } });
    assert.equal(r.status, 200, await r.clone().text());
    return await r.json();
  };
  let turn = await say("I want to test a momentum strategy on large cap stocks");
  const asked: string[] = [];
  for (let i = 0; i < 8 && !turn.config_ready; i++) {
    const slot = turn.missing.find((m) => m in ANSWERS) ?? slotOfQuestion(turn.question);
    assert.ok(
      slot,
      `the server asked something no slot answers: ${turn.response} (missing ${turn.missing}; ` +
        `errors ${turn.validation_errors})`,
    );
    asked.push(slot);
    turn = await say(ANSWERS[slot]);
  }
  assert.ok(turn.config_ready, `not ready after ${asked.join(", ")}: ${turn.validation_errors.join("; ")}`);
  return turn;
}

async function readyConfigRuns(w: TestWorld) {
  const turn = await chatUntilReady(w, "acceptance_1");
  assert.ok(turn.backtest_config);
  const run = await w.request("POST", "/run_backtest", { json: { config: turn.backtest_config } });
  assert.equal(run.status, 200, await run.clone().text());
  const report = await run.json();
  assert.equal(typeof report.summary.finalValue, "number");
  const status = await w.request("GET", "/agent/config/acceptance_1");
  const body = await status.json();
  assert.equal(body.config_ready, true);
  assert.deepEqual(body.config, turn.backtest_config);
}

Deno.test({
  name: "chat acceptance: the offline provider reaches config_ready and the config runs",
}, async () => {
  const w = await openTestWorld();
  try {
    await readyConfigRuns(w);
  } finally {
    await w.close();
  }
});

Deno.test("chat acceptance: the flow with a fake provider reaches config_ready and the config runs", async () => {
  const w = await openTestWorld();
  try {
    w.deps.strategyAssistant.assist.provider = fakeChatProvider();
    await readyConfigRuns(w);
  } finally {
    await w.close();
  }
});
