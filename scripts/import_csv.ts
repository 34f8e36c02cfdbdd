/**
 * `deno task import --symbol RELIANCE.NS [--exchange NSE] --owner <user id or email> file.csv`: imports a CSV of
 * daily bars into the same KV file as the server (KV_PATH, default data/quantedge.sqlite), exactly as
 * `POST /api/v1/data/import` does.
 */
import { parseArgs } from "node:util";
import { isExchangeCode } from "../domain/calendar/exchanges.ts";
import { DEFAULT_KV_PATH } from "../domain/config.ts";
import { importCsv, type ImportSummary } from "../domain/market/csv/import_bars.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../domain/store/imported_symbol_repo.ts";
import { createUserRepo } from "../domain/store/user_repo.ts";

/** Runs the import with command-line `args` against the KV at `kvPath`; throws with a usage message on bad input. */
export async function runImportCli(
  args: string[],
  kvPath: string,
  nowMs = Date.now(),
): Promise<ImportSummary> {
  const { values, positionals } = parseArgs({
    args,
    options: { symbol: { type: "string" }, exchange: { type: "string" }, owner: { type: "string" } },
    allowPositionals: true,
  });
  const usage =
    "usage: deno task import --symbol SYM [--exchange SSE|SZSE|NSE|IDX|NYSE|CRYPTO] --owner USER file.csv";
  if (!values.symbol || !values.owner || positionals.length !== 1) throw new Error(usage);
  const exchange = values.exchange?.toUpperCase();
  if (exchange !== undefined && !isExchangeCode(exchange)) {
    throw new Error(`unknown exchange "${values.exchange}"\n${usage}`);
  }
  const kv = await Deno.openKv(kvPath);
  try {
    const users = createUserRepo(kv);
    const user = values.owner.includes("@")
      ? await users.getByEmail(values.owner)
      : await users.get(values.owner);
    if (!user) throw new Error(`no user "${values.owner}" in ${kvPath} (sign in once first)`);
    return await importCsv({ bars: createBarRepo(kv), imports: createImportedSymbolRepo(kv) }, {
      ownerId: user.id,
      symbol: values.symbol,
      exchange,
      text: await Deno.readTextFile(positionals[0]),
      nowMs,
    });
  } finally {
    kv.close();
  }
}

if (import.meta.main) {
  try {
    const summary = await runImportCli(Deno.args, Deno.env.get("KV_PATH") ?? DEFAULT_KV_PATH);
    console.log(JSON.stringify(summary, null, 2));
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
