/**
 * The verifier against a dishonest server (answers rewritten in process, as the tampering proxy does): an empty
 * or partial checkpoint list, the day chain stripped to the legacy shape, published log figures that are not the
 * proofs', a tampered record whose bars then fail, oversized checkpoint pages, a slow server past the overall
 * deadline; the chain's logged-in-time rule and the options' validation on their own.
 */
import assert from "node:assert/strict";
import { DEMO_SIGNING_KEY_SETTING } from "../../domain/attestation/checkpoint.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { checkLoggedInTime, newChain } from "../../verifier/chain_checks.ts";
import { Ledger } from "../../verifier/checks.ts";
import type { CheckpointList, LogContext } from "../../verifier/log_checks.ts";
import type { PublishedCheckpoint } from "../../verifier/notes.ts";
import { checkOptions, normaliseKey } from "../../verifier/options.ts";
import { type VerifyOptions, verifyPublicRecord } from "../../verifier/verify.ts";
import { type Alter, alteringFetch, type Json, openServedDemo } from "./served_demo.ts";

const JULY = Date.UTC(2026, 6, 24, 12, 0);
const SLUG = "demo-reversal";

const tagsOf = (v: { failures: string[]; days: { failures: string[] }[] }) =>
  new Set([...v.failures, ...v.days.flatMap((d) => d.failures)].map((f) => f.slice(1, f.indexOf("]"))));

Deno.test("a dishonest server is caught: checkpoint list, legacy chain, log figures, bounds, bars, deadline", async (t) => {
  const demo = await openServedDemo(30, JULY);
  try {
    const track = await (await fetch(`${demo.base}/api/v1/public/strategies/${SLUG}/track-record`)).json();
    const dates: string[] = track.records.map((r: Json) => r.date);
    const last = dates.at(-1)!;
    const run = (alter: Alter, extra: Record<string, unknown> = {}) =>
      verifyPublicRecord({ baseUrl: demo.base, slug: SLUG, fetch: alteringFetch(alter), ...extra });
    const caught = async (kind: string, alter: Alter, extra: Record<string, unknown> = {}) => {
      const v = await run(alter, extra);
      assert.equal(v.verdict, "not_verified", `${kind}: ${v.failures.join("; ")}`);
      assert.ok(tagsOf(v).has(kind), `no [${kind}] among ${[...tagsOf(v)].join(", ")}`);
      return v;
    };
    const list = (f: (b: Json) => void): Alter => (path, b) => {
      if (!path.startsWith("/public/log/checkpoints")) return false;
      f(b);
      return true;
    };
    const signalLogs = (f: (log: Json) => void): Alter => (path, b) => {
      if (!path.includes("/verify?date=") || !b.signal?.log) return false;
      f(b.signal.log);
      return true;
    };

    await t.step("untouched: verified", async () => {
      const v = await run(() => false);
      assert.equal(v.verdict, "verified", v.failures.join("; "));
    });
    await t.step("an empty checkpoint list does not switch the time check off", async () => {
      await caught("checkpoints.missing", list((b) => (b.checkpoints = [], b.next_from_size = null)));
    });
    await t.step("a partial checkpoint list misses the head and the proofs' checkpoints", async () => {
      await caught(
        "checkpoints.missing",
        list((b) => (b.checkpoints = b.checkpoints.slice(0, 1), b.next_from_size = null)),
      );
    });
    await t.step("a page larger than the limit asked is a failure", async () => {
      await caught(
        "checkpoints.bounds",
        list((b) => (b.checkpoints = Array.from({ length: 1001 }, () => b.checkpoints[0]))),
      );
    });

    const stripAllButLast = (keepRowHashes: boolean): Alter => (path, b) => {
      if (path.endsWith(`${SLUG}/track-record`)) {
        if (!keepRowHashes) { for (const r of b.records.slice(0, -1)) r.record_hash = null; }
        return true;
      }
      if (path.includes(`${SLUG}/verify?date=`) && b.date !== last) {
        b.record_chain = null;
        return true;
      }
      return false;
    };
    await t.step("the chain is strict: legacy days only with legacyUntil", async () => {
      await caught("chain.missing", stripAllButLast(false));
      const before = dates.at(-2)!;
      const legacy = await run(stripAllButLast(false), { legacyUntil: before });
      assert.equal(legacy.verdict, "verified", legacy.failures.join("; "));
      await caught("chain.missing", stripAllButLast(false), { legacyUntil: dates[3] });
      await caught("chain.missing", stripAllButLast(true), { legacyUntil: before });
    });

    await t.step("published log figures are the verified proofs'", async () => {
      await caught("signal.log_leaf_index", signalLogs((log) => log.leaf_index += 1));
      await caught("signal.log_tree_size", signalLogs((log) => log.tree_size += 1));
      await caught(
        "signal.log_checkpoint_timestamp",
        signalLogs((log) =>
          log.checkpoint_timestamp = new Date(Date.parse(log.checkpoint_timestamp) - 1000).toISOString()
        ),
      );
      await caught("signal.logged_before_deadline", signalLogs((log) => log.logged_before_deadline = false));
      await caught("chain.log_leaf_index", (path, b) => {
        if (!path.includes("/verify?date=") || !b.record_chain?.log) return false;
        b.record_chain.log.leaf_index += 1;
        return true;
      });
    });

    await t.step("tampered stays tampered when a stock's bars then fail", async () => {
      const tampering = alteringFetch((path, b) => {
        if (!path.includes("/verify?date=")) return false;
        b.nav += 1000;
        b.verification.nav += 1000;
        return true;
      });
      const f = (url: string, init?: RequestInit) =>
        url.includes("/data/bars/") && !url.includes(encodeURIComponent(track.parameters.benchmark))
          ? Promise.resolve(new Response("busy", { status: 503 }))
          : tampering(url, init);
      const v = await verifyPublicRecord({ baseUrl: demo.base, slug: SLUG, fetch: f });
      assert.equal(v.verdict, "not_verified", v.failures.join("; "));
      assert.ok(v.failures.some((x) => x.startsWith("[unreachable] ")), "the failed bars read is reported");
      // Untampered, the same failure is unreachable.
      const u = await verifyPublicRecord({
        baseUrl: demo.base,
        slug: SLUG,
        fetch: (url, init) =>
          url.includes("/data/bars/") && !url.includes(encodeURIComponent(track.parameters.benchmark))
            ? Promise.resolve(new Response("busy", { status: 503 }))
            : fetch(url, init),
      });
      assert.equal(u.verdict, "unreachable", u.failures.join("; "));
    });

    await t.step("a slow server past the overall deadline is unreachable", async () => {
      const slow = (url: string, init?: RequestInit) =>
        new Promise<void>((r) => setTimeout(r, 40)).then(() => fetch(url, init));
      const v = await verifyPublicRecord({ baseUrl: demo.base, slug: SLUG, fetch: slow, timeoutMs: 400 });
      assert.equal(v.verdict, "unreachable", v.failures.join("; "));
    });
  } finally {
    await demo.close();
  }
});

Deno.test("chain.logged_late: a record hash first covered after the next day's 09:15 +08:00 fails", () => {
  const l = new Ledger();
  const ctx = { ledger: l } as unknown as LogContext;
  const cp = (size: number, iso: string) =>
    ({ tree_size: size, timestamp: Date.parse(iso) }) as PublishedCheckpoint;
  const list: CheckpointList = { sizes: [], bySize: new Map() };
  for (
    const c of [cp(3, "2026-07-01T10:00:00Z"), cp(5, "2026-07-02T01:14:59Z"), cp(8, "2026-07-03T02:00:00Z")]
  ) {
    list.sizes.push(c.tree_size);
    list.bySize.set(c.tree_size, c);
  }
  const state = newChain(undefined);
  state.logged.set("2026-07-01", 3); // first covered by size 5, 01:14:59Z = 09:14:59 +08:00 on 07-02: in time
  state.logged.set("2026-07-02", 5); // first covered by size 8, 10:00 +08:00 on 07-03: late
  state.logged.set("2026-07-03", 9); // the latest day: no next day, no rule
  const sinks = new Map<string, string[]>();
  const sinkOf = (d: string) => sinks.get(d) ?? (sinks.set(d, []), sinks.get(d)!);
  checkLoggedInTime(ctx, state, list, ["2026-07-01", "2026-07-02", "2026-07-03"], sinkOf);
  assert.deepEqual(sinkOf("2026-07-01"), []);
  assert.match(sinkOf("2026-07-02")[0], /^\[chain\.logged_late\] 2026-07-02: .* size 8/);
  assert.deepEqual(sinkOf("2026-07-03"), []);
  // No listed checkpoint covers the leaf: late as well.
  const uncovered = newChain(undefined);
  uncovered.logged.set("2026-07-01", 8);
  const sink: string[] = [];
  checkLoggedInTime(ctx, uncovered, list, ["2026-07-01", "2026-07-02"], () => sink);
  assert.match(sink[0], /^\[chain\.logged_late\] .* no listed checkpoint/);
});

Deno.test("the API's options are checked like the CLI's; keys compare as bytes", async () => {
  const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
  const unpadded = key.replace(/=+$/, "");
  assert.equal(normaliseKey(unpadded), key);
  assert.equal(normaliseKey(unpadded.replace(/\+/g, "-").replace(/\//g, "_")), key);
  assert.equal(normaliseKey(btoa("short")), null);
  assert.deepEqual(checkOptions({ witnesses: [key, unpadded] }).witnesses, [key]);
  assert.equal(checkOptions({ witnesses: [key, unpadded] }).required, 1);
  for (
    const [opts, name] of [
      [{ witnesses: [], witnessesRequired: 2 }, "witnessesRequired"],
      [{ witnesses: [key, unpadded], witnessesRequired: 2 }, "witnessesRequired"],
      [{ witnesses: [key], witnessesRequired: 0 }, "witnessesRequired"],
      [{ witnesses: [key], witnessesRequired: 1.5 }, "witnessesRequired"],
      [{ witnesses: ["not a key"] }, "witnesses"],
      [{ logKey: "abc" }, "logKey"],
      [{ legacyUntil: "July" }, "legacyUntil"],
      [{ timeoutMs: 0 }, "timeoutMs"],
    ] as [Partial<VerifyOptions>, string][]
  ) {
    await assert.rejects(
      verifyPublicRecord({ baseUrl: "http://127.0.0.1:9", slug: "x", ...opts }),
      (e: unknown) => e instanceof TypeError && e.message.startsWith(name),
      JSON.stringify(opts),
    );
  }
});

Deno.test("a first head differing from the checkpoint of its size (another root, signed) is equivocation", async () => {
  const demo = await openServedDemo(10, JULY);
  try {
    const pkcs8 = await createSettingsRepo(demo.w.kv).getOrCreate(DEMO_SIGNING_KEY_SETTING, () => {
      throw new Error("the demo log has a key");
    });
    const key = await crypto.subtle.importKey(
      "pkcs8",
      Uint8Array.from(atob(pkcs8), (c) => c.charCodeAt(0)),
      { name: "Ed25519" },
      false,
      ["sign"],
    );
    let heads = 0;
    const forging = alteringFetch(async (path, b) => {
      if (!path.startsWith("/public/log/checkpoint?") || heads++ > 0) return false;
      b.root_hash = "ab".repeat(32); // same size, another root, properly signed: a split view
      b.note = `${b.origin}\n${b.tree_size}\n${b.root_hash}\n${b.timestamp}\n`;
      const sig = await crypto.subtle.sign({ name: "Ed25519" }, key, new TextEncoder().encode(b.note));
      b.signature = btoa(String.fromCharCode(...new Uint8Array(sig)));
      return true;
    });
    const v = await verifyPublicRecord({ baseUrl: demo.base, slug: SLUG, fetch: forging });
    assert.equal(heads, 2, "the head is read twice");
    assert.equal(v.verdict, "not_verified");
    assert.ok(tagsOf(v).has("log.equivocation"), [...tagsOf(v)].join(", "));
    assert.equal((await verifyPublicRecord({ baseUrl: demo.base, slug: SLUG })).verdict, "verified");
  } finally {
    await demo.close();
  }
});
