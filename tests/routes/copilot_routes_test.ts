/** The Quant Copilot root paths: auth, ownership, integer ids, error shape, one-ticker runs, leaderboard rules. */
import assert from "node:assert/strict";
import { lastOtp, openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const FULL_TEXT = [
  'name: "SMA cross"',
  'universe: {"tickers":["RELIANCE.NS"]}',
  "entry: crosses_above(sma(close, 20), sma(close, 50))",
  "exit: crosses_below(sma(close, 20), sma(close, 50))",
].join("\n");

const RULES_ONLY = [
  "entry: crosses_above(sma(close, 20), sma(close, 50))",
  "exit: crosses_below(sma(close, 20), sma(close, 50))",
].join("\n");

async function withWorld(fn: (w: TestWorld) => Promise<void>): Promise<void> {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** Signs `email` in through the copilot paths; answers the verify-otp body. */
async function copilotSignIn(w: TestWorld, email: string, ip = "10.1.0.1") {
  const headers = { "x-forwarded-for": ip };
  const r1 = await w.request("POST", "/auth/request-otp", { json: { email }, headers });
  assert.equal(r1.status, 200);
  const r2 = await w.request("POST", "/auth/verify-otp", {
    json: { email, otp_code: lastOtp(w.sent, email) },
    headers,
  });
  assert.equal(r2.status, 200);
  return await r2.json() as { access_token: string; expires_in: number; refresh_token: string };
}

async function save(w: TestWorld, token: string, name = "SMA cross", code = FULL_TEXT): Promise<number> {
  const res = await w.request("POST", "/strategy/save", { json: { name, prompt: "p", code }, token });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).strategy_id;
}

/** The payload of a JWT (no signature check). */
function jwtPayload(token: string): { iat: number; exp: number } {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part + "=".repeat((4 - part.length % 4) % 4)));
}

Deno.test("copilot verify-otp issues a 15-day access token; /api/v1 keeps its own lifetime", async () => {
  await withWorld(async (w) => {
    const pair = await copilotSignIn(w, "a@example.com");
    const claims = jwtPayload(pair.access_token);
    assert.equal(claims.exp - claims.iat, 15 * 86_400);
    assert.equal(pair.expires_in, 15 * 86_400);
    await w.request("POST", "/api/v1/auth/request-otp", { json: { email: "b@example.com" } });
    const v1 = await (await w.request("POST", "/api/v1/auth/verify-otp", {
      json: { email: "b@example.com", otp_code: lastOtp(w.sent, "b@example.com") },
    })).json();
    assert.equal(v1.expires_in, 24 * 3600);
  });
});

Deno.test("copilot 15-day token is revoked by logout like any session token", async () => {
  await withWorld(async (w) => {
    const { access_token: token } = await copilotSignIn(w, "a@example.com");
    assert.equal((await w.request("GET", "/strategy/list", { token })).status, 200);
    const out = await w.request("POST", "/api/v1/auth/logout", { json: {}, token });
    assert.equal(out.status, 200);
    const after = await w.request("GET", "/strategy/list", { token });
    assert.equal(after.status, 401);
    const body = await after.json();
    assert.equal(typeof body.error, "string");
    assert.equal(body.error, body.detail);
  });
});

Deno.test("copilot request-otp answers the same for a new and an existing account", async () => {
  await withWorld(async (w) => {
    await copilotSignIn(w, "known@example.com");
    const known = await w.request("POST", "/auth/request-otp", { json: { email: "known@example.com" } });
    const unknown = await w.request("POST", "/auth/request-otp", { json: { email: "new@example.com" } });
    assert.equal(known.status, 200);
    assert.deepEqual(await known.json(), await unknown.json());
  });
});

Deno.test("copilot paths answer 401 with `error` and `detail` without a token", async (t) => {
  await withWorld(async (w) => {
    for (
      const [method, path, json] of [
        ["GET", "/strategy/list", undefined],
        ["GET", "/strategy/1", undefined],
        ["DELETE", "/strategy/1", undefined],
        ["POST", "/strategy/save", { name: "x", code: FULL_TEXT }],
        ["POST", "/backtest", { strategy_code: RULES_ONLY, ticker: "RELIANCE.NS" }],
        ["POST", "/plot", { strategy_code: RULES_ONLY, ticker: "RELIANCE.NS" }],
        ["GET", "/export/code/1", undefined],
        ["GET", "/export/csv/1", undefined],
        ["POST", "/leaderboard/submit", { strategy_id: 1, dataset: "default" }],
      ] as const
    ) {
      await t.step(`${method} ${path}`, async () => {
        const res = await w.request(method, path, {
          json,
          token: path === "/strategy/1" ? "garbage" : undefined,
        });
        assert.equal(res.status, 401);
        const body = await res.json();
        assert.equal(typeof body.error, "string");
        assert.equal(typeof body.detail, "string");
      });
    }
  });
});

Deno.test("copilot ids are integers and someone else's id is 404, like a missing one", async () => {
  await withWorld(async (w) => {
    const alice = (await copilotSignIn(w, "alice@example.com", "10.1.0.1")).access_token;
    const bob = (await copilotSignIn(w, "bob@example.com", "10.1.0.2")).access_token;
    const a1 = await save(w, alice);
    const b1 = await save(w, bob, "Bob's");
    assert.ok(Number.isInteger(a1) && Number.isInteger(b1) && a1 !== b1);
    for (
      const [method, path] of [["GET", `/strategy/${a1}`], ["DELETE", `/strategy/${a1}`], [
        "GET",
        `/export/code/${a1}`,
      ], ["GET", `/export/csv/${a1}`]]
    ) {
      const foreign = await w.request(method, path, { token: bob });
      const missing = await w.request(method, path.replace(String(a1), "999"), { token: bob });
      assert.equal(foreign.status, 404, path);
      assert.equal(missing.status, 404, path);
      const [f, m] = [await foreign.json(), await missing.json()];
      assert.equal(f.error, f.detail);
      assert.equal(
        f.detail.replace(String(a1), "N"),
        m.detail.replace("999", "N"),
        "a foreign id reads as missing",
      );
    }
    assert.deepEqual(
      await (await w.request("GET", `/strategy/list?strategy_id=${a1}`, { token: bob })).json(),
      [],
    );
    const submit = await w.request("POST", "/leaderboard/submit", {
      json: { strategy_id: a1, dataset: "default" },
      token: bob,
    });
    assert.equal(submit.status, 404);
    // Alice still has hers, and Bob's list holds only his.
    assert.equal((await w.request("GET", `/strategy/${a1}`, { token: alice })).status, 200);
    const bobs = await (await w.request("GET", "/strategy/list", { token: bob })).json();
    assert.deepEqual(bobs.map((s: { id: number }) => s.id), [b1]);
  });
});

Deno.test("copilot ids stay stable across reads and are not reused after a delete", async () => {
  await withWorld(async (w) => {
    const token = (await copilotSignIn(w, "a@example.com")).access_token;
    const first = await save(w, token, "one");
    const again = await (await w.request("GET", `/strategy/${first}`, { token })).json();
    assert.equal(again.id, first);
    assert.deepEqual(await (await w.request("DELETE", `/strategy/${first}`, { token })).json(), {
      status: "deleted",
    });
    const second = await save(w, token, "two");
    assert.notEqual(second, first);
    assert.equal((await w.request("GET", `/strategy/${first}`, { token })).status, 404);
  });
});

Deno.test("copilot validation failures stay 422 with the issue list and a one-string `error`", async (t) => {
  await withWorld(async (w) => {
    const token = (await copilotSignIn(w, "a@example.com")).access_token;
    await t.step("unknown field", async () => {
      const res = await w.request("POST", "/strategy/save", {
        json: { name: "x", code: FULL_TEXT, colour: "red" },
        token,
      });
      assert.equal(res.status, 422);
      const body = await res.json();
      assert.equal(body.detail[0].type, "extra_forbidden");
      assert.deepEqual(body.detail[0].loc, ["body", "colour"]);
      assert.equal(body.error, "body.colour: Extra inputs are not permitted");
    });
    await t.step("a non-integer id", async () => {
      const res = await w.request("GET", "/strategy/abc", { token });
      assert.equal(res.status, 422);
      assert.match((await res.json()).error, /^path\.strategy_id: /);
    });
    await t.step(
      "strategy text without a universe cannot be saved (the parser names the field)",
      async () => {
        const res = await w.request("POST", "/strategy/save", {
          json: { name: "x", code: RULES_ONLY },
          token,
        });
        assert.equal(res.status, 422);
        const body = await res.json();
        assert.deepEqual(body.detail[0].loc.slice(0, 3), ["body", "code", "universe"]);
      },
    );
    await t.step("a bad line names its number", async () => {
      const res = await w.request("POST", "/backtest", {
        json: { strategy_code: "entry close > 1", ticker: "RELIANCE.NS" },
        token,
      });
      assert.equal(res.status, 422);
      assert.match((await res.json()).error, /line 1: expected "key: value"/);
    });
    await t.step("not JSON: 415 with `error`", async () => {
      const res = await w.request("POST", "/backtest", {
        body: "x",
        token,
        headers: { "content-type": "text/plain" },
      });
      assert.equal(res.status, 415);
      const body = await res.json();
      assert.equal(body.error, body.detail);
    });
  });
});

Deno.test("copilot /backtest: with a ticker the text needs no universe line, and the ticker replaces one it has", async () => {
  await withWorld(async (w) => {
    const token = (await copilotSignIn(w, "a@example.com")).access_token;
    const run = async (path: string, code: string) => {
      const res = await w.request("POST", path, {
        json: { strategy_code: code, ticker: "RELIANCE.NS" },
        token,
      });
      assert.equal(res.status, 200, await res.clone().text());
      return await res.json();
    };
    const bare = await run("/backtest", RULES_ONLY);
    assert.deepEqual(await run("/backtest", FULL_TEXT.replace("RELIANCE.NS", "TCS.NS")), bare);
    assert.deepEqual(await run("/api/v1/backtest", RULES_ONLY), bare, "the same operation under /api/v1");
    assert.equal(bare.start_value, 100_000);
  });
});

Deno.test("copilot leaderboard: strategy_name and code must match the saved strategy; ticker is noted", async (t) => {
  await withWorld(async (w) => {
    const token = (await copilotSignIn(w, "a@example.com")).access_token;
    const id = await save(w, token, "SMA cross");
    const submit = (json: Record<string, unknown>) =>
      w.request("POST", "/leaderboard/submit", {
        json: { strategy_id: id, dataset: "default", ...json },
        token,
      });
    await t.step("another name is refused", async () => {
      const res = await submit({ strategy_name: "Other" });
      assert.equal(res.status, 422);
      assert.deepEqual((await res.json()).detail[0].loc, ["body", "strategy_name"]);
    });
    await t.step("other rules are refused", async () => {
      const res = await submit({ code: FULL_TEXT.replace("sma(close, 50)", "sma(close, 60)") });
      assert.equal(res.status, 422);
      const body = await res.json();
      assert.deepEqual(body.detail[0].loc, ["body", "code"]);
      assert.match(body.error, /differs from the rules of strategy/);
    });
    await t.step("Python that defines no strategy is refused with the format link", async () => {
      const res = await submit({ code: "import backtrader as bt\n..." });
      assert.equal(res.status, 422);
      assert.match((await res.json()).error, /\/docs\/strategy-text/);
    });
    await t.step("the same rules with another universe and dates are the saved strategy", async () => {
      const res = await submit({
        strategy_name: "SMA cross",
        code: RULES_ONLY + '\nstart: "2019-01-01"',
        ticker: "RELIANCE.NS",
      });
      assert.equal(res.status, 200, await res.clone().text());
      const body = await res.json();
      assert.ok(Number.isInteger(body.entry_id));
      assert.match(body.notes, /ticker RELIANCE\.NS does not change the run/);
      const again = await (await submit({})).json();
      assert.equal(again.entry_id, body.entry_id, "resubmitting replaces the entry, same integer id");
      assert.equal(again.score, body.score);
    });
  });
});

Deno.test("copilot leaderboard top: integer ids, the nickname as username, limit default 50 and max 50", async () => {
  await withWorld(async (w) => {
    const token = (await copilotSignIn(w, "a@example.com")).access_token;
    const nick = await w.request("PATCH", "/api/v1/auth/profile", {
      json: { nickname: "alpha_hunter" },
      token,
    });
    assert.equal(nick.status, 200);
    const id = await save(w, token);
    assert.equal(
      (await w.request("POST", "/leaderboard/submit", {
        json: { strategy_id: id, dataset: "default" },
        token,
      })).status,
      200,
    );
    const top = await (await w.request("GET", "/leaderboard/top")).json();
    assert.equal(top.period, "daily");
    assert.equal(top.top[0].username, "alpha_hunter");
    assert.equal(top.top[0].strategy_id, id);
    assert.ok(Number.isInteger(top.top[0].user_id) && Number.isInteger(top.top[0].id));
    assert.equal((await w.request("GET", "/leaderboard/top?limit=51")).status, 422);
    const unknown = await w.request("GET", "/leaderboard/top?dataset=nope");
    assert.equal(unknown.status, 422);
    assert.equal(typeof (await unknown.json()).error, "string");
  });
});

Deno.test("copilot CSV export without a completed job runs the latest version synchronously; /api/v1 keeps 404", async () => {
  await withWorld(async (w) => {
    const token = (await copilotSignIn(w, "a@example.com")).access_token;
    const id = await save(w, token);
    const before = await (await w.request("GET", `/export/csv/${id}`, { token })).text();
    assert.match(before, /^# trades \(synchronous run of version 1: no completed backtest job yet\)/);
    const libraryId = (await (await w.request("GET", `/strategy/${id}`, { token })).json()).library_id;
    const v1 = await w.request("GET", `/api/v1/library/${libraryId}/export.csv`, { token });
    assert.equal(v1.status, 404, "the /api/v1 twin keeps answering only completed jobs");
  });
});
