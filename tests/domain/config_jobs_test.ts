import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../domain/config.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

Deno.test("parseConfig() reads the backtest job time budget and attempts, with defaults of 900 s and 3", () => {
  const d = parseConfig({});
  assert.equal(d.backtestJobMaxMs, 900_000);
  assert.equal(d.backtestJobMaxAttempts, 3);
  const c = parseConfig({ BACKTEST_JOB_MAX_SECONDS: "60", BACKTEST_JOB_MAX_ATTEMPTS: "5" });
  assert.equal(c.backtestJobMaxMs, 60_000);
  assert.equal(c.backtestJobMaxAttempts, 5);
  for (
    const env of [
      { BACKTEST_JOB_MAX_SECONDS: "0" },
      { BACKTEST_JOB_MAX_SECONDS: "soon" },
      { BACKTEST_JOB_MAX_ATTEMPTS: "0" },
      { BACKTEST_JOB_MAX_ATTEMPTS: "1.5" },
    ]
  ) {
    assert.throws(
      () => parseConfig(env),
      (e) => e instanceof ConfigError && e.message.includes(Object.keys(env)[0]),
    );
  }
});

Deno.test("the app wiring hands the job budget and attempts to the backtest job service", async () => {
  const w = await openTestWorld({ BACKTEST_JOB_MAX_SECONDS: "60", BACKTEST_JOB_MAX_ATTEMPTS: "2" });
  try {
    assert.equal(w.deps.backtests.maxRunMs, 60_000);
    assert.equal(w.deps.backtests.maxAttempts, 2);
  } finally {
    await w.close();
  }
});
