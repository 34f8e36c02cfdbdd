/**
 * The app's router: Hono's `TrieRouter` with its answers remembered per method and path. Hono's fastest router
 * (`RegExpRouter`) refuses this app's table (a static route beside a parameter at the same place, e.g.
 * `/strategy/list` and `/strategy/:strategy_id`), so `SmartRouter` fell back to the trie, whose search walks and
 * allocates per request across ~700 routes. A match depends only on the method, the path and the routes added,
 * and Hono only reads it, so the same request path is answered from memory: the trie is searched once per path.
 *
 * Bounded: paths longer than `MAX_REMEMBERED_PATH` are searched every time, and at most `2 × MAX_REMEMBERED`
 * matches are held, in two generations: when the new one is full it becomes the old one, and a path found in
 * the old one moves to the new (paths in use stay; random paths cost a search each, never memory). Adding a
 * route forgets all.
 */
import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/** Matches held per generation. */
export const MAX_REMEMBERED = 4_096;
/** Longer paths are not remembered. */
const MAX_REMEMBERED_PATH = 256;

/** A `TrieRouter` whose matches are remembered per method and path. */
export class MemoRouter<T> implements Router<T> {
  readonly name = "MemoRouter(TrieRouter)";
  #trie = new TrieRouter<T>();
  #current = new Map<string, Result<T>>();
  #previous = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#current = new Map();
    this.#previous = new Map();
    this.#trie.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > MAX_REMEMBERED_PATH) return this.#trie.match(method, path);
    const key = `${method} ${path}`;
    const result = this.#current.get(key);
    if (result !== undefined) return result;
    const found = this.#previous.get(key) ?? this.#trie.match(method, path);
    if (this.#current.size >= MAX_REMEMBERED) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, found);
    return found;
  }

  /** Matches held now (both generations). */
  get remembered(): number {
    return this.#current.size + this.#previous.size;
  }
}
