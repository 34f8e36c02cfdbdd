/**
 * Persistence of a strategy's claimed (researcher-reported) NAV history, as one chunked JSON blob. The public
 * track record and claimed pages show it and the public list flags it (`has_claimed`): the commit that makes a
 * new history visible, and every commit of a removal, bump the strategy's and the list's public scopes.
 */
import { getBlob, putBlob } from "./kv.ts";
import { keys } from "./keys.ts";
import { LIST_SCOPE, strategyScope } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** A claimed history as stored. */
export interface ClaimedHistoryRecord {
  strategy_slug: string;
  records: { date: string; nav: number }[];
  uploaded_at: number;
}

/** Access to claimed histories. */
export interface ClaimedRepo {
  get(slug: string): Promise<ClaimedHistoryRecord | null>;
  /** Whether a history is stored (reads only the blob manifest). */
  exists(slug: string): Promise<boolean>;
  /** Stores (replacing) the history; `true` when one existed before. */
  put(record: ClaimedHistoryRecord): Promise<boolean>;
  /** Removes it (at `atMs`, epoch ms); returns the removed history or `null`. */
  remove(slug: string, atMs: number): Promise<ClaimedHistoryRecord | null>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The public scopes a claimed history shows in. */
const publicScopesOf = (slug: string) => [strategyScope(slug), LIST_SCOPE];

/** Creates the KV-backed repository. */
export function createClaimedRepo(kv: Deno.Kv): ClaimedRepo {
  const get = async (slug: string): Promise<ClaimedHistoryRecord | null> => {
    const bytes = await getBlob(kv, keys.claimedHistory(slug));
    return bytes ? JSON.parse(decoder.decode(bytes)) as ClaimedHistoryRecord : null;
  };
  return {
    get,
    async exists(slug) {
      return (await kv.get(keys.blobManifest(keys.claimedHistory(slug)))).versionstamp !== null;
    },
    async put(record) {
      const existed = (await get(record.strategy_slug)) !== null;
      const slug = record.strategy_slug;
      await putBlob(kv, keys.claimedHistory(slug), encoder.encode(JSON.stringify(record)), {
        withSwitch: (op) => bumpPublicScopes(op, publicScopesOf(slug), record.uploaded_at),
      });
      return existed;
    },
    async remove(slug, atMs) {
      const existing = await get(slug);
      if (!existing) return null;
      const prefix = keys.claimedHistory(slug);
      const doomed: Deno.KvKey[] = [];
      for await (const e of kv.list({ prefix })) doomed.push(e.key);
      for (let i = 0; i < doomed.length; i += 500) {
        let op = kv.atomic();
        for (const k of doomed.slice(i, i + 500)) op = op.delete(k);
        await bumpPublicScopes(op, publicScopesOf(slug), atMs).commit();
      }
      return existing;
    },
  };
}
