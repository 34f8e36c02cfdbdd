import assert from "node:assert/strict";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import { createBarRepo } from "../../domain/store/bar_repo.ts";
import { createUserRepo } from "../../domain/store/user_repo.ts";
import { runImportCli } from "../../scripts/import_csv.ts";

const FILE = new URL("../../../shared/data/in/RELIANCE.NS.csv", import.meta.url).pathname;

Deno.test("runImportCli() imports a file for a user named by email into a file KV", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite`;
  try {
    const kv = await Deno.openKv(path);
    await createUserRepo(kv).create(newUserRecord({ id: "usr_cli", email: "cli@example.com" }, 0));
    kv.close();
    const summary = await runImportCli(
      ["--symbol", "reliance.ns", "--owner", "cli@example.com", FILE],
      path,
      1,
    );
    assert.deepEqual([summary.symbol, summary.exchange, summary.rows, summary.start, summary.end], [
      "RELIANCE.NS",
      "NSE",
      6799,
      "1996-01-01",
      "2023-01-12",
    ]);
    const again = await Deno.openKv(path);
    const meta = await createBarRepo(again).getMeta({ source: "csv", owner: "usr_cli" }, "RELIANCE.NS");
    again.close();
    assert.equal(meta?.rows, 6799);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runImportCli() refuses missing arguments and unknown users", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(() => runImportCli(["--symbol", "X", FILE], `${dir}/kv.sqlite`), /usage/);
    await assert.rejects(
      () => runImportCli(["--symbol", "X", "--owner", "nobody@example.com", FILE], `${dir}/kv.sqlite`),
      /no user/,
    );
    await assert.rejects(
      () => runImportCli(["--symbol", "X", "--exchange", "LSE", "--owner", "a", FILE], `${dir}/kv.sqlite`),
      /unknown exchange/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
