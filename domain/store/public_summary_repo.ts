/**
 * One summary row per public strategy for the public list: the figures of its settlement head (trading days,
 * latest date and NAV, that day's return) and whether it has a claimed history, stored with the version of the
 * strategy's public scope (`strategy:<slug>`, see `public_versions_repo.ts`) they were read at. A row is current
 * while that version is unchanged: every write of those figures bumps the scope, so the list build re-reads only
 * the strategies whose version moved instead of every strategy's head, NAV point and claimed history.
 *
 * The version is read before the figures, so a row can only be older than its version says (then the next build
 * sees the version move and refreshes it), never newer.
 */
import { keys } from "./keys.ts";

/** The list figures of one strategy that come from its settlement and claimed history. */
export interface PublicListSummary {
  trading_days: number;
  latest_date: string | null;
  nav: number | null;
  daily_return: number | null;
  has_claimed: boolean;
}

/** A stored row: the figures and the strategy scope's version they were read at. */
export interface StoredPublicSummary {
  version: string;
  summary: PublicListSummary;
}

/** Rows written in one commit (each well under 1 KB). */
const ROWS_PER_COMMIT = 100;

/** Access to the summary rows. */
export interface PublicSummaryRepo {
  /**
   * The version of every strategy scope ever bumped (slug → versionstamp), in one range read; a strategy
   * absent from the map is at version `"0"`.
   */
  strategyVersions(): Promise<Map<string, string>>;
  /** Every stored row, by slug, in one prefix read. */
  all(): Promise<Map<string, StoredPublicSummary>>;
  /** Stores rows (replacing), in commits of at most 100 rows. */
  putMany(rows: readonly { slug: string; row: StoredPublicSummary }[]): Promise<void>;
}

/** Creates the repository on `kv`. */
export function createPublicSummaryRepo(kv: Deno.Kv): PublicSummaryRepo {
  return {
    async strategyVersions() {
      const out = new Map<string, string>();
      const prefix = "strategy:".length;
      for await (const e of kv.list({ ...keys.publicStrategyVersionsRange() }, { batchSize: 500 })) {
        out.set((e.key[1] as string).slice(prefix), e.versionstamp);
      }
      return out;
    },
    async all() {
      const out = new Map<string, StoredPublicSummary>();
      for await (
        const e of kv.list<StoredPublicSummary>({ prefix: keys.publicSummaries() }, { batchSize: 500 })
      ) {
        out.set(e.key[1] as string, e.value);
      }
      return out;
    },
    async putMany(rows) {
      for (let i = 0; i < rows.length; i += ROWS_PER_COMMIT) {
        const op = kv.atomic();
        for (const { slug, row } of rows.slice(i, i + ROWS_PER_COMMIT)) op.set(keys.publicSummary(slug), row);
        await op.commit();
      }
    },
  };
}
