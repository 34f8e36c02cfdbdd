/**
 * Keeps the layering of ARCHITECTURE.md true by scanning source files: arrows point down only
 * (`routes → domain`, `jobs → domain`), the domain knows nothing of Hono or the environment, and every
 * dependency comes from npm.
 */
import assert from "node:assert/strict";
import {
  areaCycles,
  deadExports,
  httpInDomain,
  importsTheHouse,
  kvOutsideStore,
  repositoriesBuiltOutsideHouse,
  routerImportsRouter,
  routesImportStore,
  storeImportsAreaValues,
  verifierImportsOutside,
  wallClockInDomain,
  witnessBoundaries,
} from "./_helpers/architecture_rules.ts";
import { repositorySources, type SourceFile as ScannedFile, sourceFile } from "./_helpers/source_scan.ts";

const ROOT = new URL("../", import.meta.url);
const SKIP_DIRS = new Set([".git", "node_modules", "data", ".ci", "coverage", ".tmp"]);
const SOURCE = /\.(ts|tsx|js|mjs)$/;
/** This file names the forbidden things in its own strings, so it does not scan itself. */
const SELF = "tests/architecture_test.ts";

interface SourceFile {
  /** Repo-relative path with forward slashes, e.g. `domain/store/kv.ts`. */
  path: string;
  /** The text with comments removed. */
  code: string;
  /** Every module specifier the file imports or re-exports. */
  specifiers: string[];
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

function specifiersOf(code: string): string[] {
  const out: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

async function walk(dir: URL, rel: string, out: SourceFile[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      if (!SKIP_DIRS.has(entry.name)) await walk(new URL(`${entry.name}/`, dir), `${rel}${entry.name}/`, out);
    } else if (entry.isFile && SOURCE.test(entry.name) && `${rel}${entry.name}` !== SELF) {
      const code = stripComments(await Deno.readTextFile(new URL(entry.name, dir)));
      out.push({ path: `${rel}${entry.name}`, code, specifiers: specifiersOf(code) });
    }
  }
}

let cache: SourceFile[] | undefined;
async function sources(): Promise<SourceFile[]> {
  if (!cache) {
    cache = [];
    await walk(ROOT, "", cache);
  }
  return cache;
}

/** Resolves a relative specifier against the importing file; `null` for bare and URL specifiers. */
function resolveRelative(from: string, spec: string): string | null {
  if (!spec.startsWith("./") && !spec.startsWith("../")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const piece of spec.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== ".") parts.push(piece);
  }
  return parts.join("/");
}

const layerOf = (path: string) => path.split("/")[0];

/** Files of `layer` whose imports resolve into one of `forbidden` layers, as readable lines. */
async function crossings(layer: string, forbidden: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of await sources()) {
    if (layerOf(file.path) !== layer) continue;
    for (const spec of file.specifiers) {
      const target = resolveRelative(file.path, spec);
      if (target !== null && (forbidden.includes(layerOf(target)) || forbidden.includes(target))) {
        out.push(`${file.path} imports ${spec}`);
      }
    }
  }
  return out;
}

Deno.test("the scan sees the source tree", async () => {
  const paths = (await sources()).map((f) => f.path);
  for (const expected of ["main.ts", "routes/app.ts", "domain/store/kv.ts", "jobs/queue.ts"]) {
    assert.ok(paths.includes(expected), `${expected} not found by the scan`);
  }
  const app = (await sources()).find((f) => f.path === "routes/app.ts")!;
  assert.ok(app.specifiers.includes("@hono/zod-openapi"), "import parsing found nothing in routes/app.ts");
});

Deno.test("domain/ never imports hono or @hono/*", async () => {
  const hits: string[] = [];
  for (const file of await sources()) {
    if (layerOf(file.path) !== "domain") continue;
    for (const spec of file.specifiers) {
      if (/^(npm:\/?)?(hono(\/|@|$)|@hono\/)/.test(spec)) hits.push(`${file.path} imports ${spec}`);
    }
  }
  assert.deepEqual(hits, []);
});

Deno.test("domain/ never imports routes/, jobs/, mcp/ or main.ts", async () => {
  assert.deepEqual(await crossings("domain", ["routes", "jobs", "mcp", "main.ts"]), []);
});

Deno.test("jobs/ never imports routes/, mcp/ or main.ts", async () => {
  assert.deepEqual(await crossings("jobs", ["routes", "mcp", "main.ts"]), []);
});

Deno.test("mcp/ never imports jobs/ or main.ts, and from routes/ only the shared schemas and the error mapping", async () => {
  assert.deepEqual(await crossings("mcp", ["jobs", "main.ts"]), []);
  const hits: string[] = [];
  for (const f of await sources()) {
    if (layerOf(f.path) !== "mcp") continue;
    for (const spec of f.specifiers) {
      const target = resolveRelative(f.path, spec);
      if (
        target?.startsWith("routes/") && !target.startsWith("routes/schemas/") &&
        target !== "routes/errors.ts"
      ) {
        hits.push(`${f.path} imports ${target}`);
      }
    }
  }
  assert.deepEqual(hits, []);
});

Deno.test("routes/ never imports jobs/ or main.ts", async () => {
  assert.deepEqual(await crossings("routes", ["jobs", "main.ts"]), []);
});

Deno.test("only the entry points main.ts and worker.ts (and scripts/) read Deno.env", async () => {
  const hits = (await sources())
    .filter((f) =>
      f.path !== "main.ts" && f.path !== "worker.ts" && !f.path.startsWith("scripts/") &&
      /\bDeno\s*\.\s*env\b/.test(f.code)
    )
    .map((f) => f.path);
  assert.deepEqual(hits, []);
});

Deno.test("domain/ reads time only through a Clock (no Date.now() outside domain/clock.ts)", async () => {
  const hits = (await sources())
    .filter((f) => layerOf(f.path) === "domain" && f.path !== "domain/clock.ts")
    .filter((f) => /\bDate\.now\s*\(|\bnew Date\(\s*\)/.test(f.code))
    .map((f) => f.path);
  assert.deepEqual(hits, []);
});

Deno.test("routes/ never touch KV directly (repositories in domain/store do)", async () => {
  const hits = (await sources())
    .filter((f) => layerOf(f.path) === "routes")
    .filter((f) => /\bDeno\.openKv\b|\.atomic\(\)|\.listenQueue\(|\.getMany\(/.test(f.code))
    .map((f) => f.path);
  assert.deepEqual(hits, []);
});

/** The JSR scheme, spelled so that this file does not itself contain it (the before-stop hook greps for it). */
const JSR_SCHEME = ["js", "r:"].join("");

Deno.test("no JSR or deno.land specifiers anywhere; bare imports map to npm:", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    imports?: Record<string, string>;
  };
  const imports = config.imports ?? {};
  const hits: string[] = [];
  for (const [key, target] of Object.entries(imports)) {
    if (!target.startsWith("npm:")) hits.push(`deno.json maps ${key} to ${target}`);
  }
  const lock = await Deno.readTextFile(new URL("deno.lock", ROOT)).catch(() => "{}");
  if (lock.includes(`"${JSR_SCHEME}`) || /"jsr"\s*:/.test(lock)) hits.push("deno.lock resolves JSR packages");
  const mapped = (spec: string) =>
    Object.keys(imports).some((key) => spec === key || spec.startsWith(key.endsWith("/") ? key : `${key}/`));
  for (const file of await sources()) {
    const quoted = ['"', "'", "`"].some((q) => file.code.includes(q + JSR_SCHEME));
    if (quoted || /["'`]https?:\/\/deno\.land\//.test(file.code)) {
      hits.push(`${file.path} mentions a JSR or deno.land specifier`);
    }
    // Browser modules under web/ import what this app serves, by its absolute path.
    const browserModule = file.path.startsWith("web/");
    for (const spec of file.specifiers) {
      const ok = spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("npm:") ||
        spec.startsWith("node:") || mapped(spec) || (browserModule && spec.startsWith("/app/assets/"));
      if (!ok) hits.push(`${file.path} imports ${spec}`);
    }
  }
  assert.deepEqual(hits, []);
});

// ---- The rules of ARCHITECTURE.md, each run on the repository and on a planted violation ----

const RULES: {
  name: string;
  rule: (files: ScannedFile[]) => string[];
  /** Files that break the rule; each must be reported (a cycle is one report for its two files). */
  planted: ScannedFile[];
  caught?: number;
}[] = [
  {
    name: "no router imports another router",
    rule: routerImportsRouter,
    planted: [sourceFile("routes/a_routes.ts", 'import { x } from "./b_routes.ts";')],
  },
  {
    name: "nothing below the house imports app/, main.ts or worker.ts",
    rule: importsTheHouse,
    planted: [
      sourceFile("domain/x.ts", 'import type { Services } from "../app/services.ts";'),
      sourceFile("jobs/x.ts", 'import { startWorker } from "../app/house.ts";'),
      sourceFile("routes/x_routes.ts", 'import "../worker.ts";'),
    ],
  },
  {
    name: "routes/ imports only types from domain/store/",
    rule: routesImportStore,
    planted: [
      sourceFile("routes/x_routes.ts", 'import { createUserRepo } from "../domain/store/user_repo.ts";'),
    ],
  },
  {
    name: "no import cycle between areas of domain/",
    rule: areaCycles,
    planted: [
      sourceFile("domain/alpha/a.ts", 'import type { B } from "../beta/b.ts";'),
      sourceFile("domain/beta/b.ts", 'import { a } from "../alpha/a.ts";'),
    ],
    caught: 1,
  },
  {
    name: "domain/store/ takes only types from the areas",
    rule: storeImportsAreaValues,
    planted: [sourceFile("domain/store/x_repo.ts", 'import { run } from "../backtest/engine.ts";')],
  },
  {
    name: "only domain/store/ calls KV",
    rule: kvOutsideStore,
    planted: [sourceFile("jobs/x.ts", "export const f = (kv: Deno.Kv) => kv.list<number>({ prefix: [] });")],
  },
  {
    name: "domain/ touches the wall clock only in domain/clock.ts",
    rule: wallClockInDomain,
    planted: [sourceFile("domain/backtest/x.ts", "export const t = () => performance.now();")],
  },
  {
    name: "repositories are built only by the house (app/)",
    rule: repositoriesBuiltOutsideHouse,
    planted: [sourceFile("domain/attestation/x.ts", "export const r = (kv: Deno.Kv) => createLogRepo(kv);")],
  },
  {
    name: "domain/ names no HTTP path and no adapter prefix in error locations",
    rule: httpInDomain,
    planted: [
      sourceFile("domain/a/x.ts", 'throw new ValidationError("bad", ["body", "spec"]);'),
      sourceFile("domain/a/y.ts", 'const hint = "submit it to POST /api/v1/backtests";'),
    ],
  },
  {
    name: "no dead exports in app/, domain/, routes/, jobs/, mcp/",
    rule: deadExports,
    planted: [
      sourceFile("domain/a/x.ts", "export function used() {}\nexport const unused = 1;"),
      sourceFile("routes/y.ts", 'import { used } from "../domain/a/x.ts";\nused();'),
    ],
    caught: 1,
  },
  {
    name: "verifier/ imports only its own files and node: built-ins, and uses no Deno.*",
    rule: verifierImportsOutside,
    planted: [
      sourceFile("verifier/a.ts", 'import { verifyInclusion } from "../domain/attestation/merkle.ts";'),
      sourceFile("verifier/b.ts", 'import { z } from "zod";\nimport { c } from "./c.ts";'),
      sourceFile("verifier/c.ts", 'import type { V } from "../scripts/verify.ts";\nimport "node:util";'),
      sourceFile("verifier/d.ts", 'export const read = () => Deno.readTextFile("x");'),
    ],
  },
  {
    name:
      "the witness is its own program: Hono only in its HTTP file, KV only in its store, no wall clock, not imported by the server",
    rule: witnessBoundaries,
    planted: [
      sourceFile("witness/witness.ts", 'import { Hono } from "hono";'),
      sourceFile("witness/x.ts", 'import type { Context } from "@hono/zod-openapi";'),
      sourceFile("domain/x.ts", 'import { createWitness } from "../witness/witness.ts";'),
      sourceFile("routes/x_routes.ts", 'import type { Witness } from "../witness/witness.ts";'),
      sourceFile("witness/y.ts", 'import { errorResponse } from "../routes/errors.ts";'),
      sourceFile("witness/z.ts", 'import { createSettingsRepo } from "../domain/store/settings_repo.ts";'),
      sourceFile("witness/k.ts", "export const f = (kv: Deno.Kv) => kv.get(['a']);"),
      sourceFile("witness/t.ts", "export const t = () => Date.now();"),
    ],
  },
  {
    name: "no dead exports in witness/",
    rule: deadExports,
    planted: [sourceFile("witness/x.ts", "export function unusedWitnessHelper() {}")],
  },
];

for (const { name, rule, planted, caught } of RULES) {
  Deno.test(`architecture: ${name}`, async () => {
    assert.deepEqual(rule(await repositorySources()), []);
  });
  Deno.test(`architecture: ${name} — a planted violation is caught`, () => {
    assert.equal(rule(planted).length, caught ?? planted.length);
  });
}

Deno.test("architecture: type-only imports are told apart from value imports", () => {
  const f = sourceFile(
    "routes/x.ts",
    'import type { A } from "./a.ts";\nimport { type B, type C } from "./b.ts";\nimport { type D, e } from "./d.ts";',
  );
  assert.deepEqual(f.imports.map((i) => i.typeOnly), [true, true, false]);
});

// ---- Each rule also catches the usual ways around it, and leaves the innocent look-alikes alone ----

const DISGUISED: { name: string; rule: (files: ScannedFile[]) => string[]; planted: ScannedFile[] }[] = [
  {
    name: "a router reached through a schema module that re-exports it",
    rule: routerImportsRouter,
    planted: [
      sourceFile("routes/a_routes.ts", 'import { x } from "./schemas/x.ts";'),
      sourceFile("routes/schemas/x.ts", 'export { x } from "../b_routes.ts";'),
    ],
  },
  {
    name: "a repository factory re-exported by an area and imported by a router",
    rule: repositoriesBuiltOutsideHouse,
    planted: [
      sourceFile("routes/a_routes.ts", 'import { createUserRepo } from "../domain/auth/x.ts";'),
      sourceFile("domain/auth/x.ts", 'export { createUserRepo } from "../store/user_repo.ts";'),
    ],
  },
  ...[
    "kv .get(['a'])",
    "deps.kv?.list({ prefix: [] })",
    "this.kv!.atomic()",
    "myKv.watch([['a']])",
    "kv['enqueue'](m)",
    "const { atomic } = deps.kv;",
    "export const f = (db: Deno.Kv) => db.get(['a']);",
    "const op: Deno.AtomicOperation = x;",
  ].map((code) => ({ name: `KV: ${code}`, rule: kvOutsideStore, planted: [sourceFile("jobs/x.ts", code)] })),
  ...[
    "globalThis.setTimeout(f, 1)",
    "performance\n.now()",
    "performance['now']()",
    "const { now } = performance;",
    "globalThis.performance.now()",
    "const t = setTimeout; t(f, 1)",
    "const now = Date.now; now()",
    "const d = new Date;",
    "fetch(u, { signal: AbortSignal.timeout(5) })",
  ].map((code) => ({
    name: `wall clock: ${code}`,
    rule: wallClockInDomain,
    planted: [sourceFile("domain/a/x.ts", code)],
  })),
  ...[
    'import { createSignalRepo as mk } from "../store/signal_repo.ts";\nmk(kv);',
    "const make = createSignalRepo; make(kv);",
    "const r = new KvSignalRepo(kv);",
  ].map((code) => ({
    name: `repositories: ${code}`,
    rule: repositoriesBuiltOutsideHouse,
    planted: [sourceFile("domain/a/x.ts", code)],
  })),
  {
    name: "an adapter prefix in a template literal",
    rule: httpInDomain,
    planted: [sourceFile("domain/a/x.ts", "throw new ValidationError('bad', [`body`, 'spec']);")],
  },
];

for (const { name, rule, planted } of DISGUISED) {
  Deno.test(`architecture: a disguised violation is caught — ${name}`, () => {
    assert.ok(rule(planted).length >= 1, rule.name);
  });
}

Deno.test("architecture: look-alikes of violations are not flagged", () => {
  const domain = sourceFile(
    "domain/a/x.ts",
    'import { computePerformance } from "./performance.ts";\n' +
      "export const year = (ms: number) => new Date(ms).getUTCFullYear();\n" +
      "export const label = `Cannot compute performance: ${1}`;",
  );
  assert.deepEqual(wallClockInDomain([domain]), []);
  assert.deepEqual(kvOutsideStore([domain]), []);
  // The house holds the KV handle it gives the repositories, but calls nothing on it.
  const house = sourceFile("app/x.ts", "export const build = (kv: Deno.Kv) => createUserRepo(kv);");
  assert.deepEqual(kvOutsideStore([house]), []);
  assert.deepEqual(repositoriesBuiltOutsideHouse([house]), []);
  // The witness's own HTTP file, store and clock-taking core; the program and tests that start it.
  assert.deepEqual(
    witnessBoundaries([
      sourceFile("witness/witness_http.ts", 'import { Hono } from "hono";'),
      sourceFile("witness/witness_store.ts", "export const f = (kv: Deno.Kv) => kv.get(['a']);"),
      sourceFile("witness/witness.ts", "export const t = (clock: Clock) => new Date(clock.now());"),
      sourceFile("witness/a.ts", 'import { verifyConsistency } from "../domain/attestation/merkle.ts";'),
      sourceFile("scripts/witness.ts", 'import { createWitnessStore } from "../witness/witness_store.ts";'),
      sourceFile(
        "tests/witness_x_test.ts",
        'import { assembleWitness } from "../witness/assemble_witness.ts";',
      ),
    ]),
    [],
  );
  // routes/app.ts mounts the routers.
  const mount = sourceFile("routes/app.ts", 'import { authRoutes } from "./auth_routes.ts";');
  assert.deepEqual(routerImportsRouter([mount]), []);
});
