/**
 * Tests, benchmarks and scripts read only what a fresh clone has: every fixture lives in `tests/fixtures/`.
 * This scan fails on a path given to `new URL(…)`, a `Deno` file call or an import in tests/, benchmarks/ or
 * scripts/ that climbs above the repository root (resolved from the file's own folder, as
 * `new URL(path, import.meta.url)` does) or names an absolute file, and on any mention of a workspace path or
 * of the old sibling data folder. Strings that are only data (a traversal payload sent to the API, say) are
 * not paths and pass. The test and bench tasks back this up at run time by allowing reads of the repository
 * only.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SCANNED = ["tests", "benchmarks", "scripts"];
const SKIP_DIRS = new Set(["fixtures", "node_modules", ".tmp"]);
const SOURCE = /\.(ts|tsx|js|mjs|json)$/;
/** This file spells the forbidden things in its own strings, so it does not scan itself. */
const SELF = "tests/outside_paths_test.ts";

/** Deno calls whose first argument is a file path. */
const FILE_CALLS = "readTextFile|readFile|open|stat|lstat|readDir|realPath|readLink|copyFile|openKv|watchFs";
/**
 * A string literal that names a file or module: the first argument of `new URL(`, `Deno.<file call>(`,
 * `import(` or `import.meta.resolve(`, or the specifier of an import. Group 1 is the call (empty for an
 * import specifier), group 2 the literal's text up to its closing quote or first `${`.
 */
const PATH_LITERAL = new RegExp(
  `(?:\\b(new\\s+URL|Deno\\s*\\.\\s*(?:${FILE_CALLS})(?:Sync)?|import\\.meta\\.resolve|import)\\s*\\(\\s*` +
    `|\\bfrom\\s*|\\bimport\\s+)["'\`]([^"'\`$\\n]*)`,
  "g",
);
/** Workspace paths and the sibling folder the fixtures used to be read from, anywhere in a line. */
const NAMED_OUTSIDE = new RegExp(
  [
    ["", "work", ""].join("/"),
    ["\\.\\.", "shared", ""].join("/"),
    ["shared", "(data|reference)", ""].join("/"),
  ]
    .join("|"),
);

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

/** Whether `path`, given to `call` (empty for an import) on `line` of a file in `dir`, leaves the repository. */
function leaves(dir: string, call: string, path: string, line: string): boolean {
  if (path.startsWith("./") || path.startsWith("../")) return climbsAboveRoot(dir, path);
  if (/^file:/i.test(path) || /^[A-Za-z]:[\\/]/.test(path)) return true;
  if (!path.startsWith("/") || path.startsWith("//")) return false;
  // An absolute path: a file for Deno calls and imports; for `new URL` only when resolved against a file URL.
  return !call.startsWith("new") || line.includes("import.meta.url");
}

/** The offending lines of one file's `text`, as `path:line: text`. */
export function outsidePathsIn(path: string, text: string): string[] {
  const dir = path.split("/").slice(0, -1).join("/");
  const hits: string[] = [];
  text.split("\n").forEach((line, i) => {
    const named = [...line.matchAll(PATH_LITERAL)].some((m) => leaves(dir, m[1] ?? "", m[2], line));
    if (named || NAMED_OUTSIDE.test(line)) hits.push(`${path}:${i + 1}: ${line.trim()}`);
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
    ["scripts/x.ts", "const p = new URL(`../../${name}`, import.meta.url);"],
    ["tests/x_test.ts", `Deno.readTextFileSync("./a/../../../b.csv")`],
    ["tests/x_test.ts", `await Deno.readFile("/etc/os-release")`],
    ["tests/x_test.ts", `const kv = await Deno.openKv("C:\\\\data\\\\kv.sqlite");`],
    ["tests/x_test.ts", `new URL("/etc/hosts", import.meta.url)`],
    ["tests/x_test.ts", `new URL("file:///etc/hosts")`],
    ["tests/x_test.ts", `import data from "../../other/data.json" with { type: "json" };`],
    ["tests/x_test.ts", `const m = await import("../../other/mod.ts");`],
    ["tests/x_test.ts", `import "../../other/setup.ts";`],
    ["tests/x_test.ts", `const p = "${["", "work", "data", "a.csv"].join("/")}";`],
    ["tests/x_test.ts", `// copied from ${sibling.slice(3)}`],
  ];
  const passed: [string, string][] = [
    ["tests/domain/x_test.ts", `new URL("../../fixtures/market/cn/600519.SH.csv", import.meta.url)`],
    ["tests/x_test.ts", `const ROOT = new URL("../", import.meta.url);`],
    ["benchmarks/x_bench.ts", `const DATA = new URL("../tests/fixtures/market/", import.meta.url);`],
    ["tests/routes/x_test.ts", `import { createApp } from "../../routes/app.ts";`],
    ["tests/x_test.ts", `await w.request("GET", "/api/v1/data/bars/600519.SH");`],
    ["tests/x_test.ts", `const url = new URL("/v8/finance/chart/X", rec.baseUrl);`],
    ["tests/x_test.ts", `parseConfig({ KV_PATH: "/tmp/x.sqlite" })`],
    ["tests/x_test.ts", `const payload = { file: "../../../../etc/passwd", url: "file:///etc/passwd" };`],
    ["tests/x_test.ts", `const url = new URL("https://example.com/a");`],
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
