/**
 * The dashboard's cookie sessions through the page forms: OTP sign-in, `next`, silent refresh, refresh-token
 * reuse, sign-out, the token hand-off, cross-site posts and the page CSP.
 */
import assert from "node:assert/strict";
import {
  cookiesOf,
  getPage,
  PAGE_ORIGIN,
  pageToken,
  postForm,
  signInPage,
} from "../_helpers/page_session.ts";
import { REFRESH_COOKIE, SESSION_COOKIE } from "../../routes/pages/page_auth.ts";
import { type FakeGithub, type FakeGithubUser, startFakeGithub } from "../_helpers/fake_github.ts";
import { lastOtp, openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const EMAIL = "page-user@example.com";

async function withWorld(fn: (w: TestWorld) => Promise<void>, env: Record<string, string> = {}) {
  const world = await openTestWorld(env);
  try {
    await fn(world);
  } finally {
    await world.close();
  }
}

/** The `Set-Cookie` line for `name`. */
function setCookieLine(res: Response, name: string): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `no Set-Cookie for ${name}: ${res.headers.getSetCookie().join(" | ")}`);
  return line;
}

/** The value of cookie `name` in a `Cookie` header value. */
function cookieValue(cookie: string, name: string): string | undefined {
  return cookie.split(";").map((p) => p.trim()).find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** Asks for a code and answers the verify form's response with `code` (defaults to the mailed one). */
async function verifyWith(world: TestWorld, email: string, next: string, code?: string, ip = "10.1.0.1") {
  const headers = { "x-forwarded-for": ip };
  const r1 = await postForm(world, "/app/sign-in/code", { email, next }, "", headers);
  assert.equal(r1.status, 200, await r1.clone().text());
  await r1.body?.cancel();
  return await postForm(
    world,
    "/app/sign-in/verify",
    { email, otp_code: code ?? lastOtp(world.sent, email), next },
    "",
    headers,
  );
}

Deno.test("GET /app/sign-in shows the email form, labelled, with the CSP of the pages", async () => {
  await withWorld(async (world) => {
    const res = await getPage(world, "/app/sign-in");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /form-action 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    const html = await res.text();
    assert.match(html, /<label for="email">/);
    assert.match(html, /id="email"/);
    assert.match(html, /action="\/app\/sign-in\/code"/);
    assert.doesNotMatch(html, /Sign in with GitHub/, "no GitHub button when GitHub is not configured");
  });
});

Deno.test("the API keeps its own CSP (nothing allowed) beside the pages' one", async () => {
  await withWorld(async (world) => {
    const res = await world.app.request("/api/v1/billing/tiers");
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src 'self'/);
    assert.match(csp, /form-action 'none'/);
  });
});

Deno.test("OTP sign-in through the forms sets both cookies HttpOnly, SameSite=Lax, Path=/app", async () => {
  await withWorld(async (world) => {
    const res = await verifyWith(world, EMAIL, "/app/account");
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/app/account");
    for (const name of [SESSION_COOKIE, REFRESH_COOKIE]) {
      const line = setCookieLine(res, name);
      assert.match(line, /; Path=\/app(;|$)/, line);
      assert.match(line, /; HttpOnly/, line);
      assert.match(line, /; SameSite=Lax/, line);
      assert.doesNotMatch(line, /; Secure/, "no Secure outside production");
    }
    assert.match(setCookieLine(res, "qe_refresh"), /Max-Age=604800/);
    const cookie = cookiesOf(res);
    const page = await getPage(world, "/app", cookie);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /page-user@example.com/);
    assert.match(html, /action="\/app\/sign-out"/);
  });
});

Deno.test("in production the session cookies are Secure", async () => {
  await withWorld(async (world) => {
    const res = await verifyWith(world, EMAIL, "/app");
    assert.equal(res.status, 303);
    for (const name of [SESSION_COOKIE, REFRESH_COOKIE]) assert.match(setCookieLine(res, name), /; Secure/);
  }, { DENO_ENV: "production", SMTP_HOST: "127.0.0.1" });
});

Deno.test("asking for a code answers the same for an unknown and a known email", async () => {
  await withWorld(async (world) => {
    await signInPage(world, "known@example.com");
    const answer = async (email: string, ip: string) => {
      const res = await postForm(world, "/app/sign-in/code", { email, next: "/app" }, "", {
        "x-forwarded-for": ip,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.getSetCookie().length, 0);
      return (await res.text()).replaceAll(email, "EMAIL");
    };
    const known = await answer("known@example.com", "10.2.0.1");
    const unknown = await answer("nobody-here@example.com", "10.2.0.1");
    assert.equal(known, unknown);
    assert.match(known, /id="otp_code"/);
  });
});

Deno.test("a wrong code is a 401 page with the same message as an expired code", async () => {
  await withWorld(async (world) => {
    const wrong = await verifyWith(world, EMAIL, "/app", "000000");
    // A mailed code can be 000000 by chance (1 in a million): then the test would sign in, and say so.
    assert.equal(wrong.status, 401, "the mailed code happened to be 000000");
    assert.equal(wrong.headers.getSetCookie().length, 0);
    const wrongHtml = await wrong.text();
    assert.match(wrongHtml, /role="alert"/);
    assert.match(wrongHtml, /Invalid or expired code/);

    const r1 = await postForm(world, "/app/sign-in/code", { email: "late@example.com", next: "/app" });
    await r1.body?.cancel();
    const code = lastOtp(world.sent, "late@example.com");
    world.clock.advance(11 * 60_000);
    const expired = await postForm(world, "/app/sign-in/verify", {
      email: "late@example.com",
      otp_code: code,
      next: "/app",
    });
    assert.equal(expired.status, 401);
    const expiredHtml = await expired.text();
    const message = (html: string) => html.match(/<p class="error" role="alert">([^<]*)<\/p>/)?.[1];
    assert.equal(message(expiredHtml), message(wrongHtml));
    assert.ok(message(wrongHtml));
  });
});

Deno.test("too many code requests for one email are a 429 page", async () => {
  await withWorld(async (world) => {
    let last: Response | null = null;
    for (let i = 0; i < 6; i++) {
      last = await postForm(world, "/app/sign-in/code", { email: EMAIL, next: "/app" }, "", {
        "x-forwarded-for": `10.3.0.${i}`,
      });
      if (i < 5) {
        assert.equal(last.status, 200, `request ${i}`);
        await last.body?.cancel();
      }
    }
    assert.equal(last!.status, 429);
    assert.match(last!.headers.get("content-type") ?? "", /text\/html/);
    const html = await last!.text();
    assert.match(html, /Too many attempts/);
    assert.match(html, /id="email"/);
  });
});

Deno.test("too many wrong codes from one address are a 429 page", async () => {
  await withWorld(async (world) => {
    const r1 = await postForm(world, "/app/sign-in/code", { email: EMAIL, next: "/app" });
    await r1.body?.cancel();
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i++) {
      const res = await postForm(world, "/app/sign-in/verify", {
        email: EMAIL,
        otp_code: "12345x",
        next: "/app",
      });
      status = res.status;
      await res.body?.cancel();
    }
    assert.equal(status, 429);
  }, { RATE_LIMIT_VERIFY_PER_IP: "5/15m" });
});

Deno.test("next is kept through the forms and open redirects become /app", async (t) => {
  await withWorld(async (world) => {
    const cases: [string, string][] = [
      ["/app/account", "/app/account"],
      ["/app/backtests?page=2", "/app/backtests?page=2"],
      ["//evil.com", "/app"],
      ["/appx", "/app"],
      ["https://evil.com/app", "/app"],
      ["/app\\..\\evil", "/app"],
      ["/\\evil.com", "/app"],
      ["/app/\u0000x", "/app"],
      ["/app/\r\nSet-Cookie: a=b", "/app"],
      ["/app/\tx", "/app"],
      ["", "/app"],
    ];
    let i = 0;
    for (const [next, expected] of cases) {
      await t.step(JSON.stringify(next), async () => {
        const res = await verifyWith(world, `next${i}@example.com`, next, undefined, `10.4.0.${i++}`);
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), expected);
      });
    }
    const form = await getPage(world, "/app/sign-in?next=%2F%2Fevil.com");
    const html = await form.text();
    assert.match(html, /name="next" value="\/app"/);
    assert.doesNotMatch(html, /evil/);
  });
});

Deno.test("a signed-in visitor of /app/sign-in goes to next", async () => {
  await withWorld(async (world) => {
    const cookie = await signInPage(world, EMAIL);
    const res = await getPage(world, "/app/sign-in?next=%2Fapp%2Faccount", cookie);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/app/account");
  });
});

Deno.test("an expired access token is refreshed silently on the next page and both cookies rotate", async () => {
  await withWorld(async (world) => {
    const cookie = await signInPage(world, EMAIL);
    world.clock.advance(world.config.accessTokenTtlMs + 1000);
    const res = await getPage(world, "/app", cookie);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /page-user@example.com/, "still signed in");
    const rotated = cookiesOf(res, cookie);
    for (const name of [SESSION_COOKIE, REFRESH_COOKIE]) {
      assert.match(setCookieLine(res, name), /; HttpOnly/);
      assert.notEqual(cookieValue(rotated, name), cookieValue(cookie, name), `${name} rotated`);
    }
    // The new access token works on the API; the expired one does not.
    const me = await world.request("GET", "/api/v1/auth/me", { token: cookieValue(rotated, "qe_session") });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).email, EMAIL);
    const old = await world.request("GET", "/api/v1/auth/me", { token: cookieValue(cookie, "qe_session") });
    assert.equal(old.status, 401);
    await old.body?.cancel();
  });
});

Deno.test("presenting an old refresh cookie again revokes the session", async () => {
  await withWorld(async (world) => {
    const cookie = await signInPage(world, EMAIL);
    world.clock.advance(world.config.accessTokenTtlMs + 1000);
    const first = await getPage(world, "/app", cookie);
    await first.body?.cancel();
    const rotated = cookiesOf(first, cookie);
    world.clock.advance(world.config.refreshGraceMs + 1000);
    // A thief replays the old cookies: refused, the cookies are cleared, and the whole session ends.
    const replay = await getPage(world, "/app/session-check-404", cookie);
    await replay.body?.cancel();
    for (const name of [SESSION_COOKIE, REFRESH_COOKIE]) {
      assert.match(setCookieLine(replay, name), /Max-Age=0/);
    }
    const token = await postForm(world, "/app/session/token", {}, cookie);
    assert.equal(token.status, 401);
    await token.body?.cancel();
    const me = await world.request("GET", "/api/v1/auth/me", { token: cookieValue(rotated, "qe_session") });
    assert.equal(me.status, 401, "the rightful holder's new access token is revoked too");
    await me.body?.cancel();
    const page = await getPage(world, "/app", rotated);
    const html = await page.text();
    assert.doesNotMatch(html, /page-user@example.com/);
    assert.match(html, /href="\/app\/sign-in"/);
  });
});

Deno.test("sign-out revokes the session and clears both cookies", async () => {
  await withWorld(async (world) => {
    const cookie = await signInPage(world, EMAIL);
    const access = cookieValue(cookie, "qe_session")!;
    const before = await world.request("GET", "/api/v1/auth/me", { token: access });
    assert.equal(before.status, 200);
    await before.body?.cancel();
    const res = await postForm(world, "/app/sign-out", {}, cookie);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/app");
    for (const name of [SESSION_COOKIE, REFRESH_COOKIE]) {
      const line = setCookieLine(res, name);
      assert.match(line, /Max-Age=0/);
      assert.match(line, /Path=\/app/);
    }
    assert.equal(cookiesOf(res, cookie), "");
    const after = await world.request("GET", "/api/v1/auth/me", { token: access });
    assert.equal(after.status, 401);
    await after.body?.cancel();
    // The old refresh cookie no longer signs anyone in.
    const again = await getPage(world, "/app/account", cookie);
    assert.equal(again.status, 303);
    assert.match(again.headers.get("location") ?? "", /^\/app\/sign-in\?next=/);
    await again.body?.cancel();
  });
});

Deno.test("POST /app/session/token: 401 signed out; the token works as a bearer; never cached", async () => {
  await withWorld(async (world) => {
    const out = await postForm(world, "/app/session/token", {});
    assert.equal(out.status, 401);
    assert.equal(out.headers.get("cache-control"), "no-store");
    assert.deepEqual(await out.json(), { detail: "Not signed in" });

    const cookie = await signInPage(world, EMAIL);
    const res = await postForm(world, "/app/session/token", {}, cookie);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = await res.json();
    assert.equal(body.token_type, "bearer");
    assert.equal(body.access_token, cookieValue(cookie, "qe_session"));
    const me = await world.request("GET", "/api/v1/auth/me", { token: await pageToken(world, cookie) });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).email, EMAIL);
  });
});

Deno.test("cross-site POSTs under /app are refused with 403", async (t) => {
  await withWorld(async (world) => {
    const cookie = await signInPage(world, EMAIL);
    const cases: [string, Record<string, string>][] = [
      ["Origin of another site", { origin: "https://evil.example" }],
      ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site", origin: PAGE_ORIGIN }],
      ["Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site" }],
      ["no Origin and no Sec-Fetch-Site", {}],
      ["Origin null", { origin: "null" }],
    ];
    for (const [name, headers] of cases) {
      await t.step(name, async () => {
        for (const path of ["/app/sign-out", "/app/session/token", "/app/sign-in/code"]) {
          const res = await world.app.request(path, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...headers },
            body: "email=page-user%40example.com",
          });
          assert.equal(res.status, 403, path);
          assert.match((await res.json()).detail, /Cross-site/);
        }
      });
    }
    // The session survived every refused sign-out.
    const me = await world.request("GET", "/api/v1/auth/me", { token: cookieValue(cookie, "qe_session") });
    assert.equal(me.status, 200);
    await me.body?.cancel();
  });
});

Deno.test("a signed-out visitor of a signed-in page is sent to sign in and comes back", async () => {
  await withWorld(async (world) => {
    const res = await getPage(world, "/app/account?tab=keys");
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/app/sign-in?next=%2Fapp%2Faccount%3Ftab%3Dkeys");
    await res.body?.cancel();
  });
});

Deno.test("assets: ETag, 304 on If-None-Match, versioned links immutable, short cache otherwise", async () => {
  await withWorld(async (world) => {
    const res = await getPage(world, "/app/assets/app.css");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=300");
    const etag = res.headers.get("etag") ?? "";
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    assert.match(await res.text(), /--accent/);

    const again = await world.app.request("/app/assets/app.css", { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    const weak = await world.app.request("/app/assets/app.css", {
      headers: { "if-none-match": `"0000000000000000", W/${etag}` },
    });
    assert.equal(weak.status, 304, "a list of tags (and a weak one) matches too");
    await weak.body?.cancel();
    const stale = await world.app.request("/app/assets/app.css", { headers: { "if-none-match": '"abc"' } });
    assert.equal(stale.status, 200);
    await stale.body?.cancel();

    // The page links the stylesheet with its hash; that URL may be kept for a year.
    const page = await (await getPage(world, "/app/sign-in")).text();
    const href = page.match(/href="(\/app\/assets\/app\.css\?v=[0-9a-f]+)"/)?.[1];
    assert.ok(href, "versioned stylesheet link");
    assert.equal(href, `/app/assets/app.css?v=${etag.slice(1, -1)}`);
    const versioned = await getPage(world, href);
    assert.equal(versioned.status, 200);
    assert.equal(versioned.headers.get("cache-control"), "public, max-age=31536000, immutable");
    await versioned.body?.cancel();
  });
});

Deno.test("assets: client modules and the chart library's ES module are served as JavaScript", async () => {
  await withWorld(async (world) => {
    const api = await getPage(world, "/app/assets/client/api.js");
    assert.equal(api.status, 200);
    assert.equal(api.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(await api.text(), /export async function api\(/);
    const charts = await getPage(world, "/app/assets/vendor/lightweight-charts.mjs");
    assert.equal(charts.status, 200);
    assert.equal(charts.headers.get("content-type"), "text/javascript; charset=utf-8");
    const text = await charts.text();
    assert.ok(text.length > 50_000, `the whole library (${text.length} bytes)`);
    assert.match(text, /export\s*\{/);
    assert.match(text, /createChart/);
  });
});

Deno.test("assets: unknown files, traversal tricks and broken escapes are 404, never 500", async (t) => {
  await withWorld(async (world) => {
    const paths = [
      "/app/assets/nope.js",
      "/app/assets/client/nope.js",
      "/app/assets/%2e%2e/deno.json",
      "/app/assets/client/%2e%2e%2f%2e%2e%2fdeno.json",
      "/app/assets/..%2fmain.ts",
      "/app/assets/..%5cmain.ts",
      "/app/assets/%2e%2e%2f%2e%2e%2froutes/app.ts",
      "/app/assets/client/..%2f..%2f..%2fmain.ts",
      "/app/assets/%E0%A4%A",
      "/app/assets/%",
      "/app/assets/",
      "/app/assets/app.css%00.js",
    ];
    for (const path of paths) {
      await t.step(path, async () => {
        const res = await getPage(world, path);
        assert.equal(res.status, 404, path);
        const body = await res.text();
        assert.doesNotMatch(body, /import |Deno\./, "no source file leaked");
      });
    }
  });
});

Deno.test("a refresh refused by the rate limit keeps the cookies for a later request", async () => {
  await withWorld(async (world) => {
    const a = await signInPage(world, "a@example.com", "10.5.0.1");
    const b = await signInPage(world, "b@example.com", "10.5.0.2");
    world.clock.advance(world.config.accessTokenTtlMs + 1000);
    const ip = { "x-forwarded-for": "10.5.0.9" };
    const first = await world.app.request("/app", { headers: { cookie: a, ...ip } });
    assert.match(await first.text(), /a@example.com/);
    const limited = await world.app.request("/app", { headers: { cookie: b, ...ip } });
    const html = await limited.text();
    assert.doesNotMatch(html, /b@example.com/, "signed out for this request");
    assert.equal(limited.headers.getSetCookie().length, 0, "cookies not cleared");
    world.clock.advance(16 * 60_000);
    const later = await world.app.request("/app", { headers: { cookie: b, ...ip } });
    assert.match(await later.text(), /b@example.com/);
  }, { RATE_LIMIT_REFRESH_PER_IP: "1/15m" });
});

const GH_ID = "Iv1.page-test";
const GH_SECRET = "github-page-test-secret-0123456789";
const octo: FakeGithubUser = {
  id: 583231,
  login: "octocat",
  emails: [{ email: "Octo@Example.com", primary: true, verified: true }],
};

async function withGithubWorld(fn: (w: TestWorld, gh: FakeGithub) => Promise<void>) {
  const gh = startFakeGithub(GH_ID, GH_SECRET);
  try {
    await withWorld((w) => fn(w, gh), {
      GITHUB_CLIENT_ID: GH_ID,
      GITHUB_CLIENT_SECRET: GH_SECRET,
      GITHUB_OAUTH_BASE_URL: gh.oauthBaseUrl,
      GITHUB_API_BASE_URL: gh.apiBaseUrl,
    });
  } finally {
    await gh.close();
  }
}

/** Presses the button, lets the fake GitHub answer as `user`; answers the callback path and the browser's cookie. */
async function throughGithub(world: TestWorld, gh: FakeGithub, user: FakeGithubUser | null, next = "/app") {
  const start = await postForm(world, "/app/sign-in/github", { next });
  assert.equal(start.status, 303, await start.clone().text());
  const cookie = cookiesOf(start);
  assert.match(setCookieLine(start, "qe_github_state"), /HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/);
  const location = new URL(start.headers.get("location")!);
  assert.equal(location.origin, gh.oauthBaseUrl);
  assert.equal(
    location.searchParams.get("redirect_uri"),
    "http://localhost:8000/app/sign-in/github/callback",
  );
  gh.approveAs = user;
  const back = await fetch(location, { redirect: "manual" });
  await back.body?.cancel();
  const callback = new URL(back.headers.get("location")!);
  assert.equal(callback.pathname, "/app/sign-in/github/callback");
  return { path: callback.pathname + callback.search, cookie };
}

Deno.test("GitHub sign-in: the button is shown when configured and signs in with the session cookies", async () => {
  await withGithubWorld(async (world, gh) => {
    const page = await (await getPage(world, "/app/sign-in?next=%2Fapp%2Faccount")).text();
    assert.match(page, /action="\/app\/sign-in\/github"/);
    assert.match(page, /Sign in with GitHub/);

    const { path, cookie } = await throughGithub(world, gh, octo, "/app/account");
    const res = await getPage(world, path, cookie);
    assert.equal(res.status, 303, await res.clone().text());
    assert.equal(res.headers.get("location"), "/app/account");
    for (const name of [SESSION_COOKIE, REFRESH_COOKIE]) {
      assert.match(setCookieLine(res, name), /; Path=\/app; HttpOnly; SameSite=Lax/);
    }
    assert.match(setCookieLine(res, "qe_github_state"), /Max-Age=0/);
    const session = cookiesOf(res);
    const me = await world.request("GET", "/api/v1/auth/me", { token: await pageToken(world, session) });
    assert.equal(me.status, 200);
    const body = await me.json();
    assert.equal(body.email, "octo@example.com");
    // The code was exchanged for the page's callback address, as GitHub requires.
    const exchange = gh.requests.find((r) => r.path === "/login/oauth/access_token");
    assert.equal(exchange?.body?.redirect_uri, "http://localhost:8000/app/sign-in/github/callback");
    // Nothing of the tokens went into a URL.
    assert.doesNotMatch(res.headers.get("location") ?? "", /token/);
  });
});

Deno.test("GitHub sign-in: the state is checked (another browser's callback, a replay, a forged state)", async () => {
  await withGithubWorld(async (world, gh) => {
    // A callback link made by someone else: their state and code, without this browser's cookie.
    const theirs = await throughGithub(world, gh, octo);
    const foreign = await getPage(world, theirs.path);
    assert.equal(foreign.status, 400);
    assert.equal(foreign.headers.getSetCookie().filter((l) => l.startsWith("qe_session=")).length, 0);
    assert.match(await foreign.text(), /not started in this browser/);

    // This browser's own flow with a forged state.
    const mine = await throughGithub(world, gh, octo);
    const forged = mine.path.replace(/state=[^&]+/, "state=forged");
    const bad = await getPage(world, forged, mine.cookie);
    assert.equal(bad.status, 400);
    await bad.body?.cancel();

    // A state works once: replaying a finished callback with its cookie is refused by the domain.
    const ok = await throughGithub(world, gh, octo);
    const first = await getPage(world, ok.path, ok.cookie);
    assert.equal(first.status, 303);
    await first.body?.cancel();
    const replay = await getPage(world, ok.path, ok.cookie);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /Invalid or expired OAuth state/);
  });
});

Deno.test("GitHub sign-in: a refusal at GitHub is a clear page, not a session", async () => {
  await withGithubWorld(async (world, gh) => {
    const { path, cookie } = await throughGithub(world, gh, null);
    const res = await getPage(world, path, cookie);
    assert.equal(res.status, 400);
    assert.equal(res.headers.getSetCookie().filter((l) => l.startsWith("qe_session=")).length, 0);
    const html = await res.text();
    assert.match(html, /role="alert"/);
    assert.match(html, /denied your application access/);
  });
});

Deno.test("GitHub sign-in pages are 404 pages when GitHub is not configured", async () => {
  await withWorld(async (world) => {
    const start = await postForm(world, "/app/sign-in/github", { next: "/app" });
    assert.equal(start.status, 404);
    assert.match(start.headers.get("content-type") ?? "", /text\/html/);
    await start.body?.cancel();
    const callback = await getPage(world, "/app/sign-in/github/callback?state=a&code=b");
    assert.equal(callback.status, 404);
    assert.match(await callback.text(), /GitHub sign-in does not exist/);
  });
});

Deno.test("pages shown to a signed-in user are never stored by a cache", async () => {
  await withWorld(async (world) => {
    const out = await getPage(world, "/app");
    assert.equal(out.headers.get("cache-control"), null);
    await out.body?.cancel();
    const cookie = await signInPage(world, EMAIL);
    const page = await getPage(world, "/app", cookie);
    assert.equal(page.headers.get("cache-control"), "private, no-store");
    await page.body?.cancel();
  });
});
