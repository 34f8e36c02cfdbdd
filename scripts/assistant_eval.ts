/**
 * `deno run --allow-read=. scripts/assistant_eval.ts [--failures]`: runs the assistant's evaluation set
 * (`tests/fixtures/assistant_eval/prompts.json`) through the offline provider and prints the table for
 * BENCHMARKS.md; `--failures` also lists every case that was not an exact match and why.
 */
import { createOfflineProvider } from "../domain/assistant/offline_provider.ts";
import { type EvalSet, evaluationTable, runEvaluation } from "../tests/_helpers/assistant_eval_scorer.ts";

const set: EvalSet = JSON.parse(
  await Deno.readTextFile(new URL("../tests/fixtures/assistant_eval/prompts.json", import.meta.url)),
);
const report = await runEvaluation(createOfflineProvider(), set);
console.log(evaluationTable(report));
if (Deno.args.includes("--failures")) {
  for (const o of report.outcomes) {
    if (!o.exact) {
      console.log(`\n${o.id} (${o.type}${o.intent ? ", same intent" : ""}): ${o.problems.join("; ")}`);
    }
  }
}
