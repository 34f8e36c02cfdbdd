/**
 * The TradAI backend document's backtest config, `{"strategy": "TrendFollowing", "pairs": ["BTC/USDT:USDT"]}`:
 * a strategy named by its name and the pairs to run it on, resolved to a spec.
 *
 * The name is looked up, in this order, among
 * 1. the caller's library strategies (latest version; several of that name is a 409 — see `strategy_by_name.ts`),
 * 2. the built-in strategies (`builtin_strategies.ts`: TrendFollowing, MeanReversion, Breakout, MACDMomentum),
 * 3. the public catalog (the production version of the most recently updated promoted strategy of that name).
 * Built-ins come before the catalog so that nobody can publish a strategy that takes over a built-in's name.
 *
 * Pairs map to Quantedge symbols: `BASE/QUOTE` or `BASE/QUOTE:SETTLE` with a US-dollar quote (and settlement)
 * — `USD`, `USDT` or `USDC` — is the crypto symbol `BASE-USD` (`BTC/USDT:USDT` → `BTC-USD`, `ETH/USDT` →
 * `ETH-USD`); a pair without `/` is taken as a Quantedge symbol (`BTC-USD`, `AAPL`, `600519.SH`). The symbol must
 * be one the market lists for the caller; anything else is a 422 that says what is accepted. The pairs replace
 * the strategy's universe (its universe filters too); `timerange` (`YYYYMMDD-YYYYMMDD`, either side may be empty) replaces its dates.
 */
import { ValidationError } from "../errors.ts";
import type { MarketData } from "../market/types.ts";
import { BUILTIN_STRATEGIES, builtinSpec, findBuiltinStrategy } from "../strategy/builtin_strategies.ts";
import { catalogStrategies, getOwnVersion, type LibraryDeps } from "../strategy/library.ts";
import { type StrategySpec, StrategySpecSchema } from "../strategy/spec.ts";
import { findOwnStrategyByName } from "../strategy/strategy_by_name.ts";

/** The document's config of a backtest. */
export interface NamedStrategyConfig {
  strategy: string;
  pairs: string[];
  /** Bar size; only daily bars (`1d`) exist. */
  timeframe?: "1d";
  /** `YYYYMMDD-YYYYMMDD` (freqtrade style); either side may be empty. */
  timerange?: string;
}

/** `true` when `config` is the document's `{strategy, pairs}` shape (not the chat agent's config). */
export function isNamedStrategyConfig(config: unknown): config is NamedStrategyConfig {
  return typeof config === "object" && config !== null && "strategy" in config;
}

/** Where the strategy of a named config came from. */
export interface NamedStrategySource {
  kind: "library" | "builtin" | "catalog";
  name: string;
  /** Library or catalog strategy id; `null` for a built-in. */
  id: string | null;
  /** The version run; `null` for a built-in. */
  version: number | null;
}

/** Quote currencies read as US dollars. */
const USD_QUOTES = ["USD", "USDT", "USDC"];
const PAIR = /^([A-Za-z0-9]{1,15})\/([A-Za-z0-9]{1,10})(?::([A-Za-z0-9]{1,10}))?$/;

/** What a pair may be, for refusals. */
const ACCEPTED_PAIRS =
  "accepted: BASE/USDT, BASE/USDT:USDT, BASE/USD or BASE/USDC (mapped to BASE-USD) for a " +
  "crypto symbol the market lists, or a Quantedge symbol of the data symbols list (e.g. BTC-USD, AAPL, 600519.SH)";

/** The Quantedge symbol of one pair (see the module comment); `null` when the shape is not one accepted. */
export function pairSymbol(pair: string): string | null {
  const m = PAIR.exec(pair.trim());
  if (m) {
    const [, base, quote, settle] = m;
    const usd = (c: string | undefined) => c === undefined || USD_QUOTES.includes(c.toUpperCase());
    return usd(quote) && usd(settle) ? `${base.toUpperCase()}-USD` : null;
  }
  return /^[A-Za-z0-9._^=-]{1,32}$/.test(pair) ? pair : null;
}

/** Maps every pair to a symbol the market lists for `ownerId`; error paths are `["pairs", i]`. */
async function pairSymbols(market: MarketData, pairs: string[], ownerId: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, pair] of pairs.entries()) {
    const symbol = pairSymbol(pair);
    if (symbol === null) throw new ValidationError(`Unknown pair "${pair}": ${ACCEPTED_PAIRS}`, ["pairs", i]);
    if (!(await market.getSymbol(symbol, ownerId))) {
      throw new ValidationError(
        `Unknown pair "${pair}" (symbol ${symbol} is not in the market data): ${ACCEPTED_PAIRS}`,
        ["pairs", i],
      );
    }
    if (!out.includes(symbol)) out.push(symbol);
  }
  return out;
}

/** `YYYYMMDD` → `YYYY-MM-DD`. */
const isoOf = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

/** The dates of a `timerange`; a malformed one is a 422 at `["timerange"]`. */
function timerangeDates(timerange: string): { start?: string; end?: string } {
  const m = /^(\d{8})?-(\d{8})?$/.exec(timerange);
  if (!m) {
    throw new ValidationError(
      `timerange must be YYYYMMDD-YYYYMMDD (either side may be empty), got "${timerange}"`,
      ["timerange"],
    );
  }
  return { ...(m[1] ? { start: isoOf(m[1]) } : {}), ...(m[2] ? { end: isoOf(m[2]) } : {}) };
}

/** The strategy named `name` and where it came from (see the module comment for the order). */
async function strategyNamed(
  library: LibraryDeps,
  userId: string,
  name: string,
  tickers: string[],
): Promise<{ spec: StrategySpec; source: NamedStrategySource }> {
  const own = await findOwnStrategyByName(library, userId, name);
  if (own) {
    const v = await getOwnVersion(library, userId, own.id);
    return { spec: v.spec, source: { kind: "library", name: own.name, id: own.id, version: v.version } };
  }
  const builtin = findBuiltinStrategy(name);
  if (builtin) {
    return {
      spec: builtinSpec(builtin, tickers),
      source: { kind: "builtin", name: builtin.name, id: null, version: null },
    };
  }
  const [published] = (await catalogStrategies(library, { limit: 1, offset: 0 }, name)).items;
  const v = published ? await library.library.getVersion(published.id, published.production_version!) : null;
  if (published && v) {
    return {
      spec: v.spec,
      source: { kind: "catalog", name: published.name, id: published.id, version: v.version },
    };
  }
  throw new ValidationError(
    `Unknown strategy "${name}": name one of your saved strategies, a built-in (${
      BUILTIN_STRATEGIES.map((b) => b.name).join(", ")
    }) or a strategy of the public catalog`,
    ["strategy"],
  );
}

/** Resolves a named config to the spec to run; error paths are relative to the config. */
export async function resolveNamedConfig(
  deps: { library: LibraryDeps; market: MarketData },
  userId: string,
  config: NamedStrategyConfig,
): Promise<{ spec: StrategySpec; source: NamedStrategySource }> {
  const tickers = await pairSymbols(deps.market, config.pairs, userId);
  const dates = config.timerange === undefined ? {} : timerangeDates(config.timerange);
  const found = await strategyNamed(deps.library, userId, config.strategy, tickers);
  const parsed = StrategySpecSchema.safeParse({
    ...found.spec,
    universe: { tickers },
    ...dates,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const onDates = issue.path[0] === "start" || issue.path[0] === "end";
    throw new ValidationError(issue.message, onDates && config.timerange !== undefined ? ["timerange"] : []);
  }
  return { spec: parsed.data, source: found.source };
}
