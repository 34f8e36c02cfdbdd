/**
 * The pages that explain why a request cannot be answered, shared by every area: a query the page cannot read
 * (400, `renderBadRequest`), and the domain's errors as a visitor sees them (`renderDomainError`): "not found"
 * (also for someone else's object: the same 404 page as `renderNotFound`), a broken rule (400), a conflict (409),
 * too large (413), too many requests (429, with `Retry-After`), unavailable (503). Anything else is a bug and is
 * rethrown (the app's 500).
 */
import type { Context } from "hono";
import type { z } from "zod";
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  ValidationError,
} from "../../domain/errors.ts";
import type { AppEnv } from "../app_env.ts";
import { renderNotFound, renderPage } from "./layout.tsx";

type ProblemStatus = 400 | 409 | 413 | 429 | 503;

const TITLES: Record<ProblemStatus, { en: string; zh: string }> = {
  400: { en: "Bad request", zh: "请求有误" },
  409: { en: "Conflict", zh: "冲突" },
  413: { en: "Too large", zh: "超出限制" },
  429: { en: "Too many requests", zh: "请求过多" },
  503: { en: "Unavailable", zh: "暂不可用" },
};

/** The problem page: `message` (bounded by the caller) as an alert, a link to the page without its query. */
function renderProblem(c: Context<AppEnv>, status: ProblemStatus, message: string) {
  const t = TITLES[status];
  const self = c.req.method === "GET" && c.req.url.includes("?") ? c.req.path : null;
  return renderPage(c, {
    title: t.en,
    zh: t.zh,
    children: (
      <>
        <p class="error" role="alert">{message}</p>
        <p class="row">
          {self ? <a href={self}>Open the page without the query</a> : null}
          <a href="/app">Back to the start</a>
        </p>
      </>
    ),
  }, status);
}

/** A 400 page: the request (usually its query) cannot be used, and why. */
export function renderBadRequest(c: Context<AppEnv>, message: string) {
  return renderProblem(c, 400, message);
}

/** The messages of a failed query parse, one per issue (at most 5): `period: Invalid option: …`. */
export function queryMessage(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ")
    .slice(0, 500);
}

/** The page for a domain error (`what` names the object in the 404 page); other errors are rethrown. */
export function renderDomainError(c: Context<AppEnv>, err: unknown, what = "This page") {
  if (err instanceof NotFoundError) return renderNotFound(c, what);
  if (err instanceof ValidationError || err instanceof BadRequestError) {
    return renderProblem(c, 400, err.message);
  }
  if (err instanceof ConflictError) return renderProblem(c, 409, err.message);
  if (err instanceof PayloadTooLargeError) return renderProblem(c, 413, err.message);
  if (err instanceof RateLimitError) {
    c.header("Retry-After", String(err.retryAfterSeconds));
    return renderProblem(c, 429, `${err.message}: wait a little and try again.`);
  }
  if (err instanceof ServiceUnavailableError) return renderProblem(c, 503, err.message);
  throw err;
}
