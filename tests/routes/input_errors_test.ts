import assert from "node:assert/strict";
import { SyncRunsBusyError, SyncRunTooLargeError } from "../../domain/backtest/run_errors.ts";
import { NotFoundError, PayloadTooLargeError, RateLimitError, ValidationError } from "../../domain/errors.ts";
import { callWith, inRequest, JOB_QUEUE_ROUTE } from "../../routes/input_errors.ts";

Deno.test("inRequest(): the adapter prefixes domain field paths, issue paths included", () => {
  const issues = [{ type: "expression_cost", loc: ["spec"], msg: "too costly", ctx: { cost: 9 } }];
  const e = inRequest(new ValidationError("too costly", ["spec"], "expression_cost", issues), "body");
  assert.ok(e instanceof ValidationError);
  assert.deepEqual(e.loc, ["body", "spec"]);
  assert.equal(e.type, "expression_cost");
  assert.deepEqual(e.issues, [{ ...issues[0], loc: ["body", "spec"] }]);
  const q = inRequest(new ValidationError("bad", ["start"]), "query") as ValidationError;
  assert.deepEqual(q.loc, ["query", "start"]);
  assert.equal(q.issues, undefined);
  const other = new NotFoundError("gone");
  assert.equal(inRequest(other, "path"), other, "other errors pass unchanged");
});

Deno.test("inRequest(): refusals that point at the job queue get the queue's route", async () => {
  const busy = inRequest(new SyncRunsBusyError("busy: submit it to the job queue", 1), "body");
  assert.ok(busy instanceof RateLimitError);
  assert.equal(busy.message, `busy: submit it to the job queue (${JOB_QUEUE_ROUTE})`);
  assert.equal(busy.retryAfterSeconds, 1);
  const big = inRequest(new SyncRunTooLargeError("big: submit it to the job queue"), "body");
  assert.ok(big instanceof PayloadTooLargeError);
  assert.equal(big.message, "big: submit it to the job queue (POST /api/v1/backtests)");
  await assert.rejects(
    callWith("query", () => Promise.reject(new ValidationError("bad", ["a"]))),
    (e) => e instanceof ValidationError && e.loc.join("/") === "query/a",
  );
  assert.equal(await callWith("body", () => Promise.resolve(7)), 7);
});
