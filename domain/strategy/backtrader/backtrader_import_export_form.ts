/**
 * Reading back Quantedge's own backtrader export (`toBacktraderCode`): its strategy class emulates Quantedge's
 * engine (`entry_signal`, `exit_signal`, `rank_value`, fills in `next_open`), which is far outside the subset a
 * user writes, so it is not interpreted as a program. Its fields are read from the shapes the exporter writes
 * (`backtrader_import_export_rules.ts`) and its `# quantedge: key: value` lines (strategy-text fields, which
 * win), and the spec is accepted only when the code is exactly what `toBacktraderCode` writes for the spec those lines
 * give (line ends and trailing spaces aside): an edited export is a 422 naming the first line that differs, never
 * a silently different strategy. An export whose comment lines do not hold the rules is a 422 of type
 * `quantedge_export`.
 */
import { ValidationError } from "../../errors.ts";
import { type StrategySpec, StrategySpecSchema } from "../spec.ts";
import type { QuantedgeComment } from "../python/python_lexer.ts";
import { toBacktraderCode } from "./backtrader_export.ts";
import { readExportRules } from "./backtrader_import_export_rules.ts";
import { type Expr, parseExpression, printExpression } from "../expression.ts";

/** `e` printed canonically (printed, re-parsed, printed again). */
const canonical = (e: Expr): string => printExpression(parseExpression(printExpression(e)));

/** The line of `def entry_signal(self…` when `code` is in the export's form, else 0. */
export function exportFormLine(code: string): number {
  const lines = code.split(/\r\n?|\n/, 2_001);
  const at = lines.findIndex((l) => /^\s+def entry_signal\(self\b/.test(l));
  if (at < 0 || !lines.some((l) => /^\s+def exit_signal\(self\b/.test(l))) return 0;
  return at + 1;
}

const normalize = (text: string) => {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
};

/** The spec of an export; `fields` are its comment fields, already parsed. */
export function readExportForm(
  code: string,
  loc: (string | number)[],
  line: number,
  comments: QuantedgeComment[],
  fields: Map<string, { value: unknown; line: number }>,
  defaults: Partial<Record<string, unknown>>,
): StrategySpec {
  const rules = readExportRules(code);
  for (const key of ["entry", "exit"]) {
    if (!rules && !fields.has(key)) {
      throw new ValidationError(
        `line ${line}: this is a Quantedge backtrader export (entry_signal/exit_signal emulate Quantedge's ` +
          `engine); its ${key} rule is neither in the exporter's shape nor in a "# quantedge: ${key}:" line. ` +
          "Send its spec or strategy text instead, or write the strategy in the backtrader subset",
        loc,
        "quantedge_export",
      );
    }
  }
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rules ?? {})) {
    raw[k] = typeof v === "object" && v !== null && "kind" in v ? canonical(v as Expr) : v;
  }
  for (const [k, v] of fields) raw[k] = v.value;
  const parsed = StrategySpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = fields.get(String(issue.path[0]))?.line ?? comments[0]?.line ?? line;
    throw new ValidationError(`line ${at}: ${issue.path.join(".") || "strategy"}: ${issue.message}`, loc);
  }
  const spec = parsed.data;
  const want = normalize(toBacktraderCode(spec)), got = normalize(code);
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    if (want[i] !== got[i]) {
      throw new ValidationError(
        `line ${i + 1}: this Quantedge export differs from the export of the spec its "# quantedge:" lines ` +
          "give (it was edited); edit those lines or the spec, or write the strategy in the backtrader subset",
        loc,
        "edited_export",
      );
    }
  }
  const filled = StrategySpecSchema.safeParse({ ...Object.fromEntries(Object.entries(defaults)), ...raw });
  return filled.success ? filled.data : spec;
}
