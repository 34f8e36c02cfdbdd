/**
 * Where a public answer comes from, cheapest first: the in-process cache (`response_cache.ts`), then the
 * answer materialised in KV by whichever process built it first (`materialized_answer_repo.ts`), then the
 * build, whose JSON is materialised for the others. Each layer holds an answer under its version token, so a
 * layer only ever serves the answer of the current state of its scopes.
 */
import { type CachedAnswer, type ResponseCache, ServedOnly } from "./response_cache.ts";
import type { PublicVersionsRepo } from "../store/public_versions_repo.ts";
import type { MaterializedAnswerRepo } from "../store/materialized_answer_repo.ts";
import type { PublicAnswer } from "./public_answers.ts";

/** The stores behind public answers. */
export interface PublicAnswerStores {
  versions: PublicVersionsRepo;
  cache: ResponseCache;
  /** The build (`Config.buildId`: version, deployment) salts every token, so a new deployment changes them. */
  version: string;
  /** Materialised answers in KV, shared by every isolate; without it a miss builds. */
  materialized?: MaterializedAnswerRepo;
}

/** Where an answer came from. */
export type AnswerSource = "hit" | "kv" | "build";

const encoder = new TextEncoder();

/** The current token of `scopes`: `"<app version>~<versions>"` (strictly current; see `PublicVersionsRepo`). */
export async function currentToken(stores: PublicAnswerStores, scopes: readonly string[]): Promise<string> {
  return `${stores.version}~${await stores.versions.token(scopes)}`;
}

/**
 * The answer `a` at `token` through the layers. On a build, the answer is materialised when `a.materialize`
 * (before it is served, so a second isolate asking next finds it); a build answering `ServedOnly` is served and
 * kept nowhere.
 */
export async function answerAt(
  stores: PublicAnswerStores,
  a: PublicAnswer,
  token: string,
): Promise<{ answer: CachedAnswer; source: AnswerSource }> {
  let source: AnswerSource = "hit";
  const store = a.materialize ? stores.materialized : undefined;
  const { answer } = await stores.cache.answer(a.key, token, a.scopes, async () => {
    const held = store ? await store.get(a.key, token) : null;
    if (held) {
      source = "kv";
      return held;
    }
    source = "build";
    const value = await a.build();
    // An answer made at the current time with no write behind it: served, neither cached nor materialised.
    if (value instanceof ServedOnly) return value;
    const json = encoder.encode(JSON.stringify(value));
    // A copy that could not be stored is built again by the next isolate; this answer is served all the same.
    if (store) await store.put(a.key, token, json).catch(() => false);
    return json;
  });
  return { answer, source };
}

/**
 * Makes sure `a` is materialised (and cached here) at its current token (checked again after the build);
 * answers where it came from.
 */
export async function warmAnswer(stores: PublicAnswerStores, a: PublicAnswer): Promise<AnswerSource> {
  const token = await currentToken(stores, a.scopes);
  const { source } = await answerAt(stores, a, token);
  const now = await currentToken(stores, a.scopes);
  if (now === token) return source;
  // The build (or a writer meanwhile) changed what it depends on — e.g. synthetic bars stored on their first
  // read bump the market scope: once more at the new token, so the copy kept is the current one.
  return (await answerAt(stores, a, now)).source;
}
