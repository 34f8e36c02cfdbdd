/** First middleware: correlation id on every response, client IP, and one JSON log line per request. */
import type { MiddlewareHandler } from "hono";
import type { LogFn } from "../../domain/log.ts";
import type { AppEnv } from "../app_env.ts";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echoes a well-formed `X-Correlation-ID` or makes one; logs method, path, status, ms and the id. */
export function requestContext(
  opts: { trustProxy: boolean; logRequests: boolean; log: LogFn },
): MiddlewareHandler<
  AppEnv
> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-correlation-id");
    const correlationId = incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("correlationId", correlationId);
    c.set(
      "clientIp",
      clientIp(opts.trustProxy ? c.req.header("x-forwarded-for") : undefined, c.env, opts.trustProxy),
    );
    await next();
    c.res.headers.set("X-Correlation-ID", correlationId);
    if (opts.logRequests) {
      opts.log("info", "request", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        correlation_id: correlationId,
      });
    }
  };
}

function clientIp(forwarded: string | undefined, env: unknown, trustProxy: boolean): string {
  if (trustProxy && forwarded) {
    // The proxy appends the address it saw; entries to its left come from the client and can be forged.
    const last = forwarded.split(",").map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  const addr = (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
  return addr?.hostname ?? "unknown";
}
