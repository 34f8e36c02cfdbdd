/**
 * `/indicators` answers every value it evaluates (dates × expressions). The expression budget prices the
 * evaluation, not the answer: cheap expressions over an imported series of 1800–2199 (146,097 daily rows) made a
 * 53 MB body per request, built and serialised in one go, and ten such requests at once held the process for
 * about 5 s and grew it by 1.3 GB. The answer is now bounded by `MAX_INDICATOR_VALUES`: a request whose
 * answer would hold more values is refused with a 422 before any evaluation.
 */
import assert from "node:assert/strict";
import { MAX_INDICATOR_VALUES } from "../../domain/backtest/indicator_preview.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

/** 20 cheap, distinct expressions (one pass each; far under the expression budget on these bars). */
const EXPRESSIONS = Array.from({ length: 20 }, (_, i) => `close * ${i + 2}`);
const BARS = Math.floor(MAX_INDICATOR_VALUES / EXPRESSIONS.length);

/** `n` daily rows from 1900-01-01 (every calendar day). */
function dailyCsv(n: number) {
  const rows = ["date,open,high,low,close,volume"];
  for (let k = 0; k < n; k++) {
    const d = new Date(Date.UTC(1900, 0, 1 + k)).toISOString().slice(0, 10);
    const p = 10 + (k % 7);
    rows.push(`${d},${p},${p + 1},${p - 1},${p},1000`);
  }
  return rows.join("\n") + "\n";
}

const dayOf = (k: number) => new Date(Date.UTC(1900, 0, 1 + k)).toISOString().slice(0, 10);

Deno.test("/indicators refuses an answer of more than MAX_INDICATOR_VALUES values with a 422; at the limit it answers", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "wide@example.com");
    const imported = await w.request("POST", "/api/v1/data/import?symbol=WIDE.SH", {
      body: dailyCsv(BARS + 1),
      token: me.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(imported.status, 200, await imported.clone().text());
    assert.equal((await imported.json()).rows, BARS + 1);

    const over = await w.request("POST", "/api/v1/indicators", {
      json: { symbol: "WIDE.SH", start: dayOf(0), end: dayOf(BARS), expressions: EXPRESSIONS },
      token: me.access_token,
    });
    const text = await over.text();
    assert.equal(over.status, 422, text.slice(0, 300));
    assert.match(over.headers.get("content-type") ?? "", /application\/json/);
    const [issue] = JSON.parse(text).detail;
    assert.equal(issue.type, "too_many_values");
    assert.deepEqual(issue.loc, ["body", "expressions"]);
    assert.match(issue.msg, new RegExp(`${BARS + 1} bars × ${EXPRESSIONS.length} expressions`));
    assert.match(issue.msg, /500,000/);

    // One bar fewer: exactly the limit, answered in full.
    const atLimit = await w.request("POST", "/api/v1/indicators", {
      json: { symbol: "WIDE.SH", start: dayOf(0), end: dayOf(BARS - 1), expressions: EXPRESSIONS },
      token: me.access_token,
    });
    assert.equal(atLimit.status, 200);
    const body = await atLimit.json();
    assert.equal(body.dates.length, BARS);
    assert.equal(Object.keys(body.series).length, EXPRESSIONS.length);
    assert.equal(body.series["close * 3"][0], 30);
  } finally {
    await w.close();
  }
});
