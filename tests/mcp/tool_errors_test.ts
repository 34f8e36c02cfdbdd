/**
 * The recovery line of each refusal an agent meets (the QuantGPT document's "Error Recovery" table in terms of
 * tools), on the domain's own messages — including the ones where a caller-chosen name (a slug containing
 * "deadline" or "paused") must not steer the hint.
 */
import assert from "node:assert/strict";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitError,
  ValidationError,
} from "../../domain/errors.ts";
import { toolErrorResult } from "../../mcp/tool_errors.ts";

const recovery = (tool: string, err: Error) =>
  (toolErrorResult(tool, err, "c-1").structuredContent!.error as { recovery: string }).recovery;

Deno.test("mcp recovery: the signal rows of the document's table", () => {
  assert.match(
    recovery("submit_signal", new BadRequestError("Signal deadline passed: signals for 2026-05-14 (open …)")),
    /next trading day/,
  );
  assert.match(
    recovery("submit_signal", new BadRequestError("2026-05-16 is not an SSE trading day (next: 2026-05-18)")),
    /next_trading_day/,
  );
  assert.match(
    recovery("submit_signal", new BadRequestError('Strategy "s-1" is paused: signals are accepted when …')),
    /update_strategy \{slug, status: "active"\}/,
  );
  assert.match(
    recovery("submit_signal", new BadRequestError('Strategy "s-1" is retired: signals are accepted when …')),
    /create_strategy/,
  );
  assert.match(
    recovery("submit_signal", new ConflictError("identical", { reason: "identical" })),
    /nothing to do/,
  );
  assert.match(recovery("submit_signal", new ConflictError("busy")), /list_signals \{slug, limit: 1\}/);
});

Deno.test("mcp recovery: a caller's slug never steers the hint", () => {
  // A slug naming another rule: the message is about retirement, not a deadline.
  assert.match(
    recovery("submit_signal", new BadRequestError('Strategy "deadline-paused" is retired: signals are …')),
    /create_strategy/,
  );
  assert.match(
    recovery("create_strategy", new ConflictError('Slug "retired-slug" is already taken')),
    /slug is taken/,
  );
});

Deno.test("mcp recovery: pending strategies, status moves and portfolios get their own line", () => {
  const pendingClaim = new BadRequestError(
    'Strategy "s-1" is pending: a claimed history needs an active or paused strategy',
  );
  assert.match(recovery("upload_claimed_history", pendingClaim), /first signal/);
  assert.doesNotMatch(recovery("upload_claimed_history", pendingClaim), /update_strategy/);
  assert.match(
    recovery("update_strategy", new BadRequestError("Cannot change status from pending to paused")),
    /first signal/,
  );
  assert.match(
    recovery("update_strategy", new BadRequestError("Cannot change status from retired to active")),
    /retired is final/,
  );
  const portfolio = recovery("resume_portfolio", new BadRequestError('Portfolio "p" is active (use pause)'));
  assert.match(portfolio, /get_portfolio/);
  assert.doesNotMatch(portfolio, /update_strategy/);
  assert.match(
    recovery(
      "submit_signal",
      new BadRequestError('Cannot submit a signal: strategy "mf-x" is managed by portfolio p'),
    ),
    /pause_portfolio/,
  );
  assert.match(
    recovery("activate_portfolio", new ConflictError('No free strategy slug for portfolio "p"')),
    /call again/,
  );
});

Deno.test("mcp recovery: limits, failed jobs, a second withdrawal, 422 and 429", () => {
  assert.match(
    recovery("create_strategy", new ForbiddenError("Strategy limit reached: your tier allows 3 …")),
    /retire_strategy/,
  );
  assert.match(
    recovery("create_api_key", new ForbiddenError("API key limit reached: the free tier allows 5 keys")),
    /revoke_api_key/,
  );
  assert.match(
    recovery("get_backtest_report", new NotFoundError('Job "j" has no report (status: failed)')),
    /get_backtest_status/,
  );
  assert.match(recovery("withdraw_signal", new NotFoundError("No signal for 2026-05-14")), /nothing to do/);
  assert.match(recovery("create_strategy", new ValidationError("bad", ["slug"])), /`loc`/);
  const limited = toolErrorResult("whoami", new RateLimitError("Rate limit exceeded", 42), "c-2");
  assert.equal((limited.structuredContent!.error as { retry_after_seconds: number }).retry_after_seconds, 42);
});
