import assert from "node:assert/strict";
import {
  beginGithubSignIn,
  checkRedirectUri,
  consumeGithubState,
  findOrLinkGithubAccount,
  finishGithubSignIn,
  type GithubDeps,
  type GithubEmail,
  signInWithGithubCode,
  startGithubSignIn,
  verifiedPrimaryEmail,
} from "../../../domain/auth/github_oauth.ts";
import { createApiKey } from "../../../domain/auth/api_keys.ts";
import { hashPassword } from "../../../domain/auth/password.ts";
import { authenticate, issueSession, refreshSession } from "../../../domain/auth/sessions.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  UnauthorizedError,
  ValidationError,
} from "../../../domain/errors.ts";
import { type FakeGithubUser, startFakeGithub } from "../../_helpers/fake_github.ts";
import { openTestWorld, T0 } from "../../_helpers/test_app.ts";

const verified = (email: string): GithubEmail[] => [{ email, primary: true, verified: true }];

/** A world with GitHub configured against a loopback fake. */
async function openGithubWorld() {
  const gh = startFakeGithub("cid", "secret");
  const world = await openTestWorld({
    GITHUB_CLIENT_ID: "cid",
    GITHUB_CLIENT_SECRET: "secret",
    GITHUB_OAUTH_BASE_URL: gh.oauthBaseUrl,
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
    CORS_ORIGINS: "https://app.example.com",
  });
  return {
    world,
    gh,
    auth: world.deps.auth,
    github: world.deps.github as GithubDeps,
    [Symbol.asyncDispose]: async () => {
      await world.close();
      await gh.close();
    },
  };
}

Deno.test("verifiedPrimaryEmail() returns the primary email only when GitHub verified it", async (t) => {
  const cases: [string, GithubEmail[], string | null][] = [
    ["verified primary, lower-cased", verified(" Octo@Example.COM "), "octo@example.com"],
    ["unverified primary", [{ email: "a@example.com", primary: true, verified: false }], null],
    ["verified but not primary", [{ email: "a@example.com", primary: false, verified: true }], null],
    ["reserved local domain", verified("x@quantedge.local"), null],
    ["no emails", [], null],
  ];
  for (const [name, emails, expected] of cases) {
    await t.step(name, () => assert.equal(verifiedPrimaryEmail(emails), expected));
  }
});

Deno.test("checkRedirectUri() returns null when absent, keeps the query and drops the fragment", async () => {
  await using g = await openGithubWorld();
  assert.equal(checkRedirectUri(g.github, undefined), null);
  assert.equal(
    checkRedirectUri(g.github, "https://app.example.com/a?b=1#c"),
    "https://app.example.com/a?b=1",
  );
  assert.throws(() => checkRedirectUri(g.github, "http://app.example.com/a"), ValidationError);
});

Deno.test("consumeGithubState() accepts a state once, even when two callbacks race", async () => {
  await using g = await openGithubWorld();
  await beginGithubSignIn(g.auth, g.github, "state-1", "https://app.example.com/done");
  const results = await Promise.allSettled([
    consumeGithubState(g.auth, g.github, "state-1"),
    consumeGithubState(g.auth, g.github, "state-1"),
  ]);
  const ok = results.filter((r) => r.status === "fulfilled");
  assert.equal(ok.length, 1);
  assert.deepEqual((ok[0] as PromiseFulfilledResult<unknown>).value, {
    redirectUri: "https://app.example.com/done",
  });
  const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
  assert.ok(failed.reason instanceof BadRequestError);
});

Deno.test("consumeGithubState() rejects a state once 10 minutes have passed", async () => {
  await using g = await openGithubWorld();
  await beginGithubSignIn(g.auth, g.github, "fresh", null);
  await beginGithubSignIn(g.auth, g.github, "stale", null);
  g.world.clock.advance(10 * 60_000 - 1);
  assert.deepEqual(await consumeGithubState(g.auth, g.github, "fresh"), { redirectUri: null });
  g.world.clock.advance(1);
  await assert.rejects(() => consumeGithubState(g.auth, g.github, "stale"), BadRequestError);
});

Deno.test("findOrLinkGithubAccount() creates a verified account from the verified primary email", async () => {
  await using g = await openGithubWorld();
  const user = await findOrLinkGithubAccount(
    g.auth,
    { id: "7", login: "seven" },
    verified("seven@example.com"),
  );
  assert.equal(user.email, "seven@example.com");
  assert.equal(user.email_verified, true);
  assert.equal(user.github_id, "7");
  assert.equal(user.github_login, "seven");
  assert.equal(user.last_login_at, T0);
  assert.equal((await g.auth.users.getByEmail("seven@example.com"))?.id, user.id);
});

Deno.test("findOrLinkGithubAccount() clears a password set before the account's email was verified", async () => {
  await using g = await openGithubWorld();
  const squatter = newUserRecord({
    id: "usr_squatter",
    email: "victim@example.com",
    password_hash: await hashPassword("set-by-someone-else"),
  }, T0);
  await g.auth.users.create(squatter);
  const linked = await findOrLinkGithubAccount(
    g.auth,
    { id: "8", login: "victim" },
    verified("victim@example.com"),
  );
  assert.equal(linked.id, "usr_squatter");
  assert.equal(linked.email_verified, true);
  assert.equal(linked.password_hash, null);
});

Deno.test("findOrLinkGithubAccount() keeps the password of an account whose email was already verified", async () => {
  await using g = await openGithubWorld();
  const hash = await hashPassword("my-own-password");
  await g.auth.users.create(
    newUserRecord(
      { id: "usr_owner", email: "owner@example.com", email_verified: true, password_hash: hash },
      T0,
    ),
  );
  const linked = await findOrLinkGithubAccount(
    g.auth,
    { id: "9", login: "owner" },
    verified("owner@example.com"),
  );
  assert.equal(linked.id, "usr_owner");
  assert.equal(linked.password_hash, hash);
});

Deno.test("findOrLinkGithubAccount() refuses an email account already linked to another GitHub id", async () => {
  await using g = await openGithubWorld();
  await findOrLinkGithubAccount(g.auth, { id: "10", login: "first" }, verified("shared@example.com"));
  await assert.rejects(
    () => findOrLinkGithubAccount(g.auth, { id: "11", login: "second" }, verified("shared@example.com")),
    (e) => e instanceof ConflictError && /already linked to another GitHub account/.test(e.message),
  );
  assert.equal(await g.auth.users.getByGithubId("11"), null);
});

Deno.test("findOrLinkGithubAccount() creates one user when first sign-ins race", async () => {
  await using g = await openGithubWorld();
  const users = await Promise.all(
    Array.from(
      { length: 4 },
      () => findOrLinkGithubAccount(g.auth, { id: "12", login: "racer" }, verified("racer@example.com")),
    ),
  );
  assert.equal(new Set(users.map((u) => u.id)).size, 1);
  assert.equal((await g.auth.users.list({ limit: 200, offset: 0 })).total, 1);
});

Deno.test("findOrLinkGithubAccount() refuses a disabled account found by GitHub id", async () => {
  await using g = await openGithubWorld();
  const user = await findOrLinkGithubAccount(g.auth, { id: "13", login: "off" }, []);
  await g.auth.users.update(user.id, (u) => ({ ...u, disabled: true }));
  await assert.rejects(() => findOrLinkGithubAccount(g.auth, { id: "13", login: "off" }, []), ForbiddenError);
});

Deno.test("signInWithGithubCode() makes an admin only of a GitHub-verified admin email", async () => {
  await using g = await openGithubWorld();
  const admin: FakeGithubUser = { id: 1, login: "boss", emails: verified("admin@example.com") };
  const pair = await signInWithGithubCode(g.auth, g.github, g.gh.grantCode(admin));
  assert.equal(pair.user.is_admin, true);
  assert.equal(pair.user.email, "admin@example.com");
});

Deno.test("signInWithGithubCode() does not make an admin of an unverified admin email", async () => {
  await using g = await openGithubWorld();
  const claimant: FakeGithubUser = {
    id: 2,
    login: "claimant",
    emails: [{ email: "admin@example.com", primary: true, verified: false }],
  };
  const pair = await signInWithGithubCode(g.auth, g.github, g.gh.grantCode(claimant));
  assert.equal(pair.user.is_admin, false);
  assert.equal(pair.user.email, "github_2@quantedge.local");
  assert.equal(await g.auth.users.getByEmail("admin@example.com"), null);
});

Deno.test("findOrLinkGithubAccount() ends the sessions and API keys set up before the account's email was verified", async () => {
  await using g = await openGithubWorld();
  // An account holding someone else's address, unverified (as left by the old profile email change), with a
  // session and an API key of its creator.
  await g.auth.users.create(newUserRecord({ id: "usr_squat2", email: "mark@example.com" }, T0));
  const squatter = (await g.auth.users.get("usr_squat2"))!;
  const pair = await issueSession(g.auth, squatter);
  const key = await createApiKey(g.auth, squatter, "left behind");
  assert.equal((await authenticate(g.auth, pair.access_token)).user.id, "usr_squat2");

  const linked = await findOrLinkGithubAccount(
    g.auth,
    { id: "11", login: "mark" },
    verified("mark@example.com"),
  );
  assert.equal(linked.id, "usr_squat2");
  assert.equal(linked.email_verified, true);
  await assert.rejects(() => authenticate(g.auth, pair.access_token), UnauthorizedError);
  await assert.rejects(() => refreshSession(g.auth, pair.refresh_token), UnauthorizedError);
  await assert.rejects(() => authenticate(g.auth, key.api_key), UnauthorizedError);

  // The owner's own sessions afterwards work, and a second GitHub sign-in ends nothing.
  const mine = await issueSession(g.auth, linked);
  await findOrLinkGithubAccount(g.auth, { id: "11", login: "mark" }, verified("mark@example.com"));
  assert.equal((await authenticate(g.auth, mine.access_token)).user.id, "usr_squat2");
});

Deno.test("findOrLinkGithubAccount() replaces a GitHub link made before the account's email was proven", async () => {
  await using g = await openGithubWorld();
  // A squatter's account: someone else's address, unverified, linked to the squatter's own GitHub account.
  await g.auth.users.create(
    newUserRecord(
      { id: "usr_squat3", email: "nina@example.com", github_id: "66", github_login: "squat" },
      T0,
    ),
  );
  const linked = await findOrLinkGithubAccount(
    g.auth,
    { id: "12", login: "nina" },
    verified("nina@example.com"),
  );
  assert.equal(linked.id, "usr_squat3");
  assert.deepEqual([linked.github_id, linked.github_login, linked.email_verified], ["12", "nina", true]);
  assert.equal(await g.auth.users.getByGithubId("66"), null, "the squatter's GitHub no longer signs in here");
  assert.equal((await g.auth.users.getByGithubId("12"))?.id, "usr_squat3");
});

/** An authorize-redirect maker that counts its calls and hands out `state-N`. */
function fakeAuthorize() {
  let calls = 0;
  const make = () => {
    calls++;
    return Promise.resolve({
      url: `https://github.example/authorize?state=state-${calls}`,
      state: `state-${calls}`,
    });
  };
  return { make, calls: () => calls };
}

Deno.test("startGithubSignIn() records the state with the checked redirect_uri and answers the authorize URL", async () => {
  await using g = await openGithubWorld();
  const authorize = fakeAuthorize();
  const url = await startGithubSignIn(g.auth, g.github, "https://app.example.com/done#x", authorize.make);
  assert.equal(url, "https://github.example/authorize?state=state-1");
  assert.deepEqual(await consumeGithubState(g.auth, g.github, "state-1"), {
    redirectUri: "https://app.example.com/done",
  });
  await startGithubSignIn(g.auth, g.github, undefined, authorize.make);
  assert.deepEqual(await consumeGithubState(g.auth, g.github, "state-2"), { redirectUri: null });
});

Deno.test("startGithubSignIn() refuses a foreign redirect_uri at its own field, before any redirect is made", async () => {
  await using g = await openGithubWorld();
  const authorize = fakeAuthorize();
  await assert.rejects(
    startGithubSignIn(g.auth, g.github, "https://evil.example.com/", authorize.make),
    (e) => e instanceof ValidationError && JSON.stringify(e.loc) === '["redirect_uri"]',
  );
  assert.equal(authorize.calls(), 0);
});

Deno.test("finishGithubSignIn() answers tokens, and where they go", async () => {
  await using g = await openGithubWorld();
  const octo: FakeGithubUser = { id: 21, login: "octo", emails: verified("octo@example.com") };
  await beginGithubSignIn(g.auth, g.github, "direct", null);
  await beginGithubSignIn(g.auth, g.github, "redirected", "https://app.example.com/done");
  const direct = await finishGithubSignIn(g.auth, g.github, { state: "direct", code: g.gh.grantCode(octo) });
  assert.ok("pair" in direct && direct.redirectUri === null);
  assert.equal(direct.pair.user.email, "octo@example.com");
  const redirected = await finishGithubSignIn(g.auth, g.github, {
    state: "redirected",
    code: g.gh.grantCode(octo),
  });
  assert.ok("pair" in redirected);
  assert.equal(redirected.redirectUri, "https://app.example.com/done");
  assert.equal((await authenticate(g.auth, redirected.pair.access_token)).user.email, "octo@example.com");
});

Deno.test("finishGithubSignIn() hands a failure to the front end only when there is a redirect_uri", async () => {
  await using g = await openGithubWorld();
  await beginGithubSignIn(g.auth, g.github, "a", "https://app.example.com/done");
  await beginGithubSignIn(g.auth, g.github, "b", null);
  await beginGithubSignIn(g.auth, g.github, "c", null);
  const denied = await finishGithubSignIn(g.auth, g.github, {
    state: "a",
    error: "access_denied",
    error_description: "The user said no",
  });
  assert.ok("error" in denied);
  assert.ok(denied.error instanceof BadRequestError);
  assert.equal(denied.error.message, "GitHub sign-in failed: The user said no");
  await assert.rejects(
    finishGithubSignIn(g.auth, g.github, { state: "b", error: "access_denied" }),
    (e) => e instanceof BadRequestError && e.message === "GitHub sign-in failed: access_denied",
  );
  await assert.rejects(finishGithubSignIn(g.auth, g.github, { state: "c" }), /no authorization code/);
  // The state works once: a replay fails whatever the redirect.
  await assert.rejects(finishGithubSignIn(g.auth, g.github, { state: "a", code: "x" }), BadRequestError);
});
