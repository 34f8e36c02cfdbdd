/** Leaderboard entries, one per dataset, strategy and version (a resubmission replaces the entry). */

/** A stored entry (metrics from the server's own run). */
export interface LeaderboardEntry {
  id: string;
  user_id: string;
  strategy_id: string;
  strategy_name: string;
  version: number;
  dataset: string;
  run_at: number;
  return_pct: number | null;
  sharpe: number | null;
  max_drawdown: number | null;
  score: number;
}

/** Persistence of entries. */
export interface LeaderboardRepo {
  put(entry: LeaderboardEntry): Promise<void>;
  /** Entries of one dataset, or of all. */
  list(dataset?: string): Promise<LeaderboardEntry[]>;
}

/** Creates the KV-backed repository. */
export function createLeaderboardRepo(kv: Deno.Kv): LeaderboardRepo {
  return {
    async put(e) {
      await kv.set(["leaderboard_entries", e.dataset, e.strategy_id, e.version], e);
    },
    async list(dataset) {
      const out: LeaderboardEntry[] = [];
      const prefix = dataset ? ["leaderboard_entries", dataset] : ["leaderboard_entries"];
      for await (const e of kv.list<LeaderboardEntry>({ prefix })) out.push(e.value);
      return out;
    },
  };
}
