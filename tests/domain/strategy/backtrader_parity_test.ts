/**
 * Parity of the backtrader export with the engine: every spec of the parity set (`scripts/backtrader_parity.ts`)
 * run by Quantedge's engine and, as exported Python, by backtrader 1.9 on the fixture bars
 * (tests/fixtures/backtrader/data) gives the same fills (day, side, quantity, price to 1e-9 relative) and final
 * value (1e-6 relative). Skipped, with the reason, when python3 or backtrader is not available
 * (`BACKTRADER_PYTHONPATH` may point at a backtrader source folder).
 */
import assert from "node:assert/strict";
import {
  compareRuns,
  findBacktrader,
  paritySpecs,
  runBacktrader,
  runEngine,
} from "../../../scripts/backtrader_parity.ts";

const runner = await findBacktrader();
if ("missing" in runner) console.warn(`backtrader parity test skipped: ${runner.missing}`);

Deno.test({
  name: "backtrader parity: the exported Python gives the engine's fills and final value in backtrader",
  ignore: "missing" in runner,
  async fn() {
    if ("missing" in runner) return;
    const specs = paritySpecs();
    assert.ok(Object.keys(specs).length >= 12);
    const scratch = await Deno.makeTempDir({ prefix: "bt_parity_" });
    try {
      // Three Python processes at a time (the suite runs in parallel on small machines).
      const queue = Object.entries(specs);
      const runs: ReturnType<typeof compareRuns>[] = [];
      await Promise.all([0, 1, 2].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [name, spec] = next;
          const [engine, bt] = await Promise.all([runEngine(spec), runBacktrader(spec, runner, scratch)]);
          runs.push(compareRuns(name, spec.universe.tickers!.length, engine, bt));
        }
      }));
      assert.equal(runs.length, Object.keys(specs).length);
      for (const r of runs) {
        assert.deepEqual(r.mismatches, [], r.name);
        assert.ok(r.engineFills > 0, `${r.name} trades`);
      }
      // The set covers several symbols at once and exits of every kind.
      assert.ok(runs.some((r) => r.symbols >= 4));
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  },
});

Deno.test("backtrader parity: the engine side runs on the fixture bars without backtrader", async () => {
  const { sma_cross } = paritySpecs();
  const run = await runEngine(sma_cross);
  assert.equal(run.fills.length, 23);
  assert.equal(run.fills[0].side, "BUY");
  assert.ok(Math.abs(run.finalValue - 88008.94211) < 1e-4);
});
