/**
 * `deno task import --symbol RELIANCE.NS [--exchange NSE] [--charset gbk] --owner <user id or email> file.csv`
 * imports a CSV of daily bars into the same KV file as the server (`KV_PATH`, default `data/quantedge.sqlite`),
 * exactly as `POST /api/v1/data/import` does, and prints the summary as JSON. `-` as the file reads stdin.
 * Without `--symbol`, the path may be a directory of `SYMBOL.csv` files, a zip of them, or a long-format CSV
 * with a symbol column: all its symbols are imported together, all or nothing.
 * Exit status: 0 imported, 1 refused (bad arguments, unknown user, or a bad file: each bad row is printed).
 */
import { parseArgs } from "node:util";
import { EXCHANGE_CODES, isExchangeCode } from "../domain/calendar/exchanges.ts";
import { DEFAULT_KV_PATH } from "../domain/config.ts";
import { ValidationError } from "../domain/errors.ts";
import { decodeCsvBytes } from "../domain/market/csv/decode_csv_bytes.ts";
import {
  type BulkImportSummary,
  importCsv,
  importMany,
  type ImportSummary,
  MAX_IMPORTED_SYMBOLS_PER_USER,
} from "../domain/market/csv/import_bars.ts";
import {
  type BulkEntry,
  MAX_ZIP_ENTRIES,
  parseLongCsv,
  parseZipBars,
  symbolOfEntry,
} from "../domain/market/csv/bulk_csv.ts";
import { parseBarsCsv } from "../domain/market/csv/parse_bars_csv.ts";
import { openKv } from "../domain/store/kv.ts";
import { buildCsvImportServices } from "../app/services.ts";
import { systemClock } from "../domain/clock.ts";

/** How to call the CLI. */
export const IMPORT_CLI_USAGE = `usage: deno task import --symbol SYM [--exchange ${
  EXCHANGE_CODES.join("|")
}] [--charset gbk] --owner USER_ID_OR_EMAIL file.csv|-
       deno task import [--exchange X] [--charset gbk] --owner USER_ID_OR_EMAIL dir/|universe.zip|panel.csv`;

/** Inflated bytes a zip given to the CLI may hold (the operator's own file; still bounded). */
const CLI_ZIP_MAX_BYTES = 8 * 1024 ** 3;

/** Parses every `SYMBOL.csv` of a directory (not recursive); bad rows of every file are reported together. */
async function parseDirectory(dir: string, charset?: string): Promise<BulkEntry[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  names.sort();
  const entries: BulkEntry[] = [];
  const issues: NonNullable<ValidationError["issues"]> = [];
  const seen = new Set<string>();
  for (const name of names) {
    let symbol: string | null;
    try {
      symbol = symbolOfEntry(name);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      if (/\.(csv|txt)$/i.test(name)) issues.push({ type: e.type, loc: e.loc, msg: e.message });
      continue;
    }
    if (symbol === null) continue;
    if (seen.has(symbol)) {
      issues.push({ type: "duplicate_symbol", loc: ["file", name], msg: `${symbol} appears twice` });
      continue;
    }
    seen.add(symbol);
    if (seen.size > MAX_IMPORTED_SYMBOLS_PER_USER) {
      throw new Error(`${dir} holds more than ${MAX_IMPORTED_SYMBOLS_PER_USER} symbols`);
    }
    try {
      const parsed = parseBarsCsv(decodeCsvBytes(await Deno.readFile(`${dir}/${name}`), charset), symbol);
      entries.push({ symbol, series: parsed.series, skipped: parsed.skipped });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const list = e.issues?.length ? e.issues : [{ type: e.type, loc: e.loc, msg: e.message }];
      issues.push(...list.map((i) => ({ ...i, loc: ["file", name, ...i.loc] })));
    }
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `${dir} has ${issues.length} problem(s); nothing was imported`,
      [],
      "csv_invalid",
      issues,
    );
  }
  if (entries.length === 0) throw new Error(`no SYMBOL.csv files in ${dir}`);
  return entries;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Runs the import with command-line `args` against the KV at `kvPath`; throws `Error` (with the usage) on bad
 * arguments or an unknown user, and `ValidationError` on a bad file (nothing is stored then).
 */
export async function runImportCli(
  args: string[],
  kvPath: string,
  nowMs = Date.now(),
  stdin: ReadableStream<Uint8Array> = Deno.stdin.readable,
): Promise<ImportSummary | BulkImportSummary> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        symbol: { type: "string" },
        exchange: { type: "string" },
        owner: { type: "string" },
        charset: { type: "string" },
      },
      allowPositionals: true,
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${IMPORT_CLI_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (!values.owner || positionals.length !== 1) throw new Error(IMPORT_CLI_USAGE);
  const exchange = values.exchange?.trim().toUpperCase();
  if (exchange !== undefined && !isExchangeCode(exchange)) {
    throw new Error(`unknown exchange "${values.exchange}"\n${IMPORT_CLI_USAGE}`);
  }
  const path = positionals[0];
  let load: () => Promise<{ text: string } | { entries: BulkEntry[] }>;
  if (values.symbol) {
    const bytes = path === "-" ? await readAll(stdin) : await Deno.readFile(path);
    const text = decodeCsvBytes(bytes, values.charset);
    load = () => Promise.resolve({ text });
  } else if (path === "-") {
    load = async () => ({ entries: await parseLongCsv(stdin, values.charset) });
  } else if ((await Deno.stat(path)).isDirectory) {
    load = async () => ({ entries: await parseDirectory(path, values.charset) });
  } else if (/\.zip$/i.test(path)) {
    load = async () => ({
      entries: await parseZipBars((await Deno.open(path)).readable, {
        maxUncompressedBytes: CLI_ZIP_MAX_BYTES,
        maxEntries: MAX_ZIP_ENTRIES,
      }, values.charset),
    });
  } else {load = async () => ({
      entries: await parseLongCsv((await Deno.open(path)).readable, values.charset),
    });}
  const input = await load();
  if (kvPath !== ":memory:" && !(await Deno.stat(kvPath).then(() => true, () => false))) {
    throw new Error(`no KV file at ${kvPath} (set KV_PATH, or start the server once to create it)`);
  }
  const kv = await openKv(kvPath);
  try {
    const deps = buildCsvImportServices(kv, systemClock);
    const users = deps.users;
    const owner = values.owner.trim();
    const user = owner.includes("@") ? await users.getByEmail(owner.toLowerCase()) : await users.get(owner);
    if (!user) throw new Error(`no user "${owner}" in ${kvPath} (sign in once on the server first)`);
    if ("entries" in input) {
      return await importMany(deps, { ownerId: user.id, entries: input.entries, exchange, nowMs });
    }
    return await importCsv(deps, {
      ownerId: user.id,
      symbol: values.symbol!,
      exchange,
      text: input.text,
      nowMs,
    });
  } finally {
    kv.close();
  }
}

/** Formats an error for the terminal: a bad file lists its issues, one a line. */
export function describeCliError(e: unknown): string {
  if (e instanceof ValidationError && e.issues?.length) {
    return [e.message, ...e.issues.map((i) => `  ${i.loc.join(" ") || "file"}: ${i.msg}`)].join(
      "\n",
    );
  }
  return e instanceof Error ? e.message : String(e);
}

if (import.meta.main) {
  try {
    const summary = await runImportCli(Deno.args, Deno.env.get("KV_PATH") ?? DEFAULT_KV_PATH);
    console.log(JSON.stringify(summary, null, 2));
  } catch (e) {
    console.error(describeCliError(e));
    Deno.exit(1);
  }
}
