/**
 * Conformance with the Quant Copilot document (the product document `000_97e1527e0a55ef80.txt`): its request
 * examples replayed in order, at the paths written (no `/api/v1`), asserting every documented response field by
 * name and JSON type, and its integer ids as integers. Where the document sends backtrader Python as `code` or
 * `strategy_code`, the replay sends Quantedge strategy text (Python comes with issue 14); one test sends the
 * document's Python as written and gets the helpful 422. The AI paths (`/generate`, `/builder/translate`,
 * `/explain`) come with issue 14 and are not replayed here.
 */
import assert from "node:assert/strict";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { parseStrategyText } from "../../domain/strategy/strategy_text.ts";
import { lastOtp, openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

/** The document's response examples, as written (`[...]` and `{...}` read as "an array", "an object"). */
const DOC = {
  requestOtp: { message: "OTP sent to your email." },
  verifyOtp: { access_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...", token_type: "bearer" },
  save: { message: "Strategy saved successfully", strategy_id: 123 },
  strategy: {
    id: 1,
    name: "MA Crossover",
    prompt: "Create moving average strategy",
    code: "import backtrader as bt\n...",
    created_at: "2023-12-01T10:00:00",
  },
  deleted: { status: "deleted" },
  backtest: { start_value: 100000, end_value: 110000, pnl: 10000 },
  plot: { data: [], layout: {} },
  submit: {
    entry_id: 456,
    metrics: { "Sharpe Ratio": 1.5, "Max Drawdown": -0.05, "Total Return": 0.15 },
    score: 85.2,
  },
  top: {
    period: "daily",
    dataset: "default",
    top: [{
      id: 1,
      user_id: 123,
      username: "user@example.com",
      strategy_id: 456,
      strategy_name: "Top Strategy",
      dataset: "default",
      run_at: "2023-12-01T10:00:00",
      return_pct: 15.5,
      sharpe: 1.8,
      max_drawdown: -5.2,
      score: 92.1,
    }],
  },
  error: { error: "Error message description" },
} as const;

/** Keys the document shows as integer ids. */
const INTEGER_KEYS = new Set(["id", "user_id", "strategy_id", "entry_id"]);

/**
 * Asserts `actual` has every key of the document's `example` with the same JSON type (recursively; every array
 * item against the example's first item), and the document's integer ids as integers.
 */
const assertLikeCopilotDoc = (actual: unknown, example: unknown) =>
  assertDocumentShape(actual, example, { integers: INTEGER_KEYS });

/** What the replay sends where the document sends Python: a whole strategy (saving needs its universe). */
const STRATEGY_TEXT = [
  "# 20/50 SMA crossover",
  'name: "My Strategy"',
  'universe: {"tickers":["RELIANCE.NS"]}',
  "entry: crosses_above(sma(close, 20), sma(close, 50))",
  "exit: crosses_below(sma(close, 20), sma(close, 50))",
].join("\n");

/** For `/backtest` and `/plot` with `ticker`: the ticker is the universe, so no `universe:` line. */
const TICKER_TEXT = [
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

async function ok(res: Response, status = 200): Promise<unknown> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
}

Deno.test("Quant Copilot: the document's workflow replayed in order, every documented field present", async () => {
  await withWorld(async (w) => {
    const email = "user@example.com";
    // Sign-in: request-otp, then verify-otp with the mailed code (the log mailer in development).
    const sent = await ok(await w.request("POST", "/auth/request-otp", { json: { email } }));
    assert.deepEqual(sent, DOC.requestOtp);
    const signedIn = await ok(
      await w.request("POST", "/auth/verify-otp", { json: { email, otp_code: lastOtp(w.sent, email) } }),
    ) as Record<string, unknown>;
    assertLikeCopilotDoc(signedIn, DOC.verifyOtp);
    assert.equal(signedIn.token_type, "bearer");
    assert.equal(signedIn.expires_in, 15 * 86_400, "the document's 15-day token");
    const token = signedIn.access_token as string;

    // POST /strategy/save
    const saved = await ok(
      await w.request("POST", "/strategy/save", {
        json: { name: "My Strategy", prompt: "Moving average strategy", code: STRATEGY_TEXT },
        token,
      }),
    ) as Record<string, unknown>;
    assertLikeCopilotDoc(saved, DOC.save);
    assert.equal(saved.message, "Strategy saved successfully");
    const id = saved.strategy_id as number;

    // GET /strategy/list?strategy_id=<the saved id> (the document's 123 is the id its save answered)
    const listed = await ok(
      await w.request("GET", `/strategy/list?strategy_id=${id}`, { token }),
    ) as unknown[];
    assertLikeCopilotDoc(listed, [DOC.strategy]);
    assert.equal(listed.length, 1);
    const all = await ok(await w.request("GET", "/strategy/list", { token })) as unknown[];
    assertLikeCopilotDoc(all, [DOC.strategy]);
    assert.deepEqual(await ok(await w.request("GET", "/strategy/list?strategy_id=123", { token })), []);

    // GET /strategy/{strategy_id}
    const one = await ok(await w.request("GET", `/strategy/${id}`, { token })) as Record<string, unknown>;
    assertLikeCopilotDoc(one, DOC.strategy);
    assert.equal(one.id, id);
    assert.equal(one.name, "My Strategy");
    assert.equal(one.prompt, "Moving average strategy");
    assert.deepEqual(
      parseStrategyText(one.code as string).entry,
      "crosses_above(sma(close, 20), sma(close, 50))",
    );

    // POST /backtest and POST /plot
    const run = { strategy_code: TICKER_TEXT, ticker: "RELIANCE.NS" };
    const result = await ok(await w.request("POST", "/backtest", { json: run, token })) as Record<
      string,
      number
    >;
    assertLikeCopilotDoc(result, DOC.backtest);
    assert.equal(result.start_value, 100_000);
    assert.ok(Math.abs(result.pnl - (result.end_value - result.start_value)) < 1e-3);
    const figure = await ok(await w.request("POST", "/plot", { json: run, token }));
    assertLikeCopilotDoc(figure, DOC.plot);

    // GET /export/code/{id} and GET /export/csv/{id}: file downloads
    const codeFile = await w.request("GET", `/export/code/${id}`, { token });
    const code = await ok(codeFile) as string;
    assert.match(
      codeFile.headers.get("content-disposition") ?? "",
      new RegExp(`attachment; filename="strategy-${id}\\.py"`),
    );
    assert.match(codeFile.headers.get("content-type") ?? "", /^text\/x-python/);
    assert.match(code, /^import backtrader as bt$/m, "the download is backtrader Python");
    assert.match(code, /^class \w+\(bt\.Strategy\):$/m);
    assert.match(code, /^# quantedge: name: "My Strategy"$/m);
    const csvFile = await w.request("GET", `/export/csv/${id}`, { token });
    const csv = await ok(csvFile) as string;
    assert.match(csvFile.headers.get("content-type") ?? "", /^text\/csv/);
    assert.match(csvFile.headers.get("content-disposition") ?? "", /attachment; filename=".+\.csv"/);
    assert.match(csv, /^# trades \(/);
    assert.match(csv, /\r\ndate,ticker,companyName,action,/);
    assert.match(csv, /# daily equity\r\ndate,portfolioValue,cash,drawdown\r\n/);

    // POST /leaderboard/submit, then GET /leaderboard/top?period=daily&dataset=default&limit=50
    const submitted = await ok(
      await w.request("POST", "/leaderboard/submit", {
        json: {
          strategy_id: id,
          strategy_name: "My Strategy",
          code: STRATEGY_TEXT,
          dataset: "default",
          ticker: "RELIANCE.NS",
        },
        token,
      }),
    ) as Record<string, unknown>;
    assertLikeCopilotDoc(submitted, DOC.submit);
    const top = await ok(
      await w.request("GET", "/leaderboard/top?period=daily&dataset=default&limit=50"),
    ) as { period: string; dataset: string; top: Record<string, unknown>[] };
    assertLikeCopilotDoc(top, DOC.top);
    assert.equal(top.top.length, 1);
    assert.equal(top.top[0].id, submitted.entry_id);
    assert.equal(top.top[0].strategy_id, id);
    assert.doesNotMatch(top.top[0].username as string, /@/, "no email is shown publicly");

    // DELETE /strategy/{strategy_id}
    assertLikeCopilotDoc(await ok(await w.request("DELETE", `/strategy/${id}`, { token })), DOC.deleted);
    const gone = await w.request("GET", `/strategy/${id}`, { token });
    assertLikeCopilotDoc(await ok(gone, 404), DOC.error);
  });
});

Deno.test("Quant Copilot: the document's placeholder Python (no strategy class) is a 422 that says what is accepted and links the format", async () => {
  await withWorld(async (w) => {
    const email = "user@example.com";
    await ok(await w.request("POST", "/auth/request-otp", { json: { email } }));
    const { access_token: token } = await ok(
      await w.request("POST", "/auth/verify-otp", { json: { email, otp_code: lastOtp(w.sent, email) } }),
    ) as { access_token: string };
    const python = "import backtrader as bt\n...";
    for (
      const [path, body] of [
        ["/backtest", { strategy_code: python, ticker: "RELIANCE.NS" }],
        ["/plot", { strategy_code: python, ticker: "RELIANCE.NS" }],
        ["/strategy/save", { name: "My Strategy", prompt: "Moving average strategy", code: python }],
      ] as const
    ) {
      const body422 = await ok(await w.request("POST", path, { json: body, token }), 422) as {
        error: string;
        detail: { type: string; loc: string[]; msg: string }[];
      };
      assertLikeCopilotDoc(body422, DOC.error);
      assert.equal(body422.detail[0].type, "no_strategy");
      assert.match(body422.error, /no backtrader strategy/);
      assert.match(body422.error, /Quantedge strategy text/);
      assert.match(body422.error, /generated_code/);
      assert.match(body422.error, /\/docs\/strategy-text/);
    }
    const doc = await w.request("GET", "/docs/strategy-text");
    assert.equal(doc.status, 200);
    assert.match(doc.headers.get("content-type") ?? "", /^text\/markdown/);
    assert.match(await doc.text(), /^# Quantedge strategy text/);
  });
});

Deno.test("Quant Copilot: the document's literal verify-otp example (a code never sent) is a 401 with `error`", async () => {
  await withWorld(async (w) => {
    await ok(await w.request("POST", "/auth/request-otp", { json: { email: "user@example.com" } }));
    const res = await w.request("POST", "/auth/verify-otp", {
      json: { email: "user@example.com", otp_code: "123456" },
    });
    const body = await ok(res, lastOtp(w.sent, "user@example.com") === "123456" ? 200 : 401);
    if (res.status === 401) assertLikeCopilotDoc(body, DOC.error);
  });
});
