/** `/api/v1/auth/oauth/github*`: GitHub sign-in (404 unless GitHub client id and secret are configured). */
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { GithubDeps } from "../domain/auth/github_oauth.ts";
import { finishGithubSignIn, startGithubSignIn } from "../domain/auth/identity.ts";
import { NotFoundError } from "../domain/errors.ts";
import { type AppEnv, newRouter } from "./app_env.ts";
import { errorResponse, fromInput } from "./errors.ts";
import { githubAuthorizeRedirects } from "./github_authorize.ts";
import { TokenPairSchema } from "./schemas/auth.ts";
import { errorResponses, jsonResponse } from "./schemas/common.ts";
import {
  GithubCallbackQuery,
  GithubStartQuery,
  githubUnavailableResponse,
  notConfiguredResponse,
  redirectResponse,
} from "./schemas/oauth.ts";

const tags = ["auth"];

/** Builds the GitHub sign-in router; `github` is `undefined` when sign-in is not configured. */
export function oauthRoutes(deps: AuthDeps, github: GithubDeps | undefined) {
  const app = newRouter();
  const configured: MiddlewareHandler<AppEnv> = async (_c, next) => {
    if (!github) throw new NotFoundError("GitHub sign-in is not configured");
    await next();
  };
  const authorizeRedirect = github ? githubAuthorizeRedirects(github.settings) : null;

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/oauth/github",
      tags,
      summary: "Start GitHub sign-in: redirects to GitHub's authorize page (state valid 10 minutes)",
      middleware: [configured],
      request: { query: GithubStartQuery },
      responses: {
        302: redirectResponse(
          "Redirect to GitHub",
          "https://github.com/login/oauth/authorize?client_id=Iv1.abc&state=k3Jx0bQm…&redirect_uri=…&scope=…",
        ),
        404: notConfiguredResponse,
        ...errorResponses(422),
      },
    }),
    async (c) => {
      const redirectUri = c.req.valid("query").redirect_uri;
      const url = await fromInput(
        "query",
        () => startGithubSignIn(deps, github!, redirectUri, authorizeRedirect!),
      );
      return c.redirect(url, 302);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/oauth/github/callback",
      tags,
      summary:
        "GitHub's callback: signs in (linking by verified email or creating the account) and returns tokens",
      description:
        "Answers with the token pair as JSON, or, when the sign-in started with a `redirect_uri`, " +
        "redirects there with `access_token`, `refresh_token`, `token_type` and `expires_in` in the URL fragment " +
        "(or `error`, `status` and `detail` when the sign-in failed after the state was accepted).",
      middleware: [configured],
      request: { query: GithubCallbackQuery },
      responses: {
        200: jsonResponse(TokenPairSchema, "Signed in"),
        302: redirectResponse(
          "Redirect to the front end with the tokens (or the error) in the fragment",
          "https://app.example.com/auth/done#access_token=eyJ…&refresh_token=qrt_…&token_type=bearer&expires_in=86400",
        ),
        ...errorResponses(400, 403, 409, 422),
        404: notConfiguredResponse,
        503: githubUnavailableResponse,
      },
    }),
    async (c) => {
      const outcome = await fromInput("query", () => finishGithubSignIn(deps, github!, c.req.valid("query")));
      if ("error" in outcome) {
        const { status } = errorResponse(outcome.error, c.get("correlationId"));
        const detail = outcome.error.message;
        return c.redirect(
          withFragment(outcome.redirectUri, { error: "sign_in_failed", status: String(status), detail }),
          302,
        );
      }
      const { redirectUri, pair } = outcome;
      if (!redirectUri) return c.json(pair, 200);
      return c.redirect(
        withFragment(redirectUri, {
          access_token: pair.access_token,
          refresh_token: pair.refresh_token,
          token_type: pair.token_type,
          expires_in: String(pair.expires_in),
        }),
        302,
      );
    },
  );

  return app;
}

/** `url` with `params` as its fragment, which browsers never send to a server. */
function withFragment(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  target.hash = new URLSearchParams(params).toString();
  return target.href;
}
