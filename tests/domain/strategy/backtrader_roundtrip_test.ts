/**
 * The round trip spec → backtrader Python (`toBacktraderCode`) → spec (`parseBacktraderCode`) is the identity, for
 * the export samples (`scripts/backtrader_export_samples.ts`: the parity set and specs whose features travel as
 * `# quantedge:` comment lines).
 */
import assert from "node:assert/strict";
import { toBacktraderCode } from "../../../domain/strategy/backtrader/backtrader_export.ts";
import { parseBacktraderCode } from "../../../domain/strategy/backtrader/backtrader_import.ts";
import { sampleSpecs } from "../../../scripts/backtrader_export_samples.ts";

Deno.test({
  name: "backtrader round trip: spec → Python → spec is the identity for every export sample",
  // Ignored until the importer lands: parseBacktraderCode is a placeholder on this branch (issue 14); the
  // merge enables this test.
  ignore: true,
  fn() {
    for (const [name, spec] of Object.entries(sampleSpecs())) {
      assert.deepEqual(parseBacktraderCode(toBacktraderCode(spec), ["code"]), spec, name);
    }
  },
});
