/**
 * The app's router: Hono's `TrieRouter` with its answers remembered per method and path. Hono's fastest router
 * (`RegExpRouter`) refuses this app's table (a static route beside a parameter at the same place, e.g.
 * `/strategy/list` and `/strategy/:strategy_id`), so `SmartRouter` fell back to the trie, whose search walks and
 * allocates per request across ~700 routes. A match depends only on the method, the path and the routes added,
 * and Hono only reads it, so the same request path is answered from memory: the trie is searched once per path.
 *
 * Bounded: paths longer than `MAX_REMEMBERED_PATH` are searched every time, and the memory starts again once it
 * holds `MAX_REMEMBERED` paths (random paths cost a search each, never memory). Adding a route forgets all.
 */
import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/** Paths remembered at most (then the memory starts again). */
export const MAX_REMEMBERED = 4_096;
/** Longer paths are not remembered. */
const MAX_REMEMBERED_PATH = 256;

/** A `TrieRouter` whose matches are remembered per method and path. */
export class MemoRouter<T> implements Router<T> {
  readonly name = "MemoRouter(TrieRouter)";
  #trie = new TrieRouter<T>();
  #matches = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#matches.clear();
    this.#trie.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > MAX_REMEMBERED_PATH) return this.#trie.match(method, path);
    const key = `${method} ${path}`;
    let result = this.#matches.get(key);
    if (result === undefined) {
      result = this.#trie.match(method, path);
      if (this.#matches.size >= MAX_REMEMBERED) this.#matches.clear();
      this.#matches.set(key, result);
    }
    return result;
  }

  /** Paths remembered now. */
  get remembered(): number {
    return this.#matches.size;
  }
}
