/**
 * The Quant Copilot document's error shape on its paths: every error answer there carries `error` (one string,
 * what the document's clients show) beside the house's `detail` (a string, or the list of validation issues).
 * Mounted in `createApp` ahead of the request guards, so their refusals (415, 413, …) get it too.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app_env.ts";

/** The root paths the copilot document's clients call (`routes/copilot_routes.ts`). */
export const COPILOT_PATHS = [
  "/auth/request-otp",
  "/auth/verify-otp",
  "/strategy/*",
  "/backtest",
  "/plot",
  "/export/*",
  "/leaderboard/*",
  "/generate",
  "/builder/translate",
  "/explain",
] as const;

/** One string for a house error body: its `detail`, or its issues as `loc: msg` joined by `; `. */
function errorText(detail: unknown, status: number): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const issue = d as { loc?: unknown[]; msg?: unknown };
      const at = Array.isArray(issue.loc) ? issue.loc.join(".") : "";
      return at ? `${at}: ${String(issue.msg)}` : String(issue.msg);
    }).join("; ");
  }
  return `HTTP ${status}`;
}

/** Adds `error` to every JSON error answer (status ≥ 400) that lacks one; other answers pass unchanged. */
export function copilotErrorShape(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (res.status < 400 || !res.headers.get("content-type")?.includes("application/json")) return;
    const body: unknown = await res.clone().json().catch(() => null);
    if (body === null || typeof body !== "object" || Array.isArray(body) || "error" in body) return;
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    const error = errorText((body as { detail?: unknown }).detail, res.status);
    c.res = undefined;
    c.res = new Response(JSON.stringify({ error, ...body }), { status: res.status, headers });
  };
}
