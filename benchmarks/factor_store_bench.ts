/**
 * Factor store (issue 15): one upload of 500 dates × 1,000 symbols (`putValues`) and reading it back
 * (`readValues`), on an in-memory KV and on a temp-file KV (SQLite, as in production).
 */
import { createFactorRepo, type FactorRecord, type FactorValuesRow } from "../domain/store/factor_repo.ts";

const DATES = Array.from(
  { length: 500 },
  (_, i) => new Date(Date.UTC(2022, 0, 3 + i)).toISOString().slice(0, 10),
);
const SYMBOLS = Array.from({ length: 1000 }, (_, i) => `${String(600000 + i)}.SH`);
let seed = 42;
const ROWS: FactorValuesRow[] = DATES.map((date) => ({
  date,
  symbols: SYMBOLS,
  values: Float64Array.from(SYMBOLS, () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  }),
}));

const record = (id: string): FactorRecord => ({
  id,
  owner_id: "usr_bench",
  name: id,
  universe: "csi1000",
  description: null,
  expression: null,
  values_source: "upload",
  history_days: null,
  claimed: { ic_mean: null, ic_ir: null },
  status: "draft",
  is: null,
  os: null,
  checks: null,
  reject_reason: null,
  yearly_stats: null,
  values: { total_days: 0, start_date: null, end_date: null },
  submitted_at: null,
  validated_at: null,
  activated_at: null,
  created_at: 0,
  updated_at: 0,
});

const dir = Deno.makeTempDirSync({ prefix: "factor_store_bench_" });
const stores = [
  { name: ":memory:", kv: await Deno.openKv(":memory:") },
  { name: "temp file", kv: await Deno.openKv(`${dir}/kv.sqlite`) },
];

for (const { name, kv } of stores) {
  const repo = createFactorRepo(kv);
  let n = 0;
  Deno.bench(`putValues 500 dates × 1,000 symbols (${name})`, { group: `put ${name}` }, async (b) => {
    const id = `fac_put_${n++}`;
    await repo.create(record(id));
    b.start();
    await repo.putValues(id, ROWS, (r, s) => ({ ...r, values: s }));
    b.end();
    await repo.delete(id);
  });

  const readId = "fac_read";
  await repo.create(record(readId));
  await repo.putValues(readId, ROWS, (r, s) => ({ ...r, values: s }));
  Deno.bench(`readValues 500 dates × 1,000 symbols (${name})`, { group: `read ${name}` }, async () => {
    await repo.readValues(readId, DATES, SYMBOLS);
  });
}

globalThis.addEventListener("unload", () => {
  for (const { kv } of stores) kv.close();
  Deno.removeSync(dir, { recursive: true });
});
