/**
 * The three checks every draft of the assistant passes before anything reaches the user:
 *
 * 1. **shape** — the zod schema: `StrategySpecSchema` (`generate`) or `AgentConfigSchema` + `compileAgentConfig`
 *    (`chat`). The spec's expression fields are checked by step 2, so here they stand in as a valid placeholder.
 * 2. **expressions** — every expression parses, unknown names are answered with the nearest allowed names, and
 *    its type fits its field: `entry` and `exit` are conditions, `rank_by` a number, `and`/`or`/`not` take
 *    conditions and arithmetic and comparisons take numbers.
 * 3. **market** — the tickers exist (for the caller, so their private imports count; an unknown one is answered
 *    with the nearest known symbols), a named universe has
 *    symbols, the date range has bars, every indicator window fits in the bars of the range (the windows of
 *    nested functions add up; `macd` needs slow + signal bars), sizing adds up (percent × max positions ≤ 100,
 *    a minimum position no larger than a position) and the capital buys one lot of the dearest named ticker.
 *
 * Errors are short sentences that start with the field they are about, so a model can repair the draft and a
 * user can act on them. Each check runs only when the one before passed.
 */
import {
  editDistance,
  type Expr,
  ExpressionError,
  FIELDS,
  FUNCTIONS,
  parseExpression,
} from "../strategy/expression.ts";
import { type StrategySpec, StrategySpecSchema } from "../strategy/spec.ts";
import {
  type AgentConfig,
  AgentConfigSchema,
  compileAgentConfig,
  TECHNICAL_PARAMETERS,
} from "../strategy/blueprint_and_config.ts";
import type { MarketData } from "../market/types.ts";
import { passesStaticFilters } from "../backtest/run_backtest.ts";
import type { ZodError } from "zod";

/** What the market check reads: the market, and whose private imports count as existing tickers. */
export interface DraftCheckContext {
  /** Absent: the market check is skipped (the house always sets it; parser-only tests may leave it out). */
  market?: MarketData;
  userId: string | null;
}

/** The result of the checks: the checked spec (and config for a chat), or the errors and the slots they touch. */
export type DraftCheckResult =
  | { ok: true; spec: StrategySpec; config: AgentConfig | null }
  | { ok: false; errors: string[]; slots: string[] };

/** Most errors reported for one draft (the first ones; a model repairs those first). */
const MAX_ERRORS = 8;
/** Most tickers whose bars are read for the date-range, window and lot checks. */
const MAX_SAMPLED_SYMBOLS = 20;
/** Most symbols whose metadata is read to see that the static filters leave one. */
const MAX_FILTERED_SYMBOLS = 2_000;
/** Constituents of a named universe whose bars are read. */
const UNIVERSE_SAMPLE = 5;
/** Expression fields of a spec. */
const EXPRESSION_FIELDS = ["entry", "exit", "rank_by"] as const;
/** A valid stand-in for an expression while the rest of the shape is checked. */
const PLACEHOLDER: Record<(typeof EXPRESSION_FIELDS)[number], string> = {
  entry: "close > 0",
  exit: "close < 0",
  rank_by: "close",
};

/** Field names of the two draft shapes, for errors a user of either recognises. */
interface FieldNames {
  tickers: string;
  universe: string;
  filters: string;
  dates: string;
  capital: string;
  percent: string;
  maxPositions: string;
  minPosition: string;
  /** Put before an expression field (a chat's expressions come from its technical indicators). */
  expressions: string;
}

const SPEC_NAMES: FieldNames = {
  tickers: "universe.tickers",
  universe: "universe.name",
  filters: "universe.filters",
  dates: "start/end",
  capital: "capital",
  percent: "sizing.percent",
  maxPositions: "sizing.max_positions",
  minPosition: "sizing.min_position",
  expressions: "",
};

const CHAT_NAMES: FieldNames = {
  tickers: "filters.tickers",
  universe: "universe",
  filters: "filters",
  dates: "backtestConfig.startDate/endDate",
  capital: "backtestConfig.initialCapital",
  percent: "backtestConfig.portfolio.positionSizePercent",
  maxPositions: "backtestConfig.portfolio.maxPositions",
  minPosition: "backtestConfig.portfolio.minPositionPercent",
  expressions: "technicalIndicators → ",
};

/** The slot an error is about, by the field it starts with (for `missing` in the question to the user). */
function slotOf(task: "generate" | "chat", error: string): string | null {
  const field = error.split(":")[0];
  const rules: [RegExp, string][] = task === "generate"
    ? [[/^entry|^rank_by/, "entry"], [/^exit/, "exit"], [/^universe/, "universe"], [
      /^start|^end/,
      "date_range",
    ], [
      /^capital/,
      "capital",
    ]]
    : [[/^technicalIndicators|^strategy/, "strategy"], [/^filters|^tickers|^universe/, "universe"], [
      /Date/,
      "date_range",
    ], [/initialCapital/, "capital"]];
  return rules.find(([re]) => re.test(field))?.[1] ?? null;
}

/** The `count` allowed names nearest to `name` (ties in the list's order). */
function nearest(name: string, allowed: readonly string[], count = 3): string[] {
  const lower = name.toLowerCase();
  return allowed
    .map((cand, i) => ({ cand, i, d: editDistance(lower, cand.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, count)
    .map((x) => x.cand);
}

const ALLOWED_NAMES = [...Object.keys(FUNCTIONS), ...FIELDS];

/** A zod error as short `path: message` lines. */
function issueLines(error: ZodError): string[] {
  return error.issues.map((i) => {
    let message = i.message;
    const unknownType = /^Unknown technical indicator type "(.*?)"/.exec(message);
    if (unknownType) {
      message = `Unknown technical indicator type "${unknownType[1]}"; nearest allowed: ${
        nearest(unknownType[1], Object.keys(TECHNICAL_PARAMETERS)).join(", ")
      }`;
    }
    return `${i.path.join(".") || "draft"}: ${message}`;
  });
}

type ExprType = "condition" | "number";

/** The type of `e`, with a line per misuse inside it (a condition in arithmetic, a number under `and`). */
function typeOf(e: Expr, problems: string[]): ExprType {
  switch (e.kind) {
    case "num":
    case "field":
      return "number";
    case "neg":
      if (typeOf(e.arg, problems) !== "number") problems.push("minus applied to a condition");
      return "number";
    case "not":
      if (typeOf(e.arg, problems) !== "condition") problems.push("not applied to a number");
      return "condition";
    case "call": {
      const spec = FUNCTIONS[e.name];
      e.args.forEach((a, i) => {
        if (spec.params[i]?.type === "series" && typeOf(a, problems) !== "number") {
          problems.push(`${e.name}() takes a number series as ${spec.params[i].name}, got a condition`);
        }
      });
      return spec.boolean ? "condition" : "number";
    }
    case "bin": {
      const left = typeOf(e.left, problems), right = typeOf(e.right, problems);
      if (e.op === "and" || e.op === "or") {
        if (left !== "condition" || right !== "condition") {
          problems.push(`"${e.op}" joins conditions, not numbers`);
        }
        return "condition";
      }
      if (left !== "number" || right !== "number") problems.push(`"${e.op}" takes numbers, not conditions`);
      return ["<", "<=", ">", ">=", "==", "!="].includes(e.op) ? "condition" : "number";
    }
  }
}

/** Parses and type-checks one expression field; returns the AST or adds errors. */
function checkExpression(field: string, src: string, errors: string[]): Expr | null {
  let expr: Expr;
  try {
    expr = parseExpression(src);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    const unknown = /^Unknown (function|name) "(.*?)"/.exec(e.message);
    errors.push(
      unknown
        ? `${field}: unknown ${unknown[1]} "${unknown[2]}" at column ${e.column}; nearest allowed: ${
          nearest(unknown[2], ALLOWED_NAMES).join(", ")
        }`
        : `${field}: ${e.message}`,
    );
    return null;
  }
  const problems: string[] = [];
  const type = typeOf(expr, problems);
  const want: ExprType = field.endsWith("rank_by") ? "number" : "condition";
  if (type !== want) {
    problems.unshift(
      want === "condition"
        ? "must be a condition (a comparison, crosses_above/crosses_below, and/or/not), not a number"
        : "must be a number (the higher, the earlier taken), not a condition",
    );
  }
  for (const p of [...new Set(problems)]) errors.push(`${field}: ${p}`);
  return problems.length ? null : expr;
}

/** Bars an expression needs before its first value: nested windows add up; `macd*` needs slow + signal. */
function lookback(e: Expr): number {
  switch (e.kind) {
    case "num":
    case "field":
      return 0;
    case "neg":
    case "not":
      return lookback(e.arg);
    case "bin":
      return Math.max(lookback(e.left), lookback(e.right));
    case "call": {
      const spec = FUNCTIONS[e.name];
      const literal = (i: number) => (e.args[i]?.kind === "num" ? (e.args[i] as { value: number }).value : 0);
      let own = 0;
      if (e.name.startsWith("macd")) own = literal(2) + literal(3);
      else spec.params.forEach((p, i) => p.type === "int" && (own = Math.max(own, literal(i))));
      if (e.name.startsWith("crosses_")) own = 1;
      const inner = e.args.reduce(
        (m, a, i) => (spec.params[i]?.type === "series" ? Math.max(m, lookback(a)) : m),
        0,
      );
      return own + inner;
    }
  }
}

/** Step 2 on a spec's expression fields (raw draft strings); returns the errors. */
function expressionErrors(draft: Record<string, unknown>, prefix = ""): string[] {
  const errors: string[] = [];
  for (const field of EXPRESSION_FIELDS) {
    const src = draft[field];
    if (typeof src === "string") checkExpression(`${prefix}${field}`, src, errors);
  }
  return errors;
}

/** The market check of a checked spec. */
async function marketErrors(
  spec: StrategySpec,
  names: FieldNames,
  ctx: DraftCheckContext & { market: MarketData },
): Promise<string[]> {
  const { market, userId } = ctx;
  const errors: string[] = [];
  const tickers = spec.universe.tickers ?? [];
  const known: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < tickers.length; i += 20) {
    const chunk = tickers.slice(i, i + 20);
    const infos = await Promise.all(chunk.map((t) => market.getSymbol(t, userId)));
    chunk.forEach((t, j) => (infos[j] ? known : unknown).push(t));
  }
  if (unknown.length) {
    // One listing of the caller's symbols answers every unknown ticker with its nearest known ones.
    const all = (await market.listSymbols({ ownerId: userId })).map((s) => s.symbol);
    for (const t of unknown.slice(0, MAX_ERRORS)) {
      const near = nearest(t, all);
      errors.push(
        `${names.tickers}: unknown ticker "${t}"${near.length ? `; nearest known: ${near.join(", ")}` : ""}`,
      );
    }
  }
  let sample = known.slice(0, MAX_SAMPLED_SYMBOLS);
  if (spec.universe.name && !tickers.length) {
    const members = await market.getUniverse(spec.universe.name);
    if (!members.length) errors.push(`${names.universe}: universe "${spec.universe.name}" has no symbols`);
    sample = members.slice(0, UNIVERSE_SAMPLE);
  }
  if (errors.length) return errors;
  const filters = spec.universe.filters;
  if (filters && (filters.market_cap || filters.sectors || filters.syariah !== undefined)) {
    // The static filters must leave at least one symbol (the run would fail with "no tickers" otherwise).
    const members = tickers.length ? known : await market.getUniverse(spec.universe.name!);
    const kept: string[] = [];
    for (let i = 0; i < members.length && kept.length === 0 && i < MAX_FILTERED_SYMBOLS; i += 20) {
      const chunk = members.slice(i, i + 20);
      const infos = await Promise.all(chunk.map((t) => market.getSymbol(t, userId)));
      infos.forEach((info, j) => info && passesStaticFilters(info, filters) && kept.push(chunk[j]));
    }
    if (!kept.length) {
      return [
        `${names.filters}: the filters (market cap, sectors, syariah) leave none of the ${members.length} ` +
        "symbols; loosen them or choose another universe",
      ];
    }
    if (!tickers.length) sample = [...new Set([...kept, ...sample])].slice(0, UNIVERSE_SAMPLE);
  }

  const series = await Promise.all(sample.map((s) => market.getBars(s, spec.start, spec.end, userId)));
  const barsOf = (i: number) => series[i]?.close.length ?? 0;
  const range = `${spec.start}..${spec.end}`;
  const most = Math.max(0, ...sample.map((_, i) => barsOf(i)));
  if (sample.length && most === 0) {
    return [
      `${names.dates}: no bars between ${range} for ${sample.slice(0, 3).join(", ")}; choose other dates`,
    ];
  }
  if (tickers.length) {
    sample.forEach((s, i) => {
      if (barsOf(i) === 0) errors.push(`${names.tickers}: "${s}" has no bars between ${range}`);
    });
  }
  const windows: [string, number][] = EXPRESSION_FIELDS.map((
    f,
  ) => [`${names.expressions}${f}`, lookback(parseExpression(spec[f]))]);
  if (spec.sizing.method === "risk_adjusted") windows.push(["sizing.atr_period", spec.sizing.atr_period]);
  for (const [field, need] of windows) {
    if (need > most) {
      errors.push(
        `${field}: needs ${need} bars of history but ${range} has ${most}; shorten the window or widen the dates`,
      );
    }
  }
  if (tickers.length) {
    let dearest: { symbol: string; cost: number; lot: number; price: number } | null = null;
    for (let i = 0; i < sample.length; i++) {
      const bars = series[i];
      if (!bars || !bars.close.length) continue;
      const info = await market.getSymbol(sample[i], userId);
      const lot = info?.lot_size ?? 1;
      const price = bars.close[0];
      if (!dearest || lot * price > dearest.cost) {
        dearest = { symbol: sample[i], cost: lot * price, lot, price };
      }
    }
    if (dearest && spec.capital < dearest.cost) {
      errors.push(
        `${names.capital}: ${spec.capital} does not buy one lot of ${dearest.symbol} (${dearest.lot} × ${
          round2(dearest.price)
        } = ${round2(dearest.cost)} on ${spec.start}); raise the capital`,
      );
    }
  }
  return errors;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Sizing that does not add up, in `names`' terms (percent × positions, minimum vs position). */
function sizingErrors(
  s: { percent: number; maxPositions: number; minPercent: number } | null,
  names: FieldNames,
): string[] {
  if (!s) return [];
  const errors: string[] = [];
  const total = s.percent * s.maxPositions;
  if (total > 100 + 1e-9) {
    errors.push(
      `${names.percent}: ${s.percent}% × ${s.maxPositions} positions (${names.maxPositions}) = ${
        round2(total)
      }% of capital; keep the product at most 100`,
    );
  }
  if (s.minPercent > s.percent + 1e-9) {
    errors.push(
      `${names.minPosition}: the smallest position (${round2(s.minPercent)}% of capital) is larger than a ` +
        `position (${s.percent}%)`,
    );
  }
  return errors;
}

/** The sizing of a spec as percents of capital (percent sizing only). */
function specSizing(spec: StrategySpec) {
  const s = spec.sizing;
  if (s.method !== "percent_equity") return null;
  return {
    percent: s.percent,
    maxPositions: s.max_positions,
    minPercent: (s.min_position / spec.capital) * 100,
  };
}

/** The sizing of an agent config, with the compiler's defaults (10 % × 10 positions, no minimum). */
function configSizing(c: AgentConfig) {
  const p = c.backtestConfig.portfolio ?? {};
  return {
    percent: p.positionSizePercent ?? 10,
    maxPositions: p.maxPositions ?? 10,
    minPercent: p.minPositionPercent ?? 0,
  };
}

/** The result for `errors` (the first `MAX_ERRORS`). */
function failed(task: "generate" | "chat", errors: string[]): DraftCheckResult {
  const shown = errors.slice(0, MAX_ERRORS);
  const slots = [...new Set(shown.map((e) => slotOf(task, e)).filter((s): s is string => s !== null))];
  return { ok: false, errors: shown, slots };
}

/** Runs the three checks on a `generate` (spec) or `chat` (agent config) draft. */
export async function checkDraft(
  task: "generate" | "chat",
  draft: Record<string, unknown>,
  ctx: DraftCheckContext,
): Promise<DraftCheckResult> {
  let spec: StrategySpec;
  let config: AgentConfig | null = null;
  let names: FieldNames;
  if (task === "generate") {
    names = SPEC_NAMES;
    const standIn: Record<string, unknown> = { ...draft };
    for (const f of EXPRESSION_FIELDS) if (typeof draft[f] === "string") standIn[f] = PLACEHOLDER[f];
    const shape = StrategySpecSchema.safeParse(standIn);
    if (!shape.success) return failed(task, issueLines(shape.error));
    const exprErrors = expressionErrors(draft);
    if (exprErrors.length) return failed(task, exprErrors);
    const parsed = StrategySpecSchema.safeParse(draft);
    if (!parsed.success) return failed(task, issueLines(parsed.error));
    spec = parsed.data;
  } else {
    names = CHAT_NAMES;
    const shape = AgentConfigSchema.safeParse(draft);
    if (!shape.success) return failed(task, issueLines(shape.error));
    config = shape.data;
    try {
      spec = compileAgentConfig(config);
    } catch (e) {
      if (e && typeof e === "object" && "issues" in e) return failed(task, issueLines(e as ZodError));
      throw e;
    }
    const exprErrors = expressionErrors(spec as unknown as Record<string, unknown>, names.expressions);
    if (exprErrors.length) return failed(task, exprErrors);
  }
  const semantic = sizingErrors(task === "chat" ? configSizing(config!) : specSizing(spec), names);
  if (ctx.market) semantic.push(...await marketErrors(spec, names, { ...ctx, market: ctx.market }));
  if (semantic.length) return failed(task, semantic);
  return { ok: true, spec, config };
}
