/**
 * The layering rules of ARCHITECTURE.md as pure functions: each takes the scanned source files and returns one
 * readable line per violation. `tests/architecture_test.ts` runs each on the repository (expecting none)
 * and on a planted violation (expecting it to be caught).
 */
import { resolveRelative, type SourceFile } from "./source_scan.ts";

const layerOf = (path: string) => path.split("/")[0];
const inStore = (path: string) => path.startsWith("domain/store/");
/** The production layers the rules police (tests, benchmarks and scripts may seed KV and time things). */
const PRODUCTION = new Set(["domain", "routes", "jobs", "app", "mcp"]);
const isProduction = (f: SourceFile) => PRODUCTION.has(layerOf(f.path)) && f.path.includes("/");

/** A router file: `routes/<area>_routes.ts`. `routes/app.ts` mounts them all and is not a router. */
const isRouter = (path: string) => /^routes\/[a-z0-9_]+_routes\.ts$/.test(path);

/**
 * No router imports another router (shared request schemas live in `routes/schemas/`, rules in `domain/`). Only
 * `routes/app.ts`, which mounts them, may import a router: any other file of `routes/` that does (a schema
 * module re-exporting a router's value, say) would let one router reach another through it.
 */
export function routerImportsRouter(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    if (layerOf(f.path) !== "routes" || f.path === "routes/app.ts") continue;
    for (const imp of f.imports) {
      const target = resolveRelative(f.path, imp.specifier);
      if (target !== null && isRouter(target)) hits.push(`${f.path} imports the router ${target}`);
    }
  }
  return hits;
}

/**
 * Arrows point down from the house: nothing in `domain/`, `routes/`, `jobs/` or `mcp/` imports `app/` or an entry point
 * (`main.ts`, `worker.ts`); the house takes from them, never the other way round.
 */
export function importsTheHouse(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    if (!["domain", "routes", "jobs", "mcp"].includes(layerOf(f.path))) continue;
    for (const imp of f.imports) {
      const target = resolveRelative(f.path, imp.specifier);
      if (target !== null && (layerOf(target) === "app" || target === "main.ts" || target === "worker.ts")) {
        hits.push(`${f.path} imports ${target}`);
      }
    }
  }
  return hits;
}

/** `routes/` imports nothing from `domain/store/` except types: repositories are reached through operations. */
export function routesImportStore(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    if (layerOf(f.path) !== "routes") continue;
    for (const imp of f.imports) {
      const target = resolveRelative(f.path, imp.specifier);
      if (target !== null && inStore(target) && !imp.typeOnly) {
        hits.push(`${f.path} imports values from ${target}`);
      }
    }
  }
  return hits;
}

/** The node of a domain file in the area graph: its folder (`domain/market`), or the file itself at the top. */
function areaOf(path: string): string | null {
  const parts = path.split("/");
  if (parts[0] !== "domain") return null;
  return parts.length > 2 ? `domain/${parts[1]}` : path;
}

/**
 * Import cycles between areas of `domain/` (folders; top-level files are their own nodes). `domain/store/` is
 * the layer below every area and is checked by `storeImportsAreaValues` instead, so it is not a node here.
 * Returns one line per strongly connected group of two or more areas.
 */
export function areaCycles(files: SourceFile[]): string[] {
  const edges = new Map<string, Set<string>>();
  for (const f of files) {
    const from = areaOf(f.path);
    if (from === null || from === "domain/store") continue;
    for (const imp of f.imports) {
      const target = resolveRelative(f.path, imp.specifier);
      const to = target === null ? null : areaOf(target);
      if (to === null || to === from || to === "domain/store") continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), groups: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.map((g) => `cycle between ${g.join(", ")}`);
}

/** `domain/store/` takes from the areas only the types its records embed, never their code. */
export function storeImportsAreaValues(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    if (!inStore(f.path)) continue;
    for (const imp of f.imports) {
      const target = resolveRelative(f.path, imp.specifier);
      const area = target === null ? null : areaOf(target);
      if (
        area !== null && area !== "domain/store" && area.includes("/") && !area.endsWith(".ts") &&
        !imp.typeOnly
      ) {
        hits.push(`${f.path} imports values from ${target}`);
      }
    }
  }
  return hits;
}

/** The methods of `Deno.Kv`. */
const KV_METHOD = "(?:getMany|get|set|delete|list|atomic|watch|enqueue|listenQueue|commitVersionstamp)";
const KV_CALL = new RegExp(
  // kv.get(  deps.kv?.list(  this.kv!.atomic(  myKv.watch(  kv.list<T>(
  String.raw`\b\w*(?:kv|Kv|KV)\s*(?:\?\.|!\s*\.|\.)\s*${KV_METHOD}\s*(?:<[^>()]*>)?\s*\(` +
    // kv["get"](
    String.raw`|\b\w*(?:kv|Kv|KV)\s*(?:\?\.)?\[\s*["'\`]${KV_METHOD}["'\`]\s*\]` +
    // const { get, atomic } = kv
    String.raw`|\{[^{}]*\b${KV_METHOD}\b[^{}]*\}\s*=\s*[\w.]*(?:kv|Kv|KV)\b` +
    // Deno.openKv(, and the KV handle's own types: a module holding one can call it under any name
    String.raw`|\bDeno\s*\.\s*(?:openKv|Kv|AtomicOperation)\b`,
);

/**
 * Only `domain/store/` calls KV (`kv.get`, `kv.atomic`, `kv.listenQueue`, `Deno.openKv`, …). Outside it (and
 * outside the house, which hands the handle to the repositories) no production module names `Deno.Kv` either.
 */
export function kvOutsideStore(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    if (!isProduction(f) || inStore(f.path)) continue;
    const code = layerOf(f.path) === "app" ? f.code.replace(/\bDeno\s*\.\s*Kv\b/g, "") : f.code;
    if (KV_CALL.test(code)) hits.push(`${f.path} calls KV`);
  }
  return hits;
}

const WALL_CLOCK = new RegExp(
  [
    // performance.now(), performance["now"](), const { now } = performance, performance?.now() (a module
    // specifier such as "./performance.ts" is not a use)
    String.raw`(?<!\/)\bperformance\s*(?:\?\.|\.|\[)`,
    String.raw`=\s*performance\b`,
    // timers, called or passed around (globalThis.setTimeout included)
    String.raw`\b(?:setTimeout|setInterval|clearTimeout|clearInterval)\b`,
    String.raw`\bAbortSignal\s*\.\s*timeout\b`,
    // Date.now (called or not), new Date() and new Date without parentheses
    String.raw`\bDate\s*(?:\.\s*now\b|\[\s*["'\`]now)`,
    String.raw`\bnew\s+Date\s*(?:\(\s*\)|(?!\s*\())`,
    String.raw`\bTemporal\s*\.\s*Now\b`,
  ].join("|"),
);

/** `domain/` reads and waits on time only through `domain/clock.ts` (a `Clock`, `sleep`, `stopwatch`). */
export function wallClockInDomain(files: SourceFile[]): string[] {
  return files
    .filter((f) => layerOf(f.path) === "domain" && f.path !== "domain/clock.ts" && WALL_CLOCK.test(f.code))
    .map((f) => `${f.path} reads or waits on the wall clock`);
}

/** Repositories are built in one place, the house (`app/`): no `create…Repo(` call in domain, routes or jobs. */
export function repositoriesBuiltOutsideHouse(files: SourceFile[]): string[] {
  return files
    .filter((f) => isProduction(f) && layerOf(f.path) !== "app" && !inStore(f.path))
    // Named at all (an aliased import or a reference passed on counts), or a repository class constructed.
    .filter((f) => /\bcreate[A-Z]\w*Repo\b|\bnew\s+[A-Z]\w*Repo\s*\(/.test(f.code))
    .map((f) => `${f.path} builds a repository`);
}

/**
 * `domain/` speaks in its own terms: no HTTP paths or API URLs in it, and error locations relative to the
 * operation's input (no `body`/`query`/`path` prefix, which each adapter adds).
 */
export function httpInDomain(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    if (layerOf(f.path) !== "domain") continue;
    if (/["'`][^"'`\n]*\/api\/v1\b/.test(f.code)) hits.push(`${f.path} names an API path`);
    if (/\[\s*["'`](?:body|query|path)["'`]\s*[,\]]/.test(f.code)) {
      hits.push(`${f.path} prefixes an error location`);
    }
  }
  return hits;
}

/**
 * No dead exports in the production layers: every exported function, constant or class of `app/`, `domain/`,
 * `routes/`, `jobs/`, `mcp/` or `witness/` is named by at least one other file (a module, a test, a benchmark or a script). One used
 * only inside its own file is not exported. Exported types are left alone (they may describe a signature).
 */
export function deadExports(files: SourceFile[]): string[] {
  const namesIn = files.map((f) => new Set(f.code.match(/[A-Za-z_$][\w$]*/g) ?? []));
  const hits: string[] = [];
  files.forEach((f, i) => {
    if (!isProduction(f) && layerOf(f.path) !== "witness") return;
    const declared = /^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/gm;
    for (const m of f.code.matchAll(declared)) {
      if (!namesIn.some((names, j) => j !== i && names.has(m[1]))) {
        hits.push(`${f.path} exports ${m[1]} unused`);
      }
    }
  });
  return hits;
}

/**
 * The verifier (`verifier/`) is a second implementation third parties can read and run anywhere: it imports only
 * its own files and `node:` built-ins (no `domain/`, `routes/`, `app/`, `scripts/`, no npm, JSR or URL module)
 * and uses Web APIs, not `Deno.*`.
 */
export function verifierImportsOutside(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    if (!f.path.startsWith("verifier/")) continue;
    for (const imp of f.imports) {
      const target = resolveRelative(f.path, imp.specifier);
      const ok = imp.specifier.startsWith("node:") || (target !== null && target.startsWith("verifier/"));
      if (!ok) hits.push(`${f.path} imports ${imp.specifier}`);
    }
    if (/\bDeno\s*[.[]/.test(f.code)) hits.push(`${f.path} uses Deno.*`);
  }
  return hits;
}

/** The witness's Hono front end: the one file of `witness/` that may import Hono. */
const WITNESS_HTTP = "witness/witness_http.ts";
/** The witness's repository: the one file of `witness/` that calls KV. */
const WITNESS_STORE = "witness/witness_store.ts";
const HONO = /^(npm:\/?)?(hono(\/|@|$)|@hono\/)/;
const WITNESS_WALL_CLOCK =
  /\bDate\s*(?:\.\s*now\b|\[\s*["'`]now)|\bnew\s+Date\s*(?:\(\s*\)|(?!\s*\())|\bTemporal\s*\.\s*Now\b|(?<!\/)\bperformance\s*(?:\?\.|\.|\[)/;

/**
 * The witness (`witness/`) is a program of its own beside the server: its core knows no Hono (only
 * `witness_http.ts` does), calls KV only in `witness_store.ts`, reads the time only through its injected `Clock`,
 * and takes from the server's code only the domain (never `routes/`, `jobs/`, `mcp/`, `app/`, `scripts/`, an
 * entry point, or the server's `domain/store/`); and nothing the server runs (`domain/`, `routes/`, `jobs/`,
 * `mcp/`, `app/`) imports it.
 */
export function witnessBoundaries(files: SourceFile[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    const layer = layerOf(f.path);
    for (const imp of f.imports) {
      const target = resolveRelative(f.path, imp.specifier);
      if (PRODUCTION.has(layer) && target !== null && layerOf(target) === "witness") {
        hits.push(`${f.path} imports the witness (${target})`);
      }
      if (layer !== "witness") continue;
      if (HONO.test(imp.specifier) && f.path !== WITNESS_HTTP) {
        hits.push(`${f.path} imports ${imp.specifier}`);
      }
      if (
        target !== null &&
        (["routes", "jobs", "mcp", "app", "scripts", "main.ts", "worker.ts"].includes(layerOf(target)) ||
          inStore(target))
      ) {
        hits.push(`${f.path} imports ${target}`);
      }
    }
    if (layer !== "witness") continue;
    if (f.path !== WITNESS_STORE && KV_CALL.test(f.code)) hits.push(`${f.path} calls KV`);
    if (WITNESS_WALL_CLOCK.test(f.code)) hits.push(`${f.path} reads the wall clock`);
  }
  return hits;
}
