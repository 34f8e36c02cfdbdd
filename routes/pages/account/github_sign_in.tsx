/**
 * "Sign in with GitHub" for the dashboard, when GitHub sign-in is configured. The button posts to
 * `/app/sign-in/github`, which starts the existing flow (a one-time state in KV, valid 10 minutes) with GitHub
 * sending the browser back to `/app/sign-in/github/callback` — a page route, so the sign-in finishes on the
 * server and the tokens only ever travel in the session cookies (never in a URL). The state is also kept in a
 * short-lived HttpOnly cookie and must match the callback's, so a callback link made by someone else (with their
 * own state and code) cannot sign this browser into their account.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AuthDeps } from "../../../domain/auth/auth_deps.ts";
import type { GithubDeps } from "../../../domain/auth/github_oauth.ts";
import { finishGithubSignIn, startGithubSignIn } from "../../../domain/auth/identity.ts";
import { DomainError } from "../../../domain/errors.ts";
import type { AppEnv } from "../../app_env.ts";
import { errorResponse } from "../../errors.ts";
import { githubAuthorizeRedirects } from "../../github_authorize.ts";
import { renderNotFound, renderPage } from "../layout.tsx";
import { safeNext, setSessionCookies } from "../page_auth.ts";

/** The page GitHub sends the browser back to. */
const GITHUB_PAGE_CALLBACK = "/app/sign-in/github/callback";
/** Cookie binding a GitHub sign-in in progress to this browser: `<state> <next>`. */
const STATE_COOKIE = "qe_github_state";
const STATE_COOKIE_PATH = "/app/sign-in/github";
/** As long as the state is valid in KV. */
const STATE_COOKIE_MAX_AGE_S = 10 * 60;
/** The longest `state`, `code` or error text read from GitHub's callback. */
const MAX_PARAM = 500;

/** The "Sign in with GitHub" button (a form, so it works without JavaScript). */
export function GithubButton(props: { next: string }) {
  return (
    <form method="post" action="/app/sign-in/github" class="card narrow">
      <input type="hidden" name="next" value={props.next} />
      <button type="submit" id="github-sign-in">Sign in with GitHub 使用 GitHub 登录</button>
    </form>
  );
}

/** The GitHub sign-in routes of the pages (404 pages when GitHub is not configured). */
export function githubSignInPages(auth: AuthDeps, production: boolean, github: GithubDeps | undefined) {
  const app = new Hono<AppEnv>();
  // The same OAuth app, with GitHub coming back to the page route instead of the API's callback.
  const pageGithub = github
    ? {
      ...github,
      settings: {
        ...github.settings,
        callbackUrl: new URL(GITHUB_PAGE_CALLBACK, github.settings.callbackUrl).href,
      },
    }
    : undefined;
  const authorize = pageGithub ? githubAuthorizeRedirects(pageGithub.settings) : null;

  app.post("/app/sign-in/github", async (c) => {
    if (!pageGithub || !authorize) return renderNotFound(c, "GitHub sign-in");
    const body = await c.req.parseBody();
    const next = safeNext(typeof body.next === "string" ? body.next : "/app");
    const url = await startGithubSignIn(auth, pageGithub, undefined, authorize);
    const state = new URL(url).searchParams.get("state") ?? "";
    setCookie(c, STATE_COOKIE, `${state} ${next}`, {
      path: STATE_COOKIE_PATH,
      httpOnly: true,
      sameSite: "Lax",
      secure: production,
      maxAge: STATE_COOKIE_MAX_AGE_S,
    });
    return c.redirect(url, 303);
  });

  app.get(GITHUB_PAGE_CALLBACK, async (c) => {
    if (!pageGithub) return renderNotFound(c, "GitHub sign-in");
    const param = (name: string) => c.req.query(name)?.slice(0, MAX_PARAM);
    const state = param("state") ?? "";
    const kept = getCookie(c, STATE_COOKIE) ?? "";
    deleteCookie(c, STATE_COOKIE, { path: STATE_COOKIE_PATH, secure: production });
    const space = kept.indexOf(" ");
    const keptState = space > 0 ? kept.slice(0, space) : "";
    const next = safeNext(space > 0 ? kept.slice(space + 1) : "/app");
    if (!state || state !== keptState) {
      return failed(
        c,
        400,
        "This GitHub sign-in was not started in this browser (or took too long): start again.",
      );
    }
    try {
      const outcome = await finishGithubSignIn(auth, pageGithub, {
        state,
        code: param("code"),
        error: param("error"),
        error_description: param("error_description"),
      });
      if ("error" in outcome) throw outcome.error; // only with a redirect_uri, which pages never send
      setSessionCookies(c, outcome.pair, { production, refreshTtlMs: auth.settings.refreshTokenTtlMs });
      return c.redirect(next, 303);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return failed(c, errorResponse(e, c.get("correlationId")).status, e.message);
    }
  });
  return app;
}

function failed(c: Context<AppEnv>, status: number, message: string) {
  return renderPage(c, {
    title: "GitHub sign-in failed",
    zh: "GitHub 登录失败",
    children: (
      <div class="card narrow">
        <p class="error" role="alert">{message}</p>
        <p>
          <a href="/app/sign-in">Back to sign in 返回登录</a>
        </p>
      </div>
    ),
  }, status);
}
