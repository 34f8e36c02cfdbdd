/**
 * Deletes the demo's data, and nothing else, for `deno task demo --reset`: every entry of the given demo
 * strategies (any key with a slug as one of its parts after the first, and the by-hash and "to log" entries whose
 * value names one), the demo log's own keys (first part `demo:…`), the evidence stored for the demo log's origin,
 * named settings (the replay plan) and the live-strategy counts of the given owners.
 */
import { keys } from "./keys.ts";

/** Mutations per delete commit (KV allows 1,000). */
const DELETES_PER_COMMIT = 500;

/** The reset's store. */
export interface DemoResetRepo {
  /**
   * Deletes the data described in the file comment in one scan of the store; returns how many entries went.
   * `slugs` must be demo strategies only (the caller picks them by `is_demo`).
   */
  deleteDemoData(plan: {
    slugs: readonly string[];
    ownerIds: readonly string[];
    logName: string;
    logOrigin: string;
    settings: readonly string[];
  }): Promise<number>;
}

/** Creates the KV-backed reset. */
export function createDemoResetRepo(kv: Deno.Kv): DemoResetRepo {
  return {
    async deleteDemoData(plan) {
      const slugs = new Set<unknown>(plan.slugs);
      const logPrefix = `${plan.logName}:`;
      const evidence = [
        keys.tlogCosignatures(plan.logOrigin),
        keys.tlogWitnesses(plan.logOrigin),
        keys.tlogGithubAll(plan.logOrigin),
      ];
      const exact = new Set([
        ...plan.settings.map((s) => JSON.stringify(keys.setting(s))),
        ...plan.ownerIds.map((o) => JSON.stringify(keys.liveStrategyCount(o))),
      ]);
      const byValue = new Set<unknown>([keys.signalByHash("")[0], keys.signalsToLog()[0]]);
      const doomed = (key: Deno.KvKey, value: unknown): boolean => {
        const first = key[0];
        if (typeof first === "string" && plan.logName !== "" && first.startsWith(logPrefix)) return true;
        if (key.slice(1).some((part) => slugs.has(part))) return true;
        if (evidence.some((p) => p.every((part, i) => key[i] === part))) return true;
        if (byValue.has(first)) {
          return slugs.has((value as { strategy_slug?: unknown } | null)?.strategy_slug);
        }
        return exact.has(JSON.stringify(key));
      };
      let op = kv.atomic();
      let pending = 0;
      let deleted = 0;
      for await (const e of kv.list({ prefix: [] })) {
        if (!doomed(e.key, e.value)) continue;
        op = op.delete(e.key);
        deleted++;
        if (++pending === DELETES_PER_COMMIT) {
          await op.commit();
          op = kv.atomic();
          pending = 0;
        }
      }
      if (pending > 0) await op.commit();
      return deleted;
    },
  };
}
