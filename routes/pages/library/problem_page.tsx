/**
 * Error pages of the library area: a bad query (400) and the domain's errors as the page a visitor sees —
 * "not found" (also for someone else's strategy: the same 404 page), a broken rule (400), too large (413), too
 * many runs (429), unavailable (503). Anything else is a bug and is rethrown (the app's 500).
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
} from "../../../domain/errors.ts";
import type { AppEnv } from "../../app_env.ts";
import { renderNotFound, renderPage } from "../layout.tsx";

const TITLES: Record<number, { en: string; zh: string }> = {
  400: { en: "Bad request", zh: "请求有误" },
  409: { en: "Conflict", zh: "冲突" },
  413: { en: "Too large", zh: "超出限制" },
  429: { en: "Too many requests", zh: "请求过多" },
  503: { en: "Unavailable", zh: "暂不可用" },
};

/** A page that explains why the request cannot be answered, with `status`. */
export function renderProblem(c: Context<AppEnv>, status: 400 | 409 | 413 | 429 | 503, message: string) {
  const t = TITLES[status];
  return renderPage(c, {
    title: t.en,
    zh: t.zh,
    children: (
      <>
        <p class="error" role="alert">{message}</p>
        <p>
          <a href="/app">Back to the start</a>
        </p>
      </>
    ),
  }, status);
}

/** The messages of a failed query parse, one per issue: `period: Invalid option: …`. */
export function queryMessage(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
}

/** The page for a domain error (`what` names the object in the 404 page); other errors are rethrown. */
export function renderDomainError(c: Context<AppEnv>, err: unknown, what: string) {
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
