/** The fetch implementation of `GithubOAuthClient`, with GitHub's base URLs as parameters. */
import { z } from "zod";
import { BadRequestError, ServiceUnavailableError } from "../errors.ts";
import { timeoutSignal } from "../clock.ts";
import type { GithubEmail, GithubOAuthClient, GithubProfile } from "./github_oauth.ts";

/** Where and how to reach GitHub. */
export interface GithubHttpClientOptions {
  clientId: string;
  clientSecret: string;
  /** `https://github.com`, or a GitHub Enterprise / test server (no trailing slash). */
  oauthBaseUrl: string;
  /** `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise (no trailing slash). */
  apiBaseUrl: string;
  /** Per-request timeout; 10 s by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const TokenResponse = z.union([
  z.object({ access_token: z.string().min(1) }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);
/** Token-endpoint errors caused by this server's settings, not by the user's code. */
const SERVER_SIDE_ERRORS = new Set(["incorrect_client_credentials", "redirect_uri_mismatch"]);
const UserResponse = z.object({ id: z.number().int(), login: z.string().min(1) });
const EmailsResponse = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * Creates a client that exchanges codes at `<oauthBaseUrl>/login/oauth/access_token` and reads
 * `<apiBaseUrl>/user` and `<apiBaseUrl>/user/emails`. A code GitHub rejects is a `BadRequestError`; GitHub
 * unreachable, slow or answering nonsense is a `ServiceUnavailableError`.
 */
export function createGithubHttpClient(opts: GithubHttpClientOptions): GithubOAuthClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const unavailable = (what: string) =>
    new ServiceUnavailableError(`GitHub is unavailable (${what}); try again later`);

  async function call(
    url: string,
    init: RequestInit,
    what: string,
  ): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await doFetch(url, { ...init, signal: timeoutSignal(timeoutMs) });
    } catch {
      throw unavailable(`${what}: no response`);
    }
    const text = await res.text().catch(() => "");
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    return { status: res.status, body };
  }

  const apiHeaders = (token: string) => ({
    Accept: "application/vnd.github+json",
    Authorization: `Bearer ${token}`,
    "User-Agent": "Quantedge",
    "X-GitHub-Api-Version": "2022-11-28",
  });

  return {
    async exchangeCode(code, redirectUri) {
      const { status, body } = await call(`${opts.oauthBaseUrl}/login/oauth/access_token`, {
        method: "POST",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "User-Agent": "Quantedge",
        },
        body: JSON.stringify({
          client_id: opts.clientId,
          client_secret: opts.clientSecret,
          code,
          redirect_uri: redirectUri,
        }),
      }, "token exchange");
      const parsed = TokenResponse.safeParse(body);
      if (status >= 500 || !parsed.success) throw unavailable(`token exchange answered ${status}`);
      if ("error" in parsed.data && SERVER_SIDE_ERRORS.has(parsed.data.error)) {
        throw new ServiceUnavailableError(
          `GitHub sign-in is misconfigured on this server (${parsed.data.error})`,
        );
      }
      if ("error" in parsed.data) {
        throw new BadRequestError(
          `GitHub rejected the sign-in: ${parsed.data.error_description ?? parsed.data.error}`,
        );
      }
      return parsed.data.access_token;
    },
    async getUser(token): Promise<GithubProfile> {
      const { status, body } = await call(`${opts.apiBaseUrl}/user`, { headers: apiHeaders(token) }, "user");
      if (status === 401) throw new BadRequestError("GitHub rejected the access token");
      const parsed = UserResponse.safeParse(body);
      if (status !== 200 || !parsed.success) throw unavailable(`user answered ${status}`);
      return { id: String(parsed.data.id), login: parsed.data.login };
    },
    async getEmails(token): Promise<GithubEmail[]> {
      const { status, body } = await call(
        `${opts.apiBaseUrl}/user/emails`,
        { headers: apiHeaders(token) },
        "emails",
      );
      // Without the `user:email` scope GitHub answers 403/404: then no email is known, so nothing is linked.
      if (status === 403 || status === 404) return [];
      if (status === 401) throw new BadRequestError("GitHub rejected the access token");
      const parsed = EmailsResponse.safeParse(body);
      if (status !== 200 || !parsed.success) throw unavailable(`emails answered ${status}`);
      return parsed.data;
    },
  };
}
