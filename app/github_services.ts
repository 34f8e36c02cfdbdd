/** Builds the GitHub sign-in services from configuration; part of the house built in `services.ts`. */
import { createGithubHttpClient } from "../domain/auth/github_client.ts";
import type { GithubDeps } from "../domain/auth/github_oauth.ts";
import type { Config } from "../domain/config.ts";
import { createOAuthStateRepo } from "../domain/store/oauth_state_repo.ts";

/** The path GitHub redirects back to, under the public base URL (register it with the GitHub OAuth app). */
const GITHUB_CALLBACK_PATH = "/api/v1/auth/oauth/github/callback";

/**
 * Origins a front end may receive tokens at: this service's own origin and every explicit CORS origin. A `*`
 * CORS setting allows any origin to call the API but never to receive tokens by redirect.
 */
export function allowedRedirectOrigins(config: Pick<Config, "publicBaseUrl" | "corsOrigins">): string[] {
  const origins = new Set<string>();
  for (const candidate of [config.publicBaseUrl, ...config.corsOrigins]) {
    if (candidate === "*") continue;
    try {
      const url = new URL(candidate);
      if (url.protocol === "http:" || url.protocol === "https:") origins.add(url.origin);
    } catch {
      // not a URL: cannot be an origin
    }
  }
  return [...origins];
}

/** GitHub sign-in dependencies, or `undefined` when no client id/secret are configured. */
export function buildGithubServices(config: Config, kv: Deno.Kv): GithubDeps | undefined {
  if (!config.github) return undefined;
  return {
    client: createGithubHttpClient(config.github),
    states: createOAuthStateRepo(kv),
    settings: {
      clientId: config.github.clientId,
      clientSecret: config.github.clientSecret,
      oauthBaseUrl: config.github.oauthBaseUrl,
      callbackUrl: config.publicBaseUrl + GITHUB_CALLBACK_PATH,
      allowedRedirectOrigins: allowedRedirectOrigins(config),
    },
  };
}
