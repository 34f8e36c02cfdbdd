/**
 * The assistant's routes beyond the documents' examples: ugly input (wrong types, unknown fields, control
 * characters, huge bodies, a 10,000-character message, session ids with slashes), blueprint fields honoured,
 * explanations in words and their rewording check, chat sessions (ownership, expiry, restart survival,
 * concurrent turns, bounded history), the dry run that gates `config_ready`, and rate limits.
 */
import assert from "node:assert/strict";
import { buildServices } from "../../app/services.ts";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { MAX_MESSAGES } from "../../domain/assistant/agent_chat.ts";
import type { TurnReply } from "../../domain/assistant/turn_contract.ts";
import { createAgentSessionRepo } from "../../domain/store/agent_session_repo.ts";
import { createApp } from "../../routes/app.ts";
import { fakeChatProvider, scriptedProvider } from "../_helpers/assistant_chat_fake.ts";
import { captureMailer, openTestWorld, signInWithOtp, T0, type TestWorld } from "../_helpers/test_app.ts";
import { BLUEPRINT, SPEC } from "../_helpers/assistant_examples.ts";

async function post(w: TestWorld, path: string, json: unknown, opts: Record<string, unknown> = {}) {
  const r = await w.request("POST", path, { json, ...opts });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** The `loc`s of a 422 body. */
const locs = (body: { detail: { loc: unknown[] }[] }) => body.detail.map((d) => d.loc.join("."));

Deno.test("assistant: wrong types, unknown fields, control characters and empty bodies are 422", async () => {
  await withWorld(async (w) => {
    const cases: [string, unknown, string][] = [
      ["/generate", { user_prompt: 42 }, "body.user_prompt"],
      ["/generate", { user_prompt: "SMA cross on AAPL", temperature: 0.2 }, "body.temperature"],
      ["/generate", { user_prompt: "SMA\u0000 cross" }, "body.user_prompt"],
      ["/generate", { user_prompt: "   " }, "body.user_prompt"],
      ["/generate", { user_prompt: "SMA", language: "fr" }, "body.language"],
      ["/generate", {}, "body.user_prompt"],
      ["/explain", {}, "body"],
      ["/explain", { strategy_code: "x", spec: SPEC }, "body.spec"],
      ["/explain", { code: "entry: close >" }, "body.code"],
      ["/explain", { strategy_code: "hello\u202Eworld" }, "body.strategy_code"],
      ["/builder/translate", { ...BLUEPRINT, colour: "red" }, "body.colour"],
      ["/builder/translate", { ...BLUEPRINT, entry: "sma" }, "body.entry"],
      ["/builder/translate", { timeframe: "1d" }, "body.asset"],
      ["/builder/translate", { blueprint: BLUEPRINT, asset: "X" }, "body.asset"],
      ["/builder/translate", { ...BLUEPRINT, risk: { stop_loss: "five" } }, "body.risk.stop_loss"],
      ["/agent/invoke", { input_text: 7 }, "body.input_text"],
      ["/agent/invoke", { input_text: "hi", session_id: "a/b" }, "body.session_id"],
      ["/agent/invoke", { input_text: "hi", session_id: "x".repeat(129) }, "body.session_id"],
      ["/agent/invoke", { input_text: "hi", user: "me" }, "body.user"],
      ["/agent/invoke", { input_text: "x".repeat(10_000) }, "body.input_text"],
      ["/agent/invoke", { input_text: "bell\u0007" }, "body.input_text"],
    ];
    for (const [path, json, loc] of cases) {
      const { status, body } = await post(w, path, json);
      assert.equal(status, 422, `${path} ${JSON.stringify(json).slice(0, 80)}`);
      assert.ok(
        locs(body).some((l) => l === loc || l.startsWith(`${loc}.`)),
        `${path}: ${loc} in ${locs(body)}`,
      );
    }
    // A body over the limit is refused before it is read; malformed JSON is a 422.
    const huge = await w.request("POST", "/generate", {
      body: JSON.stringify({ user_prompt: "x".repeat(2_000_000) }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(huge.status, 413);
    const broken = await w.request("POST", "/agent/invoke", {
      body: '{"input_text": ',
      headers: { "content-type": "application/json" },
    });
    assert.equal(broken.status, 422);
    // Path ids: a slash is another path (404), an encoded one is not an id (422).
    assert.equal((await w.request("GET", "/agent/config/a/b")).status, 404);
    assert.equal((await w.request("GET", "/agent/config/a%2Fb")).status, 422);
    assert.equal((await w.request("GET", `/agent/config/${"y".repeat(200)}`)).status, 422);
  });
});

Deno.test("translate: every blueprint field is honoured", async () => {
  await withWorld(async (w) => {
    const t = (over: Record<string, unknown>) => post(w, "/builder/translate", { ...BLUEPRINT, ...over });
    for (const [stop, pct] of [["5%", 5], ["5", 5], ["0.5%", 0.5], [0.05, 5], [" 7.5 % ", 7.5]] as const) {
      const { status, body } = await t({ risk: { stop_loss: stop } });
      assert.equal(status, 200, `${stop}`);
      assert.equal(body.spec.risk.stop_loss_pct, pct, `${stop}`);
    }
    const trailing = await t({ risk: { stop_loss: "4%", take_profit: 12, trailing_stop: 3 } });
    assert.equal(trailing.body.spec.risk.trailing_stop_pct, 3);
    assert.match(trailing.body.prompt, /stop loss 4%, take profit 12%, trailing stop 3%;/);
    const percent = await t({ position_sizing: "percent" });
    assert.equal(percent.body.spec.sizing.method, "percent_equity");
    assert.match(percent.body.prompt, /percent-of-equity position size \(100% of equity\)\.$/);
    const risk = await t({ position_sizing: "risk_adjusted" });
    assert.equal(risk.body.spec.sizing.method, "risk_adjusted");
    assert.match(risk.body.prompt, /risk-adjusted position size \(1% of equity at risk, stop 2 × ATR 14\)/);
    for (const tf of ["daily", "D", "1D"]) assert.equal((await t({ timeframe: tf })).status, 200, tf);
    for (const tf of ["1h", "4h", "1w", "weekly"]) {
      const { status, body } = await t({ timeframe: tf });
      assert.equal(status, 422, tf);
      assert.match(body.detail[0].msg, /Only daily bars exist/);
    }
    // The document's ExitCondition includes "atr": a chandelier exit.
    const atr = await t({
      exit: [{ indicator: "atr", operator: "<", params: { lookback: 22, multiplier: 3 } }],
    });
    assert.equal(atr.status, 200);
    assert.equal(atr.body.spec.exit, "close < highest(close, 22) - 3 * atr(22)");
    assert.match(
      atr.body.prompt,
      /exit when the close is below the highest value of the close over the last 22/,
    );
    // RSI with a value, Bollinger below the band, entries joined with "and".
    const multi = await t({
      entry: [
        { indicator: "rsi", operator: "<", value: 30, params: { lookback: 14 } },
        { indicator: "bollinger", operator: "<", params: { lookback: 20, multiplier: 2 } },
      ],
    });
    assert.equal(multi.body.spec.entry, "rsi(close, 14) < 30 and close < bb_lower(close, 20, 2)");
    assert.match(
      multi.body.prompt,
      /enter when the 14-day RSI of the close is below 30 and the close is below the lower Bollinger band/,
    );
  });
});

Deno.test("explain: a spec in words, every number from the spec, in en/zh/id", async () => {
  await withWorld(async (w) => {
    const { status, body } = await post(w, "/explain", { spec: SPEC });
    assert.equal(status, 200);
    const text: string = body.explanation;
    assert.match(
      text,
      /Buy when the 20-day simple moving average of the close crosses above the 50-day one\./,
    );
    assert.match(
      text,
      /Sell when the 20-day simple moving average of the close crosses below the 50-day one or the 14-day RSI of the close is above 75\./,
    );
    for (
      const part of [
        "Trades the tickers AAPL, MSFT.",
        "Each position is 25% of equity; at most 4 positions at once.",
        "Stop loss 7%, take profit 20%, trailing stop none, maximum holding 30 days.",
        "0.05% fee on each buy, 0.15% on each sell, minimum fee 1, slippage 0.02%.",
        "decided on a day's close and filled at the next day's open",
        "Starts with 250,000 on 2022-01-03 and runs to 2024-06-28",
        "the ones with the largest value of the 20-day simple moving average of the close times the volume are bought first",
      ]
    ) assert.ok(text.includes(part), `${part} in ${text}`);
    assert.deepEqual(
      body.sections.map((s: { key: string }) => s.key),
      ["entry", "exit", "ranking", "universe", "sizing", "risk", "costs", "fills", "dates"],
    );
    // Strategy text explains the same.
    const text2 = await post(w, "/explain", {
      strategy_code: (await post(w, "/builder/translate", BLUEPRINT)).body.generated_code,
    });
    assert.equal(text2.status, 200);
    assert.match(text2.body.explanation, /Each position is a fixed 100 shares/);
    const zh = await post(w, "/explain", { spec: SPEC, language: "zh" });
    assert.match(zh.body.explanation, /当收盘价的20日简单移动平均线上穿50日均线时买入。/);
    assert.match(zh.body.explanation, /止损 7%/);
    const id = await post(w, "/explain", { spec: SPEC, language: "id" });
    assert.match(
      id.body.explanation,
      /Beli ketika rata-rata bergerak sederhana 20 hari dari harga penutupan/,
    );
    const noStrategy = await post(w, "/explain", { code: "import backtrader as bt\n...", language: "zh" });
    assert.equal(noStrategy.status, 200);
    assert.match(noStrategy.body.explanation, /没有定义 backtrader 策略/);
    // Code that is not a strategy for another reason is the importer's 422, naming the construct and the line.
    const os = await post(w, "/explain", { strategy_code: "import os\nos.system('ls')" });
    assert.equal(os.status, 422);
    assert.match(os.body.detail[0].msg, /line 1: importing `os`/);
  });
});

Deno.test("explain: a model may reword the text but not its numbers", async () => {
  await withWorld(async (w) => {
    w.deps.strategyAssistant.rephrase = (_user, text) =>
      Promise.resolve(`In short: ${text.replaceAll("Buy when", "Enter when")}`);
    const kept = await post(w, "/explain", { spec: SPEC });
    assert.equal(kept.body.rephrased, true);
    assert.match(kept.body.explanation, /^In short: Entry: Enter when/);
    w.deps.strategyAssistant.rephrase = (_user, text) => Promise.resolve(text.replace("7%", "8%"));
    const refused = await post(w, "/explain", { spec: SPEC });
    assert.equal(refused.body.rephrased, false);
    assert.match(refused.body.explanation, /Stop loss 7%/);
    w.deps.strategyAssistant.rephrase = () => Promise.reject(new Error("model down"));
    assert.equal((await post(w, "/explain", { spec: SPEC })).body.rephrased, false);
  });
});

Deno.test("generate: a ready answer is checked text; python code is parsed or refused, never run", async () => {
  await withWorld(async (w) => {
    w.deps.strategyAssistant.assist.provider = fakeChatProvider();
    const { status, body } = await post(w, "/generate", { user_prompt: "SMA crossover on AAPL" });
    assert.equal(status, 200);
    assert.equal(body.status, "ready");
    assert.match(body.generated_code, /^name: "SMA cross"\nuniverse: \{"tickers":\["AAPL"\]\}/);
    assert.equal(body.strategy_text, body.generated_code);
    assert.deepEqual(body.assumptions, ["windows 20/50 assumed"]);
    const { access_token } = await signInWithOtp(w, "gen@example.com");
    const run = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: body.spec },
      token: access_token,
    });
    assert.equal(run.status, 200);
    const ask = await post(w, "/generate", { user_prompt: "something with moving averages" });
    assert.equal(ask.body.status, "needs_info");
    assert.deepEqual(ask.body.missing, ["universe"]);
    assert.equal(ask.body.generated_code, "");
    // Python the importer refuses: with a model configured, the model is asked to translate it.
    const python =
      "import backtrader as bt\nclass S(bt.Strategy):\n    def next(self):\n        self.buy()\n";
    const viaModel = await post(w, "/generate", { user_prompt: python });
    assert.equal(viaModel.status, 200);
    // Offline (no model), a refusal of the importer is the answer.
    w.deps.strategyAssistant.assist.provider = w.deps.strategyAssistant.assist.offline;
    const offline = await post(w, "/generate", { user_prompt: python });
    assert.equal(offline.status, 422);
    assert.equal(offline.body.error !== undefined, true);
  });
});

/** A chat turn of `who` (a token or an address). */
function say(w: TestWorld, text: string, sid: string, who: { token?: string; ip?: string } = {}) {
  return post(w, "/agent/invoke", { input_text: text, session_id: sid }, {
    token: who.token,
    headers: { "x-forwarded-for": who.ip ?? "10.1.1.1" },
  });
}

function config(w: TestWorld, sid: string, who: { token?: string; ip?: string } = {}) {
  return w.request("GET", `/agent/config/${sid}`, {
    token: who.token,
    headers: { "x-forwarded-for": who.ip ?? "10.1.1.1" },
  });
}

Deno.test("agent sessions belong to their caller: another user or address cannot read or continue them", async () => {
  await withWorld(async (w) => {
    w.deps.strategyAssistant.assist.provider = fakeChatProvider();
    const a = await signInWithOtp(w, "a@example.com", "10.2.0.1");
    const b = await signInWithOtp(w, "b@example.com", "10.2.0.2");
    await say(w, "large cap", "shared_1", { token: a.access_token });
    assert.equal((await config(w, "shared_1", { token: a.access_token })).status, 200);
    const foreign = await config(w, "shared_1", { token: b.access_token });
    assert.equal(foreign.status, 404);
    assert.equal((await config(w, "never_used", { token: b.access_token })).status, 404);
    // B's turn with A's session id is B's own session: A's draft is not continued.
    const bTurn = await say(w, "RSI 14 below 30", "shared_1", { token: b.access_token });
    assert.deepEqual(bTurn.body.missing, ["universe", "date_range", "capital"]);
    const aState = await (await config(w, "shared_1", { token: a.access_token })).json();
    assert.equal(aState.messages, 2);
    assert.deepEqual(aState.missing, ["strategy", "date_range", "capital"]);
    // Anonymous callers are told apart by address, and are not the signed-in user either.
    await say(w, "large cap", "anon_1", { ip: "10.3.0.1" });
    assert.equal((await config(w, "anon_1", { ip: "10.3.0.1" })).status, 200);
    assert.equal((await config(w, "anon_1", { ip: "10.3.0.2" })).status, 404);
    assert.equal((await config(w, "anon_1", { token: a.access_token, ip: "10.3.0.1" })).status, 404);
    // The address is stored only as a hash.
    const stored = [];
    for await (const e of w.kv.list({ prefix: ["agent_sessions"] })) stored.push(JSON.stringify(e.key));
    assert.ok(stored.every((k) => !k.includes("10.3.0.1")), stored.join());
  });
});

Deno.test('agent session_id defaults to "default"', async () => {
  await withWorld(async (w) => {
    const r = await post(w, "/agent/invoke", { input_text: "hello" }, {
      headers: { "x-forwarded-for": "10.1.1.1" },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.session_id, "default");
    assert.equal((await config(w, "default")).status, 200);
  });
});

Deno.test("agent sessions expire 7 days after the last turn", async () => {
  await withWorld(async (w) => {
    await say(w, "hello", "exp_1");
    w.clock.advance(6 * 86_400_000);
    assert.equal((await config(w, "exp_1")).status, 200);
    await say(w, "still here", "exp_1");
    w.clock.advance(6 * 86_400_000);
    assert.equal((await (await config(w, "exp_1")).json()).messages, 4);
    w.clock.advance(86_400_000 + 1);
    assert.equal((await config(w, "exp_1")).status, 404);
    await say(w, "again", "exp_1");
    assert.equal((await (await config(w, "exp_1")).json()).messages, 2);
  });
});

Deno.test("agent sessions keep the last messages only", async () => {
  await withWorld(async (w) => {
    for (let i = 0; i < 20; i++) await say(w, `message ${i} ${"x".repeat(3900)}`, "long_1");
    const state = await (await config(w, "long_1")).json();
    assert.ok(state.messages <= MAX_MESSAGES && state.messages >= 2, `${state.messages}`);
  });
});

Deno.test("agent sessions survive a restart (the KV file reopened)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  const open = async () => {
    const kv = await Deno.openKv(path);
    const services = await buildServices({
      config: parseConfig({
        DENO_ENV: "test",
        KV_PATH: path,
        JWT_SECRET: "restart-secret-restart-secret-0123456789",
        TRUST_PROXY: "true",
        LOG_REQUESTS: "false",
      }),
      kv,
      clock: fixedClock(T0),
      mailer: captureMailer(),
      log: () => {},
      queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
    });
    services.strategyAssistant.assist.provider = fakeChatProvider();
    return { kv, app: createApp(services), services };
  };
  const headers = { "content-type": "application/json", "x-forwarded-for": "10.9.0.1" };
  try {
    const first = await open();
    for (const text of ["large cap", "SMA crossover 20/50"]) {
      const r = await first.app.request("/agent/invoke", {
        method: "POST",
        headers,
        body: JSON.stringify({ input_text: text, session_id: "restart_1" }),
      });
      assert.equal(r.status, 200);
      await r.body?.cancel();
    }
    await first.services.track.background.drain();
    first.kv.close();
    const second = await open();
    const state = await (await second.app.request("/agent/config/restart_1", { headers })).json();
    assert.equal(state.messages, 4);
    assert.deepEqual(state.missing, ["date_range", "capital"]);
    // The conversation continues where it was.
    const r = await second.app.request("/agent/invoke", {
      method: "POST",
      headers,
      body: JSON.stringify({ input_text: "2023-01-01 to 2024-06-30", session_id: "restart_1" }),
    });
    assert.deepEqual((await r.json()).missing, ["capital"]);
    await second.services.track.background.drain();
    second.kv.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const NEEDS: TurnReply = {
  kind: "needs_info",
  message: "Which period?",
  question: "Which period?",
  missing: ["date_range"],
  draft: { filters: { marketCap: ["large"] } },
  assumptions: [],
  rationale: "",
};

Deno.test("two turns at once on one session lose no message", async () => {
  await withWorld(async (w) => {
    // Both turns read the session before either writes: the provider holds them until both have arrived.
    let release!: () => void;
    const bothIn = new Promise<void>((r) => (release = r));
    let arrived = 0;
    const provider = scriptedProvider(NEEDS, () => {
      if (++arrived === 2) release();
      return bothIn;
    });
    w.deps.strategyAssistant.assist.provider = provider;
    const [x, y] = await Promise.all([say(w, "first", "race_1"), say(w, "second", "race_1")]);
    assert.equal(x.status, 200);
    assert.equal(y.status, 200);
    assert.equal(provider.calls, 3, "the turn that lost the write was run again on the new state");
    const state = await (await config(w, "race_1")).json();
    assert.equal(state.messages, 4);
    // At the store: a write against a stale version is refused.
    const repo = createAgentSessionRepo(w.kv);
    const owner = (await Array.fromAsync(w.kv.list({ prefix: ["agent_sessions"] })))[0].key[1] as string;
    const seen = (await repo.get(owner, "race_1", w.clock.now()))!;
    assert.equal(await repo.save({ ...seen.record, messages: [] }, seen.versionstamp, 60_000), true);
    assert.equal(await repo.save({ ...seen.record, messages: [] }, seen.versionstamp, 60_000), false);
  });
});

Deno.test("config_ready needs a successful dry run; a failing one says why", async () => {
  await withWorld(async (w) => {
    const ready = (filters: Record<string, unknown>): TurnReply => ({
      kind: "config_ready",
      message: "Ready.",
      question: null,
      missing: [],
      draft: {
        filters,
        technicalIndicators: [{ type: "RSI", period: 14, oversold: 30, overbought: 70 }],
        backtestConfig: { initialCapital: 100_000_000, startDate: "2023-01-01", endDate: "2023-12-31" },
      },
      assumptions: [],
      rationale: "",
    });
    // The turn's market check would refuse the unknown ticker first; without it the dry run must refuse it.
    const market = w.deps.strategyAssistant.assist.market;
    w.deps.strategyAssistant.assist.market = undefined;
    w.deps.strategyAssistant.assist.provider = scriptedProvider(ready({ tickers: ["NOSUCHCODE"] }));
    const bad = await say(w, "go", "dry_1");
    w.deps.strategyAssistant.assist.market = market;
    assert.equal(bad.status, 200);
    assert.equal(bad.body.config_ready, false);
    assert.equal(bad.body.backtest_config, null);
    assert.match(bad.body.validation_errors[0], /^a test run of this configuration failed: /);
    assert.match(bad.body.response, /The configuration is not ready yet:/);
    const state = await (await config(w, "dry_1")).json();
    assert.equal(state.config_ready, false);
    assert.match(state.summary, /⏳ \*\*Not ready yet\.\*\*/);
    // A draft the checks refuse is not ready either, and the errors name the field.
    w.deps.strategyAssistant.assist.provider = scriptedProvider({
      ...ready({}),
      draft: { technicalIndicators: [{ type: "ATR", period: 14 }] },
    });
    const atr = await say(w, "go", "dry_2");
    assert.equal(atr.body.config_ready, false);
    assert.match(atr.body.validation_errors.join(), /technicalIndicators/);
    w.deps.strategyAssistant.assist.provider = scriptedProvider(ready({ marketCap: ["large"] }));
    const good = await say(w, "go", "dry_3");
    assert.equal(good.body.config_ready, true);
    assert.equal(good.body.backtest_config.backtestId, "agent_dry_3");
  });
});

Deno.test("a rate-limited turn is a 429 with Retry-After and changes nothing", async () => {
  const w = await openTestWorld({ RATE_LIMIT_ASSISTANT: "2/1m" });
  const SAME_CALLER = { headers: { "x-forwarded-for": "10.1.1.1" } }; // the address `say` uses
  try {
    assert.equal((await say(w, "hello", "rate_1")).status, 200);
    const g1 = await post(w, "/generate", { user_prompt: "SMA 20/50 cross on AAPL" }, SAME_CALLER);
    assert.equal(g1.status, 200);
    // The third turn of the minute, whichever route asks: refused before the provider is asked.
    const r = await say(w, "SMA crossover 20/50", "rate_1");
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get("retry-after")) > 0);
    const cfg = await config(w, "rate_1");
    assert.equal(cfg.status, 200);
    assert.equal((await cfg.json()).config_ready, false); // the refused turn changed nothing
    const g = await post(w, "/generate", { user_prompt: "SMA on AAPL" }, SAME_CALLER);
    assert.equal(g.status, 429);
    assert.match(g.body.error, /Rate limit exceeded/);
  } finally {
    await w.close();
  }
});

/** Backtrader code as a user pastes it: no universe (the feeds are added outside the strategy). */
const SMA_CROSS_PY = `import backtrader as bt

class SmaCross(bt.Strategy):
    params = (('fast', 20), ('slow', 50),)

    def __init__(self):
        sma1 = bt.ind.SMA(period=self.p.fast)
        sma2 = bt.ind.SMA(period=self.p.slow)
        self.crossover = bt.ind.CrossOver(sma1, sma2)

    def next(self):
        if not self.position:
            if self.crossover > 0:
                self.buy()
        elif self.crossover < 0:
            self.close()
`;

Deno.test("explain and generate: `universe` fills strategy text without one; a spec has its own", async () => {
  await withWorld(async (w) => {
    const text = (await post(w, "/builder/translate", BLUEPRINT)).body.generated_code
      .split("\n").filter((l: string) => !l.startsWith("universe:")).join("\n");
    const noUniverse = await post(w, "/explain", { strategy_code: text });
    assert.equal(noUniverse.status, 422);
    const withUniverse = await post(w, "/explain", { strategy_code: text, universe: "idx" });
    assert.equal(withUniverse.status, 200);
    assert.match(withUniverse.body.explanation, /Trades the idx universe\./);
    const tickers = await post(w, "/explain", { strategy_code: text, universe: "bbca.jk, TLKM.JK" });
    assert.deepEqual(tickers.body.spec.universe, { tickers: ["BBCA.JK", "TLKM.JK"] });
    const spec = await post(w, "/explain", { spec: SPEC, universe: "idx" });
    assert.equal(spec.status, 422);
    assert.deepEqual(spec.body.detail[0].loc, ["body", "universe"]);
  });
});

Deno.test("backtrader code without a universe: /explain explains its rules, /generate asks for the universe", async () => {
  await withWorld(async (w) => {
    const explained = await post(w, "/explain", { strategy_code: SMA_CROSS_PY });
    assert.equal(explained.status, 200, JSON.stringify(explained.body));
    assert.equal(explained.body.spec, null);
    assert.match(
      explained.body.explanation,
      /Buy when the 20-day simple moving average of the close crosses above the 50-day one/,
    );
    assert.match(explained.body.explanation, /Universe: Not set in the code/);
    assert.ok(!explained.body.explanation.includes("UNIVERSE-NOT-SET"));
    const asked = await post(w, "/generate", { user_prompt: SMA_CROSS_PY });
    assert.equal(asked.status, 200);
    assert.equal(asked.body.status, "needs_info");
    assert.deepEqual(asked.body.missing, ["universe"]);
    const ready = await post(w, "/generate", { user_prompt: SMA_CROSS_PY, universe: "RELIANCE.NS" });
    assert.equal(ready.body.status, "ready", JSON.stringify(ready.body));
    assert.deepEqual(ready.body.spec.universe, { tickers: ["RELIANCE.NS"] });
    assert.equal(ready.body.provider, "backtrader_import");
    const { access_token } = await signInWithOtp(w, "py@example.com");
    const run = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: { ...ready.body.spec, start: "2023-01-01", end: "2024-06-30" } },
      token: access_token,
    });
    assert.equal(run.status, 200);
  });
});

Deno.test("a turn that keeps losing its write to other turns is a 409, never a lost message", async () => {
  await withWorld(async (w) => {
    const real = w.deps.strategyAssistant.sessions;
    let saves = 0;
    w.deps.strategyAssistant.sessions = {
      get: real.get,
      save: () => {
        saves++;
        return Promise.resolve(false);
      },
    };
    const r = await say(w, "hello", "busy_1");
    assert.equal(r.status, 409);
    assert.match(r.body.detail, /changed by other turns at the same time; send the message again/);
    assert.equal(saves, 3);
    w.deps.strategyAssistant.sessions = real;
    assert.equal((await config(w, "busy_1")).status, 404);
  });
});
