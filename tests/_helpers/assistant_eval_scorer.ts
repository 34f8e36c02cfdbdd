/**
 * The scorer of the assistant's evaluation set (`tests/fixtures/assistant_eval/prompts.json`), shared by
 * `tests/domain/assistant/offline_eval_test.ts` and `scripts/assistant_eval.ts`. It knows nothing of how a
 * provider works: it asks the provider each prompt (task `generate`) and each chat script (task `chat`, turn by
 * turn, the reply's draft and message fed back as the conversation) and compares the answers with the set's
 * expectations.
 *
 * - exact: the reply is `config_ready`, its entry, exit (and `rank_by`) print canonically the same as the
 *   expected ones, and every other expected field (universe, risk, sizing, costs, capital, dates) is equal.
 * - runs + same intent: the reply is `config_ready`, its draft parses with `StrategySpecSchema`, and each rule
 *   compares the same indicators in the same directions (periods and levels aside; `crosses_above(a, b)` counts
 *   as `a > b`).
 * - follow-up: the reply's kind is the expected one and, for `needs_info`, its first missing slot is.
 * - chat: the last reply is `config_ready` with a draft that parses with `AgentConfigSchema` and holds the
 *   expected indicators (same types and parameters), filters, universe, tickers and backtest settings.
 * - valid: every draft a `generate` reply carries parses with `StrategySpecSchema`, every `config_ready` chat
 *   draft with `AgentConfigSchema`.
 */
import type { Expr } from "../../domain/strategy/expression.ts";
import { parseExpression, printExpression } from "../../domain/strategy/expression.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { AgentConfigSchema } from "../../domain/strategy/blueprint_and_config.ts";
import type { Language, LlmProvider, TurnMessage, TurnReply } from "../../domain/assistant/turn_contract.ts";

/** One prompt of the set. */
export interface EvalPrompt {
  id: string;
  lang: Language;
  difficulty: string;
  prompt: string;
  expect?: Record<string, unknown>;
  expect_followup?: { kind: TurnReply["kind"]; missing?: string };
  /** Written after the parser was built against the rest, scored as is. */
  holdout?: boolean;
}

/** One chat script of the set. */
export interface EvalChat {
  id: string;
  lang: Language;
  turns: string[];
  expect: Record<string, unknown>;
  holdout?: boolean;
}

/** The evaluation set. */
export interface EvalSet {
  today: string;
  prompts: EvalPrompt[];
  chats: EvalChat[];
}

/** The outcome of one prompt or script. */
export interface EvalOutcome {
  id: string;
  lang: Language;
  type: "spec" | "followup" | "chat";
  holdout: boolean;
  exact: boolean;
  intent: boolean;
  /** Spec fields that differ, or why a follow-up or a chat failed. */
  problems: string[];
}

/** Counts for a group of outcomes. */
export interface EvalCounts {
  spec: number;
  exact: number;
  intent: number;
  followup: number;
  followupOk: number;
  chats: number;
  chatsOk: number;
}

/** The whole evaluation. */
export interface EvalReport {
  outcomes: EvalOutcome[];
  byLanguage: Record<Language, EvalCounts>;
  development: EvalCounts;
  holdout: EvalCounts;
  total: EvalCounts;
  drafts: number;
  validDrafts: number;
}

const canonical = (src: string) => printExpression(parseExpression(src));

/** The comparisons of a rule as "left op right" with operands reduced to their outermost name. */
function intentOf(src: string): string[] {
  const out: string[] = [];
  const head = (e: Expr): string =>
    e.kind === "call"
      ? e.name
      : e.kind === "field"
      ? e.name
      : e.kind === "num"
      ? "num"
      : e.kind === "neg"
      ? `-${head(e.arg)}`
      : e.kind === "bin" && ["+", "-", "*", "/"].includes(e.op)
      ? `(${head(e.left)}${e.op}${head(e.right)})`
      : "expr";
  const walk = (e: Expr): void => {
    if (e.kind === "call" && (e.name === "crosses_above" || e.name === "crosses_below")) {
      out.push(`${head(e.args[0])}${e.name === "crosses_above" ? ">" : "<"}${head(e.args[1])}`);
      return;
    }
    if (e.kind === "bin" && ["<", "<=", ">", ">="].includes(e.op)) {
      out.push(`${head(e.left)}${e.op[0]}${head(e.right)}`);
      return;
    }
    if (e.kind === "bin") (walk(e.left), walk(e.right));
    else if (e.kind === "not") walk(e.arg);
  };
  walk(parseExpression(src));
  return out.sort();
}

/** `actual` holds every key of `expected` with an equal value (objects compared recursively, arrays exactly). */
function subsetProblems(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (expected && typeof expected === "object" && !Array.isArray(expected)) {
    if (!actual || typeof actual !== "object") {
      out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      return;
    }
    for (const [k, v] of Object.entries(expected)) {
      subsetProblems(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const norm = (a: unknown[]) => JSON.stringify([...a].map((x) => JSON.stringify(x)).sort());
    if (norm(expected) !== norm(actual)) {
      out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const zero = (): EvalCounts => ({
  spec: 0,
  exact: 0,
  intent: 0,
  followup: 0,
  followupOk: 0,
  chats: 0,
  chatsOk: 0,
});

/** Runs the whole set through `provider`. */
export async function runEvaluation(provider: LlmProvider, set: EvalSet): Promise<EvalReport> {
  const outcomes: EvalOutcome[] = [];
  let drafts = 0, validDrafts = 0;
  const ask = (
    task: "generate" | "chat",
    message: string,
    lang: Language,
    history: TurnMessage[],
    draft: Record<string, unknown> | null,
  ) =>
    provider.turn(
      { task, message, history, draft, errors: [], language: lang, today: set.today },
      new AbortController().signal,
    );
  for (const p of set.prompts) {
    const reply = await ask("generate", p.prompt, p.lang, [], null);
    if (reply.draft) {
      drafts++;
      if (StrategySpecSchema.safeParse(reply.draft).success) validDrafts++;
    }
    if (p.expect_followup) {
      const f = p.expect_followup;
      const problems: string[] = [];
      if (reply.kind !== f.kind) problems.push(`kind: expected ${f.kind}, got ${reply.kind}`);
      else if (f.missing && reply.missing[0] !== f.missing) {
        problems.push(`missing: expected ${f.missing} first, got ${JSON.stringify(reply.missing)}`);
      }
      outcomes.push({
        id: p.id,
        lang: p.lang,
        type: "followup",
        holdout: p.holdout === true,
        exact: problems.length === 0,
        intent: problems.length === 0,
        problems,
      });
      continue;
    }
    const e = p.expect!;
    const problems: string[] = [];
    let intent = false;
    const d = reply.draft;
    if (reply.kind !== "config_ready" || !d) {
      problems.push(
        `kind: expected config_ready, got ${reply.kind} (missing ${JSON.stringify(reply.missing)})`,
      );
    } else {
      const parsed = StrategySpecSchema.safeParse(d);
      const rules = ["entry", "exit", "rank_by"].filter((k) => e[k] !== undefined);
      intent = parsed.success &&
        rules.every((k) =>
          typeof d[k] === "string" &&
          JSON.stringify(intentOf(d[k] as string)) === JSON.stringify(intentOf(e[k] as string))
        );
      for (const k of rules) {
        const got = typeof d[k] === "string" ? canonical(d[k] as string) : String(d[k]);
        if (got !== canonical(e[k] as string)) {
          problems.push(`${k}: expected ${canonical(e[k] as string)}, got ${got}`);
        }
      }
      for (const [k, v] of Object.entries(e)) if (!rules.includes(k)) subsetProblems(v, d[k], k, problems);
    }
    outcomes.push({
      id: p.id,
      lang: p.lang,
      type: "spec",
      holdout: p.holdout === true,
      exact: problems.length === 0,
      intent: intent || problems.length === 0,
      problems,
    });
  }
  for (const c of set.chats) {
    const history: TurnMessage[] = [];
    let draft: Record<string, unknown> | null = null;
    let reply: TurnReply | null = null;
    for (const turn of c.turns) {
      reply = await ask("chat", turn, c.lang, [...history], draft);
      history.push({ role: "user", text: turn }, { role: "assistant", text: reply.message });
      draft = reply.draft ?? draft;
      if (reply.kind === "config_ready" && reply.draft) {
        drafts++;
        if (AgentConfigSchema.safeParse(reply.draft).success) validDrafts++;
      }
    }
    const problems: string[] = [];
    if (!reply || reply.kind !== "config_ready" || !reply.draft) {
      problems.push(
        `last reply: expected config_ready, got ${reply?.kind} (missing ${JSON.stringify(reply?.missing)})`,
      );
    } else {
      if (!AgentConfigSchema.safeParse(reply.draft).success) problems.push("config does not parse");
      subsetProblems(c.expect, reply.draft, "", problems);
    }
    outcomes.push({
      id: c.id,
      lang: c.lang,
      type: "chat",
      holdout: c.holdout === true,
      exact: problems.length === 0,
      intent: problems.length === 0,
      problems,
    });
  }
  const byLanguage = { en: zero(), zh: zero(), id: zero() } as Record<Language, EvalCounts>;
  const total = zero(), development = zero(), holdout = zero();
  for (const o of outcomes) {
    for (const c of [byLanguage[o.lang], o.holdout ? holdout : development, total]) {
      if (o.type === "spec") (c.spec++, c.exact += +o.exact, c.intent += +o.intent);
      else if (o.type === "followup") (c.followup++, c.followupOk += +o.exact);
      else (c.chats++, c.chatsOk += +o.exact);
    }
  }
  return { outcomes, byLanguage, development, holdout, total, drafts, validDrafts };
}

/** A percentage with one decimal ("—" for an empty group). */
export const pct = (n: number, d: number) => (d === 0 ? "—" : `${(100 * n / d).toFixed(1)}%`);

/** The share of prompts answered right: specs exact or with the same intent, plus follow-ups right. */
export function promptScore(c: EvalCounts): number {
  const n = c.spec + c.followup;
  return n === 0 ? 0 : (c.intent + c.followupOk) / n;
}

/** The report as a markdown table (one row per language and a total). */
export function evaluationTable(r: EvalReport): string {
  const rows = [
    "| language | prompts | exact rule match | runs + same intent | follow-ups right | exact-or-intent (all prompts) | chat scripts ready and right |",
    "| -------- | ------: | ---------------: | -----------------: | ---------------: | ----------------------------: | ---------------------------: |",
  ];
  const row = (name: string, c: EvalCounts) =>
    `| ${name} | ${c.spec + c.followup} | ${c.exact}/${c.spec} (${
      pct(c.exact, c.spec)
    }) | ${c.intent}/${c.spec} (${pct(c.intent, c.spec)}) | ${c.followupOk}/${c.followup} (${
      pct(c.followupOk, c.followup)
    }) | ${pct(promptScore(c) * 1000, 1000)} | ${c.chatsOk}/${c.chats} (${pct(c.chatsOk, c.chats)}) |`;
  for (const l of ["en", "zh", "id"] as const) rows.push(row(l, r.byLanguage[l]));
  rows.push(row("development set", r.development));
  rows.push(row("held-out set", r.holdout));
  rows.push(row("**all**", r.total));
  rows.push("", `Drafts returned: ${r.drafts}, valid: ${r.validDrafts} (${pct(r.validDrafts, r.drafts)}).`);
  return rows.join("\n");
}
