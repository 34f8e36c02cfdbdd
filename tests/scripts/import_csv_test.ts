import assert from "node:assert/strict";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import { ValidationError } from "../../domain/errors.ts";
import type { ImportSummary } from "../../domain/market/csv/import_bars.ts";
import { createBarRepo } from "../../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../../domain/store/imported_symbol_repo.ts";
import { createUserRepo } from "../../domain/store/user_repo.ts";
import { describeCliError, runImportCli } from "../../scripts/import_csv.ts";
import { REPO_DIR, restrictedTaskArgs } from "../_helpers/task_command.ts";

const RELIANCE = new URL("../fixtures/market/in/RELIANCE.NS.csv", import.meta.url).pathname;
const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);

/** A temp dir with a KV file holding one user; removed on dispose. */
async function tempKv() {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite`;
  const kv = await Deno.openKv(path);
  await createUserRepo(kv).create(newUserRecord({ id: "usr_cli", email: "cli@example.com" }, 0));
  kv.close();
  return { dir, path, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

async function readBack(path: string, symbol: string) {
  const kv = await Deno.openKv(path);
  try {
    const meta = await createBarRepo(kv).getMeta({ source: "csv", owner: "usr_cli" }, symbol);
    const record = await createImportedSymbolRepo(kv).get("usr_cli", symbol);
    return { meta, record };
  } finally {
    kv.close();
  }
}

Deno.test("runImportCli() imports a file for a user named by email into a file KV", async () => {
  await using t = await tempKv();
  const summary = await runImportCli(
    ["--symbol", "reliance.ns", "--owner", "CLI@example.com", RELIANCE],
    t.path,
    T0,
  ) as ImportSummary; // with --symbol: one symbol's summary
  assert.deepEqual([summary.symbol, summary.exchange, summary.rows, summary.start, summary.end], [
    "RELIANCE.NS",
    "NSE",
    6799,
    "1996-01-01",
    "2023-01-12",
  ]);
  const { meta, record } = await readBack(t.path, "RELIANCE.NS");
  assert.equal(meta?.rows, 6799);
  assert.deepEqual([record?.owner_id, record?.currency, record?.imported_at, record?.published], [
    "usr_cli",
    "INR",
    T0,
    false,
  ]);
});

Deno.test("runImportCli() takes a user id, an explicit exchange and a file on stdin", async () => {
  await using t = await tempKv();
  const csv = "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n";
  const stdin = new Blob([csv]).stream();
  const summary = await runImportCli(
    ["--symbol", "TLKM", "--exchange", "idx", "--owner", "usr_cli", "-"],
    t.path,
    T0,
    stdin,
  ) as ImportSummary;
  assert.deepEqual([summary.exchange, summary.rows], ["IDX", 1]);
  assert.equal((await readBack(t.path, "TLKM")).record?.lot_size, 100);
});

Deno.test("runImportCli() stores nothing for a bad file and describes each bad row", async () => {
  await using t = await tempKv();
  const file = `${t.dir}/bad.csv`;
  await Deno.writeTextFile(file, "date,open,high,low,close\n2024-01-02,10,9,9,10\n2024-01-02,10,11,9,10\n");
  const error = await runImportCli(["--symbol", "BAD", "--owner", "usr_cli", file], t.path, T0).then(
    () => assert.fail("expected a failure"),
    (e) => e,
  );
  assert.ok(error instanceof ValidationError);
  assert.equal(
    describeCliError(error),
    "The CSV has 2 bad rows; nothing was imported\n" +
      "  row 2: high 9 is below max(open, close) 10\n" +
      "  row 3: duplicate date 2024-01-02",
  );
  assert.deepEqual(await readBack(t.path, "BAD"), { meta: null, record: null });
});

Deno.test("runImportCli() refuses missing arguments, unknown users and exchanges, and a missing KV file", async () => {
  await using t = await tempKv();
  await assert.rejects(() => runImportCli(["--symbol", "X", RELIANCE], t.path), /usage/);
  await assert.rejects(() => runImportCli(["--bogus", "1"], t.path), /usage/);
  await assert.rejects(
    () => runImportCli(["--symbol", "X", "--owner", "nobody@example.com", RELIANCE], t.path),
    /no user "nobody@example.com"/,
  );
  await assert.rejects(
    () => runImportCli(["--symbol", "X", "--exchange", "LSE", "--owner", "usr_cli", RELIANCE], t.path),
    /unknown exchange "LSE"/,
  );
  await assert.rejects(
    () => runImportCli(["--symbol", "X", "--owner", "usr_cli", RELIANCE], `${t.dir}/absent.sqlite`),
    /no KV file/,
  );
});

/** Runs the import task's command line, reading only the repository and `dir`, writing only `dir`. */
async function runImportTask(dir: string, kvPath: string, file: string) {
  const args = await restrictedTaskArgs("import", { read: [dir], write: [dir] }, [
    "--symbol",
    "RELIANCE.NS",
    "--owner",
    "cli@example.com",
    file,
  ]);
  return await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_DIR,
    env: { KV_PATH: kvPath, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("the import task prints the summary and exits 0, or prints the bad rows and exits 1", async () => {
  await using t = await tempKv();
  const run = (file: string) => runImportTask(t.dir, t.path, file);
  const good = await run(RELIANCE);
  assert.equal(good.code, 0, new TextDecoder().decode(good.stderr));
  const summary = JSON.parse(new TextDecoder().decode(good.stdout));
  assert.deepEqual([summary.symbol, summary.rows, summary.source], ["RELIANCE.NS", 6799, "csv"]);
  const bad = `${t.dir}/bad.csv`;
  await Deno.writeTextFile(bad, "date,open,high,low,close\n2024-01-02,-1,11,9,10\n");
  const refused = await run(bad);
  assert.equal(refused.code, 1);
  assert.match(new TextDecoder().decode(refused.stderr), /row 2: open must be positive/);
  assert.equal((await readBack(t.path, "RELIANCE.NS")).meta?.rows, 6799, "the earlier import is untouched");
});

Deno.test("the import task started by a test cannot read a file outside the repository", async () => {
  await using t = await tempKv();
  // The deno binary is a file every machine running this has, and it lies outside the repository.
  assert.ok(!Deno.execPath().startsWith(REPO_DIR), "this check needs a deno binary outside the repository");
  const outside = await runImportTask(t.dir, t.path, Deno.execPath());
  assert.equal(outside.code, 1);
  assert.match(new TextDecoder().decode(outside.stderr), /Requires read access to/);
  assert.deepEqual(await readBack(t.path, "RELIANCE.NS"), { meta: null, record: null });
});

/** Two small daily series as CSV text. */
const TWO = {
  ALFA: "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,200\n",
  "BETA.SZ":
    "date,open,high,low,close,volume\n2024-01-02,20,21,19,20.5,100\n2024-01-03,20.5,21,20,20.8,200\n",
};

Deno.test("runImportCli() without --symbol imports a directory, a zip or a long CSV of many symbols at once", async () => {
  const { strToU8, zipSync } = await import("fflate");
  await using t = await tempKv();
  const dir = `${t.dir}/universe`;
  await Deno.mkdir(dir);
  for (const [s, text] of Object.entries(TWO)) await Deno.writeTextFile(`${dir}/${s}.csv`, text);
  await Deno.writeTextFile(`${dir}/README.md`, "not a csv\n");
  const fromDir = await runImportCli(["--owner", "usr_cli", dir], t.path, T0);
  assert.deepEqual("symbols" in fromDir && fromDir.symbols.map((s) => [s.symbol, s.exchange, s.rows]), [
    ["ALFA", "NYSE", 2],
    ["BETA.SZ", "SZSE", 2],
  ]);
  assert.equal((await readBack(t.path, "BETA.SZ")).meta?.rows, 2);

  const zip = `${t.dir}/u.zip`;
  await Deno.writeFile(
    zip,
    zipSync({ "GAMMA.csv": strToU8(TWO.ALFA), "DELTA.csv": strToU8(TWO["BETA.SZ"]) }),
  );
  const fromZip = await runImportCli(["--owner", "usr_cli", zip], t.path, T0);
  assert.equal("count" in fromZip && fromZip.count, 2);
  assert.equal((await readBack(t.path, "GAMMA")).meta?.rows, 2);

  const long = `${t.dir}/panel.csv`;
  await Deno.writeTextFile(
    long,
    "Ticker,Date,Open,High,Low,Close,Volume\nEPS,2024-01-02,1,2,1,1.5,10\nZETA,2024-01-02,3,4,3,3.5,10\n" +
      "EPS,2024-01-03,1.5,2,1,1.8,10\nZETA,2024-01-03,3.5,4,3,3.8,10\n",
  );
  const fromLong = await runImportCli(["--owner", "usr_cli", long], t.path, T0);
  assert.deepEqual("symbols" in fromLong && fromLong.symbols.map((s) => s.symbol), ["EPS", "ZETA"]);
  assert.equal((await readBack(t.path, "ZETA")).record?.end, "2024-01-03");

  await Deno.writeTextFile(`${dir}/BAD.csv`, "date,open,high,low,close\n2024-01-02,10,9,9,10\n");
  const e = await runImportCli(["--owner", "usr_cli", dir], t.path, T0).catch((e) => e);
  assert.ok(e instanceof ValidationError);
  assert.deepEqual(e.issues?.map((i) => i.loc), [["file", "BAD.csv", "row", 2]]);
  assert.deepEqual(await readBack(t.path, "BAD"), { meta: null, record: null });
});
