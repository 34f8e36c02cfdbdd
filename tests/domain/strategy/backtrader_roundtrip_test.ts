/**
 * The round trip spec → backtrader Python (`toBacktraderCode`) → spec (`parseBacktraderCode`) is the identity, for
 * the export samples (`scripts/backtrader_export_samples.ts`: the parity set and specs whose features travel as
 * `# quantedge:` comment lines).
 */
import assert from "node:assert/strict";
import { toBacktraderCode } from "../../../domain/strategy/backtrader/backtrader_export.ts";
import { parseBacktraderCode } from "../../../domain/strategy/backtrader/backtrader_import.ts";
import { parseExpression, printExpression } from "../../../domain/strategy/expression.ts";
import { sampleSpecs } from "../../../scripts/backtrader_export_samples.ts";

const canon = (rule: string) => printExpression(parseExpression(rule));

Deno.test({
  name: "backtrader round trip: spec → Python → spec is the identity for every export sample",
  fn() {
    for (const [name, spec] of Object.entries(sampleSpecs())) {
      // Rules come back printed canonically (`not (a < b)` reads back as `not a < b`, the same rule).
      const canonical = {
        ...spec,
        entry: canon(spec.entry),
        exit: canon(spec.exit),
        rank_by: canon(spec.rank_by),
      };
      assert.deepEqual(parseBacktraderCode(toBacktraderCode(spec), ["code"]), canonical, name);
    }
  },
});
