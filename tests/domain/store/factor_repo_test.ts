import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import { addDays } from "../../../domain/calendar/dates.ts";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../../../domain/errors.ts";
import {
  createFactorRepo,
  type FactorRecord,
  type FactorRepo,
  type FactorValuesRow,
  type FactorValuesSummary,
  MAX_FACTOR_DATES,
  MAX_FACTOR_SYMBOLS,
  MAX_FACTORS_PER_USER,
} from "../../../domain/store/factor_repo.ts";
import { newId } from "../../../domain/tokens_and_hashes.ts";
import { factorRecord } from "../../_helpers/factor_record.ts";

const T0 = Date.UTC(2026, 0, 5);

function record(id: string, owner = "usr_a", overrides: Partial<FactorRecord> = {}): FactorRecord {
  return factorRecord(id, owner, { name: `factor ${id}`, created_at: T0, updated_at: T0, ...overrides });
}

/** The usual `change`: stores the summary and goes ready at 120 days. */
const withSummary = (r: FactorRecord, s: FactorValuesSummary): FactorRecord => ({
  ...r,
  values: s,
  status: s.total_days >= 120 && r.status === "draft" ? "ready" : r.status,
});

const symbolsOf = (n: number, prefix = "S") =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, "0")}`);
const datesFrom = (start: string, n: number) => Array.from({ length: n }, (_, i) => addDays(start, i));

function panelRows(dates: string[], symbols: string[], seed = 1): FactorValuesRow[] {
  let x = seed;
  return dates.map((date) => ({
    date,
    symbols,
    values: Float64Array.from(symbols, () => {
      x = (x * 16807) % 2147483647;
      return (x / 2147483647 - 0.5) * 10;
    }),
  }));
}

async function withRepo(
  fn: (repo: FactorRepo, kv: Deno.Kv) => Promise<void>,
  clock = fixedClock(T0),
  valuesPerPart?: number,
) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createFactorRepo(kv, { clock, valuesPerPart }), kv);
  } finally {
    kv.close();
  }
}

async function keysUnder(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const out: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix })) out.push(e.key);
  return out;
}

const FACTOR_PREFIXES = (id: string): Deno.KvKey[] => [
  ["factors", id],
  ["factors_active", id],
  ["factor_date_index", id],
  ["factor_symbols", id],
  ["factor_values", id],
  ["factor_uploads", id],
  ["factor_series", id],
];

/** Bit patterns, so -0 and NaN payloads compare exactly. */
const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));

Deno.test("factor repo: create, get, list by owner newest first, per-owner limit", async () => {
  await withRepo(async (repo) => {
    const ids = [0, 1, 2].map((i) => newId("fac", T0 + i * 1000));
    for (const id of ids) await repo.create(record(id));
    await repo.create(record(newId("fac", T0), "usr_b"));
    assert.deepEqual((await repo.listByOwner("usr_a")).map((r) => r.id), [...ids].reverse());
    assert.equal((await repo.get(ids[1]))?.name, `factor ${ids[1]}`);
    assert.equal(await repo.get("fac_missing"), null);
    await assert.rejects(() => repo.create(record(ids[0])), ConflictError);
    for (let i = 3; i < MAX_FACTORS_PER_USER; i++) await repo.create(record(newId("fac", T0 + i * 1000)));
    await assert.rejects(() => repo.create(record(newId("fac", T0 + 9e6))), (e) => {
      assert.ok(e instanceof ForbiddenError);
      assert.match(e.message, /at most 100 factors/);
      return true;
    });
    // Deleting one frees a place.
    await repo.delete(ids[0]);
    await repo.create(record(newId("fac", T0 + 9e6)));
  });
});

Deno.test("factor repo: update keeps the active index in step, races all land", async () => {
  await withRepo(async (repo, kv) => {
    const a = newId("fac", T0), b = newId("fac", T0 + 1);
    await repo.create(record(a));
    await repo.create(record(b, "usr_a", { status: "active" }));
    assert.deepEqual((await repo.listActive()).map((r) => r.id), [b]);
    await repo.update(a, (r) => ({ ...r, status: "active" }));
    assert.deepEqual((await repo.listActive()).map((r) => r.id), [a, b].sort());
    await repo.update(b, (r) => ({ ...r, status: "rejected" }));
    assert.deepEqual((await repo.listActive()).map((r) => r.id), [a]);
    assert.deepEqual(await keysUnder(kv, ["factors_active"]), [["factors_active", a]]);
    assert.equal(await repo.update("fac_missing", (r) => r), null);
    // 20 concurrent increments of a counter field: none lost.
    await Promise.all(
      Array.from({ length: 20 }, () => repo.update(a, (r) => ({ ...r, updated_at: r.updated_at + 1 }))),
    );
    assert.equal((await repo.get(a))?.updated_at, T0 + 20);
    await assert.rejects(() => repo.update(a, (r) => ({ ...r, owner_id: "usr_b" })));
  });
});

Deno.test("factor repo: values round-trip bit-exactly (-0, tiny, huge, NaN) and keep storage order", async () => {
  await withRepo(async (repo) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    const special = [
      -0,
      0,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      1.7976931348623157e308,
      -1.7976931348623157e308,
      Math.PI,
      1 / 3,
      NaN,
      Infinity,
      -Infinity,
    ];
    const syms = special.map((_, i) => `Z${i}`).reverse();
    const stored = await repo.putValues(id, [{
      date: "2024-01-02",
      symbols: syms,
      values: Float64Array.from(special),
    }], withSummary);
    assert.deepEqual(stored.values, { total_days: 1, start_date: "2024-01-02", end_date: "2024-01-02" });
    const day = await repo.readDate(id, "2024-01-02");
    assert.deepEqual(day?.symbols, syms);
    assert.deepEqual(bits(day!.values), bits(Float64Array.from(special)));
    const read = await repo.readValues(
      id,
      ["2024-01-01", "2024-01-02"],
      [...syms].reverse().concat(["NOPE"]),
    );
    assert.equal(read.length, 2 * (syms.length + 1));
    assert.ok(read.subarray(0, syms.length + 1).every(Number.isNaN));
    assert.deepEqual(
      bits(read.subarray(syms.length + 1, 2 * syms.length + 1)),
      bits(Float64Array.from(special).reverse()),
    );
    assert.ok(Number.isNaN(read[read.length - 1]));
    assert.ok(Object.is(read[syms.length + 1 + syms.length - 1], -0));
    assert.equal(await repo.readDate(id, "2024-01-03"), null);
  });
});

Deno.test("factor repo: 500 dates × 1,000 symbols in one putValues, read back equal", async () => {
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    const dates = datesFrom("2022-01-03", 500), syms = symbolsOf(1000);
    const rows = panelRows(dates, syms);
    const stored = await repo.putValues(id, rows, withSummary);
    assert.deepEqual(stored.values, { total_days: 500, start_date: dates[0], end_date: dates[499] });
    assert.equal(stored.status, "ready");
    assert.deepEqual(await repo.valueDates(id), dates);
    const read = await repo.readValues(id, dates, syms);
    for (let d = 0; d < 500; d++) {
      assert.deepEqual(bits(read.subarray(d * 1000, (d + 1) * 1000)), bits(rows[d].values));
    }
    // A few dates by point reads, symbols in another order.
    const some = await repo.readValues(id, [dates[7], "2030-01-01", dates[3]], [syms[5], syms[0]]);
    assert.deepEqual(Array.from(some), [
      rows[7].values[5],
      rows[7].values[0],
      NaN,
      NaN,
      rows[3].values[5],
      rows[3].values[0],
    ]);
    // Every stored value under 60 KiB.
    for await (const e of kv.list<Uint8Array>({ prefix: ["factor_values", id] })) {
      assert.ok(e.value.length <= 60 * 1024);
    }
    assert.deepEqual(await keysUnder(kv, ["factor_uploads", id]), []);
  });
});

Deno.test("factor repo: a date with 4,000 symbols, and overwriting a date replaces it whole", async () => {
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    const syms = symbolsOf(4000);
    const [row] = panelRows(["2024-03-01"], syms, 7);
    await repo.putValues(id, [row], withSummary);
    const read = await repo.readValues(id, ["2024-03-01"], syms);
    assert.deepEqual(bits(read), bits(row.values));
    // Overwrite with 10 symbols: the other 3,990 are gone for that date, old entries cleaned.
    await repo.putValues(id, [{
      date: "2024-03-01",
      symbols: syms.slice(0, 10),
      values: new Float64Array(10).fill(1),
    }], withSummary);
    const again = await repo.readValues(id, ["2024-03-01"], syms);
    assert.ok(again.subarray(0, 10).every((v) => v === 1));
    assert.ok(again.subarray(10).every(Number.isNaN));
    assert.equal((await keysUnder(kv, ["factor_values", id])).length, 1);
    assert.equal((await repo.get(id))?.values.total_days, 1);
  });
});

Deno.test("factor repo: concurrent uploads of different dates both land, dates counted once", async () => {
  await withRepo(async (repo) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    const syms = symbolsOf(300);
    const a = panelRows(datesFrom("2024-01-01", 60), syms, 1);
    const b = panelRows(datesFrom("2024-02-15", 60), syms.slice(100).concat(symbolsOf(50, "T")), 2); // overlaps 15 days
    await Promise.all([repo.putValues(id, a, withSummary), repo.putValues(id, b, withSummary)]);
    const dates = await repo.valueDates(id);
    const expected = [...new Set([...a, ...b].map((r) => r.date))].sort();
    assert.deepEqual(dates, expected);
    const rec = await repo.get(id);
    assert.equal(rec?.values.total_days, expected.length);
    assert.equal(rec?.values.start_date, "2024-01-01");
    // Dates only in a keep a's values.
    const read = await repo.readValues(id, [a[0].date], syms);
    assert.deepEqual(bits(read), bits(a[0].values));
  });
});

Deno.test("factor repo: the same date uploaded concurrently is one version whole, never a mix", async () => {
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    const syms = symbolsOf(2000);
    const dates = datesFrom("2024-05-01", 40);
    const ones = dates.map((date) => ({ date, symbols: syms, values: new Float64Array(2000).fill(1) }));
    const twos = dates.map((date) => ({ date, symbols: syms, values: new Float64Array(2000).fill(2) }));
    for (let round = 0; round < 3; round++) {
      await Promise.all([repo.putValues(id, ones, withSummary), repo.putValues(id, twos, withSummary)]);
      const read = await repo.readValues(id, dates, syms);
      const first = read[0];
      assert.ok(first === 1 || first === 2);
      assert.ok(read.every((v) => v === first), "one upload's values on every date");
      // Only the live version's entries remain.
      assert.equal((await keysUnder(kv, ["factor_values", id])).length, dates.length);
      assert.equal((await repo.get(id))?.values.total_days, 40);
    }
  });
});

Deno.test("factor repo: limits are refused before anything is written", async () => {
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    await repo.putValues(id, panelRows(datesFrom("2000-01-01", 10), symbolsOf(5)), withSummary);
    const snapshot = async () => {
      const all: unknown[] = [];
      for await (const e of kv.list({ prefix: [] })) all.push([e.key, e.versionstamp]);
      return all;
    };
    const before = await snapshot();
    const tooManyDates = panelRows(datesFrom("2001-01-01", MAX_FACTOR_DATES - 9), symbolsOf(1));
    await assert.rejects(() => repo.putValues(id, tooManyDates, withSummary), (e) => {
      assert.ok(e instanceof ConflictError);
      assert.match(e.message, /at most 4000 dates/);
      return true;
    });
    const tooManySymbols = panelRows(["2005-01-03"], symbolsOf(MAX_FACTOR_SYMBOLS - 4, "X"));
    await assert.rejects(
      () => repo.putValues(id, tooManySymbols, withSummary),
      /at most 4000 distinct symbols/,
    );
    assert.deepEqual(await snapshot(), before);
    // Exactly at the limits is fine.
    await repo.putValues(
      id,
      panelRows(datesFrom("2001-01-01", MAX_FACTOR_DATES - 10), symbolsOf(1)),
      withSummary,
    );
    await repo.putValues(id, panelRows(["2005-01-03"], symbolsOf(MAX_FACTOR_SYMBOLS - 5, "X")), withSummary);
    assert.equal((await repo.get(id))?.values.total_days, MAX_FACTOR_DATES);
    await assert.rejects(() => repo.putValues("fac_missing", [], withSummary), NotFoundError);
  });
});

Deno.test("factor repo: a change that throws leaves nothing visible", async () => {
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    await repo.putValues(id, panelRows(["2024-01-02"], symbolsOf(3)), withSummary);
    const before = await repo.readValues(id, ["2024-01-02", "2024-01-03"], symbolsOf(3));
    const refuse = () => {
      throw new ConflictError("not while validating");
    };
    await assert.rejects(
      () => repo.putValues(id, panelRows(["2024-01-02", "2024-01-03"], symbolsOf(3), 9), refuse),
      /not while validating/,
    );
    // Refused on the last commit only (the dry run passes): entries written, then removed.
    let calls = 0;
    const refuseSecond = (r: FactorRecord, s: FactorValuesSummary) => {
      if (++calls === 2) throw new ConflictError("changed meanwhile");
      return withSummary(r, s);
    };
    await assert.rejects(
      () => repo.putValues(id, panelRows(["2024-01-02", "2024-01-03"], symbolsOf(3), 9), refuseSecond),
      /changed meanwhile/,
    );
    assert.deepEqual(
      bits(await repo.readValues(id, ["2024-01-02", "2024-01-03"], symbolsOf(3))),
      bits(before),
    );
    assert.deepEqual(await repo.valueDates(id), ["2024-01-02"]);
    assert.equal((await keysUnder(kv, ["factor_values", id])).length, 1);
    assert.deepEqual(await keysUnder(kv, ["factor_uploads", id]), []);
  });
});

Deno.test("factor repo: a crashed upload's entries stay invisible and are cleaned by the next write", async () => {
  const clock = fixedClock(T0);
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    await repo.putValues(id, panelRows(["2024-01-02"], symbolsOf(3)), withSummary);
    // Simulate a crash after the value commits: an upload marker and entries no index points to.
    const tag = 12345;
    const triple = new Uint8Array(Int32Array.from([19725, tag, 1]).buffer); // 2024-01-03
    await kv.set(["factor_uploads", id, tag], { started_at: T0, abandoned: false, data: triple });
    const bytes = new Uint8Array(10);
    await kv.set(["factor_values", id, 19725, tag, 0], bytes);
    assert.deepEqual(await repo.valueDates(id), ["2024-01-02"]);
    // A fresh marker is an upload in flight: left alone.
    await repo.putValues(id, panelRows(["2024-01-04"], symbolsOf(3)), withSummary);
    assert.equal((await keysUnder(kv, ["factor_uploads", id])).length, 1);
    clock.advance(16 * 60_000);
    await repo.putValues(id, panelRows(["2024-01-05"], symbolsOf(3)), withSummary);
    assert.deepEqual(await keysUnder(kv, ["factor_uploads", id]), []);
    assert.equal((await kv.get(["factor_values", id, 19725, tag, 0])).value, null);
    assert.deepEqual(await repo.valueDates(id), ["2024-01-02", "2024-01-04", "2024-01-05"]);
  }, clock);
});

Deno.test("factor repo: series round-trip; delete leaves no key under any of the factor's prefixes", async () => {
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0), other = newId("fac", T0 + 5);
    await repo.create(record(id, "usr_a", { status: "active" }));
    await repo.create(record(other));
    await repo.putValues(other, panelRows(["2024-01-02"], symbolsOf(3)), withSummary);
    assert.equal(await repo.getSeries(id), null);
    const series = {
      ic_series: datesFrom("2020-01-01", 3000).map((date, i) => ({ date, ic: Math.sin(i) })),
      ls_cumulative_returns: datesFrom("2020-01-01", 3000).map((date, i) => ({
        date,
        ls_return: i / 7,
        cumulative: i,
      })),
    };
    await repo.putSeries(id, series);
    assert.deepEqual(await repo.getSeries(id), series);
    await repo.putValues(id, panelRows(datesFrom("2024-01-01", 300), symbolsOf(700)), withSummary);
    await kv.set(["factor_uploads", id, 7], { started_at: T0, abandoned: false, data: new Uint8Array(0) });
    await repo.delete(id);
    for (const prefix of FACTOR_PREFIXES(id)) {
      assert.deepEqual(await keysUnder(kv, prefix), [], JSON.stringify(prefix));
    }
    assert.deepEqual(await keysUnder(kv, ["factors_by_owner", "usr_a", id]), []);
    assert.equal(await repo.get(id), null);
    assert.deepEqual(await repo.listActive(), []);
    assert.deepEqual((await repo.listByOwner("usr_a")).map((r) => r.id), [other]);
    assert.equal(Number((await kv.get<Deno.KvU64>(["factor_counts", "usr_a"])).value?.value), 1);
    // The other factor is untouched; deleting a missing factor is a no-op.
    assert.equal((await repo.valueDates(other)).length, 1);
    await repo.delete(id);
    await assert.rejects(() => repo.putSeries(id, series), NotFoundError);
  });
});

async function snapshot(kv: Deno.Kv) {
  const all: unknown[] = [];
  for await (const e of kv.list({ prefix: [] })) all.push([e.key, e.versionstamp]);
  return all;
}

Deno.test("factor repo: malformed uploads are refused before anything is written", async () => {
  await withRepo(async (repo, kv) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    await repo.putValues(id, panelRows(["2024-01-02"], symbolsOf(3)), withSummary);
    const before = await snapshot(kv);
    const bad: [FactorValuesRow[], RegExp][] = [
      [panelRows(["2024-01-03", "2024-01-03"], symbolsOf(2)), /appears twice in one upload/],
      [panelRows(["2024-02-30"], symbolsOf(2)), /Not a date/],
      [panelRows(["20240103"], symbolsOf(2)), /Not a date/],
      [
        [{ date: "2024-01-04", symbols: ["S000001", "NEW", "S000001"], values: new Float64Array(3) }],
        /appears twice on 2024-01-04/,
      ],
      [[{ date: "2024-01-04", symbols: ["NEW", ""], values: new Float64Array(2) }], /1–64 characters/],
      [[{ date: "2024-01-04", symbols: ["NEW"], values: new Float64Array(2) }], /1 symbols but 2 values/],
    ];
    for (const [rows, message] of bad) {
      await assert.rejects(() => repo.putValues(id, rows, withSummary), (e) => {
        assert.ok(e instanceof BadRequestError, String(e));
        assert.match(e.message, message);
        return true;
      });
    }
    assert.deepEqual(await snapshot(kv), before);
  });
});

Deno.test("factor repo: dates split in parts round-trip, and concurrent overwrites stay whole", async () => {
  await withRepo(
    async (repo, kv) => {
      const id = newId("fac", T0);
      await repo.create(record(id));
      const syms = symbolsOf(50);
      const rows = panelRows(datesFrom("2024-01-01", 30), syms, 3).map((r, i) => ({
        ...r,
        symbols: i % 2 ? [...r.symbols].reverse() : r.symbols,
        values: i % 2 ? r.values.slice().reverse() : r.values,
      }));
      await repo.putValues(id, rows, withSummary);
      assert.equal((await keysUnder(kv, ["factor_values", id])).length, 30 * 8); // ceil(50 / 7) parts a date
      const read = await repo.readValues(id, rows.map((r) => r.date), syms);
      const original = panelRows(datesFrom("2024-01-01", 30), syms, 3);
      for (let d = 0; d < 30; d++) {
        assert.deepEqual(
          bits(read.subarray(d * 50, d * 50 + 50)),
          bits(original[d].values),
        );
      }
      const one = await repo.readDate(id, rows[1].date);
      assert.deepEqual(one?.symbols, rows[1].symbols);
      assert.deepEqual(bits(one!.values), bits(rows[1].values));
      const dates = datesFrom("2024-01-01", 10);
      const ones = dates.map((date) => ({ date, symbols: syms, values: new Float64Array(50).fill(1) }));
      const twos = dates.map((date) => ({
        date,
        symbols: syms.slice(0, 20),
        values: new Float64Array(20).fill(2),
      }));
      await Promise.all([repo.putValues(id, ones, withSummary), repo.putValues(id, twos, withSummary)]);
      const after = await repo.readValues(id, dates, syms);
      const isOnes = after[0] === 1;
      for (let d = 0; d < 10; d++) {
        const row = Array.from(after.subarray(d * 50, d * 50 + 50));
        assert.deepEqual(
          row,
          isOnes ? new Array(50).fill(1) : [...new Array(20).fill(2), ...new Array(30).fill(NaN)],
        );
      }
      assert.equal((await keysUnder(kv, ["factor_values", id])).length, 20 * 8 + 10 * (isOnes ? 8 : 3));
      assert.equal((await repo.get(id))?.values.total_days, 30);
    },
    fixedClock(T0),
    7,
  );
});

Deno.test("factor repo: a reader racing writers never sees a mix or a gap", async () => {
  await withRepo(async (repo) => {
    const id = newId("fac", T0);
    await repo.create(record(id));
    const syms = symbolsOf(200);
    const dates = datesFrom("2024-01-01", 30);
    const version = (v: number) =>
      dates.map((date) => ({ date, symbols: syms, values: new Float64Array(200).fill(v) }));
    await repo.putValues(id, version(0), withSummary);
    let stop = false;
    const reads: number[] = [];
    const reader = (async () => {
      while (!stop) {
        const read = await repo.readValues(id, dates, syms);
        for (let d = 0; d < dates.length; d++) {
          const row = read.subarray(d * 200, d * 200 + 200);
          assert.ok(row.every((v) => v === row[0]) && !Number.isNaN(row[0]), "each date whole, none missing");
        }
        reads.push(read[0]);
      }
    })();
    for (let v = 1; v <= 8; v++) await repo.putValues(id, version(v), withSummary);
    stop = true;
    await reader;
    assert.ok(reads.length > 0);
    assert.deepEqual(reads, [...reads].sort((a, b) => a - b), "never an older version after a newer one");
    assert.equal((await repo.readValues(id, dates.slice(0, 1), syms))[0], 8);
  });
});
