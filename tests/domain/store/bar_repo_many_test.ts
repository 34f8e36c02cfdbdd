import assert from "node:assert/strict";
import { toDayNumber } from "../../../domain/calendar/dates.ts";
import { ConflictError } from "../../../domain/errors.ts";
import { emptySeries } from "../../../domain/store/bar_codec.ts";
import type { BarSeries } from "../../../domain/market/types.ts";
import { type BarNamespace, createBarRepo, METAS_PER_COMMIT } from "../../../domain/store/bar_repo.ts";
import { keys } from "../../../domain/store/keys.ts";

const NS: BarNamespace = { source: "csv", owner: "u1" };
const DAY0 = toDayNumber("2023-12-20");
const symbolAt = (i: number) => `M${String(i).padStart(3, "0")}`;

/** 30 consecutive days (two calendar years) whose prices depend on `scale`. */
function series(symbol: string, scale: number): BarSeries {
  const s = emptySeries(symbol, "csv", 30);
  for (let i = 0; i < 30; i++) {
    s.days[i] = DAY0 + i;
    s.open[i] =
      s.high[i] =
      s.low[i] =
      s.close[i] =
        (10 + i) * scale;
    s.volume[i] = 100;
    s.adj_factor[i] = 1;
  }
  return s;
}

/** Chunks stored (every generation). */
async function chunkCount(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["bar_chunks"] })) n++;
  return n;
}
const symbols150 = Array.from({ length: 150 }, (_, i) => symbolAt(i));

/** `kv` whose atomic commits fail once one of them sets the meta key `failOn`. */
function failingKv(kv: Deno.Kv, failOn: Deno.KvKey): Deno.Kv {
  const target = JSON.stringify(failOn);
  return new Proxy(kv, {
    get(obj, prop) {
      if (prop !== "atomic") {
        const v = Reflect.get(obj, prop, obj);
        return typeof v === "function" ? v.bind(obj) : v;
      }
      return () => {
        const op = obj.atomic();
        let doomed = false;
        const wrapped: Deno.AtomicOperation = new Proxy(op, {
          get(o, p) {
            if (p === "set") {
              return (key: Deno.KvKey, value: unknown) => {
                if (JSON.stringify(key) === target) doomed = true;
                o.set(key, value);
                return wrapped;
              };
            }
            if (p === "commit") return () => doomed ? Promise.resolve({ ok: false }) : o.commit();
            const v = Reflect.get(o, p, o);
            return typeof v === "function" ? (...a: unknown[]) => (v.apply(o, a), wrapped) : v;
          },
        });
        return wrapped;
      };
    },
  });
}

Deno.test("replaceMany() replaces 150 series (two meta commits), reads each back and drops the replaced generation", async () => {
  using kv = await Deno.openKv(":memory:");
  const repo = createBarRepo(kv);
  await repo.replaceSeries(NS, series(symbolAt(0), 1), 1);
  const list = symbols150.map((s) => series(s, 2));
  const metas = await repo.replaceMany(NS, list, 2);
  assert.equal(metas.length, 150);
  assert.deepEqual(metas[0].years, [2023, 2024]);
  for (const i of [0, 99, 100, 149]) {
    assert.deepEqual(await repo.getBars(NS, symbolAt(i), DAY0, DAY0 + 100), list[i]);
  }
  // Every series has its two chunks, and the replaced generation of M000 is gone.
  assert.equal(await chunkCount(kv), 300);
  assert.ok(METAS_PER_COMMIT <= 100, "KV allows at most 100 checks per commit");
});

Deno.test("replaceMany() that fails in a later meta commit puts the earlier ones back and leaves no new chunks", async () => {
  using kv = await Deno.openKv(":memory:");
  const plain = createBarRepo(kv);
  const old = series(symbolAt(0), 1);
  await plain.replaceSeries(NS, old, 1);
  const oldMeta = await plain.getMeta(NS, symbolAt(0));
  const repo = createBarRepo(failingKv(kv, keys.barSeries(NS.source, NS.owner, symbolAt(120))));
  await assert.rejects(() => repo.replaceMany(NS, symbols150.map((s) => series(s, 2)), 2), ConflictError);
  // The first batch (M000…M099) had switched; it is reverted: M000 is its old self, the rest absent.
  assert.deepEqual(await plain.getMeta(NS, symbolAt(0)), oldMeta);
  assert.deepEqual(await plain.getBars(NS, symbolAt(0), DAY0, DAY0 + 100), old);
  for (const i of [1, 99, 100, 149]) assert.equal(await plain.getMeta(NS, symbolAt(i)), null);
  assert.equal(await chunkCount(kv), 2, "only the old generation of M000 is left");
});
