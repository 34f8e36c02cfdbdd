/**
 * Cheap checks made before any route runs: the request target's length (414), the media type of routes that
 * take a JSON body (415, even for an empty body), and a deadline on the whole request (503). Each answers in
 * the documented `{"detail": "..."}` shape; the correlation id is added by `requestContext`.
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ServiceUnavailableError } from "../../domain/errors.ts";
import type { AppEnv } from "../app_env.ts";
import { createDeadlineTimer } from "./deadline_timer.ts";

/** Refuses (414) a request whose path and query are longer than `maxBytes` bytes. */
export function urlLengthLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = c.req.url;
    // Deno hands over an absolute, percent-encoded URL: everything after the origin is ASCII.
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const length = start < 0 ? 0 : url.length - start;
    if (length > maxBytes) {
      throw new HTTPException(414, {
        message: `URI Too Long: the path and query are ${length} bytes (limit ${maxBytes})`,
      });
    }
    await next();
  };
}

/** A route that takes a JSON body: its method, a matcher for its path, and whether the body may be left out. */
export interface JsonBodyRoute {
  method: string;
  pattern: RegExp;
  /** The body is declared `required: false`: a request with no body at all (and no content type) is `{}`. */
  optional: boolean;
}

/**
 * The routes of an OpenAPI registry whose request body is `application/json`; with `documentAs`, each of them
 * also gets that entry as its documented 415 response (unless it declares one).
 */
export function jsonBodyRoutes(
  definitions: readonly unknown[],
  opts: { documentAs?: unknown } = {},
): JsonBodyRoute[] {
  const out: JsonBodyRoute[] = [];
  for (const d of definitions) {
    const def = d as {
      type?: string;
      route?: {
        method?: string;
        path?: string;
        request?: { body?: { required?: boolean; content?: Record<string, unknown> } };
      };
    };
    if (def.type !== "route" || !def.route?.method || !def.route.path) continue;
    if (!def.route.request?.body?.content?.["application/json"]) continue;
    if (opts.documentAs) {
      const route = def.route as { responses?: Record<string, unknown> };
      route.responses = { ...route.responses, 415: route.responses?.[415] ?? opts.documentAs };
    }
    const source = def.route.path
      .split(/(\{[^}]+\})/)
      .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    out.push({
      method: def.route.method.toUpperCase(),
      pattern: new RegExp(`^${source}/?$`),
      optional: def.route.request.body.required === false,
    });
  }
  return out;
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Whether the request carries no body: a zero `Content-Length`, or a body stream that ends before its first byte
 * (or none at all). Reading stops at the first chunk holding a byte, so this is bounded whatever is sent; a
 * request it answers `false` for is refused, so the bytes read are not missed.
 */
async function hasNoBody(
  length: string | undefined,
  body: ReadableStream<Uint8Array> | null,
): Promise<boolean> {
  if (length !== undefined) return length.trim() === "0";
  if (body === null) return true;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      if (value.byteLength > 0) return false;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Refuses (415) a request to a JSON-body route whose `Content-Type` is missing or not JSON, whatever the body
 * (an empty body without a content type is not `{}`) — except on a route whose body is optional, where a request
 * with no body and no content type at all passes (its body reads as `{}`). `routes()` is read per request, so the list can be
 * filled in once every router is mounted.
 */
export function requireJsonContentType(routes: () => readonly JsonBodyRoute[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
      const path = c.req.path;
      const route = routes().find((r) => r.method === method && r.pattern.test(path));
      const header = c.req.header("content-type");
      const bodiless = route?.optional === true && header === undefined &&
        await hasNoBody(c.req.header("content-length"), c.req.raw.body);
      if (route && !bodiless) {
        const media = header?.split(";")[0].trim() ?? "";
        if (!JSON_MEDIA_TYPE.test(media)) {
          throw new HTTPException(415, {
            message: (header
              ? `Unsupported Media Type: send the body as application/json, not ${
                media.slice(0, 100) || "(empty)"
              }`
              : "Unsupported Media Type: send the body as application/json (the Content-Type header is missing)") +
              (route.optional ? "; or send no body at all" : ""),
          });
        }
      }
    }
    await next();
  };
}

/**
 * Gives each request `timeoutMs(path)` milliseconds to be answered (reading its body included); past that it is
 * answered 503, so a client that sends its body slowly, or work that hangs, does not hold a
 * connection for ever. The work still running is left to finish in the background (its result is dropped).
 * The deadlines share one timer (`deadline_timer.ts`) instead of setting and clearing one per request.
 */
export function requestDeadline(timeoutMs: (path: string) => number | null): MiddlewareHandler<AppEnv> {
  const deadlines = createDeadlineTimer();
  return (c, next) => {
    const ms = timeoutMs(c.req.path);
    if (ms === null) return next();
    return new Promise<void>((resolve, reject) => {
      const entry = deadlines.add(ms, () => reject(new RequestDeadlineError(ms)));
      // A failure after the deadline has nobody left to answer: it is handled here (dropped), not unhandled.
      next().then(() => {
        deadlines.settle(entry);
        resolve();
      }, (err) => {
        deadlines.settle(entry);
        reject(err);
      });
    });
  };
}

/** The request was not answered within its deadline (HTTP 503). */
class RequestDeadlineError extends ServiceUnavailableError {
  constructor(readonly timeoutMs: number) {
    super(`The request was not answered within ${timeoutMs} ms; try again later`);
    this.name = "RequestDeadlineError";
  }
}
