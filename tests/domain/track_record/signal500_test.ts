/**
 * A multi-factor portfolio's 500-symbol signal through the whole track record, over HTTP on the production
 * wiring: submitted (stored in chunks within its one commit), replaced before the deadline, logged, settled by
 * the settle-signals job, 300 names swapped the next day (600+ trades), `/verify` consistent and the offline verifier
 * (`deno task verify`'s `verifyRecord`) accepting the record; every KV value stays under Deno KV's 64 KiB limit.
 * Also: 501 symbols are refused with 422 at `["body", "signals"]`, and a large signal stored whole by an earlier
 * version still reads and can be replaced.
 */
import assert from "node:assert/strict";
import { serialize } from "node:v8";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { keys } from "../../../domain/store/keys.ts";
import { INLINE_JSON_CHARS } from "../../../domain/store/record_parts.ts";
import { FEED_EVENTS_PER_ENTRY } from "../../../domain/store/settlement_repo.ts";
import type { SignalRecord } from "../../../domain/store/signal_repo.ts";
import {
  canonicalSignalJson,
  signalHash,
  sortSignals,
} from "../../../domain/track_record/signals/canonical.ts";
import { MAX_SIGNAL_SYMBOLS, submitSignal } from "../../../domain/track_record/signals/signals.ts";
import { runDailyJob } from "../../../domain/track_record/daily_tasks.ts";
import { createApp } from "../../../routes/app.ts";
import { NAV_TOLERANCE, verifyRecord } from "../../../scripts/verify_record.ts";
import { startFakeGithubContents } from "../../_helpers/fake_github_contents.ts";
import { openTestWorld, signInWithOtp, T0, type TestWorld } from "../../_helpers/test_app.ts";

const HOUR = 3_600_000;
const sse = getCalendar("SSE");
const DAY1 = "2026-05-14"; // the test clock starts at 09:00 Asia/Shanghai on it
const DAY2 = sse.nextTradingDay(DAY1);
const SLUG = "big-five-hundred";
/** Deno KV's largest value. */
const KV_VALUE_LIMIT = 65_536;

const near = (a: number, b: number) =>
  Math.abs(a - b) <= NAV_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** The largest serialised value in the store, with its key (Deno KV stores V8-serialised values). */
async function largestValue(kv: Deno.Kv): Promise<{ key: string; bytes: number }> {
  let max = { key: "", bytes: 0 };
  for await (const e of kv.list({ prefix: [] })) {
    const bytes = e.value instanceof Uint8Array ? e.value.length : serialize(e.value).length;
    if (bytes > max.bytes) max = { key: JSON.stringify(e.key), bytes };
  }
  return max;
}

async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

/** `n` equal weights 1/n over `symbols`, listed in reverse symbol order (so submitted order ≠ canonical order). */
const equalWeights = (symbols: string[], n: number) =>
  [...symbols].sort().slice(0, n).reverse().map((symbol) => ({ symbol, weight: 1 / n }));

Deno.test("500 equal weights of 1/500 sum within the weight-sum tolerance, as do 1/n for n = 5…500", () => {
  for (let n = 5; n <= MAX_SIGNAL_SYMBOLS; n++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += 1 / n;
    assert.ok(sum <= 1 + 1e-9, `${n}: ${sum}`);
  }
  assert.equal(MAX_SIGNAL_SYMBOLS, 500);
});

Deno.test("a 500-symbol signal is submitted, replaced, logged, settled twice (a 300-name swap) and verifies", () =>
  withWorld(async (w) => {
    const token = (await signInWithOtp(w, "mf@example.com")).access_token;
    const created = await w.request("POST", "/api/v1/strategies", {
      token,
      json: { name: "Five hundred", slug: SLUG, universe: "csi500", initial_capital: 100_000_000 },
    });
    assert.equal(created.status, 201);
    const csi500 = await w.deps.track.market.getUniverse("csi500");
    const hs300 = await w.deps.track.market.getUniverse("hs300");
    assert.equal(csi500.length, 500);

    // A first version (499 names), then the final one (all 500) before the deadline.
    const draft = equalWeights(csi500, 499);
    const first = await w.request("POST", `/api/v1/strategies/${SLUG}/signals`, {
      token,
      json: { trade_date: DAY1, signals: draft },
    });
    assert.equal(first.status, 201, await first.clone().text());
    const firstBody = await first.json();
    const firstRaw = (await w.kv.get<Record<string, unknown>>(keys.signal(SLUG, DAY1))).value!;
    const firstGen = (firstRaw.parts as { gen: string }).gen;
    assert.ok(firstGen, "a 499-symbol signal is stored in chunks");

    w.clock.advance(60_000);
    const final = equalWeights(csi500, 500);
    const res = await w.request("POST", `/api/v1/strategies/${SLUG}/signals`, {
      token,
      json: { trade_date: DAY1, signals: final },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const body = await res.json();
    assert.equal(body.replaced, true);
    const payload = { strategy: SLUG, trade_date: DAY1, signals: sortSignals(final) };
    assert.equal(body.canonical_json, canonicalSignalJson(payload), "canonical form unchanged");
    assert.equal(body.signal_hash, await signalHash(payload));
    assert.deepEqual(body.signals.map((s: { symbol: string }) => s.symbol), final.map((s) => s.symbol));
    assert.equal(body.replaced_versions, 1);
    assert.ok(body.log, "logged in the request (the log half of attestPending)");

    // Stored as a head plus chunks; the replaced version's chunks went in the replacing commit.
    const raw = (await w.kv.get<Record<string, unknown>>(keys.signal(SLUG, DAY1))).value!;
    assert.equal(raw.signals, undefined);
    assert.equal(raw.canonical_json, undefined);
    const parts = raw.parts as { gen: string; chunks: number };
    assert.notEqual(parts.gen, firstGen);
    assert.equal(await countKeys(w.kv, ["record_parts", "signal", SLUG, DAY1]), parts.chunks);
    assert.equal(await countKeys(w.kv, ["record_parts", "signal", SLUG, DAY1, firstGen]), 0);
    const proof = await w.request("GET", `/api/v1/public/log/proof/${body.signal_hash}`);
    assert.equal(proof.status, 200);
    assert.equal((await w.request("GET", `/api/v1/public/log/proof/${firstBody.signal_hash}`)).status, 200);

    // The list shows the whole signal in the order it was submitted.
    const listed = await (await w.request("GET", `/api/v1/strategies/${SLUG}/signals?limit=1`, { token }))
      .json();
    const item = (listed.items ?? listed.signals)[0];
    assert.equal(item.signals.length, 500);
    assert.equal(item.signal_hash, body.signal_hash);
    assert.equal(item.canonical_json, body.canonical_json);

    // Day 1 settled at 18:15 by the settle-signals job itself, as the cron runs it (the admin route adds a 30 s
    // request deadline that the first, cold generation of 800 synthetic histories may pass on a loaded machine).
    w.clock.set(T0 + 9.25 * HOUR);
    const settle = async (date: string) => {
      const run = await runDailyJob(w.deps.track, w.deps.dailyJobs, "settle-signals", date);
      const outcomes = (run.summary as { outcomes: { slug: string; status: string }[] }).outcomes;
      assert.deepEqual(
        outcomes.map((o) => [o.slug, o.status]),
        [[SLUG, "settled"]],
        JSON.stringify(outcomes),
      );
    };
    await settle(DAY1);
    const day1Raw = (await w.kv.get<Record<string, unknown>>(keys.settledDay(SLUG, DAY1))).value!;
    assert.ok(day1Raw.parts, "500 positions are stored in chunks");
    assert.equal(day1Raw.positions, undefined);

    // Day 2: the 300 hs300 names and 200 of day 1's: 300 holdings sold, 300 names bought, 200 resized.
    w.clock.set(sse.instantAt(DAY2, "09:00"));
    const token2 = (await signInWithOtp(w, "mf@example.com")).access_token; // the day-1 token has expired
    const swap = [...hs300, ...[...csi500].sort().slice(0, 200)].map((symbol) => ({
      symbol,
      weight: 1 / 500,
    }));
    const res2 = await w.request("POST", `/api/v1/strategies/${SLUG}/signals`, {
      token: token2,
      json: { trade_date: DAY2, signals: swap },
    });
    assert.equal(res2.status, 201, await res2.clone().text());
    w.clock.set(sse.instantAt(DAY2, "18:15"));
    await settle(DAY2);

    for (const [date, signal] of [[DAY1, final], [DAY2, swap]] as const) {
      const v = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/verify?date=${date}`))
        .json();
      assert.ok(v.positions.length >= 490, `${date}: ${v.positions.length} positions`);
      assert.ok(v.positions.every((p: { symbol: string }) => signal.some((s) => s.symbol === p.symbol)));
      const sum = v.positions.reduce((a: number, p: { market_value: number }) => a + p.market_value, 0);
      assert.ok(near(sum + v.cash, v.nav), `${date}: positions ${sum} + cash ${v.cash} ≠ NAV ${v.nav}`);
      assert.ok(Math.abs(v.nav_check.difference) <= NAV_TOLERANCE * v.nav);
      assert.equal(v.signal.signals.length, 500);
      assert.equal(v.verification.signal_attestation.symbols.length, 500);
      assert.deepEqual(v.verification.trades, v.trades);
      if (date === DAY2) {
        const sells = v.trades.filter((t: { action: string }) => t.action === "SELL").length;
        const buys = v.trades.length - sells;
        assert.ok(sells >= 290 && buys >= 290 && v.trades.length > 600, `${sells} sells, ${buys} buys`);
        const feedEntries = await countKeys(w.kv, ["trade_feed"]);
        assert.ok(feedEntries >= Math.ceil(v.trades.length / FEED_EVENTS_PER_ENTRY));
      }
    }
    assert.ok((await w.kv.get<Record<string, unknown>>(keys.settledTrades(SLUG, DAY2))).value!.parts);
    const settled = (await w.kv.get<SignalRecord>(keys.signal(SLUG, DAY1))).value!;
    assert.equal(settled.is_settled, true);
    assert.ok(settled.parts, "settling flips the head's flag and keeps the chunks");

    const largest = await largestValue(w.kv);
    assert.ok(
      largest.bytes < KV_VALUE_LIMIT - 4096,
      `largest value ${largest.bytes} bytes at ${largest.key}`,
    );

    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createApp(w.deps).fetch,
    );
    try {
      const verdict = await verifyRecord(`http://127.0.0.1:${server.addr.port}`, SLUG, fetch, {
        through: DAY2,
        first_day: DAY1,
        settled_days: 2,
        signal_days: 2,
      });
      assert.equal(verdict.ok, true, JSON.stringify([verdict.failures, verdict.days]).slice(0, 800));
    } finally {
      await server.shutdown();
    }
  }));

Deno.test("501 symbols answer 422 at body.signals", () =>
  withWorld(async (w) => {
    const token = (await signInWithOtp(w, "mf@example.com")).access_token;
    await w.request("POST", "/api/v1/strategies", { token, json: { name: "Too many", slug: "too-many" } });
    const symbols = [
      ...await w.deps.track.market.getUniverse("hs300"),
      ...await w.deps.track.market.getUniverse("csi500"),
    ];
    const signals = symbols.slice(0, 501).map((symbol) => ({ symbol, weight: 0.001 }));
    const res = await w.request("POST", "/api/v1/strategies/too-many/signals", {
      token,
      json: { trade_date: DAY1, signals },
    });
    assert.equal(res.status, 422);
    const detail = (await res.json()).detail;
    assert.deepEqual(detail[0].loc, ["body", "signals"]);
  }));

Deno.test("a large signal stored whole by an earlier version reads as it was and can be replaced", () =>
  withWorld(async (w) => {
    const track = w.deps.track;
    const token = (await signInWithOtp(w, "old@example.com")).access_token;
    await w.request("POST", "/api/v1/strategies", { token, json: { name: "Legacy", slug: "legacy-100" } });
    const owner = (await track.strategies.get("legacy-100"))!.owner_id;
    const hs300 = (await track.market.getUniverse("hs300")).slice(0, 100);
    // 100 tiny weights whose decimals run to ~300 digits: over the inline threshold, and yet a value the
    // earlier format (one KV value, at most 100 symbols) stored whole.
    const weights = hs300.map((symbol, i) => ({ symbol, weight: 1e-290 / (i + 3) }));
    const submitted = await submitSignal(track, owner, "legacy-100", { trade_date: DAY1, signals: weights });
    const whole: SignalRecord = { ...submitted.signal };
    assert.ok(JSON.stringify(whole.canonical_json).length > INLINE_JSON_CHARS);
    assert.ok((await w.kv.get<SignalRecord>(keys.signal("legacy-100", DAY1))).value!.parts);
    await w.kv.set(keys.signal("legacy-100", DAY1), whole); // the earlier format: one value
    assert.deepEqual(await track.signals.get("legacy-100", DAY1), whole);
    w.clock.advance(60_000);
    const again = await submitSignal(track, owner, "legacy-100", {
      trade_date: DAY1,
      signals: weights.slice(1),
    });
    assert.equal(again.replaced, true);
    const read = (await track.signals.get("legacy-100", DAY1))!;
    assert.equal(read.signals.length, 99);
    assert.deepEqual(read.replaced_hashes, [whole.signal_hash]);
    assert.equal(read.canonical_json, again.signal.canonical_json);
  }));

Deno.test("a 500-symbol signal is committed to GitHub whole; the outcome is stored on its head", async () => {
  const gh = startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" });
  const w = await openTestWorld({
    GITHUB_TOKEN: "ghp_test",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
  });
  try {
    const token = (await signInWithOtp(w, "mf@example.com")).access_token;
    await w.request("POST", "/api/v1/strategies", { token, json: { name: "GitHub", slug: "gh-github" } });
    const signals = equalWeights(await w.deps.track.market.getUniverse("csi500"), 500);
    const res = await w.request("POST", "/api/v1/strategies/gh-github/signals", {
      token,
      json: { trade_date: DAY1, signals },
    });
    assert.equal(res.status, 201);
    const body = await res.json();
    await w.deps.track.background.drain();
    const file = JSON.parse(gh.file(`signals/gh-github/${DAY1}.json`)!.text);
    assert.equal(file.canonical_json, body.canonical_json);
    assert.equal(file.signal_hash, body.signal_hash);
    const raw = (await w.kv.get<Record<string, unknown>>(keys.signal("gh-github", DAY1))).value!;
    assert.ok(raw.parts);
    assert.equal((raw.attestation as { committed: boolean }).committed, true);
    const page = await (await w.request("GET", "/api/v1/strategies/gh-github/signals", { token })).json();
    assert.equal(page.items[0].github_committed, true);
    assert.equal(page.items[0].signals.length, 500);
  } finally {
    await w.close();
    await gh.close();
  }
});
