/**
 * Many-symbol imports into an in-memory KV: 100 symbols × 1,000 daily bars stored by 100 one-symbol imports
 * (`importCsv`), by one zip (`parseZipBars` + `importMany`) and by one long panel (`parseLongCsv` + `importMany`,
 * rows of the symbols interleaved), so the cost of the bulk paths can be set against the single path.
 */
import { strToU8, zipSync } from "fflate";
import { fromDayNumber, toDayNumber } from "../domain/calendar/dates.ts";
import { MAX_ZIP_ENTRIES, parseLongCsv, parseZipBars } from "../domain/market/csv/bulk_csv.ts";
import { importCsv, importMany } from "../domain/market/csv/import_bars.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../domain/store/imported_symbol_repo.ts";

const SYMBOLS = Array.from({ length: 100 }, (_, i) => `B${String(i).padStart(3, "0")}`);
const DAYS = Array.from({ length: 1000 }, (_, k) => fromDayNumber(toDayNumber("2020-01-01") + k));
const row = (i: number, k: number) => {
  const c = 10 + i + Math.sin(k / 7 + i) * 3;
  return `${(c * 0.99).toFixed(3)},${(c * 1.02).toFixed(3)},${(c * 0.97).toFixed(3)},${c.toFixed(3)},${
    1000 + k
  }`;
};
const files = SYMBOLS.map((_, i) =>
  ["date,open,high,low,close,volume", ...DAYS.map((d, k) => `${d},${row(i, k)}`)].join("\n")
);
const zip = zipSync(Object.fromEntries(SYMBOLS.map((s, i) => [`${s}.csv`, strToU8(files[i])])));
const panelLines = ["symbol,date,open,high,low,close,volume"];
for (let k = 0; k < DAYS.length; k++) {
  for (let i = 0; i < SYMBOLS.length; i++) panelLines.push(`${SYMBOLS[i]},${DAYS[k]},${row(i, k)}`);
}
const panel = strToU8(panelLines.join("\n"));
console.log(`zip ${zip.length} bytes, panel ${panel.length} bytes`);

async function withDeps(work: (deps: Parameters<typeof importMany>[0]) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await work({ bars: createBarRepo(kv), imports: createImportedSymbolRepo(kv) });
  } finally {
    kv.close();
  }
}
const streamOf = (bytes: Uint8Array) => new Blob([new Uint8Array(bytes)]).stream();

Deno.bench(
  "100 one-symbol imports (100 × 1,000 bars)",
  { group: "bulk", baseline: true, n: 10 },
  async () => {
    await withDeps(async (deps) => {
      for (let i = 0; i < SYMBOLS.length; i++) {
        await importCsv(deps, { ownerId: "u", symbol: SYMBOLS[i], text: files[i], nowMs: 0 });
      }
    });
  },
);

Deno.bench("one zip of 100 symbols", { group: "bulk", n: 10 }, async () => {
  await withDeps(async (deps) => {
    const entries = await parseZipBars(streamOf(zip), {
      maxUncompressedBytes: 1e9,
      maxEntries: MAX_ZIP_ENTRIES,
    });
    await importMany(deps, { ownerId: "u", entries, nowMs: 0 });
  });
});

Deno.bench("one long panel of 100 symbols", { group: "bulk", n: 10 }, async () => {
  await withDeps(async (deps) => {
    const entries = await parseLongCsv(streamOf(panel));
    await importMany(deps, { ownerId: "u", entries, nowMs: 0 });
  });
});
