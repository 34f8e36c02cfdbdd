import assert from "node:assert/strict";
import { parseConfig } from "../../../domain/config.ts";
import {
  createGeminiProvider,
  DEFAULT_GEMINI_MODEL,
} from "../../../domain/assistant/providers/gemini_provider.ts";
import { ProviderError } from "../../../domain/assistant/providers/provider_error.ts";
import type { TurnInput } from "../../../domain/assistant/turn_contract.ts";
import { geminiSchemaAt as at, startFakeGemini, turnReply } from "../../_helpers/fake_gemini.ts";

const KEY = "AIzaFAKE-secret-key-0123456789";

const input = (fields: Partial<TurnInput> = {}): TurnInput => ({
  task: "generate",
  message: "Buy AAPL when the 20-day SMA crosses above the 50-day SMA",
  history: [],
  draft: null,
  errors: [],
  language: "en",
  today: "2026-05-14",
  ...fields,
});

const DRAFT = {
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
};

Deno.test("gemini provider: every request carries the JSON mime type, the task's schema and the instruction", async () => {
  const fake = startFakeGemini([{ json: turnReply({ draft: DRAFT }) }, { json: turnReply() }]);
  try {
    const provider = createGeminiProvider({ apiKey: KEY, model: "gemini-test", baseUrl: fake.baseUrl });
    assert.equal(provider.name, "gemini");
    assert.equal(provider.model, "gemini-test");
    const tokens: number[][] = [];
    const reply = await provider.turn(input(), new AbortController().signal, {
      tokens: (p, r) => tokens.push([p, r]),
    });
    assert.equal(reply.kind, "config_ready");
    assert.deepEqual(reply.draft, DRAFT);
    assert.deepEqual(tokens, [[100, 20]]);
    await provider.turn(
      input({
        task: "chat",
        history: [{ role: "user", text: "momentum on large caps" }, {
          role: "assistant",
          text: "Which dates?",
        }],
        draft: { technicalIndicators: [{ type: "RSI" }] },
        errors: ["technicalIndicators.0.period: too big"],
      }),
      new AbortController().signal,
    );
    assert.equal(fake.requests.length, 2);
    const [gen, chat] = fake.requests;
    assert.match(gen.path, /models\/gemini-test:generateContent$/);
    assert.equal(gen.apiKey, KEY);
    for (const r of fake.requests) {
      assert.equal(r.body.generationConfig?.responseMimeType, "application/json");
      const schema = r.body.generationConfig?.responseJsonSchema;
      assert.equal(at(schema, "type"), "object");
      assert.deepEqual(at(schema, "properties.kind.enum"), [
        "needs_info",
        "config_ready",
        "explain",
        "refuse",
      ]);
      // Gemini's subset: no string lengths or patterns anywhere.
      assert.doesNotMatch(JSON.stringify(schema), /maxLength|pattern|\$schema|"const"|oneOf/);
    }
    // generate: the draft is the spec's input shape; chat: the agent config with typed technical indicators.
    const genDraft = at(gen.body.generationConfig, "responseJsonSchema.properties.draft.anyOf.0");
    for (const field of ["entry", "exit", "sizing", "universe"]) {
      assert.ok(at(genDraft, `properties.${field}`));
    }
    const chatDraft = at(chat.body.generationConfig, "responseJsonSchema.properties.draft.anyOf.0");
    const types = at(chatDraft, "properties.technicalIndicators.items.properties.type.enum") as string[];
    assert.ok(types.includes("SMA_CROSSOVER"));
    assert.ok(at(chatDraft, "properties.backtestConfig"));
    const sys = gen.body.systemInstruction!.parts[0].text;
    assert.match(sys, /crosses_above\(a, b\)/);
    assert.match(sys, /Required slots: entry, exit, universe/);
    assert.match(sys, /assumptions/);
    assert.match(sys, /2026-05-14/);
    const chatSys = chat.body.systemInstruction!.parts[0].text;
    assert.match(chatSys, /date_range/);
    assert.match(chatSys, /SMA_CROSSOVER\(shortPeriod, longPeriod\)/);
    // The history, then the newest message with the current draft and the previous errors.
    assert.deepEqual(chat.body.contents.map((c) => c.role), ["user", "model", "user"]);
    const last = chat.body.contents[2].parts[0].text;
    assert.match(last, /"technicalIndicators":\[\{"type":"RSI"\}\]/);
    assert.match(last, /technicalIndicators\.0\.period: too big/);
  } finally {
    await fake.close();
  }
});

Deno.test("gemini provider: a reply that is not JSON or not a turn is a malformed ProviderError", async () => {
  const fake = startFakeGemini([
    { text: "Sure! Here is your strategy: buy low, sell high." },
    { json: { kind: "maybe", message: "?" } },
    { text: "" },
  ]);
  try {
    const provider = createGeminiProvider({ apiKey: KEY, model: "m", baseUrl: fake.baseUrl });
    for (const why of [/not JSON/, /does not follow the schema: kind/, /empty|not JSON/]) {
      await assert.rejects(
        provider.turn(input(), new AbortController().signal),
        (e) => e instanceof ProviderError && e.kind === "malformed" && why.test(e.message),
      );
    }
  } finally {
    await fake.close();
  }
});

Deno.test("gemini provider: HTTP errors carry the status and never the key, even when the body echoes it", async () => {
  const fake = startFakeGemini([{ status: 500, echo: KEY }, { status: 429, echo: KEY }]);
  try {
    const provider = createGeminiProvider({ apiKey: KEY, model: "m", baseUrl: fake.baseUrl });
    for (const status of [500, 429]) {
      const err = await provider.turn(input(), new AbortController().signal).then(() => null, (e) => e);
      assert.ok(err instanceof ProviderError);
      assert.equal(err.kind, "http");
      assert.equal(err.status, status);
      assert.ok(!err.message.includes(KEY), err.message);
      assert.ok(!String(err.stack).includes(KEY));
      assert.match(err.message, /\[redacted\]/);
    }
  } finally {
    await fake.close();
  }
});

Deno.test("gemini provider: an aborted call is a timeout; a closed port is unreachable", async () => {
  const fake = startFakeGemini([{ json: turnReply(), delayMs: 2_000 }]);
  try {
    const provider = createGeminiProvider({ apiKey: KEY, model: "m", baseUrl: fake.baseUrl });
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 100);
    await assert.rejects(
      provider.turn(input(), ac.signal),
      (e) => e instanceof ProviderError && e.kind === "timeout",
    );
    clearTimeout(timer);
  } finally {
    await fake.close();
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const provider = createGeminiProvider({ apiKey: KEY, model: "m", baseUrl: `http://127.0.0.1:${port}` });
  const err = await provider.turn(input(), new AbortController().signal).then(() => null, (e) => e);
  assert.ok(err instanceof ProviderError);
  assert.equal(err.kind, "unreachable");
  assert.ok(!err.message.includes(KEY));
});

Deno.test("config: Gemini is on only with GEMINI_API_KEY; model, base URL, timeout and rate are read", () => {
  const off = parseConfig({});
  assert.equal(off.assistant.gemini, undefined);
  assert.equal(off.assistant.timeoutMs, 8000);
  assert.deepEqual(off.assistant.rate, { limit: 120, windowMs: 3_600_000 });
  const on = parseConfig({
    GEMINI_API_KEY: KEY,
    GEMINI_BASE_URL: "http://127.0.0.1:9/",
    ASSISTANT_TIMEOUT_MS: "2500",
    RATE_LIMIT_ASSISTANT: "10/1h",
  });
  assert.deepEqual(on.assistant, {
    gemini: { apiKey: KEY, model: DEFAULT_GEMINI_MODEL, baseUrl: "http://127.0.0.1:9" },
    timeoutMs: 2500,
    rate: { limit: 10, windowMs: 3_600_000 },
  });
  assert.equal(
    parseConfig({ GEMINI_API_KEY: KEY, GEMINI_MODEL: "gemini-2.5-pro" }).assistant.gemini?.model,
    "gemini-2.5-pro",
  );
  assert.throws(() => parseConfig({ ASSISTANT_TIMEOUT_MS: "5" }), /ASSISTANT_TIMEOUT_MS/);
});
