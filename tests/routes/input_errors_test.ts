import assert from "node:assert/strict";
import { SyncRunsBusyError, SyncRunTooLargeError } from "../../domain/backtest/run_errors.ts";
import { NotFoundError, PayloadTooLargeError, RateLimitError, ValidationError } from "../../domain/errors.ts";
import { fromInput, inRequest, JOB_QUEUE_ROUTE, prefixLoc } from "../../routes/errors.ts";

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
    fromInput("query", () => Promise.reject(new ValidationError("bad", ["a"]))),
    (e) => e instanceof ValidationError && e.loc.join("/") === "query/a",
  );
  assert.equal(await fromInput("body", () => Promise.resolve(7)), 7);
});

Deno.test("prefixLoc() puts the request part in front of the location and of every issue", () => {
  const err = new ValidationError("2 bad rows", [], "csv_invalid", [
    { type: "csv_row_invalid", loc: ["row", 3], msg: "high below low" },
    { type: "csv_row_invalid", loc: ["file", "A.csv", "row", 2], msg: "no date", ctx: { line: 2 } },
  ]);
  const out = prefixLoc(err, "body");
  assert.ok(out instanceof ValidationError);
  assert.deepEqual([out.message, out.type, out.loc], ["2 bad rows", "csv_invalid", ["body"]]);
  assert.deepEqual(out.issues, [
    { type: "csv_row_invalid", loc: ["body", "row", 3], msg: "high below low" },
    { type: "csv_row_invalid", loc: ["body", "file", "A.csv", "row", 2], msg: "no date", ctx: { line: 2 } },
  ]);
  assert.deepEqual(err.loc, [], "the domain error is left as it was");
  assert.equal(prefixLoc(new ValidationError("x", ["nickname"]), "body").issues, undefined);
});

Deno.test("prefixLoc() can choose the part per location (path and body of one operation)", () => {
  const where = (loc: (string | number)[]) => (loc[0] === "year" ? "path" : "body");
  assert.deepEqual(prefixLoc(new ValidationError("bad year", ["year"]), where).loc, ["path", "year"]);
  const closures = new ValidationError("bad date", ["closures", 2], "value_error", [
    { type: "value_error", loc: ["closures", 2], msg: "bad date" },
  ]);
  assert.deepEqual(prefixLoc(closures, where).issues?.map((i) => i.loc), [["body", "closures", 2]]);
});

Deno.test("fromInput() prefixes validation errors only and passes answers and other errors through", async () => {
  assert.equal(await fromInput("query", () => 7), 7);
  assert.equal(await fromInput("query", () => Promise.resolve("ok")), "ok");
  await assert.rejects(
    fromInput("query", () => Promise.reject(new ValidationError("bad", ["redirect_uri"]))),
    (e) => e instanceof ValidationError && e.loc.join() === "query,redirect_uri",
  );
  const missing = new NotFoundError("gone");
  await assert.rejects(
    fromInput("query", () => {
      throw missing;
    }),
    (e) => e === missing,
  );
});
