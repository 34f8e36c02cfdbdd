import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { fromDayNumber, toDayNumber } from "../../../domain/calendar/dates.ts";
import { emptySeries } from "../../../domain/store/bar_codec.ts";
import type { BarSeries } from "../../../domain/market/types.ts";
import { ConflictError } from "../../../domain/errors.ts";
import { type BarNamespace, createBarRepo } from "../../../domain/store/bar_repo.ts";

const NS: BarNamespace = { source: "csv", owner: "u1" };
const COLUMNS = ["days", "open", "high", "low", "close", "volume", "adj_factor"] as const;

/** A series on the given day numbers; every value is derived from its row and `scale`, so generations differ. */
function seriesOn(symbol: string, days: number[], scale = 1): BarSeries {
  const s = emptySeries(symbol, "csv", days.length);
  days.forEach((d, i) => {
    s.days[i] = d;
    s.open[i] = (100 + i / 7) * scale;
    s.high[i] = (101 + i / 7) * scale;
    s.low[i] = (99 + i / 7) * scale;
    s.close[i] = (100.5 + i / 7) * scale;
    s.volume[i] = 1000 + i;
    s.adj_factor[i] = 1 + i / 1e6;
  });
  return s;
}

/** `n` consecutive calendar days from day number `first`. */
const consecutive = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

/** SSE trading days from `start` to `end` as day numbers. */
const sseDays = (start: string, end: string) =>
  getCalendar("SSE").tradingDaysBetween(start, end).map(toDayNumber);

function assertSameSeries(actual: BarSeries | null, expected: BarSeries) {
  assert.ok(actual, "series exists");
  for (const col of COLUMNS) assert.deepEqual(Array.from(actual[col]), Array.from(expected[col]), col);
}

/** Rows of `s` with start ≤ day ≤ end, computed without the codec. */
function rowsBetween(s: BarSeries, start: number, end: number): BarSeries {
  const idx = Array.from(s.days.keys()).filter((i) => s.days[i] >= start && s.days[i] <= end);
  const out = emptySeries(s.symbol, s.source, idx.length);
  for (const col of COLUMNS) idx.forEach((i, j) => (out[col][j] = s[col][i]));
  return out;
}

async function countChunks(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["bar_chunks"] })) n++;
  return n;
}

/** What an atomic operation is about to write. */
interface PendingCommit {
  sets: Deno.KvKey[];
  deletes: Deno.KvKey[];
  checks: number;
}

/** Hooks of a wrapped Kv: see every value set, and decide the fate of every atomic commit. */
interface KvHooks {
  onSet?: (key: Deno.KvKey, value: unknown) => void;
  beforeCommit?: (op: PendingCommit) => Promise<"fail" | "throw" | void> | "fail" | "throw" | void;
}

/** Wraps `kv` so plain and atomic sets are reported and atomic commits can be made to fail or throw. */
function hookedKv(kv: Deno.Kv, hooks: KvHooks): Deno.Kv {
  const wrapAtomic = (real: Deno.AtomicOperation): Deno.AtomicOperation => {
    const pending: PendingCommit = { sets: [], deletes: [], checks: 0 };
    const wrapper: Deno.AtomicOperation = new Proxy(real, {
      get(target, prop) {
        if (prop === "set") {
          return (k: Deno.KvKey, v: unknown, o?: { expireIn?: number }) => {
            hooks.onSet?.(k, v);
            pending.sets.push(k);
            target.set(k, v, o);
            return wrapper;
          };
        }
        if (prop === "delete") {
          return (k: Deno.KvKey) => {
            pending.deletes.push(k);
            target.delete(k);
            return wrapper;
          };
        }
        if (prop === "check") {
          return (...checks: Deno.AtomicCheck[]) => {
            pending.checks += checks.length;
            target.check(...checks);
            return wrapper;
          };
        }
        if (prop === "commit") {
          return async () => {
            const verdict = await hooks.beforeCommit?.(pending);
            if (verdict === "fail") return { ok: false };
            if (verdict === "throw") throw new Error("injected commit failure");
            return await target.commit();
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return wrapper;
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "set") {
        return (k: Deno.KvKey, v: unknown, o?: { expireIn?: number }) => {
          hooks.onSet?.(k, v);
          return target.set(k, v, o);
        };
      }
      if (prop === "atomic") return () => wrapAtomic(target.atomic());
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const writesMeta = (op: PendingCommit) => op.sets.some((k) => k[0] === "bar_series");
const writesChunks = (op: PendingCommit) => op.sets.some((k) => k[0] === "bar_chunks");

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("replaceSeries() stores 12 years of SSE bars that getBars() returns exactly, with a matching meta", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const s = seriesOn("600519.SH", sseDays("2015-01-01", "2026-06-16"));
    const meta = await repo.replaceSeries(NS, s, 42);
    assert.equal(meta.rows, 2781);
    assert.equal(fromDayNumber(meta.first_day!), "2015-01-05");
    assert.equal(fromDayNumber(meta.last_day!), "2026-06-16");
    assert.deepEqual(meta.years, [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    assert.equal(meta.updated_at, 42);
    assert.deepEqual(await repo.getMeta(NS, "600519.SH"), meta);
    assertSameSeries(await repo.getBars(NS, "600519.SH", -1e6, 1e7), s);
    assert.equal(await countChunks(kv), 12);
  });
});

Deno.test("getBars() slices ranges across year boundaries", async (t) => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const s = seriesOn("X", sseDays("2015-01-01", "2026-06-16"));
    await repo.replaceSeries(NS, s, 1);
    const ranges: [string, string][] = [
      ["2023-12-25", "2024-01-05"],
      ["2016-12-31", "2017-01-01"], // a weekend and New Year: nothing
      ["2015-01-01", "2015-01-05"],
      ["2019-06-01", "2023-03-15"], // five years
      ["2026-06-16", "2030-01-01"],
      ["2000-01-01", "2014-12-31"],
    ];
    for (const [a, b] of ranges) {
      await t.step(`${a}..${b}`, async () => {
        const got = await repo.getBars(NS, "X", toDayNumber(a), toDayNumber(b));
        assertSameSeries(got, rowsBetween(s, toDayNumber(a), toDayNumber(b)));
      });
    }
    const across = await repo.getBars(NS, "X", toDayNumber("2023-12-25"), toDayNumber("2024-01-05"));
    assert.deepEqual(Array.from(across!.days).map(fromDayNumber), [
      ...getCalendar("SSE").tradingDaysBetween("2023-12-25", "2024-01-05"),
    ]);
    assert.equal(across!.days.length, 9); // 25-29 Dec, 2-5 Jan (1 Jan closed)
  });
});

Deno.test("getBars() answers null for an unknown symbol or another owner's namespace", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    await repo.replaceSeries(NS, seriesOn("A", consecutive(100, 10)), 1);
    assert.equal(await repo.getBars(NS, "B", 0, 1e6), null);
    assert.equal(await repo.getBars({ source: "csv", owner: "u2" }, "A", 0, 1e6), null);
    assert.equal(await repo.getBars({ source: "yahoo", owner: "u1" }, "A", 0, 1e6), null);
    assert.equal(await repo.getMeta(NS, "B"), null);
  });
});

Deno.test("replaceSeries() stores an empty series as zero rows", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const meta = await repo.replaceSeries(NS, seriesOn("E", []), 1);
    assert.equal(meta.rows, 0);
    assert.equal(meta.first_day, null);
    assert.deepEqual(meta.years, []);
    assert.equal((await repo.getBars(NS, "E", 0, 1e6))!.days.length, 0);
    const after = await repo.appendBars(NS, seriesOn("E", consecutive(500, 3)), 2);
    assert.equal(after.rows, 3);
    assert.equal(after.first_day, 500);
  });
});

Deno.test("replaceSeries() refuses unsorted, duplicated or ragged series and writes nothing", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const ragged = seriesOn("R", consecutive(0, 5));
    ragged.low = new Float64Array(4);
    for (const bad of [seriesOn("R", [5, 4, 6]), seriesOn("R", [1, 2, 2, 3]), ragged]) {
      await assert.rejects(() => repo.replaceSeries(NS, bad, 1), RangeError);
      await assert.rejects(() => repo.appendBars(NS, bad, 1), RangeError);
    }
    assert.equal(await repo.getMeta(NS, "R"), null);
    assert.equal(await countChunks(kv), 0);
  });
});

Deno.test("replaceSeries() swaps generations and removes the old chunks", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const first = await repo.replaceSeries(NS, seriesOn("S", consecutive(0, 3000), 1), 1);
    const b = seriesOn("S", consecutive(5000, 400), 2);
    const second = await repo.replaceSeries(NS, b, 2);
    assert.notEqual(second.gen, first.gen);
    assertSameSeries(await repo.getBars(NS, "S", -1e6, 1e7), b);
    assert.equal(await countChunks(kv), second.years.length);
  });
});

Deno.test("appendBars() creates, extends across a year end, ignores stored days and is a no-op with nothing new", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const full = seriesOn("A", sseDays("2023-06-01", "2024-03-29"));
    const cut = full.days.findIndex((d) => d > toDayNumber("2023-12-20"));
    const created = await repo.appendBars(NS, rowsBetween(full, 0, full.days[cut - 1]), 1);
    assert.deepEqual(created.years, [2023]);
    const extended = await repo.appendBars(NS, full, 2); // overlaps every stored day
    assert.equal(extended.rows, full.days.length);
    assert.deepEqual(extended.years, [2023, 2024]);
    assert.equal(extended.gen, created.gen, "an append keeps the generation");
    assert.equal(extended.last_day, toDayNumber("2024-03-29"));
    assertSameSeries(await repo.getBars(NS, "A", -1e6, 1e7), full);
    const again = await repo.appendBars(NS, full, 3);
    assert.deepEqual(again, extended);
    assert.equal(await countChunks(kv), 2);
  });
});

Deno.test("appendBars() one day at a time matches a single replaceSeries() of the same bars", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const full = seriesOn("D", sseDays("2024-11-01", "2025-02-28"));
    const start = toDayNumber("2024-12-15");
    await repo.replaceSeries(NS, rowsBetween(full, -1e6, start), 1);
    for (let i = 0; i < full.days.length; i++) {
      if (full.days[i] <= start) continue;
      await repo.appendBars(NS, rowsBetween(full, full.days[i], full.days[i]), 2 + i);
    }
    assertSameSeries(await repo.getBars(NS, "D", -1e6, 1e7), full);
    assert.equal((await repo.getMeta(NS, "D"))!.rows, full.days.length);
  });
});

Deno.test("appendBars() of many years at once writes a new generation and leaves no old chunks", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const full = seriesOn("M", consecutive(0, 20 * 365));
    const before = await repo.replaceSeries(NS, rowsBetween(full, 0, 364), 1);
    const after = await repo.appendBars(NS, full, 2);
    assert.notEqual(after.gen, before.gen);
    assert.equal(after.rows, 20 * 365);
    assertSameSeries(await repo.getBars(NS, "M", -1e6, 1e7), full);
    assert.equal(await countChunks(kv), after.years.length);
  });
});

Deno.test("deleteSeries() removes the meta and every chunk, and is a no-op when absent", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    await repo.replaceSeries(NS, seriesOn("A", consecutive(0, 4000)), 1);
    await repo.replaceSeries(NS, seriesOn("B", consecutive(0, 10)), 1);
    await repo.deleteSeries(NS, "A", Date.now());
    assert.equal(await repo.getMeta(NS, "A"), null);
    assert.equal(await repo.getBars(NS, "A", 0, 1e6), null);
    assert.equal(await countChunks(kv), 1, "only B's chunk remains");
    await repo.deleteSeries(NS, "A", Date.now());
    await repo.deleteSeries(NS, "never", Date.now());
    assert.equal((await repo.getBars(NS, "B", 0, 1e6))!.days.length, 10);
  });
});

Deno.test("listMetas() lists the series of one namespace only", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    await repo.replaceSeries(NS, seriesOn("B", consecutive(0, 3)), 1);
    await repo.replaceSeries(NS, seriesOn("A", consecutive(0, 5)), 1);
    await repo.replaceSeries({ source: "csv", owner: "u2" }, seriesOn("C", consecutive(0, 2)), 1);
    await repo.replaceSeries({ source: "yahoo", owner: "public" }, seriesOn("D", consecutive(0, 2)), 1);
    const metas = await repo.listMetas(NS);
    assert.deepEqual(metas.map((m) => [m.symbol, m.rows]), [["A", 5], ["B", 3]]);
    assert.deepEqual(await repo.listMetas({ source: "csv", owner: "nobody" }), []);
  });
});

Deno.test("no value over 64 KiB is ever written while storing and extending 30 years of daily bars", async () => {
  await withKv(async (kv) => {
    const sizes: number[] = [];
    const sizeOf = (v: unknown) =>
      v instanceof Uint8Array ? v.byteLength : new TextEncoder().encode(JSON.stringify(v)).length;
    const repo = createBarRepo(hookedKv(kv, { onSet: (_k, v) => sizes.push(sizeOf(v)) }));
    const thirty = seriesOn("LONG", consecutive(toDayNumber("1996-01-01"), 30 * 366)); // every calendar day
    await repo.replaceSeries(NS, rowsBetween(thirty, -1e6, toDayNumber("2025-10-31")), 1);
    for (const d of thirty.days) { // the last two months, one day at a time
      if (d > toDayNumber("2025-10-31") && d <= toDayNumber("2025-12-31")) {
        await repo.appendBars(NS, rowsBetween(thirty, d, d), 2);
      }
    }
    await repo.appendBars(NS, thirty, 3); // the rest in one go
    await repo.replaceSeries(NS, thirty, 4);
    assert.ok(sizes.length > 100);
    const largest = Math.max(...sizes);
    assert.ok(largest < 65_536, `largest value ${largest} bytes`);
    assert.ok(largest <= 8 + 366 * 52, `largest value ${largest} bytes is one leap year of bars`);
    assertSameSeries(await repo.getBars(NS, "LONG", -1e6, 1e7), thirty);
  });
});

Deno.test("a reader racing replaceSeries() always sees one whole generation", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const days = consecutive(0, 12 * 365); // 12 chunks: two getMany batches per read
    const gens = [1, 2, 3].map((scale) => seriesOn("S", days, scale));
    await repo.replaceSeries(NS, gens[0], 1);
    let stop = false;
    const seen = new Set<number>();
    const reader = (async () => {
      let reads = 0;
      while (!stop) {
        const got = (await repo.getBars(NS, "S", -1e6, 1e7))!;
        assert.equal(got.days.length, days.length, "no chunk missing");
        const scale = got.close[0] / gens[0].close[0];
        seen.add(scale);
        const expected = gens[Math.round(scale) - 1];
        assert.ok(expected, `unknown scale ${scale}`);
        assert.deepEqual(got.close, expected.close, "every row from the same generation");
        reads++;
      }
      return reads;
    })();
    for (let i = 0; i < 12; i++) await repo.replaceSeries(NS, gens[(i + 1) % 3], i + 2);
    stop = true;
    assert.ok((await reader) > 0);
    assert.equal(await countChunks(kv), 12, "only the live generation's chunks remain");
  });
});

Deno.test("getBars() starts again when a replace switches generations between its meta and chunk reads", async () => {
  await withKv(async (kv) => {
    const plain = createBarRepo(kv);
    const old = seriesOn("W", consecutive(0, 3 * 365), 1), fresh = seriesOn("W", consecutive(0, 3 * 365), 2);
    await plain.replaceSeries(NS, old, 1);
    let interfered = false;
    const readerKv = new Proxy(kv, {
      get(target, prop) {
        if (prop === "getMany") {
          return async (keyList: Deno.KvKey[]) => {
            if (!interfered) {
              interfered = true;
              await plain.replaceSeries(NS, fresh, 2); // lands after the reader took the old meta
            }
            return await target.getMany(keyList);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const got = await createBarRepo(readerKv).getBars(NS, "W", -1e6, 1e7);
    assert.ok(interfered);
    assertSameSeries(got, fresh);
  });
});

Deno.test("a reader racing appendBars() sees the stored prefix unchanged and never loses rows", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const full = seriesOn("P", consecutive(0, 800));
    await repo.replaceSeries(NS, rowsBetween(full, 0, 699), 1);
    let stop = false;
    const reader = (async () => {
      let last = 0;
      while (!stop) {
        const got = (await repo.getBars(NS, "P", -1e6, 1e7))!;
        assert.ok(got.days.length >= last && got.days.length >= 700);
        assertSameSeries(got, rowsBetween(full, 0, got.days.length - 1));
        last = got.days.length;
      }
    })();
    for (let d = 700; d < 800; d++) await repo.appendBars(NS, rowsBetween(full, d, d), d);
    stop = true;
    await reader;
    assertSameSeries(await repo.getBars(NS, "P", -1e6, 1e7), full);
  });
});

Deno.test("a replaceSeries() that fails while writing chunks leaves the old series intact and no debris", async (t) => {
  for (const verdict of ["fail", "throw"] as const) {
    await t.step(verdict, async () => {
      await withKv(async (kv) => {
        const old = seriesOn("F", consecutive(0, 15 * 365), 1); // 15 chunks: two chunk commits
        await createBarRepo(kv).replaceSeries(NS, old, 1);
        let chunkCommits = 0;
        const repo = createBarRepo(hookedKv(kv, {
          beforeCommit: (op) => (writesChunks(op) && ++chunkCommits === 2 ? verdict : undefined),
        }));
        await assert.rejects(() => repo.replaceSeries(NS, seriesOn("F", consecutive(0, 15 * 365), 2), 2));
        assertSameSeries(await repo.getBars(NS, "F", -1e6, 1e7), old);
        assert.equal(await countChunks(kv), 15, "the new generation's first chunks were removed");
      });
    });
  }
});

Deno.test("a replaceSeries() whose meta switch fails leaves the old series intact and no debris", async () => {
  await withKv(async (kv) => {
    const old = seriesOn("F", consecutive(0, 3 * 365), 1);
    await createBarRepo(kv).replaceSeries(NS, old, 1);
    const repo = createBarRepo(
      hookedKv(kv, { beforeCommit: (op) => (writesMeta(op) ? "throw" : undefined) }),
    );
    await assert.rejects(() => repo.replaceSeries(NS, seriesOn("F", consecutive(0, 500), 2), 2), /injected/);
    assertSameSeries(await repo.getBars(NS, "F", -1e6, 1e7), old);
    assert.equal(await countChunks(kv), 3);
  });
});

Deno.test("a replaceSeries() whose old-chunk cleanup fails still serves the new series", async () => {
  await withKv(async (kv) => {
    await createBarRepo(kv).replaceSeries(NS, seriesOn("F", consecutive(0, 3 * 365), 1), 1);
    const repo = createBarRepo(
      hookedKv(kv, { beforeCommit: (op) => (op.deletes.length ? "throw" : undefined) }),
    );
    const fresh = seriesOn("F", consecutive(0, 2 * 365), 2);
    const meta = await repo.replaceSeries(NS, fresh, 2);
    assert.equal((await repo.getMeta(NS, "F"))!.gen, meta.gen);
    assertSameSeries(await repo.getBars(NS, "F", -1e6, 1e7), fresh);
  });
});

Deno.test("concurrent replaceSeries() calls: one wins whole, the loser gets ConflictError and leaves nothing", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    await repo.replaceSeries(NS, seriesOn("C", consecutive(0, 365), 1), 1);
    const a = seriesOn("C", consecutive(0, 4 * 365), 2), b = seriesOn("C", consecutive(0, 4 * 365), 3);
    const results = await Promise.allSettled([repo.replaceSeries(NS, a, 2), repo.replaceSeries(NS, b, 2)]);
    const won = results.filter((r) => r.status === "fulfilled");
    assert.ok(won.length >= 1);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof ConflictError);
    const stored = (await repo.getBars(NS, "C", -1e6, 1e7))!;
    assert.ok(
      stored.close.every((v, i) => v === a.close[i]) || stored.close.every((v, i) => v === b.close[i]),
    );
    assert.equal(await countChunks(kv), 4);
  });
});

Deno.test("appendBars() retries on top of a replaceSeries() that lands first", async () => {
  await withKv(async (kv) => {
    const plain = createBarRepo(kv);
    await plain.replaceSeries(NS, seriesOn("R", consecutive(0, 100), 1), 1);
    const replacement = seriesOn("R", consecutive(0, 120), 2);
    let interfered = false;
    const repo = createBarRepo(hookedKv(kv, {
      beforeCommit: async (op) => {
        if (!interfered && op.checks > 0 && writesMeta(op) && writesChunks(op)) {
          interfered = true;
          await plain.replaceSeries(NS, replacement, 2); // another writer wins the race
        }
      },
    }));
    const meta = await repo.appendBars(NS, seriesOn("R", consecutive(0, 130), 3), 3);
    assert.ok(interfered);
    assert.equal(meta.rows, 130);
    const stored = (await repo.getBars(NS, "R", -1e6, 1e7))!;
    assertSameSeries(rowsBetween(stored, 0, 119), replacement);
    assertSameSeries(
      rowsBetween(stored, 120, 129),
      rowsBetween(seriesOn("R", consecutive(0, 130), 3), 120, 129),
    );
    assert.equal(await countChunks(kv), 1);
  });
});

Deno.test("getBars() reports chunks missing from the live generation instead of returning a hole", async () => {
  await withKv(async (kv) => {
    const repo = createBarRepo(kv);
    const meta = await repo.replaceSeries(NS, seriesOn("H", consecutive(0, 3 * 365)), 1);
    await kv.delete(["bar_chunks", "csv", "u1", "H", meta.gen, 1971]);
    await assert.rejects(() => repo.getBars(NS, "H", -1e6, 1e7), /missing chunks/);
    assert.equal((await repo.getBars(NS, "H", 0, 300))!.days.length, 301, "other years still read");
  });
});
