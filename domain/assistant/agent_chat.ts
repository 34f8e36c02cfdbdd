/**
 * The Backtester v2 chat agent: `POST /agent/invoke {input_text, session_id}` runs one turn of a conversation
 * that builds the document-004 config, and `GET /agent/config/{session_id}` reads where it stands.
 *
 * - Each turn asks `assist` (task `chat`) with the session's history and draft. `config_ready` is true only when
 *   the outcome carries a config that passed the checks AND a dry run of it (the synchronous run `/run_backtest`
 *   answers with) succeeded; a failed dry run answers not ready with its reason in `validation_errors`.
 * - `backtest_config` is complete: every value the run uses is written out (the defaults the compiler would
 *   choose filled in), and `/run_backtest {config}` accepts it unchanged.
 * - Sessions belong to their caller: a signed-in user's id, or, for an anonymous caller (the document's client
 *   sends no credential), a SHA-256 of the client address. Another caller's session id names another session:
 *   it cannot be read (404, as a missing one) or continued. Sessions live `sessionTtlMs` after the last turn,
 *   keep the last `MAX_MESSAGES` messages within `MAX_SESSION_BYTES`, and two turns at once never lose a
 *   message (the write is checked against the version read; the loser re-runs its turn, at most
 *   `MAX_TURN_ATTEMPTS` times, then 409).
 */
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from "../errors.ts";
import { runReport } from "../backtest/sync_runs.ts";
import { AgentConfigSchema } from "../strategy/blueprint_and_config.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import type { AgentSessionMessage, AgentSessionRecord } from "../store/agent_session_repo.ts";
import { sha256Hex } from "../tokens_and_hashes.ts";
import { assist, type AssistOutcome } from "./assist.ts";
import type { AssistantDeps } from "./assistant_deps.ts";
import { num } from "./spec_words.ts";
import type { Language } from "./turn_contract.ts";

/** How long a session lives after its last turn: 7 days. */
export const AGENT_SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Messages a session keeps (the oldest go first). */
export const MAX_MESSAGES = 30;
/** The most a session's messages take, JSON-encoded (KV values hold 64 KiB). */
const MAX_SESSION_BYTES = 40_000;
/** Tries of one turn against concurrent turns on the same session before a 409. */
const MAX_TURN_ATTEMPTS = 3;

/** Who calls: a signed-in user, or an anonymous caller known by address. */
export interface AgentCaller {
  userId?: string;
  clientIp: string;
}

/** One chat turn. */
export interface AgentInvokeInput {
  input_text: string;
  session_id: string;
  language?: Language;
}

/** The document-004 config, complete. */
export interface AgentConfigView {
  backtestId: string;
  name?: string;
  tickers?: string[];
  universe?: string;
  filters: {
    tickers?: string[];
    marketCap?: ("small" | "mid" | "large")[];
    syariah?: boolean;
    minDailyValue?: number;
    minAvgDailyValue?: number;
    sectors?: string[];
  };
  fundamentalIndicators: { type: string; min?: number; max?: number }[];
  technicalIndicators: ({ type: string } & Record<string, number>)[];
  backtestConfig: {
    initialCapital: number;
    startDate: string;
    endDate: string;
    tradingCosts: { brokerFee: number; sellFee: number; minimumFee: number };
    portfolio: { positionSizePercent: number; minPositionPercent: number; maxPositions: number };
    riskManagement: {
      stopLossPercent: number | null;
      takeProfitPercent: number | null;
      maxHoldingDays: number | null;
    };
  };
}

/** The answer of a turn: the document's three fields, then this API's. */
export interface AgentInvokeAnswer {
  response: string;
  config_ready: boolean;
  backtest_config: AgentConfigView | null;
  session_id: string;
  question: string | null;
  missing: string[];
  assumptions: string[];
  validation_errors: string[];
  provider: string;
}

/** Where a session stands. */
export interface AgentConfigAnswer {
  config_ready: boolean;
  config: AgentConfigView | null;
  summary: string;
  validation_errors: string[];
  session_id: string;
  missing: string[];
  question: string | null;
  assumptions: string[];
  messages: number;
}

/** What each chat slot asks for (in validation errors and the summary). */
const SLOT_WORDS: Record<string, string> = {
  strategy: "which technical signal to trade (technicalIndicators)",
  universe: "which stocks: tickers, a universe or a market-cap class (filters)",
  date_range: "the test period (startDate, endDate)",
  capital: "the starting capital (initialCapital)",
};

const NOT_READY: Record<Language, string> = {
  en: "The configuration is not ready yet:",
  zh: "配置尚未就绪：",
  id: "Konfigurasi belum siap:",
};

/** The owner key of a caller's sessions. */
async function ownerOf(caller: AgentCaller): Promise<string> {
  return caller.userId ? `user:${caller.userId}` : `ip:${await sha256Hex(caller.clientIp)}`;
}

/** The language of a message when the client names none: Chinese when it has Han characters, else English. */
const guessLanguage = (text: string): Language => (/[\u4e00-\u9fff]/.test(text) ? "zh" : "en");

/** The newest messages that fit `MAX_MESSAGES` and `MAX_SESSION_BYTES`. */
function boundMessages(messages: AgentSessionMessage[]): AgentSessionMessage[] {
  const out = messages.slice(-MAX_MESSAGES);
  let size = new TextEncoder().encode(JSON.stringify(out)).length;
  while (out.length > 2 && size > MAX_SESSION_BYTES) {
    size -= new TextEncoder().encode(JSON.stringify(out.shift())).length + 1;
  }
  return out;
}

/** The config of a checked outcome with every value the run uses written out (the compiler's defaults). */
function completeConfig(
  config: NonNullable<AssistOutcome["config"]>,
  spec: StrategySpec,
  sessionId: string,
): AgentConfigView {
  const b = config.backtestConfig;
  const tc = b.tradingCosts ?? {};
  const p = b.portfolio ?? {};
  const rm = b.riskManagement ?? {};
  const sizing = spec.sizing;
  return {
    backtestId: config.backtestId ?? `agent_${sessionId.replace(/^user_/, "")}`,
    ...(config.name !== undefined ? { name: config.name } : {}),
    ...(config.tickers !== undefined ? { tickers: config.tickers } : {}),
    ...(config.universe !== undefined ? { universe: config.universe } : {}),
    filters: config.filters,
    fundamentalIndicators: config.fundamentalIndicators,
    technicalIndicators: config.technicalIndicators,
    backtestConfig: {
      initialCapital: b.initialCapital ?? spec.capital,
      startDate: b.startDate ?? spec.start,
      endDate: b.endDate ?? spec.end,
      tradingCosts: {
        brokerFee: tc.brokerFee ?? spec.costs.buy_fee_pct,
        sellFee: tc.sellFee ?? spec.costs.sell_fee_pct,
        minimumFee: tc.minimumFee ?? spec.costs.min_fee,
      },
      portfolio: {
        positionSizePercent: p.positionSizePercent ??
          (sizing.method === "percent_equity" ? sizing.percent : 10),
        minPositionPercent: p.minPositionPercent ?? 0,
        maxPositions: p.maxPositions ?? sizing.max_positions,
      },
      riskManagement: {
        stopLossPercent: rm.stopLossPercent ?? null,
        takeProfitPercent: rm.takeProfitPercent ?? null,
        maxHoldingDays: rm.maxHoldingDays ?? null,
      },
    },
  };
}

/** What a turn's outcome means for the session: the complete config, whether it is ready, and why not. */
async function judge(
  deps: AssistantDeps,
  who: string,
  sessionId: string,
  outcome: AssistOutcome,
): Promise<{ config: AgentConfigView | null; ready: boolean; errors: string[] }> {
  const errors: string[] = [];
  if (outcome.config && outcome.spec) {
    const config = completeConfig(outcome.config, outcome.spec, sessionId);
    const again = AgentConfigSchema.safeParse(config);
    if (!again.success) {
      return {
        config: null,
        ready: false,
        errors: again.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
      };
    }
    try {
      // The dry run: the operation `/run_backtest` answers with, not recorded in any run history.
      await runReport({ ...deps.runs, history: undefined }, who, { config: again.data });
      return { config, ready: true, errors };
    } catch (e) {
      if (
        e instanceof ValidationError || e instanceof BadRequestError || e instanceof NotFoundError ||
        e instanceof PayloadTooLargeError
      ) {
        return { config, ready: false, errors: [`a test run of this configuration failed: ${e.message}`] };
      }
      throw e;
    }
  }
  const draft = outcome.reply.draft;
  if (outcome.reply.kind === "config_ready" && draft) {
    const parsed = AgentConfigSchema.safeParse(draft);
    if (!parsed.success) errors.push(...parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
    else errors.push("the configuration did not pass the checks");
  }
  for (const slot of outcome.reply.missing) {
    errors.push(`${slot}: not given yet (${SLOT_WORDS[slot] ?? slot})`);
  }
  return { config: null, ready: false, errors };
}

/** Runs one chat turn of `caller` in session `input.session_id`. */
export async function agentInvoke(
  deps: AssistantDeps,
  caller: AgentCaller,
  input: AgentInvokeInput,
): Promise<AgentInvokeAnswer> {
  const owner = await ownerOf(caller);
  const who = caller.userId ?? `ip:${caller.clientIp}`; // charged like /generate: one bucket per caller
  const sid = input.session_id;
  const language = input.language ?? guessLanguage(input.input_text);
  for (let attempt = 0; attempt < MAX_TURN_ATTEMPTS; attempt++) {
    const startedAt = deps.clock.now();
    const seen = await deps.sessions.get(owner, sid, startedAt);
    const rec: AgentSessionRecord = seen?.record ?? {
      owner,
      session_id: sid,
      messages: [],
      draft: null,
      config: null,
      config_ready: false,
      missing: [],
      question: null,
      assumptions: [],
      validation_errors: [],
      created_at: startedAt,
      updated_at: startedAt,
      expires_at: startedAt + deps.sessionTtlMs,
    };
    const outcome = await assist(deps.assist, who, {
      task: "chat",
      message: input.input_text,
      history: rec.messages.map(({ role, text }) => ({ role, text })),
      draft: rec.draft,
      language,
    });
    const verdict = await judge(deps, who, sid, outcome);
    const reply = outcome.reply;
    const response = verdict.config && !verdict.ready
      ? `${reply.message}\n\n${NOT_READY[language]} ${verdict.errors.join("; ")}`
      : reply.message;
    const now = deps.clock.now();
    const next: AgentSessionRecord = {
      ...rec,
      messages: boundMessages([
        ...rec.messages,
        { role: "user", text: input.input_text, at: now },
        { role: "assistant", text: response, at: now },
      ]),
      // A draft that failed the checks (when `assist` reports one as `unchecked`) is continued, never shown or run.
      draft: reply.draft ?? (outcome as { unchecked?: Record<string, unknown> | null }).unchecked ??
        rec.draft,
      config: verdict.config as Record<string, unknown> | null,
      config_ready: verdict.ready,
      missing: reply.missing,
      question: reply.question,
      assumptions: reply.assumptions,
      validation_errors: verdict.errors,
      updated_at: now,
      expires_at: now + deps.sessionTtlMs,
    };
    if (await deps.sessions.save(next, seen?.versionstamp ?? null, deps.sessionTtlMs)) {
      return {
        response,
        config_ready: verdict.ready,
        backtest_config: verdict.ready ? verdict.config : null,
        session_id: sid,
        question: reply.question,
        missing: reply.missing,
        assumptions: reply.assumptions,
        validation_errors: verdict.errors,
        provider: outcome.provider,
      };
    }
  }
  throw new ConflictError(
    `Session "${sid}" was changed by other turns at the same time; send the message again`,
  );
}

/** Where session `sessionId` of `caller` stands; 404 when there is none (or it is someone else's, or expired). */
export async function agentConfigStatus(
  deps: AssistantDeps,
  caller: AgentCaller,
  sessionId: string,
): Promise<AgentConfigAnswer> {
  const seen = await deps.sessions.get(await ownerOf(caller), sessionId, deps.clock.now());
  if (!seen) throw new NotFoundError(`Session ${sessionId} not found`);
  const r = seen.record;
  const config = r.config as AgentConfigView | null;
  return {
    config_ready: r.config_ready,
    config,
    summary: configSummary(r),
    validation_errors: r.validation_errors,
    session_id: sessionId,
    missing: r.missing,
    question: r.question,
    assumptions: r.assumptions,
    messages: r.messages.length,
  };
}

const obj = (x: unknown): Record<string, unknown> =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? x as Record<string, unknown> : {};
const show = (x: unknown, suffix = ""): string =>
  x === undefined || x === null ? "not set" : typeof x === "number" ? `${num(x)}${suffix}` : String(x);

/**
 * The document's "📊 **Current Strategy Configuration**" summary: every field of the config (the checked one, or
 * the draft so far), then the status and what is missing.
 */
function configSummary(r: AgentSessionRecord): string {
  const c = obj(r.config ?? r.draft);
  const f = obj(c.filters);
  const b = obj(c.backtestConfig);
  const tc = obj(b.tradingCosts);
  const p = obj(b.portfolio);
  const rm = obj(b.riskManagement);
  const list = (x: unknown) => (Array.isArray(x) && x.length ? x.map(String).join(", ") : "not set");
  const techs = Array.isArray(c.technicalIndicators) && c.technicalIndicators.length
    ? c.technicalIndicators.map((t) => {
      const o = obj(t);
      const params = Object.entries(o).filter(([k]) => k !== "type").map(([k, v]) => `${k} ${show(v)}`);
      return `${show(o.type)}${params.length ? ` (${params.join(", ")})` : ""}`;
    }).join("; ")
    : "not set";
  const funds = Array.isArray(c.fundamentalIndicators) && c.fundamentalIndicators.length
    ? c.fundamentalIndicators.map((t) => {
      const o = obj(t);
      return `${show(o.type)}${o.min !== undefined ? ` ≥ ${show(o.min)}` : ""}${
        o.max !== undefined ? ` ≤ ${show(o.max)}` : ""
      }`;
    }).join("; ")
    : "none";
  const lines = [
    "📊 **Current Strategy Configuration**",
    "",
    `• **Backtest ID:** ${show(c.backtestId)}`,
    `• **Tickers:** ${list(f.tickers ?? c.tickers)}`,
    ...(c.universe !== undefined ? [`• **Universe:** ${show(c.universe)}`] : []),
    `• **Market cap:** ${list(f.marketCap)}`,
    `• **Sectors:** ${list(f.sectors)}`,
    `• **Syariah only:** ${f.syariah === undefined ? "not set" : f.syariah ? "yes" : "no"}`,
    `• **Minimum daily value:** ${show(f.minDailyValue ?? f.minAvgDailyValue)}`,
    `• **Fundamental indicators:** ${funds}`,
    `• **Technical indicators:** ${techs}`,
    `• **Initial capital:** ${show(b.initialCapital)}`,
    `• **Period:** ${show(b.startDate)} → ${show(b.endDate)}`,
    `• **Trading costs:** broker fee ${show(tc.brokerFee, "%")}, sell fee ${show(tc.sellFee, "%")}, ` +
    `minimum fee ${show(tc.minimumFee)}`,
    `• **Portfolio:** position size ${show(p.positionSizePercent, "%")}, minimum position ` +
    `${show(p.minPositionPercent, "%")}, max positions ${show(p.maxPositions)}`,
    `• **Risk management:** stop loss ${show(rm.stopLossPercent, "%")}, take profit ` +
    `${show(rm.takeProfitPercent, "%")}, max holding ${show(rm.maxHoldingDays, " days")}`,
    "",
    r.config_ready
      ? "✅ **Ready:** checked and test-run; click 'Run Backtest' to see results."
      : "⏳ **Not ready yet.**",
  ];
  if (!r.config_ready && r.missing.length) {
    lines.push(`Missing: ${r.missing.map((m) => `${m} (${SLOT_WORDS[m] ?? m})`).join("; ")}`);
  }
  if (!r.config_ready && r.validation_errors.length) {
    lines.push(`Problems: ${r.validation_errors.join("; ")}`);
  }
  return lines.join("\n");
}
