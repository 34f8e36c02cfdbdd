import assert from "node:assert/strict";
import { keys } from "../../domain/store/keys.ts";
import type { OAuthStateRecord } from "../../domain/store/oauth_state_repo.ts";
import { allowedRedirectOrigins } from "../../app/github_services.ts";
import { type FakeGithub, type FakeGithubUser, startFakeGithub } from "../_helpers/fake_github.ts";
import { openTestWorld, signInWithOtp, T0, type TestWorld } from "../_helpers/test_app.ts";

const CLIENT_ID = "Iv1.quantedge-test";
const CLIENT_SECRET = "github-test-secret-0123456789";
const START = "/api/v1/auth/oauth/github";
const CALLBACK = "/api/v1/auth/oauth/github/callback";

const octo: FakeGithubUser = {
  id: 583231,
  login: "octocat",
  emails: [
    { email: "octocat@users.noreply.github.com", primary: false, verified: true },
    { email: "Octo@Example.com", primary: true, verified: true },
  ],
};

async function openGithubWorld(env: Record<string, string> = {}) {
  const gh = startFakeGithub(CLIENT_ID, CLIENT_SECRET);
  const world = await openTestWorld({
    GITHUB_CLIENT_ID: CLIENT_ID,
    GITHUB_CLIENT_SECRET: CLIENT_SECRET,
    GITHUB_OAUTH_BASE_URL: gh.oauthBaseUrl,
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
    ...env,
  });
  return {
    world,
    gh,
    [Symbol.asyncDispose]: async () => {
      await world.close();
      await gh.close();
    },
  };
}

/** Plays the browser: start sign-in, let the fake GitHub approve as `user`, return the callback path. */
async function authorizeAs(world: TestWorld, gh: FakeGithub, user: FakeGithubUser | null, query = "") {
  const start = await world.request("GET", START + query);
  assert.equal(start.status, 302, await start.clone().text());
  gh.approveAs = user;
  const res = await fetch(start.headers.get("location")!, { redirect: "manual" });
  await res.body?.cancel();
  assert.equal(res.status, 302);
  const back = new URL(res.headers.get("location")!);
  assert.equal(back.origin + back.pathname, `http://localhost:8000${CALLBACK}`);
  return back.pathname + back.search;
}

async function signInWithGithub(world: TestWorld, gh: FakeGithub, user: FakeGithubUser, query = "") {
  return await world.request("GET", await authorizeAs(world, gh, user, query));
}

Deno.test("GitHub sign-in routes answer 404 when GitHub is not configured", async () => {
  const world = await openTestWorld();
  try {
    for (const path of [START, `${CALLBACK}?state=abc&code=def`, CALLBACK]) {
      const res = await world.request("GET", path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.deepEqual(await res.json(), { detail: "GitHub sign-in is not configured" });
    }
  } finally {
    await world.close();
  }
});

Deno.test("/openapi.json lists the GitHub sign-in routes even when GitHub is not configured", async () => {
  const world = await openTestWorld();
  try {
    const doc = await (await world.request("GET", "/openapi.json")).json();
    const start = doc.paths["/api/v1/auth/oauth/github"]?.get;
    const callback = doc.paths["/api/v1/auth/oauth/github/callback"]?.get;
    assert.ok(start && callback);
    assert.ok(start.responses["302"] && start.responses["404"]);
    assert.ok(callback.responses["200"].content["application/json"].schema);
    assert.deepEqual(
      callback.parameters.map((p: { name: string }) => p.name).sort(),
      ["code", "error", "error_description", "state"],
    );
  } finally {
    await world.close();
  }
});

Deno.test("GET /auth/oauth/github redirects to GitHub with client_id and a state stored in KV", async () => {
  await using t = await openGithubWorld();
  const res = await t.world.request("GET", START);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("set-cookie"), null);
  const url = new URL(res.headers.get("location")!);
  assert.equal(url.origin + url.pathname, `${t.gh.oauthBaseUrl}/login/oauth/authorize`);
  assert.equal(url.searchParams.get("client_id"), CLIENT_ID);
  assert.equal(url.searchParams.get("redirect_uri"), `http://localhost:8000${CALLBACK}`);
  assert.equal(url.searchParams.get("scope"), "read:user user:email");
  const state = url.searchParams.get("state")!;
  assert.ok(state.length >= 32);
  const stored = await t.world.kv.get<OAuthStateRecord>(keys.oauthState(state));
  assert.deepEqual(stored.value, {
    provider: "github",
    redirect_uri: null,
    created_at: T0,
    expires_at: T0 + 10 * 60_000,
  });
  const again = new URL((await t.world.request("GET", START)).headers.get("location")!);
  assert.notEqual(again.searchParams.get("state"), state);
});

Deno.test("GitHub callback answers 400 for an unknown state", async () => {
  await using t = await openGithubWorld();
  t.gh.approveAs = octo;
  const res = await t.world.request("GET", `${CALLBACK}?state=never-issued&code=${t.gh.grantCode(octo)}`);
  assert.equal(res.status, 400);
  assert.match((await res.json()).detail, /Invalid or expired OAuth state/);
  assert.equal(t.gh.requests.filter((r) => r.path === "/login/oauth/access_token").length, 0);
});

Deno.test("GitHub callback answers 422 when state is missing", async () => {
  await using t = await openGithubWorld();
  const res = await t.world.request("GET", `${CALLBACK}?code=abc`);
  assert.equal(res.status, 422);
  assert.deepEqual((await res.json()).detail.map((d: { loc: string[] }) => d.loc), [["query", "state"]]);
});

Deno.test("GitHub callback creates a user on first sign-in and its token works", async () => {
  await using t = await openGithubWorld();
  const res = await signInWithGithub(t.world, t.gh, octo);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.equal(body.token_type, "bearer");
  assert.equal(body.user.email, "octo@example.com");
  assert.equal(body.user.email_verified, true);
  assert.equal(body.user.github_login, "octocat");
  const me = await t.world.request("GET", "/api/v1/auth/me", { token: body.access_token });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).id, body.user.id);
  const stored = await t.world.deps.auth.users.getByGithubId("583231");
  assert.equal(stored?.id, body.user.id);
  const exchange = t.gh.requests.find((r) => r.path === "/login/oauth/access_token");
  assert.equal(exchange?.body?.redirect_uri, `http://localhost:8000${CALLBACK}`);
});

Deno.test("GitHub callback answers 400 when the same state is used twice", async () => {
  await using t = await openGithubWorld();
  const callback = await authorizeAs(t.world, t.gh, octo);
  assert.equal((await t.world.request("GET", callback)).status, 200);
  const replay = await t.world.request("GET", callback);
  assert.equal(replay.status, 400);
  assert.match((await replay.json()).detail, /Invalid or expired OAuth state/);
});

Deno.test("GitHub callback answers 400 when the state is older than 10 minutes", async () => {
  await using t = await openGithubWorld();
  const callback = await authorizeAs(t.world, t.gh, octo);
  t.world.clock.advance(10 * 60_000);
  const res = await t.world.request("GET", callback);
  assert.equal(res.status, 400);
  assert.match((await res.json()).detail, /Invalid or expired OAuth state/);
});

Deno.test("GitHub sign-in with the same GitHub id signs into the same user", async () => {
  await using t = await openGithubWorld();
  const first = await (await signInWithGithub(t.world, t.gh, octo)).json();
  t.world.clock.advance(60_000);
  const renamed = { ...octo, login: "octocat-renamed" };
  const second = await signInWithGithub(t.world, t.gh, renamed);
  assert.equal(second.status, 200);
  const body = await second.json();
  assert.equal(body.user.id, first.user.id);
  assert.equal(body.user.github_login, "octocat-renamed");
  assert.equal(body.user.last_login_at, new Date(T0 + 60_000).toISOString());
  assert.notEqual(body.refresh_token, first.refresh_token);
});

Deno.test("GitHub sign-in links an existing OTP account with the same verified email", async () => {
  await using t = await openGithubWorld();
  const otp = await signInWithOtp(t.world, "octo@example.com");
  const res = await signInWithGithub(t.world, t.gh, octo);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.user.id, otp.user.id);
  assert.equal(body.user.github_login, "octocat");
  assert.equal((await t.world.deps.auth.users.getByGithubId("583231"))?.id, otp.user.id);
});

Deno.test("GitHub sign-in does not link to an account when GitHub has not verified the email", async () => {
  await using t = await openGithubWorld();
  const otp = await signInWithOtp(t.world, "octo@example.com");
  const unverified: FakeGithubUser = {
    id: 99,
    login: "impostor",
    emails: [{ email: "octo@example.com", primary: true, verified: false }],
  };
  const res = await signInWithGithub(t.world, t.gh, unverified);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.notEqual(body.user.id, otp.user.id);
  assert.equal(body.user.email, "github_99@quantedge.local");
  assert.equal(body.user.is_anonymous, true);
  assert.equal((await t.world.deps.auth.users.get(otp.user.id))?.github_id, null);
});

Deno.test("GitHub sign-in into a disabled account answers 403 Account disabled", async () => {
  await using t = await openGithubWorld();
  const first = await (await signInWithGithub(t.world, t.gh, octo)).json();
  await t.world.deps.auth.users.update(first.user.id, (u) => ({ ...u, disabled: true }));
  const res = await signInWithGithub(t.world, t.gh, octo);
  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), { detail: "Account disabled" });
});

Deno.test("GitHub sign-in refuses to link a disabled account found by email", async () => {
  await using t = await openGithubWorld();
  const otp = await signInWithOtp(t.world, "octo@example.com");
  await t.world.deps.auth.users.update(otp.user.id, (u) => ({ ...u, disabled: true }));
  const res = await signInWithGithub(t.world, t.gh, octo);
  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), { detail: "Account disabled" });
  assert.equal((await t.world.deps.auth.users.get(otp.user.id))?.github_id, null);
});

Deno.test("GitHub callback answers 400 when GitHub rejects the code", async () => {
  await using t = await openGithubWorld();
  const callback = new URL(await authorizeAs(t.world, t.gh, octo), "http://x");
  callback.searchParams.set("code", "forged");
  const res = await t.world.request("GET", callback.pathname + callback.search);
  assert.equal(res.status, 400);
  assert.match(
    (await res.json()).detail,
    /GitHub rejected the sign-in: The code passed is incorrect or expired/,
  );
});

Deno.test("GitHub callback answers 400 when the user denies access on GitHub", async () => {
  await using t = await openGithubWorld();
  const res = await t.world.request("GET", await authorizeAs(t.world, t.gh, null));
  assert.equal(res.status, 400);
  assert.match((await res.json()).detail, /GitHub sign-in failed: The user has denied/);
});

Deno.test("GitHub callback answers 503 when GitHub fails", async () => {
  await using t = await openGithubWorld();
  const callback = await authorizeAs(t.world, t.gh, octo);
  t.gh.failWith = 502;
  const res = await t.world.request("GET", callback);
  assert.equal(res.status, 503);
  assert.match((await res.json()).detail, /GitHub is unavailable/);
});

Deno.test("GitHub sign-in sends tokens to an allowed redirect_uri in the URL fragment", async () => {
  await using t = await openGithubWorld({ CORS_ORIGINS: "https://app.example.com" });
  const query = `?redirect_uri=${encodeURIComponent("https://app.example.com/auth/done?x=1#old")}`;
  const res = await signInWithGithub(t.world, t.gh, octo, query);
  assert.equal(res.status, 302);
  const target = new URL(res.headers.get("location")!);
  assert.equal(target.origin + target.pathname + target.search, "https://app.example.com/auth/done?x=1");
  const fragment = new URLSearchParams(target.hash.slice(1));
  assert.equal(fragment.get("token_type"), "bearer");
  assert.equal(fragment.get("expires_in"), "86400");
  assert.match(fragment.get("refresh_token") ?? "", /^qrt_/);
  const me = await t.world.request("GET", "/api/v1/auth/me", { token: fragment.get("access_token")! });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).github_login, "octocat");
});

Deno.test("GitHub sign-in redirects a failure to the redirect_uri with the error in the fragment", async () => {
  await using t = await openGithubWorld({ CORS_ORIGINS: "https://app.example.com" });
  const first = await (await signInWithGithub(t.world, t.gh, octo)).json();
  await t.world.deps.auth.users.update(first.user.id, (u) => ({ ...u, disabled: true }));
  const res = await signInWithGithub(t.world, t.gh, octo, "?redirect_uri=https://app.example.com/done");
  assert.equal(res.status, 302);
  const target = new URL(res.headers.get("location")!);
  assert.equal(target.origin + target.pathname, "https://app.example.com/done");
  assert.deepEqual(Object.fromEntries(new URLSearchParams(target.hash.slice(1))), {
    error: "sign_in_failed",
    status: "403",
    detail: "Account disabled",
  });
});

Deno.test("GET /auth/oauth/github answers 422 for a redirect_uri outside the allowed origins", async (t) => {
  await using g = await openGithubWorld({ CORS_ORIGINS: "*,https://app.example.com" });
  for (
    const uri of [
      "https://evil.example.net/steal",
      "https://app.example.com.evil.net/",
      "javascript:alert(1)",
      "https://user:pw@app.example.com/",
      "not a url",
    ]
  ) {
    await t.step(uri, async () => {
      const res = await g.world.request("GET", `${START}?redirect_uri=${encodeURIComponent(uri)}`);
      assert.equal(res.status, 422);
      const body = await res.json();
      assert.deepEqual(body.detail[0].loc, ["query", "redirect_uri"]);
    });
  }
  const own = await g.world.request(
    "GET",
    `${START}?redirect_uri=${encodeURIComponent("http://localhost:8000/ui")}`,
  );
  assert.equal(own.status, 302);
});

Deno.test("allowedRedirectOrigins() keeps the service's origin and explicit CORS origins, never *", () => {
  assert.deepEqual(
    allowedRedirectOrigins({
      publicBaseUrl: "https://api.example.com/base",
      corsOrigins: ["*", "https://app.example.com/", "http://localhost:5173", "nonsense"],
    }),
    ["https://api.example.com", "https://app.example.com", "http://localhost:5173"],
  );
});
