/**
 * Tests, benchmarks and scripts read only what a fresh clone has: every fixture lives in `tests/fixtures/`.
 * This scan fails on a path literal in tests/, benchmarks/ or scripts/ that climbs above the repository root
 * (resolved from the file's own folder, as `new URL(path, import.meta.url)` does), an absolute path into a
 * workspace or home folder, or a mention of the old sibling data folder. The test and bench tasks back it up
 * at run time by allowing reads of the repository only.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SCANNED = ["tests", "benchmarks", "scripts"];
const SKIP_DIRS = new Set(["fixtures", "node_modules", ".tmp"]);
const SOURCE = /\.(ts|tsx|js|mjs|json)$/;
/** This file spells the forbidden things in its own strings, so it does not scan itself. */
const SELF = "tests/outside_paths_test.ts";

/** Absolute locations no test may name (built from pieces so this file does not contain them whole). */
const ABSOLUTE = new RegExp(
  ["/work/", "/home/", "/root/", "/Users/", "/mnt/", "file:///", "[A-Za-z]:\\\\\\\\"].map((p) => `["'\`]${p}`)
    .join("|"),
);
/** The sibling folder the fixtures used to be read from. */
const SIBLING = new RegExp(["\\.\\./", "shared/"].join("") + "|" + ["shared/", "(data|reference)/"].join(""));
/** A string literal starting with `./` or `../`: group 1 is its text up to the closing quote or `${`. */
const RELATIVE = /["'`]((?:\.\.?\/)[^"'`$\s]*)/g;

/** Whether relative `path` climbs above the root when resolved from repo-relative folder `dir`. */
export function climbsAboveRoot(dir: string, path: string): boolean {
  const parts = dir === "" ? [] : dir.split("/");
  for (const piece of path.split("/")) {
    if (piece === "..") {
      if (parts.length === 0) return true;
      parts.pop();
    } else if (piece !== "." && piece !== "") parts.push(piece);
  }
  return false;
}

/** The offending lines of one file's `text`, as `path:line: text`. */
export function outsidePathsIn(path: string, text: string): string[] {
  const dir = path.split("/").slice(0, -1).join("/");
  const hits: string[] = [];
  text.split("\n").forEach((line, i) => {
    const climbs = [...line.matchAll(RELATIVE)].some((m) => climbsAboveRoot(dir, m[1]));
    if (climbs || ABSOLUTE.test(line) || SIBLING.test(line)) hits.push(`${path}:${i + 1}: ${line.trim()}`);
  });
  return hits;
}

async function walk(dir: URL, rel: string, out: { path: string; text: string }[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      if (!SKIP_DIRS.has(entry.name)) await walk(new URL(`${entry.name}/`, dir), `${rel}${entry.name}/`, out);
    } else if (entry.isFile && SOURCE.test(entry.name) && `${rel}${entry.name}` !== SELF) {
      out.push({ path: `${rel}${entry.name}`, text: await Deno.readTextFile(new URL(entry.name, dir)) });
    }
  }
}

async function scannedFiles(): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const top of SCANNED) await walk(new URL(`${top}/`, ROOT), `${top}/`, out);
  return out;
}

Deno.test("the path scan sees tests, benchmarks and scripts", async () => {
  const paths = (await scannedFiles()).map((f) => f.path);
  for (
    const expected of [
      "tests/architecture_test.ts",
      "benchmarks/csv_import_bench.ts",
      "scripts/import_csv.ts",
    ]
  ) {
    assert.ok(paths.includes(expected), `${expected} not found by the scan`);
  }
});

Deno.test("the path scan flags literals that leave the repository and passes those that stay", async (t) => {
  const sibling = ["..", "shared", "data", "cn", "600519.SH.csv"].join("/");
  const flagged: [string, string][] = [
    ["tests/domain/x_test.ts", `new URL("../../../${sibling}", import.meta.url)`],
    ["tests/x_test.ts", `Deno.readTextFile(new URL("../../elsewhere/a.csv", import.meta.url))`],
    ["benchmarks/x_bench.ts", `const DATA = new URL("../../data/", import.meta.url);`],
    ["scripts/x.ts", "const p = `../../${name}`;"],
    ["tests/x_test.ts", `const p = "./a/../../../b";`],
    ["tests/x_test.ts", `Deno.readTextFile("${["", "work", "data", "a.csv"].join("/")}")`],
    ["tests/x_test.ts", `Deno.readTextFile("${["", "home", "me", "a.csv"].join("/")}")`],
    ["tests/x_test.ts", `// copied from ${sibling.slice(3)}`],
  ];
  const passed: [string, string][] = [
    ["tests/domain/x_test.ts", `new URL("../../fixtures/market/cn/600519.SH.csv", import.meta.url)`],
    ["tests/x_test.ts", `const ROOT = new URL("../", import.meta.url);`],
    ["benchmarks/x_bench.ts", `const DATA = new URL("../tests/fixtures/market/", import.meta.url);`],
    ["tests/routes/x_test.ts", `import { createApp } from "../../routes/app.ts";`],
    ["tests/x_test.ts", `await w.request("GET", "/api/v1/data/bars/600519.SH");`],
    ["tests/x_test.ts", `parseConfig({ KV_PATH: "/tmp/x.sqlite" })`],
  ];
  for (const [path, line] of flagged) {
    await t.step(`flags ${line}`, () => assert.equal(outsidePathsIn(path, line).length, 1));
  }
  for (const [path, line] of passed) {
    await t.step(`passes ${line}`, () => assert.deepEqual(outsidePathsIn(path, line), []));
  }
});

Deno.test("no test, benchmark or script names a path outside the repository", async () => {
  const hits = (await scannedFiles()).flatMap((f) => outsidePathsIn(f.path, f.text));
  assert.deepEqual(hits, [], "keep every file a test or benchmark reads in tests/fixtures/ (see SOURCES.md)");
});

Deno.test("every fixture a test reads is in the repository, with its origin in tests/fixtures/SOURCES.md", async () => {
  const sources = await Deno.readTextFile(new URL("tests/fixtures/SOURCES.md", ROOT));
  const missing: string[] = [];
  async function check(dir: URL, rel: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await check(new URL(`${entry.name}/`, dir), `${rel}${entry.name}/`);
      else if (entry.name !== "SOURCES.md" && !sources.includes(`${rel}${entry.name}`)) {
        missing.push(`${rel}${entry.name}`);
      }
    }
  }
  await check(new URL("tests/fixtures/", ROOT), "");
  assert.deepEqual(missing, [], "describe each fixture file in tests/fixtures/SOURCES.md");
});

Deno.test("the real-data fixtures are byte-for-byte the files whose SHA-256 SOURCES.md lists", async () => {
  const sources = await Deno.readTextFile(new URL("tests/fixtures/SOURCES.md", ROOT));
  const listed = [...sources.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)].map((m) => [m[2], m[1]]);
  assert.ok(listed.length >= 8, "SOURCES.md lists the SHA-256 of each real-data file");
  for (const [path, sha] of listed) {
    const bytes = await Deno.readFile(new URL(`tests/fixtures/${path}`, ROOT));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assert.equal(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""), sha, path);
  }
});
