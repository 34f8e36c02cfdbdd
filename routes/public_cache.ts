/**
 * Serves a public JSON answer through the in-process response cache (`domain/public_reads/response_cache.ts`)
 * and, on a miss there, the answers materialised in KV (`domain/public_reads/answer_layers.ts`), with HTTP
 * caching:
 * - the answer's token (`PublicVersionsRepo.token`: a fresh read of the versions shared by concurrent requests)
 *   is strictly current, and the cached bytes are served only at their token, so a settlement committed by any
 *   process is visible on the next read;
 * - a strong `ETag` per representation (`"<token>"`, `"<token>-gzip"`, `"<token>-br"`); `If-None-Match` with any of
 *   them (weak comparison, RFC 9110 §13.1.2) answers 304 without a body and without a build; `*` answers 304 only
 *   once the answer has built (a 4xx stays a 4xx);
 * - gzip or brotli (by `Accept-Encoding`, brotli preferred) for answers of at least `COMPRESS_MIN_BYTES`,
 *   compressed once per cached answer; `Vary: Accept-Encoding`;
 * - `Cache-Control` given by the route (default `PUBLIC_REVALIDATE`: caches keep the answer and revalidate it).
 *
 * The token is `"<build>~<versions>[~<variant>]"`: salted with the build (`Config.buildId`), so a new deployment,
 * which may change an answer's shape, changes its ETags; and naming the route's `variant` (an input no scope
 * versions), so answers that differ by it never share a tag.
 */
import type { Context } from "hono";
import type { CachedAnswer, CachedEncoding } from "../domain/public_reads/response_cache.ts";
import { answerAt, currentToken, type PublicAnswerStores } from "../domain/public_reads/answer_layers.ts";
import type { PublicAnswer } from "../domain/public_reads/public_answers.ts";

/**
 * What a cached public route needs: the versions, the in-process cache, the app version (salts every ETag) and,
 * when given, the materialised answers in KV (`answer_layers.ts`).
 */
export type PublicReadDeps = PublicAnswerStores;

/** A public answer that may change: any cache keeps it but asks again (a 304 when unchanged). */
export const PUBLIC_REVALIDATE = "public, max-age=0, must-revalidate";
/** An answer that can never change at its URL. */
export const PUBLIC_IMMUTABLE = "public, max-age=31536000, immutable";

/** Answers at least this long (JSON bytes) are compressed when the client accepts it. */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * How one public answer is cached: the scopes it depends on (at most 10), its cache key (the route and every
 * input that shapes the answer), its build (a domain call; its errors answer as usual and nothing is kept),
 * whether it is materialised in KV (`materialize`, default `false`; see `public_answers.ts`) and its
 * `Cache-Control` (default `PUBLIC_REVALIDATE`).
 */
export interface PublicJsonOptions extends Omit<PublicAnswer, "materialize"> {
  materialize?: boolean;
  cacheControl?: string;
  /**
   * An input of the answer that no scope versions: a clock-derived one (the exchange's today, the minute) or the
   * caller whose own data the answer shows. It is part of the token, so the ETag changes with it (a tag held for
   * one value never matches another's answer); put it in `key` too.
   */
  variant?: string;
  /**
   * Whether the answer is kept (default `true`). `false` builds it for this request only: for answers whose keys
   * a request could multiply at no cost to itself (an offset past the end of a list).
   */
  keep?: boolean;
}

/** The coding to send for `accept` (`Accept-Encoding`): brotli, then gzip, else none. */
export function pickEncoding(accept: string | undefined): CachedEncoding | null {
  if (!accept) return null;
  let gzip = false, br = false;
  for (const part of accept.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    if (name === "br") br = true;
    else if (name === "gzip" || name === "x-gzip") gzip = true;
    else if (name === "*") gzip = br = true;
  }
  return br ? "br" : gzip ? "gzip" : null;
}

/**
 * The entity tag of `ifNoneMatch` that names `token` in any representation (`"<token>"`, `-gzip`, `-br`): the tag a
 * 304 answers with; `"*"` when only the wildcard matches (it matches an answer that exists, so the caller builds
 * the answer before answering 304 to it); `null` when nothing matches.
 */
export function matchingTag(ifNoneMatch: string | undefined, token: string): string | null {
  if (!ifNoneMatch) return null;
  let wildcard = false;
  for (const raw of ifNoneMatch.split(",")) {
    const tag = raw.trim().replace(/^W\//, "");
    if (tag === "*") wildcard = true;
    if (tag.length < 2 || !tag.startsWith('"') || !tag.endsWith('"')) continue;
    if (tag.slice(1, -1).replace(/-(gzip|br)$/, "") === token) return tag;
  }
  return wildcard ? "*" : null;
}

const encoder = new TextEncoder();

/** An answer built for one request and kept nowhere. */
const unkept = (opts: PublicJsonOptions, token: string, value: unknown): CachedAnswer => ({
  key: opts.key,
  token,
  json: encoder.encode(JSON.stringify(value)),
  scopes: opts.scopes,
  encoded: {},
});

/** Serves the answer of `opts` for the request of `c`. */
export async function publicJson(
  c: Context,
  deps: PublicReadDeps,
  opts: PublicJsonOptions,
): Promise<Response> {
  const versions = await currentToken(deps, opts.scopes);
  const token = opts.variant === undefined ? versions : `${versions}~${opts.variant}`;
  const cacheControl = opts.cacheControl ?? PUBLIC_REVALIDATE;
  const headers = new Headers({ "Vary": "Accept-Encoding" });
  const notModified = (tag: string) => {
    headers.set("ETag", tag);
    headers.set("Cache-Control", cacheControl);
    return new Response(null, { status: 304, headers });
  };
  const held = matchingTag(c.req.header("If-None-Match"), token);
  // The client holds the current answer (in the representation its tag names): no build.
  if (held !== null && held !== "*") return notModified(held);
  // `*` holds whatever answer exists: only an answer that builds (not a 4xx) is "not modified".
  const { answer, source } = opts.keep === false
    ? { answer: unkept(opts, token, await opts.build()), source: "build" }
    : await answerAt(deps, { materialize: false, ...opts }, token);
  const encoding = answer.json.byteLength >= COMPRESS_MIN_BYTES
    ? pickEncoding(c.req.header("Accept-Encoding"))
    : null;
  const etag = encoding ? `"${token}-${encoding}"` : `"${token}"`;
  if (held === "*") return notModified(etag);
  headers.set("Content-Type", "application/json");
  headers.set("Cache-Control", cacheControl);
  headers.set("X-Cache", source === "hit" ? "hit" : "miss");
  headers.set("ETag", etag);
  if (encoding) headers.set("Content-Encoding", encoding);
  return sendBytes(encoding ? deps.cache.encode(answer, encoding) : answer.json, headers);
}

/**
 * Bodies at least this long are sent as one stream chunk with their `Content-Length`. `new Response(bytes)`
 * copies the bytes into a new buffer (the Fetch standard's body extraction), which for a large cached answer is a
 * fresh off-heap allocation per request: measured with wrk on one core, a 120 KB body served 3,000–5,600 req/s
 * with p99 near 20 ms and a mark-compact GC every few hundred requests, against 14,000 req/s and p99 2–5 ms as a
 * stream over the same bytes. Under about 12 KB the copy is cheaper than the stream.
 */
export const STREAM_MIN_BYTES = 16 * 1024;

/**
 * A 200 answer of `bytes` (held by the cache, never copied for a large one; see `STREAM_MIN_BYTES`). The stream
 * hands out the cached buffer itself: nothing may read such a body in process and change its chunk.
 */
function sendBytes(bytes: Uint8Array<ArrayBuffer>, headers: Headers): Response {
  if (bytes.byteLength < STREAM_MIN_BYTES) return new Response(bytes, { status: 200, headers });
  headers.set("Content-Length", String(bytes.byteLength));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers });
}
