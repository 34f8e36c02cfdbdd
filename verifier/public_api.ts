/**
 * Reads the platform's public JSON endpoints under `<base-url>/api/v1`. A read that does not produce a JSON
 * answer — a network error, no answer within the timeout, a status other than 2xx, a body that is not JSON —
 * throws `UnreachableError`: the verifier then cannot judge the record, which is a different verdict from a
 * record whose published numbers are wrong.
 */

/** The `fetch` the verifier uses (the global one by default; tests may pass a proxy's). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** A public endpoint could not be read as JSON (network, timeout, non-2xx, non-JSON). */
export class UnreachableError extends Error {}

/** Reads public JSON answers. */
export interface PublicApi {
  /** The answer of `GET /api/v1<path>`; with `allowNotFound`, `null` for a 404. */
  get<T>(path: string, opts?: { allowNotFound?: boolean }): Promise<T>;
  /** Number of reads made. */
  readonly reads: number;
}

/** Default time allowed for one read. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A reader of `baseUrl` (e.g. `http://localhost:8000`) through `fetchFn`, each read bounded by `timeoutMs` and
 * all reads by `deadlineMs` (epoch ms, optional): a read after the deadline, or still running at it, throws
 * `UnreachableError`.
 */
export function createPublicApi(
  baseUrl: string,
  fetchFn: FetchLike,
  readTimeoutMs = DEFAULT_TIMEOUT_MS,
  deadlineMs = Infinity,
): PublicApi {
  const root = baseUrl.replace(/\/+$/, "") + "/api/v1";
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    async get<T>(path: string, opts: { allowNotFound?: boolean } = {}): Promise<T> {
      reads++;
      const url = root + path;
      const left = deadlineMs - Date.now();
      if (left <= 0) throw new UnreachableError(`GET ${url}: the overall time allowed has run out`);
      const timeoutMs = Math.min(readTimeoutMs, left);
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new UnreachableError(`GET ${url}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        const read = (async () => {
          let res: Response;
          try {
            res = await fetchFn(url, { signal: controller.signal, headers: { accept: "application/json" } });
          } catch (e) {
            throw new UnreachableError(`GET ${url}: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (opts.allowNotFound && res.status === 404) {
            await res.body?.cancel();
            return null as T;
          }
          const text = await res.text().catch((e) => {
            throw new UnreachableError(`GET ${url}: ${e instanceof Error ? e.message : String(e)}`);
          });
          if (!res.ok) throw new UnreachableError(`GET ${url} answered ${res.status}: ${text.slice(0, 160)}`);
          try {
            return JSON.parse(text) as T;
          } catch {
            throw new UnreachableError(`GET ${url} answered ${res.status} with a body that is not JSON`);
          }
        })();
        read.catch(() => {}); // settled after a timeout: already answered by the race
        return await Promise.race([read, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `task` over `items` with at most `limit` at a time, keeping the order of the answers. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
