/**
 * What a Quant Copilot client sees (the product document whose clients call `/strategy/…`, `/backtest`,
 * `/leaderboard/…` and hold integer ids): its shapes over the same operations the rest of the API uses — the
 * library (`library_views.ts`), synchronous runs (`sync_runs.ts`), the leaderboard (`leaderboard_views.ts`), the
 * CSV export (`job_reports.ts`) and the OTP sign-in (`otp.ts`). Every id a client sees is a stable integer alias
 * (`IntegerAliasRepo`, kinds `library_strategy`, `leaderboard_entry`, `user`); an alias of a strategy that is
 * someone else's, deleted or unknown is "not found". Error paths are relative to the request body or query.
 */
import type { AuthDeps } from "../auth/auth_deps.ts";
import { verifyOtp } from "../auth/otp.ts";
import type { TokenPair } from "../auth/sessions.ts";
import { type ExportFile, libraryRunCsv } from "../backtest/job_reports.ts";
import type { BacktestJobDeps } from "../backtest/queued_runs.ts";
import {
  plotOnTicker,
  runOnTicker,
  runReport,
  type SyncRunDeps,
  type TickerRunAnswer,
} from "../backtest/sync_runs.ts";
import type { PlotlyFigure } from "../backtest/plot.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { iso } from "../iso_time.ts";
import { DATASETS, type LeaderboardDeps, leaderboardRunSpec, PERIOD_MS } from "../leaderboard/leaderboard.ts";
import { periodRanking, submitEntry } from "../leaderboard/leaderboard_views.ts";
import type { IntegerAliasRepo } from "../store/integer_alias_repo.ts";
import { getOwnStrategy, getOwnVersion, type LibraryDeps } from "../strategy/library.ts";
import { listStrategies, removeStrategy, saveFromSource } from "../strategy/library_views.ts";
import { toBacktraderCode } from "../strategy/backtrader/backtrader_export.ts";
import { toStrategyText } from "../strategy/strategy_text.ts";
import { parseStrategyCode } from "../strategy/strategy_source.ts";
import type { StrategySpec } from "../strategy/spec.ts";

/** Lifetime of the access token of the copilot sign-in: 15 days, as the document says (see `copilotSignIn`). */
const COPILOT_ACCESS_TOKEN_TTL_MS = 15 * 86_400_000;

/** What the copilot front end needs: the bundles of the operations it calls, and the integer aliases. */
export interface CopilotDeps {
  library: LibraryDeps;
  jobs: BacktestJobDeps;
  sync: SyncRunDeps;
  leaderboard: LeaderboardDeps;
  aliases: IntegerAliasRepo;
  /** Where the strategy-text reference is served (named in refusals of code that defines no strategy). */
  strategyTextFormatUrl: string;
}

/** A saved strategy as the document shows it. */
export interface CopilotStrategyView {
  id: number;
  name: string;
  prompt: string;
  code: string;
  created_at: string;
  /** The library id of the strategy (`/api/v1/library/{id}`). */
  library_id: string;
  /** Its latest version (the one `code` is). */
  version: number;
}

/**
 * Signs in with an emailed code (the same operation as `/api/v1/auth/verify-otp`) and issues an access token
 * that lives 15 days, as the document's clients expect (they have no refresh step). It stays revocable: every
 * request checks its session, which logout, a password change, an email verification or disabling the account
 * ends.
 */
export function copilotSignIn(auth: AuthDeps, email: string, code: string, ip: string): Promise<TokenPair> {
  return verifyOtp(auth, email, code, ip, COPILOT_ACCESS_TOKEN_TTL_MS);
}

/**
 * `err` with the place of the strategy-text reference added when the code defines no strategy at all (the
 * document's own `"import backtrader as bt\n..."` placeholder is such code).
 */
function withFormatLink(deps: Pick<CopilotDeps, "strategyTextFormatUrl">, err: unknown): unknown {
  if (!(err instanceof ValidationError) || err.type !== "no_strategy") return err;
  return new ValidationError(
    `${err.message}. Give a backtrader strategy of the supported subset, or Quantedge strategy text (the format ` +
      `of \`generated_code\`: one \`key: value\` line per field): ${deps.strategyTextFormatUrl}`,
    err.loc,
    err.type,
    err.issues,
  );
}

/** `err` with a leading `strategy_code` of its locations renamed to `field` (the document calls it `code`). */
function renamedLoc(err: unknown, field: string): unknown {
  if (!(err instanceof ValidationError)) return err;
  const at = (loc: (string | number)[]) => (loc[0] === "strategy_code" ? [field, ...loc.slice(1)] : loc);
  return new ValidationError(
    err.message,
    at(err.loc),
    err.type,
    err.issues?.map((i) => ({ ...i, loc: at(i.loc) })),
  );
}

/** The library id of strategy alias `n` of mine; "not found" for an unknown, deleted or foreign one. */
async function ownStrategyId(deps: CopilotDeps, userId: string, n: number): Promise<string> {
  const id = await deps.aliases.idFor("library_strategy", n);
  const missing = new NotFoundError(`Strategy ${n} not found`);
  if (id === null) throw missing;
  try {
    await getOwnStrategy(deps.library, userId, id);
  } catch (e) {
    if (e instanceof NotFoundError) throw missing;
    throw e;
  }
  return id;
}

/**
 * Saves strategy code (strategy text or backtrader Python) as a new library strategy; answers its integer id.
 * The saved version's `generated_code` is the strategy text of the parsed spec.
 */
export async function copilotSave(
  deps: CopilotDeps,
  userId: string,
  input: { name: string; prompt?: string | null; code: string },
): Promise<{ message: string; strategy_id: number; library_id: string; version: number }> {
  let saved;
  try {
    saved = await saveFromSource(deps.library, userId, {
      name: input.name,
      prompt: input.prompt,
      strategy_code: input.code,
    });
  } catch (e) {
    throw withFormatLink(deps, renamedLoc(e, "code"));
  }
  return {
    message: saved.message,
    strategy_id: await deps.aliases.aliasFor("library_strategy", saved.strategy_id),
    library_id: saved.strategy_id,
    version: saved.version,
  };
}

/** The view of my strategy `id` (library id): its latest version's text. */
async function strategyView(deps: CopilotDeps, userId: string, id: string): Promise<CopilotStrategyView> {
  const s = await getOwnStrategy(deps.library, userId, id);
  const v = await getOwnVersion(deps.library, userId, id);
  return {
    id: await deps.aliases.aliasFor("library_strategy", id),
    name: s.name,
    prompt: s.prompt ?? "",
    code: v.generated_code,
    created_at: iso(s.created_at),
    library_id: id,
    version: v.version,
  };
}

/**
 * My strategies, newest first, as a bare array (`limit` ≤ 200 of them from `offset`); with `strategy_id` only
 * that one, or none when it is not one of mine.
 */
export async function copilotList(
  deps: CopilotDeps,
  userId: string,
  query: { strategy_id?: number; limit: number; offset: number },
): Promise<CopilotStrategyView[]> {
  if (query.strategy_id !== undefined) {
    let id: string;
    try {
      id = await ownStrategyId(deps, userId, query.strategy_id);
    } catch (e) {
      if (e instanceof NotFoundError) return [];
      throw e;
    }
    return query.offset > 0 ? [] : [await strategyView(deps, userId, id)];
  }
  const page = await listStrategies(deps.library, userId, { limit: query.limit, offset: query.offset });
  const out: CopilotStrategyView[] = [];
  for (const s of page.items) out.push(await strategyView(deps, userId, s.id));
  return out;
}

/** The integer id (the document's `strategy_id`) of my library strategy `id`; "not found" when it is not mine. */
export async function copilotNumberOf(deps: CopilotDeps, userId: string, id: string): Promise<number> {
  await getOwnStrategy(deps.library, userId, id);
  return await deps.aliases.aliasFor("library_strategy", id);
}

/** My strategy `n`. */
export async function copilotStrategy(deps: CopilotDeps, userId: string, n: number) {
  return await strategyView(deps, userId, await ownStrategyId(deps, userId, n));
}

/** Deletes my strategy `n` (its integer is never given to another strategy). */
export async function copilotDelete(deps: CopilotDeps, userId: string, n: number) {
  await removeStrategy(deps.library, userId, await ownStrategyId(deps, userId, n));
  return { status: "deleted" as const };
}

/**
 * A one-ticker run of strategy code — strategy text or backtrader Python (the ticker is the universe):
 * start value, end value, P&L.
 */
export function copilotBacktest(
  deps: CopilotDeps,
  userId: string,
  input: { strategy_code: string; ticker: string },
): Promise<TickerRunAnswer> {
  return runOnTicker(deps.sync, userId, input).catch((e) => {
    throw withFormatLink(deps, e);
  });
}

/** The Plotly figure of a one-ticker run of strategy code (strategy text or backtrader Python). */
export function copilotPlot(
  deps: CopilotDeps,
  userId: string,
  input: { strategy_code: string; ticker: string },
): Promise<PlotlyFigure> {
  return plotOnTicker(deps.sync, userId, input).catch((e) => {
    throw withFormatLink(deps, e);
  });
}

/**
 * My strategy `n` (its latest version) as backtrader Python, a file named `strategy-<n>.py`: run in backtrader 1.9
 * on the same CSV bars it gives the engine's trades and final value (`toBacktraderCode`; features with no
 * backtrader form travel as `# quantedge:` comment lines).
 */
export async function copilotCodeFile(deps: CopilotDeps, userId: string, n: number): Promise<ExportFile> {
  const v = await getOwnVersion(deps.library, userId, await ownStrategyId(deps, userId, n));
  return { filename: `strategy-${n}.py`, text: toBacktraderCode(v.spec) };
}

/**
 * The trades and daily equity of my strategy `n` as CSV: of its latest completed backtest job, or, when it has
 * none, of a synchronous run of its latest version (under the synchronous-run limits and rate).
 */
export async function copilotCsvFile(deps: CopilotDeps, userId: string, n: number): Promise<ExportFile> {
  const id = await ownStrategyId(deps, userId, n);
  const file = await libraryRunCsv(
    { jobs: deps.jobs, library: deps.library },
    userId,
    id,
    (spec) => runReport(deps.sync, userId, { spec }),
  );
  return { filename: `strategy-${n}-backtest.csv`, text: file.text };
}

/** A leaderboard submission as the document sends it. */
export interface CopilotSubmission {
  strategy_id: number;
  strategy_name?: string;
  code?: string;
  version?: number;
  dataset: string;
  ticker?: string;
}

/**
 * Ranks my strategy `strategy_id` on `dataset` (the same operation as `/api/v1/leaderboard/submit`). The saved
 * strategy is what runs: `strategy_name`, when sent, must be its name, and `code`, when sent, must be its rules
 * (compared as the leaderboard runs them, so a different universe, dates, capital or costs do not matter) —
 * otherwise 422, never a silent choice. A dataset fixes the symbols: `ticker` does not change the run, and
 * `notes` says so.
 */
export async function copilotSubmit(deps: CopilotDeps, userId: string, input: CopilotSubmission) {
  const id = await ownStrategyId(deps, userId, input.strategy_id);
  const s = await getOwnStrategy(deps.library, userId, id);
  if (input.strategy_name !== undefined && input.strategy_name.trim() !== s.name) {
    throw new ValidationError(
      `strategy_name "${input.strategy_name}" is not the name of strategy ${input.strategy_id} ("${s.name}")`,
      ["strategy_name"],
    );
  }
  const dataset = DATASETS.find((d) => d.name === input.dataset);
  if (input.code !== undefined && dataset) {
    const v = await getOwnVersion(deps.library, userId, id, input.version);
    let sent: StrategySpec;
    try {
      sent = parseStrategyCode(input.code, ["code"], { universe: dataset.universe });
    } catch (e) {
      throw withFormatLink(deps, e);
    }
    const asRun = (spec: typeof sent) =>
      toStrategyText({ ...leaderboardRunSpec(spec, dataset.name), name: s.name });
    if (asRun(sent) !== asRun(v.spec)) {
      throw new ValidationError(
        `code differs from the rules of strategy ${input.strategy_id} (version ${v.version}), which is what ` +
          "the leaderboard runs: save the new code as a strategy and submit its strategy_id",
        ["code"],
      );
    }
  }
  const submitted = await submitEntry(deps.leaderboard, userId, {
    strategy_id: id,
    version: input.version,
    dataset: input.dataset,
  });
  const symbols = dataset?.universe.tickers?.join(", ") ?? `the ${dataset?.universe.name} universe`;
  return {
    entry_id: await deps.aliases.aliasFor("leaderboard_entry", submitted.entry_id),
    metrics: submitted.metrics,
    score: submitted.score,
    strategy_id: input.strategy_id,
    dataset: input.dataset,
    notes:
      `Ranked on dataset "${input.dataset}" (${symbols}, ${dataset?.start} to ${dataset?.end}, capital ` +
      `1,000,000, costs 0.1 % a side)` +
      (input.ticker === undefined
        ? "."
        : `; the dataset fixes the symbols, so ticker ${input.ticker} does not change the run.`),
  };
}

/**
 * The top entries of a period (the same operation as `/api/v1/leaderboard/top`) with integer ids; `username` is
 * the author's nickname ("anonymous" when none is set), never an email.
 */
export async function copilotTop(
  deps: CopilotDeps,
  query: { period: keyof typeof PERIOD_MS; dataset?: string; limit: number },
) {
  const ranking = await periodRanking(deps.leaderboard, query);
  const top = [];
  for (const e of ranking.top) {
    top.push({
      ...e,
      id: await deps.aliases.aliasFor("leaderboard_entry", e.id),
      user_id: await deps.aliases.aliasFor("user", e.user_id),
      strategy_id: await deps.aliases.aliasFor("library_strategy", e.strategy_id),
    });
  }
  return { period: ranking.period, dataset: ranking.dataset, top };
}
