import assert from "node:assert/strict";
import { emptySeries, packBars, unpackBars } from "../../../domain/market/bar_codec.ts";
import { createBarRepo } from "../../../domain/store/bar_repo.ts";

const NS = { source: "csv" as const, owner: "u1" };

function series(symbol: string, firstDay: number, n: number, scale = 1) {
  const s = emptySeries(symbol, "csv", n);
  for (let i = 0; i < n; i++) {
    s.days[i] = firstDay + i;
    s.open[i] = (i + 1) * scale;
    s.high[i] = (i + 2) * scale;
    s.low[i] = (i + 0.5) * scale;
    s.close[i] = (i + 1.5) * scale;
    s.volume[i] = 1000 + i;
    s.adj_factor[i] = 1 + i / 1e6;
  }
  return s;
}

/** Wraps a Kv so every value written through `set` (plain or atomic) has its byte size recorded. */
function sizeRecordingKv(kv: Deno.Kv, sizes: number[]): Deno.Kv {
  const sizeOf = (
    v: unknown,
  ) => (v instanceof Uint8Array ? v.length : new TextEncoder().encode(JSON.stringify(v)).length);
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "set") {
        return (
          k: Deno.KvKey,
          v: unknown,
          o?: { expireIn?: number },
        ) => (sizes.push(sizeOf(v)), target.set(k, v, o));
      }
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const origSet = op.set.bind(op);
          op.set = (
            k: Deno.KvKey,
            v: unknown,
            o?: { expireIn?: number },
          ) => (sizes.push(sizeOf(v)), origSet(k, v, o));
          return op;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

Deno.test("packBars()/unpackBars() round-trip exactly, including empty and unaligned buffers", () => {
  for (const n of [0, 1, 366]) {
    const s = series("A", 19_000, n, Math.PI);
    const bytes = packBars(s);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    for (const b of [bytes, shifted.subarray(3)]) {
      const back = unpackBars(b, "A", "csv");
      for (const col of ["days", "open", "high", "low", "close", "volume", "adj_factor"] as const) {
        assert.deepEqual(back[col], s[col]);
      }
    }
  }
});

Deno.test("bar repo stores 30 years of daily bars in chunks under 64 KiB and reads any range back exactly", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const sizes: number[] = [];
    const repo = createBarRepo(sizeRecordingKv(kv, sizes));
    const s = series("LONG", 0, 30 * 365); // 1970 .. 1999, every calendar day
    await repo.replaceSeries(NS, s, 1);
    assert.ok(sizes.length >= 30);
    assert.ok(Math.max(...sizes) < 65_536, `largest value ${Math.max(...sizes)} bytes`);
    const all = await repo.getBars(NS, "LONG", -1e6, 1e7);
    assert.deepEqual(all!.close, s.close);
    const part = await repo.getBars(NS, "LONG", 360, 370); // across the 1970/1971 boundary
    assert.deepEqual(Array.from(part!.days), [360, 361, 362, 363, 364, 365, 366, 367, 368, 369, 370]);
    assert.deepEqual(part!.open, s.open.subarray(360, 371));
  } finally {
    kv.close();
  }
});

Deno.test("appendBars() extends the series without duplicating stored days", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createBarRepo(kv);
    await repo.replaceSeries(NS, series("A", 100, 50), 1);
    const meta = await repo.appendBars(NS, series("A", 100, 400), 2);
    assert.equal(meta.rows, 400);
    const all = await repo.getBars(NS, "A", 0, 1e6);
    assert.deepEqual(all!.days, series("A", 100, 400).days);
  } finally {
    kv.close();
  }
});

Deno.test("replaceSeries() swaps generations: readers never see a mix, and old chunks are removed", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createBarRepo(kv);
    const a = series("S", 0, 3000, 1), b = series("S", 0, 3000, 2);
    await repo.replaceSeries(NS, a, 1);
    let stop = false;
    const reader = (async () => {
      let reads = 0;
      while (!stop) {
        const got = await repo.getBars(NS, "S", 0, 1e6);
        const ratio = got!.close[2999] / got!.close[0];
        assert.equal(got!.close[0] === 1.5 || got!.close[0] === 3, true);
        assert.ok(Math.abs(ratio - 3000.5 / 1.5) < 1e-9, "one generation throughout");
        reads++;
      }
      return reads;
    })();
    for (let i = 0; i < 5; i++) await repo.replaceSeries(NS, i % 2 ? a : b, i + 2);
    stop = true;
    assert.ok((await reader) > 0);
    let chunks = 0;
    for await (const _ of kv.list({ prefix: ["bar_chunks"] })) chunks++;
    assert.equal(chunks, 9, "only the live generation's 9 yearly chunks remain");
  } finally {
    kv.close();
  }
});
