/**
 * `deno task import --symbol RELIANCE.NS [--exchange NSE] [--charset gbk] --owner <user id or email> file.csv`
 * imports a CSV of daily bars into the same KV file as the server (`KV_PATH`, default `data/quantedge.sqlite`),
 * exactly as `POST /api/v1/data/import` does, and prints the summary as JSON. `-` as the file reads stdin.
 * Exit status: 0 imported, 1 refused (bad arguments, unknown user, or a bad file: each bad row is printed).
 */
import { parseArgs } from "node:util";
import { EXCHANGE_CODES, isExchangeCode } from "../domain/calendar/exchanges.ts";
import { DEFAULT_KV_PATH } from "../domain/config.ts";
import { ValidationError } from "../domain/errors.ts";
import { decodeCsvBytes } from "../domain/market/csv/decode_csv_bytes.ts";
import { importCsv, type ImportSummary } from "../domain/market/csv/import_bars.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../domain/store/imported_symbol_repo.ts";
import { openKv } from "../domain/store/kv.ts";
import { createUserRepo } from "../domain/store/user_repo.ts";

/** How to call the CLI. */
export const IMPORT_CLI_USAGE = `usage: deno task import --symbol SYM [--exchange ${
  EXCHANGE_CODES.join("|")
}] [--charset gbk] --owner USER_ID_OR_EMAIL file.csv|-`;

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
): Promise<ImportSummary> {
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
  if (!values.symbol || !values.owner || positionals.length !== 1) throw new Error(IMPORT_CLI_USAGE);
  const exchange = values.exchange?.trim().toUpperCase();
  if (exchange !== undefined && !isExchangeCode(exchange)) {
    throw new Error(`unknown exchange "${values.exchange}"\n${IMPORT_CLI_USAGE}`);
  }
  const path = positionals[0];
  const bytes = path === "-" ? await readAll(stdin) : await Deno.readFile(path);
  const text = decodeCsvBytes(bytes, values.charset);
  if (kvPath !== ":memory:" && !(await Deno.stat(kvPath).then(() => true, () => false))) {
    throw new Error(`no KV file at ${kvPath} (set KV_PATH, or start the server once to create it)`);
  }
  const kv = await openKv(kvPath);
  try {
    const users = createUserRepo(kv);
    const owner = values.owner.trim();
    const user = owner.includes("@") ? await users.getByEmail(owner.toLowerCase()) : await users.get(owner);
    if (!user) throw new Error(`no user "${owner}" in ${kvPath} (sign in once on the server first)`);
    return await importCsv({ bars: createBarRepo(kv), imports: createImportedSymbolRepo(kv) }, {
      ownerId: user.id,
      symbol: values.symbol,
      exchange,
      text,
      nowMs,
    });
  } finally {
    kv.close();
  }
}

/** Formats an error for the terminal: a bad file lists its issues, one a line. */
export function describeCliError(e: unknown): string {
  if (e instanceof ValidationError && e.issues?.length) {
    return [e.message, ...e.issues.map((i) => `  ${i.loc.slice(1).join(" ") || "file"}: ${i.msg}`)].join(
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
