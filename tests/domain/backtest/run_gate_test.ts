import assert from "node:assert/strict";
import { createRunGate } from "../../../domain/backtest/run_gate.ts";
import { RateLimitError } from "../../../domain/errors.ts";
import { SyncRunsBusyError } from "../../../domain/backtest/run_errors.ts";

Deno.test("createRunGate(): admits `limit` runs at once, refuses the next with a 1 s Retry-After, frees on finish", async () => {
  const gate = createRunGate(2);
  const releases: (() => void)[] = [];
  const held = () => gate.run(() => new Promise<string>((done) => releases.push(() => done("ran"))));
  const a = held(), b = held();
  assert.equal(gate.running(), 2);
  await assert.rejects(gate.run(() => Promise.resolve("never")), (e) => {
    assert.ok(e instanceof SyncRunsBusyError);
    assert.ok(e instanceof RateLimitError);
    assert.equal(e.retryAfterSeconds, 1);
    assert.match(e.message, /already running its 2 synchronous backtests.*submit it to the job queue$/);
    assert.doesNotMatch(e.message, /\/api\//, "the route is the adapter's to name");
    return true;
  });
  assert.equal(gate.running(), 2, "a refused run takes no place");
  releases[0]();
  assert.equal(await a, "ran");
  assert.equal(gate.running(), 1);
  assert.equal(await gate.run(() => Promise.resolve(7)), 7);
  releases[1]();
  await b;
  assert.equal(gate.running(), 0);
});

Deno.test("createRunGate(): a run that throws leaves the gate", async () => {
  const gate = createRunGate(1);
  await assert.rejects(gate.run(() => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(gate.running(), 0);
  assert.equal(await gate.run(() => Promise.resolve("next")), "next");
  assert.throws(() => createRunGate(0), RangeError);
});
