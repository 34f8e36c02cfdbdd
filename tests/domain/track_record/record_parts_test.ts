/**
 * The two storage forms of signals and settled days (one value while small; head + compressed chunks written in
 * the same commit when large): lossless round trips, records stored whole by earlier versions, chunk clean-up on
 * replacement and withdrawal, head-only patches, and the trade feed in entries of `FEED_EVENTS_PER_ENTRY`.
 */
import assert from "node:assert/strict";
import { keys } from "../../../domain/store/keys.ts";
import { INLINE_JSON_CHARS, splitParts } from "../../../domain/store/record_parts.ts";
import {
  createSettlementRepo,
  FEED_EVENTS_PER_ENTRY,
  type RecordedTrade,
  type SettledDayRecord,
} from "../../../domain/store/settlement_repo.ts";
import { createSignalRepo, type SignalRecord } from "../../../domain/store/signal_repo.ts";
import { createStreamRepo } from "../../../domain/store/stream_repo.ts";
import { canonicalSignalJson, sortSignals } from "../../../domain/track_record/signals/canonical.ts";

const DATE = "2026-05-14";
const symbols = (n: number) =>
  Array.from({ length: n }, (_, i) => `${String(600000 + i * 7).padStart(6, "0")}.${i % 2 ? "SZ" : "SH"}`);

function signalOf(slug: string, n: number, hash: string, replaced: string[] = []): SignalRecord {
  const order = symbols(n).reverse();
  const signals = sortSignals(order.map((symbol, i) => ({ symbol, weight: (1 - i / (10 * n)) / n })));
  return {
    id: `sig_${hash.slice(0, 8)}`,
    strategy_slug: slug,
    trade_date: DATE,
    signals,
    submitted_order: order,
    signal_hash: hash,
    canonical_json: canonicalSignalJson({ strategy: slug, trade_date: DATE, signals }),
    submitted_at: 1_778_720_400_000,
    deadline_at: 1_778_721_300_000,
    execution_price: "open",
    is_settled: false,
    attestation: { committed: false, reason: "repo_not_configured", attempted_at: null },
    log: null,
    replaced_hashes: replaced,
  };
}

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

/** A read record without the repository's bookkeeping. */
const withoutParts = (r: SignalRecord | null) => {
  if (!r) return r;
  const { parts: _p, ...rest } = r;
  return rest;
};

Deno.test("splitParts(): inline up to INLINE_JSON_CHARS of JSON, chunks of at most 60 KiB beyond", async () => {
  const owner = { kind: "signal" as const, slug: "s", date: DATE };
  assert.equal(await splitParts(owner, "x".repeat(INLINE_JSON_CHARS - 2)), null);
  const split = await splitParts(owner, "x".repeat(INLINE_JSON_CHARS - 1));
  assert.ok(split);
  // Incompressible bytes (random hex) of ~300 KB: several chunks, each within the limit.
  const noise = Array.from({ length: 10_000 }, () => crypto.randomUUID()).join("");
  const big = (await splitParts(owner, noise))!;
  assert.ok(big.ref.chunks >= 3, `${big.ref.chunks} chunks`);
  assert.ok(big.sets.every((s) => s.value.length <= 60 * 1024));
  assert.equal(big.sets.reduce((n, s) => n + s.value.length, 0), big.ref.bytes);
});

Deno.test("signals: small ones stay one value; large ones round-trip exactly through chunks", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createSignalRepo(kv);
    const small = signalOf("small", 20, "1".repeat(64));
    await repo.put(small, await repo.getEntry("small", DATE));
    const storedSmall = (await kv.get<SignalRecord>(keys.signal("small", DATE))).value!;
    assert.deepEqual(storedSmall, small, "the earlier format, unchanged");
    assert.equal(await count(kv, ["record_parts"]), 0);

    const large = signalOf("large", 500, "2".repeat(64));
    await repo.put(large, await repo.getEntry("large", DATE));
    const head = (await kv.get<Record<string, unknown>>(keys.signal("large", DATE))).value!;
    for (const f of ["signals", "canonical_json", "submitted_order", "replaced_hashes"]) {
      assert.equal(head[f], undefined, f);
    }
    assert.deepEqual(withoutParts(await repo.get("large", DATE)), large);
    const listed = await repo.list("large", 10, 0);
    assert.deepEqual(listed.items.map(withoutParts), [large]);
    assert.equal(listed.total, 1);
    assert.deepEqual((await repo.listAll("large")).map(withoutParts), [large]);
  } finally {
    kv.close();
  }
});

Deno.test("signals: a replacement deletes the previous chunks in its commit; withdrawal deletes them too", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createSignalRepo(kv);
    const v1 = signalOf("mf", 500, "a".repeat(64));
    await repo.put(v1, await repo.getEntry("mf", DATE));
    const gen1 = (await repo.get("mf", DATE))!.parts!.gen;
    // Replaced by a small version: back to one value, no chunk left.
    const v2 = signalOf("mf", 10, "b".repeat(64), [v1.signal_hash]);
    await repo.put(v2, await repo.getEntry("mf", DATE));
    assert.equal(await count(kv, ["record_parts", "signal", "mf", DATE]), 0);
    assert.deepEqual(await repo.get("mf", DATE), v2);
    // Replaced by a large one again, then by another large one: only the latest generation's chunks remain.
    const v3 = signalOf("mf", 499, "c".repeat(64), [v1.signal_hash, v2.signal_hash]);
    await repo.put(v3, await repo.getEntry("mf", DATE));
    const v4 = signalOf("mf", 500, "d".repeat(64), [v1.signal_hash, v2.signal_hash, v3.signal_hash]);
    await repo.put(v4, await repo.getEntry("mf", DATE));
    const read = (await repo.get("mf", DATE))!;
    assert.notEqual(read.parts!.gen, gen1);
    assert.equal(await count(kv, ["record_parts", "signal", "mf", DATE]), read.parts!.chunks);
    assert.deepEqual(withoutParts(read), v4);

    // Head-only writes keep the chunks: the log position and the GitHub outcome.
    const [toLog] = (await repo.listToLog()).filter((t) => t.signal_hash === v4.signal_hash);
    const log = { leaf_index: 3, tree_size: 4, checkpoint_timestamp: 5 };
    assert.equal(await repo.markLogged(toLog, log), true);
    const attestation = { committed: false as const, reason: "github_timeout", attempted_at: 6 };
    assert.equal(await repo.patchIfHash("mf", DATE, v4.signal_hash, { attestation }), true);
    assert.deepEqual(withoutParts(await repo.get("mf", DATE)), { ...v4, log, attestation });

    const entry = await repo.getEntry("mf", DATE);
    await repo.remove(entry as Deno.KvEntry<SignalRecord>);
    assert.equal(await repo.get("mf", DATE), null);
    assert.equal(await count(kv, ["record_parts"]), 0);
  } finally {
    kv.close();
  }
});

function dayOf(slug: string, n: number): { day: SettledDayRecord; trades: RecordedTrade[] } {
  const syms = symbols(n);
  const positions = syms.map((symbol, i) => ({
    symbol,
    quantity: 100 * (i + 1),
    last_price: 10 + i / 7,
    entry_date: DATE,
    last_signal_date: DATE,
    price: 10 + i / 7,
    market_value: 100 * (i + 1) * (10 + i / 7),
    weight: 1 / (n + 3),
    suspended: i === 3,
  }));
  const trades: RecordedTrade[] = [...syms, ...symbols(2 * n).slice(n)].map((symbol, i) => ({
    id: `${slug}:${DATE}:${i + 1}`,
    symbol,
    action: i < n ? "BUY" : "SELL",
    quantity: 100 * (i + 1),
    price: 10 + i / 3,
    fill_price: (10 + i / 3) * 1.002,
    notional: 100 * (i + 1) * (10 + i / 3) * 1.002,
    commission: 0.0003 * 100 * (i + 1) * (10 + i / 3) * 1.002,
    reason: i < n ? "rebalance" : "exit_not_in_signal",
  }));
  const day: SettledDayRecord = {
    strategy_slug: slug,
    date: DATE,
    action: "REBALANCE",
    detail: `Rebalanced to ${n} names`,
    nav: 1e8 + 0.1,
    cash: 1234.5678,
    prev_nav: 1e8,
    daily_return: 1e-9,
    cumulative_return: 1e-9,
    benchmark_symbol: "000905.SH",
    benchmark_close: 5500.25,
    benchmark_return: null,
    positions,
    trade_count: trades.length,
    signal_hash: "e".repeat(64),
    suspended: [syms[3]],
    data_source: "synthetic",
    settled_at: 1_778_753_700_000,
    dividend_convention: "cash_on_ex_date_no_tax",
    dividends: syms.slice(0, 50).map((symbol, i) => ({
      symbol,
      quantity: 100 * (i + 1),
      per_share: 0.1 + i / 1000,
      cash: 100 * (i + 1) * (0.1 + i / 1000),
    })),
  };
  return { day, trades };
}

Deno.test("settled days: 500 positions and 1,000 trades round-trip exactly; the feed goes in entries of 100", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createSettlementRepo(kv);
    const small = dayOf("small-day", 10);
    const large = dayOf("large-day", 500);
    for (const { day, trades } of [small, large]) {
      const feed = trades.map((t) => ({ type: "trade", data: { id: t.id, asset: t.symbol } }));
      const ok = await repo.commitDay(await repo.headEntry(day.strategy_slug), {
        day,
        trades,
        audit: {
          id: `aud_${day.strategy_slug}`,
          at: 1,
          date: DATE,
          event: "REBALANCE",
          detail: "",
          data: null,
        },
        signal: null,
        feed,
      });
      assert.equal(ok, true);
    }
    // Small: the earlier format, one value each.
    assert.deepEqual((await kv.get(keys.settledDay("small-day", DATE))).value, small.day);
    assert.deepEqual((await kv.get(keys.settledTrades("small-day", DATE))).value, small.trades);
    // Large: heads with chunks, read back identical.
    const head = (await kv.get<Record<string, unknown>>(keys.settledDay("large-day", DATE))).value!;
    assert.equal(head.positions, undefined);
    assert.ok(head.parts);
    assert.deepEqual(await repo.getDay("large-day", DATE), large.day);
    assert.deepEqual(await repo.getTrades("large-day", DATE), large.trades);
    assert.deepEqual(await repo.days("large-day"), [large.day]);
    assert.deepEqual(await repo.days("small-day", DATE, DATE), [small.day]);

    const entries: { id: string; events: unknown[] }[] = [];
    for await (const e of createStreamRepo(kv).feedSince("trades", 0)) entries.push(e);
    const largeEntries = entries.filter((e) => e.id.includes("large-day"));
    assert.equal(largeEntries.length, Math.ceil(1000 / FEED_EVENTS_PER_ENTRY));
    const ids = largeEntries.flatMap((e) => e.events.map((ev) => (ev as { data: { id: string } }).data.id));
    assert.deepEqual(ids, large.trades.map((t) => t.id), "every event once, in trade order");
    assert.equal(entries.filter((e) => e.id.includes("small-day")).length, 1);
  } finally {
    kv.close();
  }
});

Deno.test("settled days stored whole by an earlier version read as they were, beside chunked ones", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createSettlementRepo(kv);
    // 150 positions in one value (over today's inline threshold, under KV's limit): as an earlier version wrote.
    const legacy = dayOf("mixed", 150);
    await kv.set(keys.settledDay("mixed", "2026-05-13"), { ...legacy.day, date: "2026-05-13" });
    await kv.set(keys.settledTrades("mixed", "2026-05-13"), legacy.trades);
    const next = dayOf("mixed", 500);
    const ok = await repo.commitDay(await repo.headEntry("mixed"), {
      day: next.day,
      trades: next.trades,
      audit: { id: "aud_mixed", at: 1, date: DATE, event: "REBALANCE", detail: "", data: null },
      signal: null,
      feed: null,
    });
    assert.equal(ok, true);
    assert.deepEqual(await repo.getTrades("mixed", "2026-05-13"), legacy.trades);
    assert.deepEqual(await repo.days("mixed"), [{ ...legacy.day, date: "2026-05-13" }, next.day]);
  } finally {
    kv.close();
  }
});

Deno.test("signals: a reader whose chunks are replaced under it reads the new version; lost chunks are an error", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const writer = createSignalRepo(kv);
    const v1 = signalOf("race", 500, "1".repeat(64));
    const v2 = signalOf("race", 480, "2".repeat(64), [v1.signal_hash]);
    await writer.put(v1, await writer.getEntry("race", DATE));
    let replaced = false;
    // The replacement commits between the reader's head read and its chunk read.
    const racing = new Proxy(kv, {
      get(target, prop) {
        if (prop === "getMany") {
          return async (list: Deno.KvKey[]) => {
            if (!replaced) {
              replaced = true;
              await writer.put(v2, await writer.getEntry("race", DATE));
            }
            return await target.getMany(list);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const read = await createSignalRepo(racing).get("race", DATE);
    assert.equal(replaced, true);
    assert.deepEqual(withoutParts(read), v2);

    for await (const e of kv.list({ prefix: ["record_parts"] })) await kv.delete(e.key);
    await assert.rejects(() => writer.get("race", DATE), /stored chunks are missing/);
  } finally {
    kv.close();
  }
});
