/**
 * Sessions of the dashboard pages. Signing in sets two cookies, both `HttpOnly`, `SameSite=Lax`, `Path=/app`
 * (and `Secure` in production): `qe_session` holds the access token, `qe_refresh` the refresh token. Every page
 * request resolves them to a user; an expired access token is rotated with the refresh token on the way (the
 * domain's refresh, with its reuse detection and grace window) and both cookies are replaced. Scripts never read
 * the cookies: a page's script asks `POST /app/session/token` for the access token and calls the public API with
 * it as a bearer token, so the API has one way to authenticate. Page POSTs must come from this origin
 * (`sameOriginPosts`): with bearer-only API routes, that is the whole CSRF surface.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AuthDeps } from "../../domain/auth/auth_deps.ts";
import { refreshTokens, userView } from "../../domain/auth/identity.ts";
import { authenticate, type TokenPair } from "../../domain/auth/sessions.ts";
import { RateLimitError } from "../../domain/errors.ts";
import type { AppEnv, PageUser } from "../app_env.ts";

/** Cookie holding the access token. */
export const SESSION_COOKIE = "qe_session";
/** Cookie holding the refresh token. */
export const REFRESH_COOKIE = "qe_refresh";
const COOKIE_PATH = "/app";

/** Sets both cookies from a fresh token pair; the refresh cookie lives as long as the refresh token. */
export function setSessionCookies(
  c: Context<AppEnv>,
  pair: TokenPair,
  opts: { production: boolean; refreshTtlMs: number },
): void {
  const base = { path: COOKIE_PATH, httpOnly: true, sameSite: "Lax" as const, secure: opts.production };
  setCookie(c, SESSION_COOKIE, pair.access_token, base);
  setCookie(c, REFRESH_COOKIE, pair.refresh_token, { ...base, maxAge: Math.floor(opts.refreshTtlMs / 1000) });
}

/** Removes both cookies. */
export function clearSessionCookies(c: Context<AppEnv>, production: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: production });
  deleteCookie(c, REFRESH_COOKIE, { path: COOKIE_PATH, secure: production });
}

/** The refresh token of the request's cookie, if any. */
export function refreshCookieOf(c: Context<AppEnv>): string | undefined {
  return getCookie(c, REFRESH_COOKIE);
}

/** Resolves the session cookies to `c.get("pageUser")` (`null`: signed out), refreshing an expired access token. */
export function pageSession(auth: AuthDeps, production: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("pageUser", await resolveUser(c, auth, production));
    await next();
  };
}

async function resolveUser(
  c: Context<AppEnv>,
  auth: AuthDeps,
  production: boolean,
): Promise<PageUser | null> {
  const access = getCookie(c, SESSION_COOKIE);
  if (access) {
    const principal = await authenticate(auth, access).catch(() => null);
    if (principal) return { principal, view: userView(auth, principal.user), accessToken: access };
  }
  const refresh = getCookie(c, REFRESH_COOKIE);
  if (!refresh) {
    if (access) clearSessionCookies(c, production);
    return null;
  }
  try {
    const pair = await refreshTokens(auth, refresh, c.get("clientIp"));
    setSessionCookies(c, pair, { production, refreshTtlMs: auth.settings.refreshTokenTtlMs });
    const principal = await authenticate(auth, pair.access_token);
    return { principal, view: userView(auth, principal.user), accessToken: pair.access_token };
  } catch (e) {
    // Too many refreshes from this address: signed out for this request only, the cookies stay for later.
    if (!(e instanceof RateLimitError)) clearSessionCookies(c, production);
    return null;
  }
}

/** The signed-in user of a page behind `requirePageUser`. */
export function pageUserOf(c: Context<AppEnv>): PageUser {
  const user = c.get("pageUser");
  if (!user) throw new Error("pageUserOf used on a route without requirePageUser");
  return user;
}

/** A path inside the dashboard to come back to after signing in (anything else becomes `/app`). */
export function safeNext(raw: string | undefined | null): string {
  if (!raw || !(raw === "/app" || raw.startsWith("/app/") || raw.startsWith("/app?"))) return "/app";
  if ([...raw].some((ch) => ch === "\\" || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
    return "/app";
  }
  return raw.slice(0, 2000);
}

/** Sends a signed-out visitor of a page to the sign-in page, coming back afterwards. */
export const requirePageUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("pageUser")) return await next();
  const url = new URL(c.req.url);
  const next_ = safeNext(url.pathname + url.search);
  return c.redirect(`/app/sign-in?next=${encodeURIComponent(next_)}`, 303);
};

/**
 * Refuses (403) a POST, PUT, PATCH or DELETE under `/app` that does not come from this origin: the browser's
 * `Sec-Fetch-Site: same-origin`, or else an `Origin` whose host is the request's `Host`.
 */
export const sameOriginPosts: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return await next();
  const site = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  let sameHost = false;
  try {
    sameHost = !!origin && new URL(origin).host === (c.req.header("host") ?? new URL(c.req.url).host);
  } catch {
    sameHost = false;
  }
  if (site === "same-origin" || (site === undefined && sameHost)) return await next();
  return c.json({ detail: "Cross-site form posts are refused: use the page on this site" }, 403);
};
