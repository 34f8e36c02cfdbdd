/** Bearer authentication (access token or API key) and the admin check. */
import type { MiddlewareHandler } from "hono";
import type { AuthDeps } from "../../domain/auth/auth_deps.ts";
import { authenticate } from "../../domain/auth/sessions.ts";
import { isAdmin } from "../../domain/auth/user_view.ts";
import { ForbiddenError, UnauthorizedError } from "../../domain/errors.ts";
import type { AppEnv } from "../app_env.ts";

/** Extracts the credential from `Authorization: Bearer …`; `null` when absent. */
export function bearerCredential(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Requires a valid bearer credential and puts the principal on the context; a disabled account is 403 unless
 * `allowDisabled` (routes a disabled account keeps, such as opening a support ticket).
 */
export function requireAuth(
  deps: AuthDeps,
  opts: { allowDisabled?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = bearerCredential(c.req.header("authorization"));
    if (!credential) throw new UnauthorizedError("Not authenticated");
    c.set("principal", await authenticate(deps, credential, opts));
    await next();
  };
}

/** Requires an administrator (after `requireAuth`). */
export function requireAdmin(deps: AuthDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isAdmin(c.get("principal").user, deps.settings.adminEmails)) throw new ForbiddenError("Admin only");
    await next();
  };
}

/** Authenticates when a bearer credential is present (an invalid one is 401); anonymous callers pass through. */
export function optionalAuth(deps: AuthDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = bearerCredential(c.req.header("authorization"));
    if (credential) c.set("principal", await authenticate(deps, credential));
    await next();
  };
}
