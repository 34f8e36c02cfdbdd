/**
 * The MCP server's prompts: step-by-step instructions an agent (or its user) picks from the client's prompt
 * menu, written in this server's tool names. `daily_signal_loop` is the QuantGPT document's agent daily loop
 * with its error recovery and security rules; `validate_factor` its factor submission workflow with the five
 * checks. Numbers (deadlines, batch size, thresholds) come from the code's constants.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { FACTOR_CHECK_THRESHOLDS } from "../domain/factors/factor_stats.ts";
import { MAX_UPLOAD_DATES } from "../domain/factors/factor_upload_body.ts";
import { FACTOR_UNIVERSE_NAMES } from "../domain/factors/factor_crud.ts";
import { DEADLINES } from "../domain/track_record/signals/signals.ts";
import { CST_ZONE } from "../domain/track_record/signals/tracked_strategies.ts";

/** A prompt's answer: one user message of text. */
function userMessage(text: string) {
  return { messages: [{ role: "user" as const, content: { type: "text" as const, text } }] };
}

/** Registers `daily_signal_loop` and `validate_factor` on `server`; `charge` counts each get against the MCP rate. */
export function registerPrompts(server: McpServer, charge: () => Promise<void>): void {
  server.registerPrompt(
    "daily_signal_loop",
    {
      title: "Daily signal loop",
      description:
        "Run one trading day for your tracked strategies: check the calendar, submit each active " +
        "strategy's signal before the deadline, recover from refusals, and verify the settled day after 18:15 " +
        `${CST_ZONE}.`,
      argsSchema: {
        strategy_slug: z.string().optional().describe(
          "Only this strategy (its slug); all your active strategies when left out",
        ),
      },
    },
    async ({ strategy_slug }: { strategy_slug?: string }) => {
      await charge();
      return userMessage(dailySignalLoop(strategy_slug));
    },
  );
  server.registerPrompt(
    "validate_factor",
    {
      title: "Validate a factor",
      description:
        "Create (or reuse) an alpha factor, upload its values in batches, wait until it is ready, " +
        "submit it for validation and read the five checks.",
      argsSchema: {
        factor_id: z.string().optional().describe(
          "An existing factor's id; a new factor is created when left out",
        ),
        universe: z.string().describe(`The factor's universe: ${FACTOR_UNIVERSE_NAMES.join(", ")}`),
      },
    },
    async ({ factor_id, universe }: { factor_id?: string; universe: string }) => {
      await charge();
      return userMessage(validateFactor(factor_id, universe));
    },
  );
}

/** The security rules every prompt ends with (the document's "Agent Security Rules"). */
const SECURITY = [
  "Security rules:",
  "- Never print, log or repeat the API key (or any token): not in messages, files or tickets. If you must " +
  "refer to it, write `qe_…` and its last 4 characters.",
  "- The key lives in the client's configuration (QUANTEDGE_API_KEY or the Authorization header), never in " +
  "tool arguments or source code. One key per agent; if it may have leaked, revoke it with revoke_api_key " +
  "and create another with create_api_key.",
  "- Tools marked not idempotent (submit_signal, create_strategy, create_factor, submit_factor, " +
  "create_api_key, create_ticket) must not be retried blindly after a timeout: read the state first with the " +
  "matching list/get tool and retry only if the first call did not land.",
].join("\n");

function dailySignalLoop(slug: string | undefined): string {
  const which = slug
    ? `the strategy \`${slug}\` (check with get_strategy {slug: "${slug}"} that it is active)`
    : 'every strategy list_strategies {status: "active"} returns';
  return [
    `Run today's signal loop for ${which}. All times are ${CST_ZONE} (UTC+8); "today" is the date there.`,
    "",
    "1. Call get_calendar {date: <today>}. If `is_trading_day` is false, stop: there is nothing to submit " +
    "today (the next session is `next_trading_day`).",
    `2. Call list_strategies {status: "active"}${
      slug ? ` and keep \`${slug}\`` : ""
    }. Note each strategy's ` +
    `\`execution_price\`: its deadline is ${DEADLINES.open} for "open" and ${DEADLINES.close} for "close", ` +
    "judged by the server's receive time, with no grace.",
    "3. For each strategy, compute today's target weights (each in (0, 1], sum ≤ 1, the rest is cash; symbols " +
    'like "600519.SH", "000001.SZ") and call submit_signal {slug, trade_date: <today>, signals: [{symbol, ' +
    "weight}, …]} before the deadline. Keep the answer's `signal_hash`.",
    "4. If a call fails, follow its `recovery` line:",
    "   - 409 conflict: call list_signals {slug, limit: 1}. If the recorded signals equal yours, skip. " +
    "Otherwise, before the deadline, withdraw_signal {slug, trade_date} and submit again; a settled or " +
    "attested day cannot be replaced.",
    "   - 400 deadline passed: the window for that date is closed; submit for `next_trading_day` instead.",
    "   - 400 not a trading day: use `next_trading_day` from get_calendar as trade_date.",
    '   - 400 paused: update_strategy {slug, status: "active"}, then submit again. Retired: create a new ' +
    "strategy with create_strategy.",
    "   - 422: fix the field named by `loc` and call again; never resend the same arguments.",
    "   - 401: the key is missing or revoked (list_api_keys); 429: wait `retry_after_seconds`.",
    "   - A timeout: do not resubmit blindly; list_signals {slug, limit: 1} first — if its trade_date is " +
    "today with your signal_hash, the submission landed.",
    "5. After 18:15 (settlement; about 18:45 is a safe time), for each strategy call list_signals {slug, " +
    "limit: 1}. When `is_settled` is true, call verify_day {slug, date: <today>} and check: NAV = cash + Σ " +
    "positions' market values, the signal_hash matches the one you kept, and the log checkpoint is older " +
    'than the deadline. If it is still unsettled at 19:00, report it with create_ticket {category: "data", ' +
    'title: "settlement missing for <slug> on <today>"}.',
    "6. Report per strategy: submitted (signal_hash), skipped (why), settled NAV and verification outcome.",
    "",
    "References: the resources quantedge://docs/settlement (deadlines, fills, costs, NAV, schedule) and " +
    "quantedge://docs/signal-hash (how to recompute the hash).",
    "",
    SECURITY,
  ].join("\n");
}

function validateFactor(factorId: string | undefined, universe: string): string {
  const th = FACTOR_CHECK_THRESHOLDS;
  const start = factorId
    ? `1. Call get_factor {factor_id: "${factorId}"} and check that its universe is ${universe}.`
    : `1. Call create_factor {name, universe: "${universe}", description?, expression?} (expression: a note, ` +
      'or with values_source: "formula" the formula the platform computes — then skip to step 4). Keep the ' +
      "answer's `id` as factor_id. create_factor is not idempotent: after a timeout, list_factors first.";
  return [
    `Validate an alpha factor on the ${universe} universe.`,
    "",
    start,
    `2. Upload the values with upload_factor_values {factor_id, data: [{date: "YYYY-MM-DD", values: ` +
    `{"600519.SH": 1.23, …}}, …]} in batches: at most ${MAX_UPLOAD_DATES} dates a call, and one MCP request ` +
    "body is limited to MAX_BODY_BYTES (1 MiB by default), so send about 50–100 dates of a 300-name " +
    "cross-section per call (a larger body is refused with HTTP 413 before the tool runs). Re-uploading a " +
    "date replaces it (safe to retry). Symbols outside the universe are ignored (see `ignored_symbols`).",
    `3. Call get_factor_values_status {factor_id} until \`ready\` is true (at least ${th.data_days} trading ` +
    "days with values); if it stays false, upload more dates.",
    "4. Call submit_factor {factor_id} once: it validates synchronously and answers the status (`active` " +
    "or `rejected`). It is not idempotent: if the call times out, read get_factor_submission {factor_id} " +
    "(`validating` means it is still running: wait and read again) before submitting again.",
    "5. Read the five checks in the answer's `checks` (each has value, threshold, passed):",
    `   - IC_MEAN: |ic_mean| > ${th.ic_mean}`,
    `   - IC_IR: |ic_ir| > ${th.ic_ir}`,
    `   - HIGH_TURNOVER: turnover < ${th.turnover}`,
    `   - SELF_CORRELATION: max |correlation| with your other factors < ${th.self_correlation}`,
    `   - DATA_COVERAGE: data_days ≥ ${th.data_days}`,
    "   `active` means every check passed and out-of-sample tracking has begun; `rejected` names the failing " +
    "checks: improve the factor (or upload more or better data) and submit again.",
    "6. Optionally read get_factor_ic_series, get_factor_correlations and get_factor_chart_data, then report " +
    "the status, the five checks and ic_mean, ic_ir, turnover, fitness.",
    "",
    "References: the resource quantedge://docs/strategy-language (the factor formula language) and " +
    "quantedge://docs/indicators.",
    "",
    SECURITY,
  ].join("\n");
}
