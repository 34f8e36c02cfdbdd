/**
 * GitHub sign-in: pending states in KV, and the account a GitHub user signs into — found by GitHub id, else
 * linked to the account with the same verified email, else created.
 *
 * The HTTP calls to GitHub sit behind `GithubOAuthClient` (fetch implementation in `github_client.ts`) rather
 * than `@hono/oauth-providers`' callback middleware, because that middleware (0.8.8) hard-codes github.com
 * URLs (no GitHub Enterprise, no loopback server for tests), keeps its state only in a cookie, and picks the
 * primary email without looking at GitHub's `verified` flag, which linking by email needs. The routes still use
 * the library to build the authorize redirect and its random state, which is then stored here in KV.
 */
import { newId } from "../tokens_and_hashes.ts";
import { BadRequestError, ConflictError, DomainError, ForbiddenError, ValidationError } from "../errors.ts";
import type { OAuthStateRepo } from "../store/oauth_state_repo.ts";
import type { UserRecord } from "../store/user_repo.ts";
import type { AuthDeps } from "./auth_deps.ts";
import { issueSession, type TokenPair } from "./sessions.ts";
import { isReservedEmail, newUserRecord, RESERVED_EMAIL_DOMAIN } from "./user_view.ts";

/** How long a sign-in may take between the redirect to GitHub and the callback. */
const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** Scopes asked of GitHub: the profile and the email addresses with their verified flags. */
export const GITHUB_SCOPES = ["read:user", "user:email"] as const;

/** A GitHub user as sign-in needs it; `id` is GitHub's numeric id as a string. */
export interface GithubProfile {
  id: string;
  login: string;
}

/** One of the user's email addresses as GitHub reports it. */
export interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/** The GitHub calls a sign-in makes; a fetch implementation is in `github_client.ts`, tests may fake it. */
export interface GithubOAuthClient {
  /** Exchanges an authorization code for an access token; `BadRequestError` when GitHub rejects the code. */
  exchangeCode(code: string, redirectUri: string): Promise<string>;
  /** The user the token belongs to. */
  getUser(token: string): Promise<GithubProfile>;
  /** The user's email addresses; empty when the token may not read them. */
  getEmails(token: string): Promise<GithubEmail[]>;
}

/** Settings of GitHub sign-in, from configuration. */
export interface GithubSettings {
  clientId: string;
  clientSecret: string;
  /** `https://github.com` or a GitHub Enterprise server: where users are sent to authorize. */
  oauthBaseUrl: string;
  /** This service's callback URL, as registered with the GitHub OAuth app. */
  callbackUrl: string;
  /** Origins a front end may ask to receive tokens at (`redirect_uri`); never a wildcard. */
  allowedRedirectOrigins: readonly string[];
}

/** What GitHub sign-in needs besides `AuthDeps`; absent when GitHub is not configured. */
export interface GithubDeps {
  client: GithubOAuthClient;
  states: OAuthStateRepo;
  settings: GithubSettings;
}

/**
 * Checks a front end's `redirect_uri`: an http(s) URL without credentials whose origin is allowed. Returns it
 * without any fragment (the tokens go there), or `null` when absent; a `ValidationError` otherwise.
 */
export function checkRedirectUri(gh: GithubDeps, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const invalid = new ValidationError(
    "redirect_uri must be an http(s) URL on this service or on one of the configured CORS origins",
    ["redirect_uri"],
  );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid;
  }
  if (!["http:", "https:"].includes(url.protocol) || url.username || url.password) throw invalid;
  if (!gh.settings.allowedRedirectOrigins.includes(url.origin)) throw invalid;
  url.hash = "";
  return url.href;
}

/** Records a sign-in that starts now with `state`, valid for `OAUTH_STATE_TTL_MS`. */
export async function beginGithubSignIn(
  deps: AuthDeps,
  gh: GithubDeps,
  state: string,
  redirectUri: string | null,
): Promise<void> {
  const now = deps.clock.now();
  await gh.states.create(state, {
    provider: "github",
    redirect_uri: redirectUri,
    created_at: now,
    expires_at: now + OAUTH_STATE_TTL_MS,
  }, OAUTH_STATE_TTL_MS);
}

/**
 * Takes a callback's state (it works once) and returns where the tokens go (`null`: answer with JSON);
 * `BadRequestError` when the state is unknown, used or expired.
 */
export async function consumeGithubState(deps: AuthDeps, gh: GithubDeps, state: string): Promise<{
  redirectUri: string | null;
}> {
  const record = await gh.states.take(state);
  if (!record || record.provider !== "github" || record.expires_at <= deps.clock.now()) {
    throw new BadRequestError("Invalid or expired OAuth state: start the GitHub sign-in again");
  }
  return { redirectUri: record.redirect_uri };
}

/** Exchanges a callback's code with GitHub and signs the GitHub user in (see `findOrLinkGithubAccount`). */
export async function signInWithGithubCode(deps: AuthDeps, gh: GithubDeps, code: string): Promise<TokenPair> {
  const token = await gh.client.exchangeCode(code, gh.settings.callbackUrl);
  const [profile, emails] = await Promise.all([gh.client.getUser(token), gh.client.getEmails(token)]);
  const user = await findOrLinkGithubAccount(deps, profile, emails);
  deps.log("info", "github sign-in", { user_id: user.id, github_id: profile.id });
  return await issueSession(deps, user);
}

/** The GitHub user's primary email when GitHub says it is verified (and it is not a reserved address). */
export function verifiedPrimaryEmail(emails: readonly GithubEmail[]): string | null {
  const primary = emails.find((e) => e.primary && e.verified);
  if (!primary) return null;
  const email = primary.email.trim().toLowerCase();
  return isReservedEmail(email) || !email.includes("@") ? null : email;
}

/**
 * The account a GitHub user signs into: the one linked to the GitHub id; else the account whose email equals
 * the GitHub user's verified primary email, which gets linked (and its email marked verified, ending the
 * password, sessions and API keys set up before verification, as OTP sign-in does); else a new account — with
 * that verified email, or with a reserved `github_<id>@quantedge.local` address when GitHub vouches for none.
 * Disabled accounts are a `ForbiddenError("Account disabled")`; an email account already linked to another
 * GitHub id is a `ConflictError`.
 */
export async function findOrLinkGithubAccount(
  deps: AuthDeps,
  profile: GithubProfile,
  emails: readonly GithubEmail[],
): Promise<UserRecord> {
  const email = verifiedPrimaryEmail(emails);
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.clock.now();
    const linked = await deps.users.getByGithubId(profile.id);
    if (linked) {
      if (linked.disabled) throw new ForbiddenError("Account disabled");
      return await deps.users.update(linked.id, (u) => ({
        ...u,
        github_login: profile.login,
        last_login_at: now,
        updated_at: now,
      }));
    }
    const owner = email ? await deps.users.getByEmail(email) : null;
    try {
      if (owner) return await linkAccount(deps, owner, profile, now);
      const user = newUserRecord({
        id: newId("usr", now),
        email: email ?? `github_${profile.id}@${RESERVED_EMAIL_DOMAIN}`,
        email_verified: email !== null,
        github_id: profile.id,
        github_login: profile.login,
        last_login_at: now,
      }, now);
      await deps.users.create(user);
      deps.log("info", "user created", { user_id: user.id, via: "github" });
      return user;
    } catch (e) {
      // Another sign-in took the email or GitHub id meanwhile: look again.
      if (!(e instanceof ConflictError) || e instanceof GithubLinkConflict) throw e;
    }
  }
  throw new ConflictError("Cannot sign in with GitHub: too many concurrent changes, try again");
}

/** The account for the email is already linked to a different GitHub account. */
class GithubLinkConflict extends ConflictError {}

async function linkAccount(deps: AuthDeps, owner: UserRecord, profile: GithubProfile, now: number) {
  const refuse = (u: UserRecord) => {
    if (u.disabled) throw new ForbiddenError("Account disabled");
    if (u.email !== owner.email) throw new ConflictError("The account's email changed meanwhile");
    // Another GitHub link only counts once the email is proven: one made before may be a squatter's, and the
    // GitHub account proving the address now replaces it.
    if (u.email_verified && u.github_id !== null && u.github_id !== profile.id) {
      throw new GithubLinkConflict("The account with this email is already linked to another GitHub account");
    }
  };
  refuse(owner);
  let firstVerification = false;
  const user = await deps.users.update(owner.id, (u) => {
    refuse(u);
    firstVerification = !u.email_verified;
    return {
      ...u,
      github_id: profile.id,
      github_login: profile.login,
      password_hash: firstVerification ? null : u.password_hash,
      // Like OTP sign-in: whatever was set up before the email was proven may belong to someone else.
      session_epoch: (u.session_epoch ?? 0) + (firstVerification ? 1 : 0),
      email_verified: true,
      last_login_at: now,
      updated_at: now,
    };
  });
  if (firstVerification) {
    const keys = await deps.apiKeys.deleteByUser(user.id);
    deps.log("info", "email verified: earlier credentials revoked", { user_id: user.id, api_keys: keys });
  }
  deps.log("info", "github linked", { user_id: user.id, github_id: profile.id });
  return user;
}

/** Where to send the browser to sign in at GitHub, and the random state in that URL. */
export interface GithubAuthorizeRedirect {
  url: string;
  state: string;
}

/**
 * Starts a GitHub sign-in: checks the front end's `redirect_uri` (a `ValidationError` at `["redirect_uri"]`),
 * makes an authorize redirect with `authorize` and records its state. Returns the URL to send the browser to.
 */
export async function startGithubSignIn(
  deps: AuthDeps,
  gh: GithubDeps,
  rawRedirectUri: string | undefined,
  authorize: () => Promise<GithubAuthorizeRedirect>,
): Promise<string> {
  const redirectUri = checkRedirectUri(gh, rawRedirectUri);
  const { url, state } = await authorize();
  await beginGithubSignIn(deps, gh, state, redirectUri);
  return url;
}

/** What GitHub's callback brings: the state, and a code or GitHub's error. */
export interface GithubCallback {
  state: string;
  code?: string;
  error?: string;
  error_description?: string;
}

/**
 * How a GitHub callback ended: tokens, or (only when the sign-in started with a `redirect_uri`) the domain
 * error to pass on to the front end there. `redirectUri` is `null` when the tokens are answered directly.
 */
export type GithubSignInOutcome =
  | { redirectUri: string | null; pair: TokenPair }
  | { redirectUri: string; error: DomainError };

/**
 * Finishes a GitHub sign-in: takes the state (it works once; a bad state always throws), then exchanges the
 * code. A refusal by GitHub, a missing code or a failed sign-in throws when there is no `redirect_uri`, and is
 * returned as `error` when there is one (the front end is told there).
 */
export async function finishGithubSignIn(
  deps: AuthDeps,
  gh: GithubDeps,
  callback: GithubCallback,
): Promise<GithubSignInOutcome> {
  const { redirectUri } = await consumeGithubState(deps, gh, callback.state);
  try {
    if (callback.error) {
      throw new BadRequestError(`GitHub sign-in failed: ${callback.error_description ?? callback.error}`);
    }
    if (!callback.code) throw new BadRequestError("GitHub sent no authorization code");
    return { redirectUri, pair: await signInWithGithubCode(deps, gh, callback.code) };
  } catch (e) {
    if (!redirectUri || !(e instanceof DomainError)) throw e;
    return { redirectUri, error: e };
  }
}
