/**
 * Deletes the demo's data, and nothing else, for `deno task demo --reset`: every entry of the given demo
 * strategies (any key with a slug as one of its parts after the first, and the by-hash and "to log" entries whose
 * value names one), the demo log's own keys (first part `demo:…`), the evidence stored for the demo log's origin,
 * named settings (the replay plan) and the live-strategy counts of the given owners.
 *
 * Each delete commit bumps the public scopes of what it deletes: the public list, the demo log, the strategy of
 * each strategy key, and both logs for a by-hash entry (an old demo signal may sit in the production log, whose
 * inclusion proofs name the signal's strategy-day).
 */
import { keys } from "./keys.ts";
import { LIST_SCOPE, logScope, strategyScope } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** Deletes per commit: with at most one scope bump each and the marker, under KV's 1,000 mutations. */
const DELETES_PER_COMMIT = 400;

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
    /** When the reset runs (epoch ms): dates the public scope bumps. */
    atMs: number;
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
      const byHash = keys.signalByHash("")[0];
      const everyLog = [logScope("production"), logScope("demo")];
      /** `null` when the entry stays, else the public scopes its deletion changes (beyond the batch's own). */
      const doomed = (key: Deno.KvKey, value: unknown): string[] | null => {
        const first = key[0];
        if (typeof first === "string" && plan.logName !== "" && first.startsWith(logPrefix)) return [];
        const slug = key.slice(1).find((part) => slugs.has(part));
        if (typeof slug === "string") return [strategyScope(slug)];
        if (evidence.some((p) => p.every((part, i) => key[i] === part))) return [];
        if (byValue.has(first)) {
          const owner = (value as { strategy_slug?: unknown } | null)?.strategy_slug;
          if (typeof owner !== "string" || !slugs.has(owner)) return null;
          return first === byHash ? [strategyScope(owner), ...everyLog] : [strategyScope(owner)];
        }
        return exact.has(JSON.stringify(key)) ? [] : null;
      };
      const batchScopes = [LIST_SCOPE, logScope(plan.logName === "" ? "production" : plan.logName)];
      let op = kv.atomic();
      let scopes = new Set(batchScopes);
      let pending = 0;
      let deleted = 0;
      const commit = async () => {
        await bumpPublicScopes(op, [...scopes], plan.atMs).commit();
        op = kv.atomic();
        scopes = new Set(batchScopes);
        pending = 0;
      };
      for await (const e of kv.list({ prefix: [] })) {
        const changes = doomed(e.key, e.value);
        if (changes === null) continue;
        op = op.delete(e.key);
        for (const scope of changes) scopes.add(scope);
        deleted++;
        if (++pending === DELETES_PER_COMMIT) await commit();
      }
      if (pending > 0) await commit();
      return deleted;
    },
  };
}
