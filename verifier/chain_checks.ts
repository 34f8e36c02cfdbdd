/**
 * The day-record hash chain, strict by default:
 * - every settled day publishes `record_chain`; a day with `record_chain: null` (settled before the chain) is
 *   accepted only when the reader allows legacy days (`legacyUntil`), the day is on or before that date, no
 *   chained day came before it, and its `/track-record` row publishes no `record_hash`. Its hash is then rebuilt
 *   from its published fields by the same rule, so the chain runs from genesis;
 * - a chained day's canonical JSON is rebuilt from the published day, its hash is SHA-256 of it, its
 *   `prev_record_hash` is the previous day's hash (64 zeros on the first day), and the hash is included in the
 *   strategy's log (`record_chain.log.leaf_index` equal to the verified proof's);
 * - logged in time: for each chained day that has a next settled day, the record hash's first covering checkpoint
 *   — the smallest size in `/public/log/checkpoints` above its verified leaf index — is dated strictly before
 *   09:15 +08:00 of that next settled day (the next trading day's open deadline), so a day cannot be rewritten
 *   once the next day's signals are due (`chain.logged_late`);
 * - the latest settled day is chained.
 */
import { canonicalDayRecord, GENESIS_HASH } from "./chain.ts";
import { sha256Hex } from "./crypto.ts";
import { checkInclusion, type CheckpointList, firstCovering, type LogContext } from "./log_checks.ts";
import type { Parameters, TrackRecordAnswer, VerifyAnswer } from "./shapes.ts";

/** The chain as walked so far. */
export interface ChainState {
  /** The previous day's record hash (`null` before the first day or after one that could not be hashed). */
  prevHash: string | null;
  /** Whether a chained day has been seen. */
  chained: boolean;
  /** Legacy days are allowed on or before this date (`undefined`: none allowed). */
  legacyUntil: string | undefined;
  /** Verified leaf indexes of chained days' record hashes, by date. */
  logged: Map<string, number>;
}

/** A fresh chain walk. */
export function newChain(legacyUntil: string | undefined): ChainState {
  return { prevHash: null, chained: false, legacyUntil, logged: new Map() };
}

/** Checks day `b`'s link of the chain (see the module comment). */
export async function checkChainDay(
  ctx: LogContext,
  state: ChainState,
  sink: string[],
  slug: string,
  date: string,
  b: VerifyAnswer,
  row: TrackRecordAnswer["records"][number] | undefined,
  params: Parameters,
): Promise<void> {
  const l = ctx.ledger;
  const chain = b.record_chain;
  const link = state.prevHash ?? GENESIS_HASH;
  if (chain === null || chain === undefined) {
    const rowHash = row?.record_hash ?? null;
    l.check(
      sink,
      "chain.missing",
      rowHash === null,
      () => `${date}: no record_chain, but /track-record publishes its record_hash ${rowHash}`,
    );
    l.check(
      sink,
      "chain.missing",
      !state.chained && state.legacyUntil !== undefined && date <= state.legacyUntil,
      () =>
        state.chained
          ? `${date}: no record_chain after chained days`
          : `${date}: no record_chain (a legacy day is accepted only on or before --legacy-until${
            state.legacyUntil ? ` ${state.legacyUntil}` : ""
          })`,
    );
    try {
      state.prevHash = await sha256Hex(canonicalDayRecord(slug, b, params, link));
    } catch {
      l.check(
        sink,
        "chain.canonical_json",
        false,
        () => `${date}: the published day has no canonical record`,
      );
      state.prevHash = null;
    }
    return;
  }
  state.chained = true;
  let rebuilt: string | null = null;
  try {
    rebuilt = canonicalDayRecord(slug, b, params, link);
  } catch { /* reported below */ }
  l.same(sink, "chain.canonical_json", `${date} record_chain.canonical_json`, chain.canonical_json, rebuilt, {
    word: "rebuilt from the published day",
  });
  l.same(
    sink,
    "chain.record_hash",
    `${date} record_hash`,
    chain.record_hash,
    await sha256Hex(String(chain.canonical_json)),
    {
      word: "SHA-256(canonical_json)",
    },
  );
  l.same(sink, "chain.prev_record_hash", `${date} prev_record_hash`, chain.prev_record_hash, link, {
    word: "previous day's record_hash",
  });
  if (l.check(sink, "chain.log", !!chain.log, () => `${date}: the record hash is not in the log`)) {
    const log = chain.log!;
    const cp = await checkInclusion(
      ctx,
      sink,
      "chain",
      `${date} record`,
      log.inclusion_proof,
      chain.record_hash,
    );
    l.same(sink, "chain.origin", `${date} record_chain.log.origin`, log.origin, params.log_origin, {
      word: "parameters.log_origin",
    });
    if (cp) {
      const index = log.inclusion_proof!.leaf_index;
      l.same(sink, "chain.log_leaf_index", `${date} record_chain.log.leaf_index`, log.leaf_index, index, {
        integer: true,
        word: "the verified inclusion proof's",
      });
      state.logged.set(date, index);
    }
  }
  state.prevHash = chain.record_hash;
}

/** The latest settled day must be chained. */
export function checkChainEnd(ctx: LogContext, state: ChainState, sink: string[], date: string): void {
  ctx.ledger.check(
    sink,
    "chain.missing",
    state.chained && state.prevHash !== null,
    () => `${date}: the latest settled day has no record_chain`,
  );
}

/**
 * `chain.logged_late`: each chained day with a next settled day had its record hash covered by a listed
 * checkpoint dated before 09:15 +08:00 of that next day. `dates` are the settled days ascending; `sinkOf` gives a
 * day's failure list.
 */
export function checkLoggedInTime(
  ctx: LogContext,
  state: ChainState,
  list: CheckpointList,
  dates: readonly string[],
  sinkOf: (date: string) => string[],
): void {
  for (let i = 0; i + 1 < dates.length; i++) {
    const date = dates[i], next = dates[i + 1];
    const index = state.logged.get(date);
    if (index === undefined) continue;
    const deadline = Date.parse(`${next}T09:15:00+08:00`);
    const cp = firstCovering(list, index);
    ctx.ledger.check(
      sinkOf(date),
      "chain.logged_late",
      cp !== null && cp.timestamp < deadline,
      () =>
        cp === null
          ? `${date}: no listed checkpoint covers the record hash (leaf ${index})`
          : `${date}: the record hash (leaf ${index}) is first covered by the checkpoint of size ${cp.tree_size}, dated ${
            new Date(cp.timestamp).toISOString()
          }, not before ${next} 09:15 +08:00`,
    );
  }
}
