/**
 * Errors as MCP tool results: the status the HTTP API would answer (one mapping, `routes/errors.ts`), the
 * document's error body (`detail`, and `loc` for a field), and a `recovery` line that tells an agent what to do
 * next — the QuantGPT document's "Error Recovery" table (deadline passed → the next trading day, 409 on a
 * recorded day → compare with the recorded signal, paused → reactivate, 401 → check or recreate the key, …)
 * written in terms of this server's tools.
 */
import { SyncRunsBusyError, SyncRunTooLargeError } from "../domain/backtest/run_errors.ts";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from "../domain/errors.ts";
import { API_KEY_PREFIX } from "../domain/auth/sessions.ts";
import { errorResponse } from "../routes/errors.ts";
import type { ToolResult } from "./tool_kit.ts";

/** The structured form of a failed call (`structuredContent.error`). */
export interface ToolErrorBody {
  status: number;
  /** The error class: `bad_request`, `validation_error`, `not_found`, … */
  type: string;
  /** The HTTP API's `detail`: a message, or for a 422 the list of `{type, loc, msg}` (loc relative to the tool's arguments). */
  detail: unknown;
  /** Fields the HTTP API sends next to `detail` (e.g. `next_trading_day`, `reason`, `existing_signal_hash`). */
  extra?: Record<string, unknown>;
  /** What to do next. */
  recovery: string;
  /** Seconds to wait before retrying (rate limits). */
  retry_after_seconds?: number;
  correlation_id: string;
}

const TYPE_OF_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "too_large",
  422: "validation_error",
  429: "rate_limited",
  503: "unavailable",
  500: "internal_error",
};

/** The recovery line for `err` raised by `tool`. */
function recoveryHint(tool: string, err: unknown): string {
  // Names the caller chose (a slug, a factor id) are quoted in messages: they must not steer the hint.
  const message = err instanceof Error ? err.message.replace(/"[^"]*"/g, '""') : "";
  const factor = tool.includes("factor") && (err instanceof BadRequestError || err instanceof ConflictError)
    ? factorHint(message)
    : null;
  return inputOrRateHint(err) ?? factor ?? accessHint(tool, err, message) ?? publicRecordHint(err, message) ??
    (err instanceof NotFoundError ? notFoundHint(tool, message) : null) ??
    (err instanceof ConflictError ? conflictHint(tool, err, message) : null) ??
    (err instanceof BadRequestError ? businessRuleHint(tool, message) : null) ?? otherHint(err);
}

/** Refused arguments, runs that belong in the job queue, rate limits. */
function inputOrRateHint(err: unknown): string | null {
  if (err instanceof ValidationError) {
    return "Fix the field named in `loc` (a path into this tool's arguments) and call again; do not retry " +
      "with the same arguments.";
  }
  if (err instanceof SyncRunTooLargeError) {
    return "The run is too large to answer synchronously: queue it with submit_backtest and follow it with " +
      "get_backtest_status.";
  }
  if (err instanceof SyncRunsBusyError) {
    return "Every synchronous run place is taken: wait `retry_after_seconds`, or queue the run with " +
      "submit_backtest.";
  }
  if (err instanceof RateLimitError) return "Wait `retry_after_seconds` before calling again.";
  return null;
}

/** Credentials, disabled accounts, tier limits, licences. */
function accessHint(tool: string, err: unknown, message: string): string | null {
  if (err instanceof UnauthorizedError) {
    return "Connect with `Authorization: Bearer <API key>` (over stdio: set QUANTEDGE_API_KEY). A revoked or " +
      "mistyped key fails here: list your keys with list_api_keys from a working session, or sign in and " +
      "create a new key (POST /api/v1/billing/api-keys); a new account comes from register_with_invite.";
  }
  if ((err instanceof ForbiddenError || err instanceof NotFoundError) && /QuantOS license/.test(message)) {
    return "This needs a QuantOS license valid today: request one with request_license and follow it with " +
      "get_license_request (an expired license needs a new request).";
  }
  if (err instanceof ForbiddenError) {
    if (tool === "create_ticket" && /disabled/i.test(message)) {
      return "Your tickets already reached support: wait for the answer (list_tickets, get_ticket).";
    }
    if (/disabled/i.test(message)) {
      return "An administrator disabled this account: contact support with create_ticket " +
        '{category: "other", title: "account disabled"}.';
    }
    if (/^API key limit reached/.test(message)) {
      return "Revoke a key you no longer use (list_api_keys, then revoke_api_key) and call again.";
    }
    if (/limit reached/.test(message)) {
      return "A tier limit (get_tier shows them): retire or delete something you no longer need " +
        "(retire_strategy, delete_factor, delete_portfolio, stop_paper_instance), or ask for the licensed tier.";
    }
    return "This account may not do that (an admin-only action).";
  }
  return null;
}

/** A named object that is not there (or not yet: a job's report). */
function notFoundHint(tool: string, message: string): string {
  if (/has no report \(status: (queued|running)\)/.test(message)) {
    return "The job has not completed yet: poll get_backtest_status every few seconds until status is " +
      "completed (or failed/cancelled), then call again.";
  }
  if (/has no completed backtest yet/.test(message)) {
    return "Queue a run of the strategy with submit_backtest {library_id}, poll get_backtest_status until it " +
      "is completed, then call again.";
  }
  if (/has no report \(status: (failed|cancelled)\)/.test(message)) {
    return "The job failed or was cancelled and has no report: get_backtest_status says why (`error`); fix " +
      "the cause and submit_backtest again.";
  }
  if (tool === "withdraw_signal") {
    return "No signal to withdraw for that date (already withdrawn, or never submitted): nothing to do; " +
      "list_signals shows what is recorded.";
  }
  return "Check the name or id: list what exists with the matching list tool (list_strategies, " +
    "list_library, list_factors, list_portfolios, list_backtests, list_paper_instances). Another user's " +
    "object is reported as not found.";
}

/** A 409: the day's signal already recorded, a taken slug, an ambiguous name. */
function conflictHint(tool: string, err: ConflictError, message: string): string {
  const reason = err.extra?.reason;
  if (reason === "identical") return "The same signal is already recorded for this date: nothing to do.";
  if (reason === "settled" || reason === "attested") {
    return "The recorded signal for this date is final (settled or attested) and cannot be replaced; " +
      "submit for the next trading day instead.";
  }
  if (/^Slug "" is already taken/.test(message)) {
    return "The slug is taken (slugs are global): choose another one and call again.";
  }
  if (/^No free strategy slug/.test(message)) {
    return "The platform could not name the portfolio's strategy this time: call again in a moment.";
  }
  if (/of your strategies are named/.test(message)) {
    return "Several of your saved strategies share this name: call again with `id` (their ids are in " +
      "`detail`; list_library lists them).";
  }
  if (tool === "submit_signal") {
    return "Read the recorded signal with list_signals {slug, limit: 1}: if it equals yours, skip; " +
      "otherwise withdraw_signal before the deadline and submit again.";
  }
  return "Something changed or already exists: read the current state with the matching get/list tool " +
    "before trying again.";
}

/** A 400: a business rule of signals, strategies' status machine or portfolios. */
function businessRuleHint(tool: string, message: string): string {
  if (/^Signal deadline passed/.test(message)) {
    return "The signal window for this date is closed (no grace period): submit for the next trading day " +
      "(get_calendar {date} answers next_trading_day).";
  }
  if (/is not an? (\w+ )?trading day/i.test(message)) {
    return "Use `next_trading_day` (in `extra`, or from get_calendar {date}) as trade_date instead.";
  }
  if (/is managed by portfolio/.test(message)) {
    return "A portfolio's strategy follows its portfolio: use pause_portfolio, resume_portfolio or " +
      "delete_portfolio instead.";
  }
  if (tool.includes("portfolio")) {
    return "Read the portfolio's status with get_portfolio: draft → activate_portfolio; active → " +
      "pause_portfolio; paused → resume_portfolio (members and deletion only when not active).";
  }
  if (/^Strategy "" is retired/.test(message)) {
    return "A retired strategy is final: create a new strategy with create_strategy.";
  }
  if (/^Strategy "" is paused/.test(message)) {
    return 'Reactivate it with update_strategy {slug, status: "active"}, then call again.';
  }
  if (/^Strategy "" (is pending|becomes active with its first signal)|from pending to/.test(message)) {
    return "A pending strategy becomes active with its first signal: submit one with submit_signal; " +
      "from pending only retiring is allowed.";
  }
  if (/^Cannot change status from/.test(message)) {
    return "Allowed: active → paused | retired; paused → active | retired; pending → retired; retired is final.";
  }
  return "The request breaks a business rule stated in `detail`: change the arguments accordingly.";
}

/** Too large, unavailable, unexpected. */
function otherHint(err: unknown): string {
  if (err instanceof PayloadTooLargeError) {
    return "Ask for less work in one call (fewer symbols, a shorter date range), or queue it with submit_backtest.";
  }
  if (err instanceof ServiceUnavailableError) {
    return "A service this call needs is not configured or not reachable here: try later or ask the operator.";
  }
  return 'An unexpected error: report it with create_ticket {category: "bug"} quoting the correlation id.';
}

/** The recovery line of a public-record, transparency-log or market-data refusal; `null` for any other. */
function publicRecordHint(err: unknown, message: string): string | null {
  if (err instanceof NotFoundError) {
    if (/no settled day/i.test(message)) {
      return "That day is not settled (yet): settlement runs at 18:15 Asia/Shanghai on each SSE trading day, " +
        'so retry after it (still missing after 19:00: create_ticket {category: "data"}); a non-trading day ' +
        "is never settled (get_calendar). Omit `date` for the latest settled day; get_track_record lists them.";
    }
    if (/^Public strategy/.test(message)) {
      return "No public strategy has this slug (a private one is reported the same way): list them with " +
        "list_public_strategies.";
    }
    if (/^Unknown symbol/.test(message)) {
      return "Find the symbol with list_symbols {q} (A-shares carry the exchange suffix: 600519.SH, 000858.SZ).";
    }
    if (/is not in the log/.test(message)) {
      return "A signal is logged when it is submitted: check the 64-hex signal_hash (list_signals, verify_day), " +
        "or omit tree_size (a smaller tree may predate the leaf).";
    }
  }
  if (err instanceof BadRequestError && /tree size|first size/.test(message)) {
    return "get_log_checkpoint answers the log's current tree_size: ask for sizes from 1 to it (first ≤ second).";
  }
  return null;
}

/** The factor lifecycle's refusals (the document's "Factor Lifecycle"), or null for another message. */
function factorHint(message: string): string | null {
  if (/only a ready factor/.test(message)) {
    return "Upload values with upload_factor_values until get_factor_values_status answers ready (>= 120 " +
      "trading days), then call submit_factor.";
  }
  if (/being validated/.test(message)) {
    return "A validation is running or was interrupted: read get_factor_submission, and submit_factor " +
      "again only when it is not active or rejected.";
  }
  if (/only draft or rejected/.test(message)) {
    return "Only draft or rejected factors can be changed or deleted; for another version create a new " +
      "factor with create_factor.";
  }
  if (/formula factor.*not uploaded/.test(message)) {
    return "A formula factor's values are computed by the platform: do not upload, call submit_factor.";
  }
  return null;
}

/**
 * What to do when `/mcp` refuses the bearer `credential` (HTTP 401, before any MCP message): the document's
 * "Authentication errors" rows — an API key may be revoked (check it, or make a new one), an access token
 * expires (refresh it, else sign in again).
 */
export function credentialRecovery(credential: string | null): string {
  if (credential?.startsWith(API_KEY_PREFIX)) {
    return "This API key is revoked or mistyped: from a working session check list_api_keys (GET " +
      "/api/v1/billing/api-keys) and make a new key with create_api_key (POST /api/v1/billing/api-keys); " +
      "without an account, connect with no credential and call register_with_invite.";
  }
  if (credential) {
    return "This access token is expired (24 hours) or invalid: get a new one with POST /api/v1/auth/refresh " +
      "{refresh_token}; if that fails, sign in again. Agents should connect with an API key instead " +
      "(create_api_key): it does not expire.";
  }
  return "Send `Authorization: Bearer <API key>` (or no Authorization header at all for the public tools).";
}

/** `err` raised while running `tool` as an MCP error result (`isError: true`). */
export function toolErrorResult(tool: string, err: unknown, correlationId: string): ToolResult {
  const mapped = errorResponse(err, correlationId);
  const { detail, ...extra } = mapped.body as { detail: unknown } & Record<string, unknown>;
  delete extra.correlation_id;
  const body: ToolErrorBody = {
    status: mapped.status,
    type: TYPE_OF_STATUS[mapped.status] ?? "error",
    detail,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
    recovery: recoveryHint(tool, err),
    ...(err instanceof RateLimitError ? { retry_after_seconds: err.retryAfterSeconds } : {}),
    correlation_id: correlationId,
  };
  const text = `${body.status} ${body.type}: ${describeDetail(detail)}\nRecovery: ${body.recovery}`;
  return { content: [{ type: "text", text }], structuredContent: { error: body }, isError: true };
}

/** The detail as one line: a message, or `loc: msg` entries of a 422. */
function describeDetail(detail: unknown): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d: { loc?: unknown[]; msg?: string }) =>
      `${(d.loc ?? []).join(".") || "(arguments)"}: ${d.msg ?? ""}`
    ).join("; ");
  }
  return JSON.stringify(detail);
}
