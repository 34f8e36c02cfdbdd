import assert from "node:assert/strict";
import { createGithubHttpClient } from "../../../domain/auth/github_client.ts";
import { BadRequestError, ServiceUnavailableError } from "../../../domain/errors.ts";
import { type FakeGithubUser, startFakeGithub } from "../../_helpers/fake_github.ts";

const octo: FakeGithubUser = {
  id: 583231,
  login: "octocat",
  emails: [{ email: "octo@example.com", primary: true, verified: true }],
};

function openFake() {
  const gh = startFakeGithub("cid", "secret");
  const client = createGithubHttpClient({
    clientId: "cid",
    clientSecret: "secret",
    oauthBaseUrl: gh.oauthBaseUrl,
    apiBaseUrl: gh.apiBaseUrl,
  });
  return { gh, client, [Symbol.asyncDispose]: () => gh.close() };
}

Deno.test("GithubHttpClient exchanges a code and reads the user and emails over HTTP", async () => {
  await using t = openFake();
  const token = await t.client.exchangeCode(t.gh.grantCode(octo), "http://localhost:8000/cb");
  assert.match(token, /^gho_/);
  assert.deepEqual(t.gh.requests[0], {
    method: "POST",
    path: "/login/oauth/access_token",
    body: {
      client_id: "cid",
      client_secret: "secret",
      code: t.gh.requests[0].body?.code,
      redirect_uri: "http://localhost:8000/cb",
    },
  });
  assert.deepEqual(await t.client.getUser(token), { id: "583231", login: "octocat" });
  assert.deepEqual(await t.client.getEmails(token), octo.emails);
  assert.deepEqual(t.gh.requests.slice(1).map((r) => r.path), ["/api/v3/user", "/api/v3/user/emails"]);
});

Deno.test("GithubHttpClient.exchangeCode() throws BadRequestError for a code GitHub rejects", async () => {
  await using t = openFake();
  await assert.rejects(
    () => t.client.exchangeCode("forged", "http://localhost:8000/cb"),
    (e) => e instanceof BadRequestError && /incorrect or expired/.test(e.message),
  );
});

Deno.test("GithubHttpClient.exchangeCode() reports a wrong client secret as ServiceUnavailableError", async () => {
  await using t = openFake();
  const wrong = createGithubHttpClient({
    clientId: "cid",
    clientSecret: "not-the-secret",
    oauthBaseUrl: t.gh.oauthBaseUrl,
    apiBaseUrl: t.gh.apiBaseUrl,
  });
  await assert.rejects(
    () => wrong.exchangeCode(t.gh.grantCode(octo), "http://x/cb"),
    (e) =>
      e instanceof ServiceUnavailableError && /misconfigured .*incorrect_client_credentials/.test(e.message),
  );
});

Deno.test("GithubHttpClient.getUser() throws BadRequestError for a token GitHub does not know", async () => {
  await using t = openFake();
  await assert.rejects(() => t.client.getUser("gho_unknown"), BadRequestError);
});

Deno.test("GithubHttpClient.getEmails() returns no emails when GitHub hides them (no user:email scope)", async () => {
  await using t = openFake();
  const token = await t.client.exchangeCode(t.gh.grantCode(octo), "http://x/cb");
  t.gh.hideEmails = true;
  assert.deepEqual(await t.client.getEmails(token), []);
});

Deno.test("GithubHttpClient throws ServiceUnavailableError when GitHub answers 5xx", async () => {
  await using t = openFake();
  const token = await t.client.exchangeCode(t.gh.grantCode(octo), "http://x/cb");
  t.gh.failWith = 500;
  await assert.rejects(() => t.client.exchangeCode("any", "http://x/cb"), ServiceUnavailableError);
  await assert.rejects(() => t.client.getUser(token), ServiceUnavailableError);
  await assert.rejects(() => t.client.getEmails(token), ServiceUnavailableError);
});

Deno.test("GithubHttpClient throws ServiceUnavailableError when nothing listens", async () => {
  const gh = startFakeGithub("cid", "secret");
  await gh.close();
  const client = createGithubHttpClient({
    clientId: "cid",
    clientSecret: "secret",
    oauthBaseUrl: gh.oauthBaseUrl,
    apiBaseUrl: gh.apiBaseUrl,
  });
  await assert.rejects(() => client.exchangeCode("c", "http://x/cb"), ServiceUnavailableError);
});

Deno.test("GithubHttpClient throws ServiceUnavailableError when GitHub does not answer in time", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    await released;
    return new Response("{}");
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const client = createGithubHttpClient({
      clientId: "cid",
      clientSecret: "secret",
      oauthBaseUrl: base,
      apiBaseUrl: base,
      timeoutMs: 50,
    });
    await assert.rejects(() => client.getUser("gho_x"), ServiceUnavailableError);
  } finally {
    release();
    await server.shutdown();
  }
});
