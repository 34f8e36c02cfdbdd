/**
 * End to end: the verifier against today's server holding demo replays, over loopback. The replay agrees with
 * every published figure (the measured largest relative error is asserted ≤ 1e-9 and printed); altered answers are
 * caught under their kind; witnesses' cosignatures are required when keys are given; unreachable is told apart
 * from tampered.
 */
import assert from "node:assert/strict";
import { DEMO_SLUGS } from "../../scripts/demo_replay.ts";
import { verifyPublicRecord } from "../../verifier/verify.ts";
import { type Alter, alteringFetch, type Json, openServedDemo } from "./served_demo.ts";

/** 65 trading days through Friday 24 July 2026: across the July ex-dates and past the 60-day rolling window. */
const JULY = Date.UTC(2026, 6, 24, 12, 0);

const tagsOf = (v: { failures: string[]; days: { failures: string[] }[] }) =>
  new Set([...v.failures, ...v.days.flatMap((d) => d.failures)].map((f) => f.match(/^\[([^\]]+)\]/)?.[1]));

Deno.test("verifyPublicRecord() verifies the three demo records and its replay agrees to 1e-9", async () => {
  const demo = await openServedDemo(65, JULY);
  try {
    let dividends = 0;
    for (const slug of DEMO_SLUGS) {
      const v = await verifyPublicRecord({ baseUrl: demo.base, slug });
      const all = [...v.failures, ...v.days.flatMap((d) => d.failures)];
      assert.equal(v.verdict, "verified", `${slug}: ${all.slice(0, 10).join("\n")}`);
      assert.equal(v.ok, true);
      assert.equal(v.days.length, 65);
      assert.equal(v.checks.failed, 0);
      console.log(
        `${slug}: ${v.checks.total} checks of ${
          Object.keys(v.checks.by_kind).length
        } kinds; replay compared ` +
          `${v.replay.compared} figures, max relative error ${v.replay.max_relative_error}`,
      );
      assert.ok(v.replay.max_relative_error <= 1e-9, `${v.replay.max_relative_error}`);
      assert.ok(v.replay.compared > 1000);
      for (
        const kind of [
          "trade.fill_price",
          "trade.commission",
          "position.price",
          "cash",
          "nav",
          "benchmark.return",
          "performance.sharpe",
          "performance.rolling_excess_sharpe",
          "chain.prev_record_hash",
          "chain.inclusion",
          "log.inclusion",
          "log.consistency",
          "checkpoints.signature",
          "checkpoints.time",
          "track_record.nav",
          "signal.hash",
        ]
      ) assert.ok((v.checks.by_kind[kind]?.total ?? 0) > 0, `${slug}: no ${kind} check`);
      dividends += v.checks.by_kind["dividend.per_share"]?.total ?? 0;
      const track = await (await fetch(`${demo.base}/api/v1/public/strategies/${slug}/track-record`)).json();
      assert.equal(v.log?.origin, track.parameters.log_origin);
    }
    assert.ok(dividends > 0, "a dividend credit was replayed");
  } finally {
    await demo.close();
  }
});

Deno.test("verifyPublicRecord() catches altered answers under their kind", async (t) => {
  const demo = await openServedDemo(65, JULY);
  try {
    const slug = "demo-reversal";
    const days =
      (await (await fetch(`${demo.base}/api/v1/public/strategies/${slug}/track-record`)).json()).records;
    const firstDay: string = days[0].date;
    const lastDay: string = days.at(-1).date;
    const held =
      (await (await fetch(`${demo.base}/api/v1/public/strategies/${slug}/verify?date=${lastDay}`)).json())
        .positions[0];
    assert.ok(held, "a position is held on the last day");
    const bundle = (date: string, f: (b: Json) => void): Alter => (path, b) => {
      if (!path.startsWith(`/public/strategies/${slug}/verify?date=${date}`)) return false;
      f(b);
      return true;
    };
    const cases: [string, Alter][] = [
      ["trade.fill_price", bundle(firstDay, (b) => (b.trades[0].fill_price += 0.01))],
      [
        "position.price",
        bundle(lastDay, (b) => {
          const p = b.positions[0];
          b.cash -= p.quantity * 0.5;
          p.price += 0.5;
          p.market_value = p.quantity * p.price;
        }),
      ],
      [
        "performance.sharpe",
        (path, b) => path.endsWith(`${slug}/performance`) && (b.metrics.sharpe += 0.01, true),
      ],
      [
        "performance.rolling_excess_sharpe",
        (path, b) => path.endsWith(`${slug}/performance`) && (b.rolling_excess_sharpe[1].value += 0.01, true),
      ],
      [
        "track_record.benchmark_return",
        (path, b) => path.endsWith(`${slug}/track-record`) && (b.records[3].benchmark_return += 0.001, true),
      ],
      ["position.price", (path, b) => {
        if (!path.startsWith(`/data/bars/${held.symbol}`)) return false;
        const bar = b.bars.find((x: Json) => x.date === lastDay);
        bar.close *= 1.02;
        return true;
      }],
      [
        "chain.prev_record_hash",
        bundle(days[10].date, (b) => {
          b.record_chain.prev_record_hash = "1".repeat(64);
        }),
      ],
      [
        "track_record.dates",
        (path, b) => path.endsWith(`${slug}/track-record`) && (b.records.splice(5, 1), true),
      ],
      [
        "log.checkpoint",
        bundle(firstDay, (b) => {
          const cp = b.signal.log.inclusion_proof.checkpoint;
          cp.timestamp -= 3_600_000;
          cp.note = `${cp.origin}\n${cp.tree_size}\n${cp.root_hash}\n${cp.timestamp}\n`;
        }),
      ],
      ["checkpoints.time", (path, b) => {
        if (!path.startsWith("/public/log/checkpoints") || b.checkpoints.length < 3) return false;
        b.checkpoints[2] = b.checkpoints[0]; // an older checkpoint listed again after a newer one
        return true;
      }],
    ];
    for (const [kind, alter] of cases) {
      await t.step(kind, async () => {
        const v = await verifyPublicRecord({ baseUrl: demo.base, slug, fetch: alteringFetch(alter) });
        assert.equal(v.verdict, "not_verified");
        assert.ok(tagsOf(v).has(kind), `no [${kind}] among ${[...tagsOf(v)].join(", ")}`);
      });
    }
  } finally {
    await demo.close();
  }
});

/** A witness key pair and a cosigner of checkpoint notes. */
async function testWitness() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
  const keyId = [...digest.slice(0, 8)].map((x) => x.toString(16).padStart(2, "0")).join("");
  return {
    publicKey: b64(raw),
    async cosign(note: string, timestamp: number) {
      const text = `quantedge-cosignature/v1\ntime ${timestamp}\n${note}`;
      const sig = new Uint8Array(
        await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, new TextEncoder().encode(text)),
      );
      return {
        witness: "test",
        algorithm: "Ed25519",
        public_key: b64(raw),
        key_id: keyId,
        timestamp,
        signature: b64(sig),
      };
    },
  };
}

/** Adds a cosignature, timestamped `at(checkpoint)`, to every checkpoint of an answer. */
function cosigning(witness: Awaited<ReturnType<typeof testWitness>>, at: (cp: Json) => number): Alter {
  const walk = async (x: Json): Promise<void> => {
    if (!x || typeof x !== "object") return;
    if (typeof x.note === "string" && typeof x.tree_size === "number" && typeof x.signature === "string") {
      x.cosignatures = [await witness.cosign(x.note, at(x))];
    }
    for (const v of Object.values(x)) await walk(v);
  };
  return async (_path, b) => (await walk(b), true);
}

Deno.test("with witness keys, each signal's checkpoint needs K cosignatures dated before the deadline", async () => {
  const demo = await openServedDemo(12, Date.UTC(2026, 10, 20, 12, 0));
  try {
    const slug = "demo-momentum";
    const w = await testWitness();
    const other = await testWitness();
    const run = (alter: Alter | null, witnesses: string[], witnessesRequired?: number) =>
      verifyPublicRecord({
        baseUrl: demo.base,
        slug,
        fetch: alter ? alteringFetch(alter) : fetch,
        witnesses,
        witnessesRequired,
      });
    const none = await run(null, [w.publicKey]);
    assert.equal(none.verdict, "not_verified");
    assert.ok(tagsOf(none).has("witness.cosignatures"));
    const good = await run(cosigning(w, (cp) => cp.timestamp + 1000), [w.publicKey]);
    assert.equal(good.verdict, "verified", [...tagsOf(good)].join(", "));
    assert.ok(good.checks.by_kind["witness.cosignatures"].total > 0);
    const late = await run(cosigning(w, () => Date.UTC(2027, 0, 1)), [w.publicKey]);
    assert.ok(tagsOf(late).has("witness.cosignatures"), "cosigned after the deadline");
    const twoOfTwo = await run(cosigning(w, (cp) => cp.timestamp + 1000), [w.publicKey, other.publicKey]);
    assert.ok(tagsOf(twoOfTwo).has("witness.cosignatures"), "only one of the two required witnesses");
    const oneOfTwo = await run(cosigning(w, (cp) => cp.timestamp + 1000), [w.publicKey, other.publicKey], 1);
    assert.equal(oneOfTwo.verdict, "verified");
    const forged = await run(async (path, b) => {
      await cosigning(w, (cp) => cp.timestamp + 1000)(path, b);
      const flip = (x: Json): void => {
        if (!x || typeof x !== "object") return;
        for (const c of x.cosignatures ?? []) c.timestamp -= 1; // the signed time no longer matches
        for (const v of Object.values(x)) flip(v);
      };
      flip(b);
      return true;
    }, [w.publicKey]);
    assert.ok(
      tagsOf(forged).has("witness.cosignatures"),
      "a cosignature that does not verify counts for nothing",
    );
  } finally {
    await demo.close();
  }
});

Deno.test("a read that fails is unreachable, not tampered: 5xx, not JSON, timeout, closed port", async () => {
  const demo = await openServedDemo(5, Date.UTC(2026, 10, 20, 12, 0));
  try {
    const slug = "demo-momentum";
    const answering = (f: (url: string) => Response | null) => (url: string, init?: RequestInit) =>
      Promise.resolve(f(url) ?? fetch(url, init));
    const cases: [string, Parameters<typeof verifyPublicRecord>[0]["fetch"]][] = [
      ["502", answering((u) => u.includes("/performance") ? new Response("down", { status: 502 }) : null)],
      ["not JSON", answering((u) => u.includes("/data/bars/") ? new Response("<html>") : null)],
      [
        "timeout",
        (u, init) => u.includes("/log/checkpoints") ? new Promise<Response>(() => {}) : fetch(u, init),
      ],
    ];
    for (const [what, f] of cases) {
      const v = await verifyPublicRecord({ baseUrl: demo.base, slug, fetch: f, timeoutMs: 300 });
      assert.equal(v.verdict, "unreachable", `${what}: ${v.failures.join("; ")}`);
      assert.equal(v.ok, false);
      assert.ok(v.failures.at(-1)!.startsWith("[unreachable] "), v.failures.join("; "));
    }
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    assert.equal(
      (await verifyPublicRecord({ baseUrl: `http://127.0.0.1:${port}`, slug })).verdict,
      "unreachable",
    );
    // Something wrong found before a read fails is still not verified.
    const both = await verifyPublicRecord({
      baseUrl: demo.base,
      slug,
      fetch: alteringFetch((path, b) => {
        if (path.endsWith("/performance")) throw new TypeError("connection reset");
        if (path.includes("/verify?date=")) b.nav += 1;
        return true;
      }),
    });
    assert.equal(both.verdict, "not_verified");
  } finally {
    await demo.close();
  }
});
