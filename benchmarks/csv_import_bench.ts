/** CSV import speed: parsing real files and a large synthetic one, and a full import into KV. */
import { fromDayNumber, toDayNumber } from "../domain/calendar/dates.ts";
import { importCsv } from "../domain/market/csv/import_bars.ts";
import { parseBarsCsv } from "../domain/market/csv/parse_bars_csv.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../domain/store/imported_symbol_repo.ts";

const DATA = new URL("../tests/fixtures/market/", import.meta.url);
const MOUTAI = await Deno.readTextFile(new URL("cn/600519.SH.csv", DATA));
const JKSE = await Deno.readTextFile(new URL("id/JKSE.csv", DATA));

/** ~146k daily rows (1800–2199) padded with ignored columns to about `bytes`: the largest file that can pass. */
function largeCsv(bytes: number): string {
  const first = toDayNumber("1800-01-01"), last = toDayNumber("2199-12-31");
  const pad = "x".repeat(Math.max(0, Math.floor(bytes / (last - first + 1)) - 90));
  const lines = ["date,open,high,low,close,volume,note"];
  for (let d = first; d <= last; d++) {
    lines.push(`${fromDayNumber(d)},100.123456,101.123456,99.123456,100.523456,123456789,${pad}`);
  }
  return lines.join("\n");
}
const LARGE = largeCsv(48 * 1024 * 1024);

Deno.bench("parseBarsCsv 600519.SH (3987 rows, 243 KiB)", { group: "parse", baseline: true }, () => {
  parseBarsCsv(MOUTAI, "600519.SH");
});

Deno.bench("parseBarsCsv ^JKSE (8310 rows with 307 null rows, 618 KiB)", { group: "parse" }, () => {
  parseBarsCsv(JKSE, "^JKSE");
});

Deno.bench(
  `parseBarsCsv 146k rows, ${(LARGE.length / 1024 / 1024).toFixed(0)} MiB`,
  { group: "parse", n: 5 },
  () => {
    parseBarsCsv(LARGE, "BIG");
  },
);

Deno.bench("importCsv 600519.SH into :memory: KV (parse + 17 chunks + record)", { n: 50 }, async (b) => {
  const kv = await Deno.openKv(":memory:");
  b.start();
  await importCsv({ bars: createBarRepo(kv), imports: createImportedSymbolRepo(kv) }, {
    ownerId: "u1",
    symbol: "600519.SH",
    text: MOUTAI,
    nowMs: 0,
  });
  b.end();
  kv.close();
});
