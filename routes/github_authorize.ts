/** Builds the redirect to GitHub's authorize page with `@hono/oauth-providers`, without its state cookie. */
import { githubAuth } from "@hono/oauth-providers/github";
import { Hono } from "hono";
import {
  GITHUB_SCOPES,
  type GithubAuthorizeRedirect,
  type GithubSettings,
} from "../domain/auth/github_oauth.ts";

/**
 * Returns a function that makes a fresh authorize redirect. The library's middleware runs on a private app so
 * its `state` cookie never reaches our response (our KV record is the source of truth); its URL is then
 * adjusted where 0.8.8 falls short: the configured base URL (GitHub Enterprise, tests) replaces the hard-coded
 * github.com, `redirect_uri` is added URL-encoded (the library appends it raw), and scopes are space-separated.
 */
export function githubAuthorizeRedirects(settings: GithubSettings): () => Promise<GithubAuthorizeRedirect> {
  const builder = new Hono().get(
    "*",
    githubAuth({
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      scope: [...GITHUB_SCOPES],
      oauthApp: true, // OAuth app: the library then sends `scope`, and we add `redirect_uri` below
    }),
  );
  return async () => {
    const res = await builder.request("http://authorize.internal/");
    const location = res.headers.get("location");
    if (res.status !== 302 || !location) {
      throw new Error(`@hono/oauth-providers gave no redirect (${res.status})`);
    }
    const fromLibrary = new URL(location);
    const state = fromLibrary.searchParams.get("state");
    if (!state) throw new Error("@hono/oauth-providers gave no state");
    const url = new URL(`${settings.oauthBaseUrl}/login/oauth/authorize`);
    for (const [k, v] of fromLibrary.searchParams) url.searchParams.set(k, v);
    url.searchParams.set("redirect_uri", settings.callbackUrl);
    url.searchParams.set("scope", GITHUB_SCOPES.join(" "));
    return { url: url.href, state };
  };
}
