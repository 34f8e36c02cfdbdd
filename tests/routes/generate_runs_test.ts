/**
 * Every `/generate` answer that carries a strategy runs as a backtest: the evaluation set's prompts (all three
 * languages) go through the route on the test world's market, and each `ready` answer's spec is run by the
 * synchronous backtest operation. A prompt whose draft cannot run must come back as a question instead.
 */
import assert from "node:assert/strict";
import { openTestWorld } from "../_helpers/test_app.ts";
import { runReport } from "../../domain/backtest/sync_runs.ts";

const SET = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/assistant_eval/prompts.json", import.meta.url)),
) as { prompts: { id: string; prompt: string }[] };

Deno.test("every /generate answer with a strategy runs as a backtest (evaluation-set prompts)", async () => {
  const w = await openTestWorld({ RATE_LIMIT_ASSISTANT: "1000/1m", RATE_LIMIT_BACKTEST: "1000/1m" });
  try {
    let ready = 0;
    const failures: string[] = [];
    for (const p of SET.prompts) {
      const r = await w.request("POST", "/generate", { json: { user_prompt: p.prompt } });
      const body = await r.json();
      assert.equal(r.status, 200, `${p.id}: ${JSON.stringify(body)}`);
      if (body.status !== "ready") {
        assert.equal(body.generated_code, "", p.id);
        continue;
      }
      ready++;
      try {
        // A year of the strategy's range is enough to show it runs (the checks covered the whole range).
        const spec = { ...body.spec, start: body.spec.end.slice(0, 4) + "-01-01" };
        await runReport(w.deps.sync, "runs-test", { spec: spec.start <= spec.end ? spec : body.spec });
      } catch (e) {
        failures.push(`${p.id}: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(ready >= 60, `only ${ready} prompts answered with a strategy`);
  } finally {
    await w.close();
  }
});
