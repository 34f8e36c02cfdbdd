/**
 * Compresses JSON answers of at least `COMPRESS_MIN_BYTES` with brotli or gzip, as `Accept-Encoding` allows
 * (brotli preferred; `pickEncoding`), and adds `Vary: Accept-Encoding` to every JSON answer. Left as
 * they are: answers already encoded or that vary on `Accept-Encoding` already (the cached public answers, which
 * choose and keep their compressed forms), anything but
 * `application/json` (event streams, pages, CSV, downloads), WebSocket upgrades, bodiless answers (204, 304) and
 * small answers. A HEAD gets the headers of its GET (Hono answers it with the GET's answer, body dropped). A strong `ETag` of a compressed answer becomes weak (the bytes differ from the
 * identity representation it named).
 */
import type { MiddlewareHandler } from "hono";
import { compressBytes } from "../domain/public_reads/response_cache.ts";
import type { AppEnv } from "./app_env.ts";
import { COMPRESS_MIN_BYTES, pickEncoding } from "./public_cache.ts";

/** Whether `contentType` is plain JSON (`application/json`, any parameters). */
const isJson = (contentType: string | null) =>
  contentType !== null && contentType.split(";")[0].trim().toLowerCase() === "application/json";

/** The middleware. */
export function compressJson(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (
      // (Never `res.body`: reading it turns a fixed body into a stream, sent chunked without a length.)
      res.status === 101 || res.status === 204 ||
      res.status === 206 || res.status === 304 || res.headers.has("Content-Encoding") ||
      res.headers.has("Transfer-Encoding") || !isJson(res.headers.get("Content-Type")) ||
      NO_TRANSFORM.test(res.headers.get("Cache-Control") ?? "")
    ) return;
    // An answer that already varies on Accept-Encoding chose its coding itself (`publicJson`).
    if (/(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(res.headers.get("Vary") ?? "")) return;
    // Whether this answer is compressed depends on the header, whatever its size.
    try {
      appendVary(res.headers, "Accept-Encoding");
    } catch {
      // Immutable headers (an answer passed through from `fetch`): leave it as it is.
      return;
    }
    const encoding = pickEncoding(c.req.header("Accept-Encoding"));
    if (encoding === null) return;
    const length = res.headers.get("Content-Length");
    if (length !== null && Number(length) < COMPRESS_MIN_BYTES) return;
    const bytes = new Uint8Array(await res.arrayBuffer());
    const big = bytes.byteLength >= COMPRESS_MIN_BYTES;
    const body = big ? compressBytes(bytes, encoding) : bytes;
    // Hono copies the answer's headers onto the new one: the changes go in after.
    c.res = new Response(body, res);
    const headers = c.res.headers;
    headers.set("Content-Length", String(body.byteLength));
    if (big) {
      headers.set("Content-Encoding", encoding);
      const etag = headers.get("ETag");
      if (etag !== null && !etag.startsWith("W/")) headers.set("ETag", `W/${etag}`);
    }
  };
}

/** `Cache-Control: no-transform`: the answer must reach the client as it is. */
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

/** Adds `field` to `headers`' `Vary` unless it is named there already (or `*`). */
function appendVary(headers: Headers, field: string): void {
  const vary = headers.get("Vary");
  if (vary === null) return headers.set("Vary", field);
  const names = vary.split(",").map((v) => v.trim().toLowerCase());
  if (!names.includes("*") && !names.includes(field.toLowerCase())) headers.set("Vary", `${vary}, ${field}`);
}
