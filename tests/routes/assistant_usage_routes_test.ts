import assert from "node:assert/strict";
import { assist } from "../../domain/assistant/assist.ts";
import { startFakeGemini, turnReply } from "../_helpers/fake_gemini.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

const KEY = "AIzaFAKE-route-key-5555666677";
const DRAFT = {
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  start: "2024-01-01",
  end: "2024-12-31",
};

Deno.test("GET /api/v1/assistant/usage: the caller's calls, fallbacks, repairs and tokens per day and provider", async () => {
  const fake = startFakeGemini([
    { json: turnReply({ draft: { ...DRAFT, entry: "close > smaa(close, 5)" } }), promptTokens: 1000 },
    { json: turnReply({ draft: DRAFT }), promptTokens: 1200, responseTokens: 80 },
    { status: 500 },
  ]);
  const world = await openTestWorld({ GEMINI_API_KEY: KEY, GEMINI_BASE_URL: fake.baseUrl });
  try {
    const me = await signInWithOtp(world, "usage@example.com");
    const other = await signInWithOtp(world, "other@example.com", "10.0.0.2");
    const turn = {
      task: "generate" as const,
      message: "sma cross",
      history: [],
      draft: null,
      language: "en" as const,
    };
    await assist(world.deps.assistant, me.user.id, turn); // one repair
    await assist(world.deps.assistant, me.user.id, turn); // 500 → offline

    const res = await world.request("GET", "/api/v1/assistant/usage", { token: me.access_token });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.deepEqual(body, {
      user_id: me.user.id,
      from: "2026-04-15",
      to: "2026-05-14",
      provider: "gemini",
      model: "gemini-2.5-flash",
      days: [
        {
          date: "2026-05-14",
          provider: "gemini",
          calls: 3,
          fallbacks: 1,
          repairs: 1,
          prompt_tokens: 2200,
          response_tokens: 100,
        },
        {
          date: "2026-05-14",
          provider: "offline",
          calls: 1,
          fallbacks: 0,
          repairs: 0,
          prompt_tokens: 0,
          response_tokens: 0,
        },
      ],
      totals: { calls: 4, fallbacks: 1, repairs: 1, prompt_tokens: 2200, response_tokens: 100 },
      rate_limit: { limit: 120, window_seconds: 3600, description: "120 per 1 hour" },
    });
    assert.ok(!JSON.stringify(body).includes(KEY));

    // Another user sees only their own (nothing yet); a day later, days=1 no longer covers the turns.
    const theirs =
      await (await world.request("GET", "/api/v1/assistant/usage", { token: other.access_token }))
        .json();
    assert.deepEqual(theirs.days, []);
    assert.equal(theirs.totals.calls, 0);
    world.clock.advance(23 * 3_600_000); // 2026-05-15T00:00Z, the token still valid
    const later =
      await (await world.request("GET", "/api/v1/assistant/usage?days=1", { token: me.access_token }))
        .json();
    assert.equal(later.from, "2026-05-15");
    assert.deepEqual(later.days, []);
    const week =
      await (await world.request("GET", "/api/v1/assistant/usage?days=7", { token: me.access_token }))
        .json();
    assert.equal(week.days.length, 2);
  } finally {
    await fake.close();
    await world.close();
  }
});

Deno.test("GET /api/v1/assistant/usage: 401 without a token, 422 for bad or unknown query parameters", async () => {
  const world = await openTestWorld();
  try {
    assert.equal((await world.request("GET", "/api/v1/assistant/usage")).status, 401);
    const me = await signInWithOtp(world, "usage@example.com");
    for (const q of ["days=0", "days=91", "days=abc", "day=3"]) {
      const res = await world.request("GET", `/api/v1/assistant/usage?${q}`, { token: me.access_token });
      assert.equal(res.status, 422, q);
    }
    const offline = await (await world.request("GET", "/api/v1/assistant/usage", { token: me.access_token }))
      .json();
    assert.equal(offline.provider, "offline");
    assert.equal(offline.model, null);
  } finally {
    await world.close();
  }
});

Deno.test("/health and /api/v1/health: the llm check names the provider and model, never the key", async () => {
  const off = await openTestWorld();
  const on = await openTestWorld({ GEMINI_API_KEY: KEY, GEMINI_MODEL: "gemini-2.5-pro" });
  try {
    for (const path of ["/health", "/api/v1/health"]) {
      const offBody = await (await off.request("GET", path)).json();
      assert.deepEqual(offBody.checks.llm, {
        ok: true,
        detail: "offline parser (no GEMINI_API_KEY)",
        provider: "offline",
        model: null,
        configured: false,
      });
      const onRes = await on.request("GET", path);
      assert.equal(onRes.status, 200);
      const onText = await onRes.text();
      assert.ok(!onText.includes(KEY));
      const onBody = JSON.parse(onText);
      assert.equal(onBody.checks.llm.provider, "gemini");
      assert.equal(onBody.checks.llm.model, "gemini-2.5-pro");
      assert.equal(onBody.checks.llm.configured, true);
      assert.ok(onBody.checks.kv && onBody.checks.queue && onBody.checks.mail);
    }
    const v2 = await (await off.request("GET", "/health")).json();
    assert.ok(["healthy", "degraded", "unhealthy"].includes(v2.status));
    assert.equal(typeof v2.database.connected, "boolean");
    assert.equal(typeof v2.cache.loaded, "boolean");
  } finally {
    await off.close();
    await on.close();
  }
});
