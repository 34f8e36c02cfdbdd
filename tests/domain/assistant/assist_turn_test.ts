/**
 * The turn loop over the production wiring (`buildServices` with GEMINI_API_KEY and GEMINI_BASE_URL pointing at a
 * loopback fake, so the real `@google/genai` client is exercised): repairs, questions, fallbacks, rate and usage.
 */
import assert from "node:assert/strict";
import { assist, MAX_REPAIRS } from "../../../domain/assistant/assist.ts";
import { RateLimitError } from "../../../domain/errors.ts";
import { LANGUAGES } from "../../../domain/assistant/turn_contract.ts";
import {
  type FakeGemini,
  type FakeGeminiReply,
  startFakeGemini,
  turnReply,
} from "../../_helpers/fake_gemini.ts";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";

const KEY = "AIzaFAKE-assist-key-9876543210";

const GOOD = {
  name: "SMA cross",
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  start: "2024-01-01",
  end: "2024-12-31",
};

async function openWorld(
  script: FakeGeminiReply[],
  env: Record<string, string> = {},
): Promise<{ world: TestWorld; fake: FakeGemini; close(): Promise<void> }> {
  const fake = startFakeGemini(script);
  const world = await openTestWorld({
    GEMINI_API_KEY: KEY,
    GEMINI_BASE_URL: fake.baseUrl,
    // Generous, so a busy machine never turns a normal call into a timeout; the timeout test sets its own.
    ASSISTANT_TIMEOUT_MS: "5000",
    ...env,
  });
  return {
    world,
    fake,
    async close() {
      await fake.close();
      await world.close();
    },
  };
}

const generate = (message = "SMA 20/50 cross on AAPL in 2024") => ({
  task: "generate" as const,
  message,
  history: [],
  draft: null,
  language: "en" as const,
});

/** What the fake received last, as the text of the newest user message. */
const lastMessage = (fake: FakeGemini, i: number) => fake.requests[i].body.contents.at(-1)!.parts[0].text;

async function usageOf(world: TestWorld, user: string) {
  const day = new Date(world.clock.now()).toISOString().slice(0, 10);
  return await world.deps.assistant.usage!.list(user, day, day);
}

Deno.test("assist: a valid draft passes the three checks at once and is counted", async () => {
  const t = await openWorld([{
    json: turnReply({ draft: GOOD, assumptions: ["fees 0.1%"] }),
    promptTokens: 321,
  }]);
  try {
    const out = await assist(t.world.deps.assistant, "u1", generate());
    assert.equal(out.provider, "gemini");
    assert.equal(out.model, "gemini-2.5-flash");
    assert.equal(out.repairs, 0);
    assert.deepEqual(out.notes, []);
    assert.equal(out.reply.kind, "config_ready");
    assert.equal(out.spec?.entry, GOOD.entry);
    assert.deepEqual(out.spec?.universe, { tickers: ["AAPL"] });
    assert.equal(out.config, null);
    assert.deepEqual(out.reply.assumptions, ["fees 0.1%"]);
    assert.deepEqual(await usageOf(t.world, "u1"), [{
      user_id: "u1",
      day: "2026-05-14",
      provider: "gemini",
      calls: 1,
      fallbacks: 0,
      repairs: 0,
      prompt_tokens: 321,
      response_tokens: 20,
    }]);
  } finally {
    await t.close();
  }
});

Deno.test("assist: a draft with an unknown function is sent back with the nearest names and repaired", async () => {
  const t = await openWorld([
    { json: turnReply({ draft: { ...GOOD, entry: "crosses_above(smaa(close, 20), sma(close, 50))" } }) },
    { json: turnReply({ draft: GOOD }) },
  ]);
  try {
    const out = await assist(t.world.deps.assistant, "u1", generate());
    assert.equal(out.repairs, 1);
    assert.equal(out.spec?.entry, GOOD.entry);
    assert.equal(t.fake.requests.length, 2);
    const repair = lastMessage(t.fake, 1);
    assert.match(repair, /entry: unknown function "smaa" at column 15; nearest allowed: sma, ema, macd/);
    assert.match(repair, /Current draft \(JSON\)/);
    assert.match(out.notes.join(" "), /after 1 repair round/);
    assert.equal((await usageOf(t.world, "u1"))[0].repairs, 1);
  } finally {
    await t.close();
  }
});

Deno.test("assist: a reply that is not JSON, or not a turn, is asked again once with the parse error", async () => {
  for (const bad of [{ text: "Here you go: entry = sma cross" }, { json: { kind: "done", draft: GOOD } }]) {
    const t = await openWorld([bad, { json: turnReply({ draft: GOOD }) }]);
    try {
      const out = await assist(t.world.deps.assistant, "u1", generate());
      assert.equal(out.provider, "gemini");
      assert.equal(out.repairs, 1);
      assert.ok(out.spec);
      assert.match(lastMessage(t.fake, 1), /your previous reply was not a valid turn: the reply/);
    } finally {
      await t.close();
    }
  }
});

Deno.test("assist: malformed twice falls back to offline with a note", async () => {
  const t = await openWorld([{ text: "nope" }, { text: "still nope" }]);
  try {
    const out = await assist(t.world.deps.assistant, "u1", generate());
    assert.equal(out.provider, "offline");
    assert.equal(out.model, null);
    assert.equal(t.fake.requests.length, 2);
    assert.match(out.notes[0], /^gemini did not send a valid reply \(the reply was not JSON/);
    assert.match(out.notes[0], /answered offline$/);
  } finally {
    await t.close();
  }
});

Deno.test(`assist: a window longer than the history is repaired at most ${MAX_REPAIRS} times, then asked`, async () => {
  const long = { ...GOOD, entry: "close > sma(close, 400)" };
  const t = await openWorld([
    { json: turnReply({ draft: long }) },
    { json: turnReply({ draft: long }) },
    { json: turnReply({ draft: long }) },
    { json: turnReply({ draft: GOOD }) },
  ]);
  try {
    const out = await assist(t.world.deps.assistant, "u1", generate());
    assert.equal(t.fake.requests.length, 1 + MAX_REPAIRS);
    assert.equal(out.repairs, MAX_REPAIRS);
    assert.equal(out.spec, null);
    assert.equal(out.config, null);
    assert.equal(out.reply.kind, "needs_info");
    assert.equal(out.reply.draft, null);
    assert.deepEqual(out.unchecked, long);
    assert.deepEqual(out.reply.missing, ["entry"]);
    assert.match(out.reply.message, /entry: needs 400 bars of history but 2024-01-01\.\.2024-12-31 has 25\d/);
    assert.ok(out.reply.question);
    assert.match(out.notes.join(" "), /still failed the checks after 2 repair round/);
    const usage = await usageOf(t.world, "u1");
    assert.equal(usage[0].calls, 3);
    assert.equal(usage[0].repairs, 2);
  } finally {
    await t.close();
  }
});

Deno.test("assist: the question after failed repairs is in the user's language", async () => {
  const bad = { ...GOOD, universe: { tickers: ["NOPE.XX"] } };
  const leads = { en: /^I could not complete/, zh: /^我还无法生成通过检查的策略/, id: /^Saya belum bisa/ };
  for (const language of LANGUAGES) {
    const t = await openWorld([1, 2, 3].map(() => ({ json: turnReply({ draft: bad }) })));
    try {
      const out = await assist(t.world.deps.assistant, "u1", { ...generate("x"), language });
      assert.match(out.reply.message, leads[language]);
    } finally {
      await t.close();
    }
  }
  const t = await openWorld([{ json: turnReply({ draft: bad }) }, { json: turnReply({ draft: bad }) }, {
    json: turnReply({ draft: bad }),
  }]);
  try {
    const out = await assist(t.world.deps.assistant, "u1", { ...generate("测试"), language: "zh" });
    assert.match(out.reply.message, /^我还无法生成通过检查的策略/);
    assert.match(out.reply.message, /universe\.tickers: unknown ticker "NOPE\.XX"/);
    assert.deepEqual(out.reply.missing, ["universe"]);
  } finally {
    await t.close();
  }
});

Deno.test("assist: a provider timeout falls back to offline with a note", async () => {
  const t = await openWorld([{ json: turnReply({ draft: GOOD }), delayMs: 10_000 }], {
    ASSISTANT_TIMEOUT_MS: "300",
  });
  try {
    const out = await assist(t.world.deps.assistant, "u1", generate());
    assert.equal(out.provider, "offline");
    assert.deepEqual(out.notes, ["gemini timed out after 300 ms; answered offline"]);
    // The offline parser answers the same prompt as it would alone, checked the same way.
    const alone = await assist(
      {
        ...t.world.deps.assistant,
        provider: t.world.deps.assistant.offline,
        usage: undefined,
        rate: undefined,
      },
      "u2",
      generate(),
    );
    assert.ok(alone.spec);
    assert.deepEqual(out.spec, alone.spec);
    const usage = await usageOf(t.world, "u1");
    assert.deepEqual(usage.map((u) => [u.provider, u.calls, u.fallbacks]), [["gemini", 1, 1], [
      "offline",
      1,
      0,
    ]]);
    assert.ok(t.world.logs.some((l) => l.msg === "assistant provider failed; answering offline"));
  } finally {
    await t.close();
  }
});

Deno.test("assist: a 500 or 429 from Gemini falls back; neither the key nor the reply reaches logs or notes", async () => {
  for (
    const [status, note] of [[500, /gemini failed \(HTTP 500\)/], [429, /HTTP 429, over its quota/]] as const
  ) {
    const t = await openWorld([{ status, echo: KEY }]);
    try {
      const out = await assist(t.world.deps.assistant, "u1", generate());
      assert.equal(out.provider, "offline");
      assert.match(out.notes[0], note);
      const seen = JSON.stringify([out, t.world.logs]);
      assert.ok(!seen.includes(KEY), "the key leaked");
      assert.ok(!seen.includes("AIzaFAKE"), "part of the key leaked");
    } finally {
      await t.close();
    }
  }
});

Deno.test("assist: an unreachable Gemini falls back", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const world = await openTestWorld({ GEMINI_API_KEY: KEY, GEMINI_BASE_URL: `http://127.0.0.1:${port}` });
  try {
    const out = await assist(world.deps.assistant, "u1", generate());
    assert.equal(out.provider, "offline");
    assert.deepEqual(out.notes, ["gemini is unreachable; answered offline"]);
    assert.ok(!JSON.stringify(world.logs).includes(KEY));
  } finally {
    await world.close();
  }
});

Deno.test("assist: the turn rate is charged per user before the provider is asked", async () => {
  const t = await openWorld([{ json: turnReply({ draft: GOOD }) }, { json: turnReply({ draft: GOOD }) }], {
    RATE_LIMIT_ASSISTANT: "2/1h",
  });
  try {
    await assist(t.world.deps.assistant, "u1", generate());
    await assist(t.world.deps.assistant, "u1", generate());
    await assert.rejects(
      assist(t.world.deps.assistant, "u1", generate()),
      (e) => e instanceof RateLimitError && /Rate limit exceeded: 2 per 1 hour/.test(e.message),
    );
    assert.equal(t.fake.requests.length, 2);
    // Another user has their own allowance.
    t.fake.script.push({ json: turnReply({ draft: GOOD }) });
    assert.ok((await assist(t.world.deps.assistant, "u2", generate())).spec);
  } finally {
    await t.close();
  }
});

Deno.test("assist: a chat config is checked with the compiler and its sizing must add up", async () => {
  const config = {
    filters: { tickers: ["BBCA", "BBRI"] },
    technicalIndicators: [{ type: "RSI", period: 14, oversold: 30, overbought: 70 }],
    backtestConfig: {
      initialCapital: 100_000_000,
      startDate: "2023-01-01",
      endDate: "2023-12-31",
      portfolio: { positionSizePercent: 30, maxPositions: 5 },
    },
  };
  const fixed = {
    ...config,
    backtestConfig: { ...config.backtestConfig, portfolio: { positionSizePercent: 20, maxPositions: 5 } },
  };
  const t = await openWorld([{ json: turnReply({ draft: config }) }, { json: turnReply({ draft: fixed }) }]);
  try {
    const out = await assist(t.world.deps.assistant, "u1", {
      task: "chat",
      message: "RSI on BBCA and BBRI in 2023 with 100M",
      history: [{ role: "user", text: "I want to test RSI" }, { role: "assistant", text: "Which stocks?" }],
      draft: { technicalIndicators: [{ type: "RSI" }] },
      language: "en",
    });
    assert.equal(out.repairs, 1);
    assert.deepEqual(out.config?.backtestConfig.portfolio, { positionSizePercent: 20, maxPositions: 5 });
    assert.deepEqual(out.spec?.universe.tickers, ["BBCA.JK", "BBRI.JK"]);
    assert.match(
      lastMessage(t.fake, 1),
      /backtestConfig\.portfolio\.positionSizePercent: 30% × 5 positions \(backtestConfig\.portfolio\.maxPositions\) = 150% of capital/,
    );
    // The repair request keeps the conversation.
    assert.equal(t.fake.requests[1].body.contents.length, 3);
  } finally {
    await t.close();
  }
});

Deno.test("assist: questions and refusals pass through unchecked, without a spec", async () => {
  const t = await openWorld([
    {
      json: turnReply({
        kind: "needs_info",
        question: "Which dates?",
        missing: ["date_range"],
        draft: { technicalIndicators: [{ type: "RSI" }] },
      }),
    },
  ]);
  try {
    const out = await assist(t.world.deps.assistant, "u1", { ...generate("RSI please"), task: "chat" });
    assert.equal(out.reply.kind, "needs_info");
    assert.deepEqual(out.reply.missing, ["date_range"]);
    assert.equal(out.spec, null);
    assert.equal(out.config, null);
  } finally {
    await t.close();
  }
});

Deno.test("/explain with Gemini configured: the house wires the rephraser; a rewording that drops a number is not used", async () => {
  const spec = { universe: { tickers: ["AAPL"] }, entry: "rsi(close, 14) < 30", exit: "rsi(close, 14) > 70" };
  const t = await openWorld([]);
  try {
    // First the model keeps every number; then it drops one (the 14-day window).
    const first = await t.world.request("POST", "/explain", { json: { spec } });
    const deterministic = (await first.json()).sections.map((s: { text: string }) => s.text);
    assert.ok(deterministic.length > 0);
    const exact = (await (await t.world.request("POST", "/explain", { json: { spec } })).json()).explanation;
    t.fake.script.push({ json: turnReply({ kind: "explain", draft: null, message: `In short: ${exact}` }) });
    const worded = await (await t.world.request("POST", "/explain", { json: { spec } })).json();
    assert.equal(worded.rephrased, true);
    assert.match(worded.explanation, /^In short: /);
    t.fake.script.push({
      json: turnReply({
        kind: "explain",
        draft: null,
        message: "Buys when RSI is below 30, sells above 70.",
      }),
    });
    const dropped = await (await t.world.request("POST", "/explain", { json: { spec } })).json();
    assert.equal(dropped.rephrased, false);
    assert.equal(dropped.explanation, exact);
    assert.equal(t.fake.requests.length, 4); // every explain asked the model (the first two got its 500)
  } finally {
    await t.close();
  }
});
