/** The one mapping from errors to HTTP status and body. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import {
  BadRequestError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from "../domain/errors.ts";
import { SyncRunsBusyError, SyncRunTooLargeError } from "../domain/backtest/run_errors.ts";

/** One entry of a 422 body. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
}

const TARGET_LOC: Record<string, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
};

/**
 * Converts zod issues to `{type, loc, msg}` entries, each `loc` under `where` (body, query, path, …; `null`:
 * the path alone, as the MCP tools report their arguments).
 */
export function zodToIssues(error: ZodError, where: string | null): ValidationIssue[] {
  const at = (path: (string | number)[]) => where === null ? path : [where, ...path];
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)) as (string | number)[];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          type: "extra_forbidden",
          loc: at([...path, key]),
          msg: "Extra inputs are not permitted",
        });
      }
      continue;
    }
    const missing = issue.code === "invalid_type" && /received undefined$/.test(issue.message);
    // A custom check may name its own issue type (e.g. refused characters in text).
    const named = issue.code === "custom" && typeof issue.params?.type === "string"
      ? issue.params.type
      : null;
    out.push({
      type: missing ? "missing" : named ?? issue.code,
      loc: at(path),
      msg: missing ? "Field required" : issue.message,
    });
  }
  return out;
}

/** The `defaultHook` of every router: a failed schema becomes 422 in the documented shape. */
export function validationHook(
  result: { success: boolean; error?: ZodError; target?: string },
  c: Context,
): Response | undefined {
  if (result.success || !result.error) return undefined;
  const where = TARGET_LOC[result.target ?? "json"] ?? result.target ?? "body";
  return c.json({ detail: zodToIssues(result.error, where) }, 422);
}

const STATUS_OF: [new (...args: never[]) => DomainError, number][] = [
  [BadRequestError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [RateLimitError, 429],
  [ServiceUnavailableError, 503],
];

/** What to send for an error: status, JSON body and extra headers; `unexpected` marks a bug (500). */
export function errorResponse(
  err: unknown,
  correlationId: string,
): { status: number; body: unknown; headers: Record<string, string>; unexpected: boolean } {
  if (err instanceof ValidationError) {
    return {
      status: 422,
      body: {
        detail: err.issues?.length ? err.issues : [{ type: err.type, loc: err.loc, msg: err.message }],
      },
      headers: {},
      unexpected: false,
    };
  }
  for (const [cls, status] of STATUS_OF) {
    if (err instanceof cls) {
      const headers: Record<string, string> = {};
      if (err instanceof RateLimitError) headers["Retry-After"] = String(err.retryAfterSeconds);
      if (err instanceof UnauthorizedError) headers["WWW-Authenticate"] = "Bearer";
      const extra = (err instanceof BadRequestError || err instanceof ConflictError) && err.extra
        ? err.extra
        : {};
      return { status, body: { ...extra, detail: err.message }, headers, unexpected: false };
    }
  }
  if (err instanceof HTTPException) {
    if (
      err.message === "Malformed JSON in request body" || (err.status === 400 && /JSON/i.test(err.message))
    ) {
      return {
        status: 422,
        body: { detail: [{ type: "json_invalid", loc: ["body"], msg: "Malformed JSON in request body" }] },
        headers: {},
        unexpected: false,
      };
    }
    if (err.status === 415) {
      return {
        status: 415,
        body: {
          detail: err.message.startsWith("Unsupported Media Type:")
            ? err.message
            : "Unsupported Media Type: send the body as application/json",
        },
        headers: {},
        unexpected: false,
      };
    }
    if (err.status < 500) {
      return {
        status: err.status,
        body: { detail: err.message || "Bad request" },
        headers: {},
        unexpected: false,
      };
    }
  }
  return {
    status: 500,
    body: { detail: "Internal server error", correlation_id: correlationId },
    headers: {},
    unexpected: true,
  };
}

/** Where a field of a domain operation's input came from in the request: `body`, `query`, `path`, … */
export type InputSource = string | ((relativeLoc: (string | number)[]) => string);

/** The route that queues a backtest, named in refusals of synchronous runs. */
export const JOB_QUEUE_ROUTE = "POST /api/v1/backtests";

/**
 * A `ValidationError` of a domain operation, whose locations are relative to the operation's input, with the
 * request part each location came from in front (`["nickname"]` → `["body", "nickname"]`). `where` is one part
 * for every location, or a function choosing it from the relative location (operations fed by the path and
 * the body at once).
 */
export function prefixLoc(err: ValidationError, where: InputSource): ValidationError {
  const at = (loc: (string | number)[]) => [typeof where === "string" ? where : where(loc), ...loc];
  return new ValidationError(
    err.message,
    at(err.loc),
    err.type,
    err.issues?.map((i) => ({ ...i, loc: at(i.loc) })),
  );
}

/**
 * `err` of a domain operation as the HTTP layer reports it: field paths under the request part they came
 * from, and refusals that point at the job queue completed with the queue's route (no URL lives in the domain).
 */
export function inRequest(err: unknown, where: InputSource): unknown {
  if (err instanceof ValidationError) return prefixLoc(err, where);
  if (err instanceof SyncRunsBusyError) {
    return new RateLimitError(`${err.message} (${JOB_QUEUE_ROUTE})`, err.retryAfterSeconds);
  }
  if (err instanceof SyncRunTooLargeError) {
    return new PayloadTooLargeError(`${err.message} (${JOB_QUEUE_ROUTE})`);
  }
  return err;
}

/** Runs a domain operation and re-throws its errors as `inRequest` reports them. */
export async function fromInput<T>(where: InputSource, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw inRequest(e, where);
  }
}
