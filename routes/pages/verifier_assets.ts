/**
 * The independent verifier (`verifier/*.ts`, Web APIs only) served to browsers as JavaScript modules at
 * `/app/assets/verifier/<name>.js`, for "Verify in your browser": the page runs the very code `deno task verify`
 * runs, with no build step for anyone. Each file is transpiled on its first request by the TypeScript compiler's
 * `transpileModule` (the `typescript` npm package, loaded with a dynamic import on that first request so the
 * server does not pay for it at start): types are erased, nothing else changes, and the relative `./x.ts` imports
 * become `./x.js` (`rewriteRelativeImportExtensions`), which are served here too. The output is kept in memory
 * with a strong ETag (SHA-256 of the bytes) and the cache headers of `static_assets.ts`.
 * Only the `.ts` files directly in `verifier/` are served, by their plain names (`[a-z0-9_]+.js`); any other name,
 * path or encoding trick answers 404.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { hashOf, matchesEtag } from "./etag.ts";
import { ASSET_PREFIX } from "./static_assets.ts";

/** Where the verifier's modules are served. */
export const VERIFIER_PREFIX = `${ASSET_PREFIX}/verifier`;

const VERIFIER_ROOT = new URL("../../verifier/", import.meta.url);
/** A served name: a plain lower-case module name (no dots, slashes or escapes). */
const NAME = /^[a-z0-9_]{1,64}\.js$/;
/** The largest number of verifier files served (a bound on a misconfigured tree). */
const MAX_FILES = 100;

/** One transpiled module. */
interface Module {
  body: Uint8Array;
  hash: string;
}

let names: Promise<Set<string>> | null = null;
const modules = new Map<string, Promise<Module>>();

/** The module names in `verifier/` (`x.ts` → `x`), read once. */
function verifierNames(): Promise<Set<string>> {
  names ??= (async () => {
    const found = new Set<string>();
    for await (const entry of Deno.readDir(VERIFIER_ROOT)) {
      if (found.size >= MAX_FILES) break;
      if (entry.isFile && /^[a-z0-9_]+\.ts$/.test(entry.name)) found.add(entry.name.slice(0, -3));
    }
    return found;
  })();
  names.catch(() => (names = null));
  return names;
}

/** `verifier/<name>.ts` as browser JavaScript. */
async function transpile(name: string): Promise<Module> {
  const { default: ts } = await import("typescript");
  const source = await Deno.readTextFile(new URL(`${name}.ts`, VERIFIER_ROOT));
  const out = ts.transpileModule(source, {
    fileName: `${name}.ts`,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      isolatedModules: true,
      rewriteRelativeImportExtensions: true,
      sourceMap: false,
    },
  });
  if (out.diagnostics?.length) {
    const first = ts.flattenDiagnosticMessageText(out.diagnostics[0].messageText, "\n");
    throw new Error(`verifier/${name}.ts does not transpile: ${first}`);
  }
  const text =
    `// verifier/${name}.ts, served as JavaScript (types erased) for the in-browser verification.\n` +
    out.outputText;
  const body = new TextEncoder().encode(text);
  return { body, hash: await hashOf(body) };
}

/** The transpiled module `name` (once per process; a failure is retried on the next request). */
function moduleOf(name: string): Promise<Module> {
  let m = modules.get(name);
  if (!m) {
    m = transpile(name);
    modules.set(name, m);
    m.catch(() => modules.delete(name));
  }
  return m;
}

/** The router of `/app/assets/verifier/*` (mounted before the static assets). */
export function verifierAssetRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(`${VERIFIER_PREFIX}/*`, async (c) => {
    const raw = new URL(c.req.url).pathname.slice(VERIFIER_PREFIX.length + 1);
    const known = await verifierNames();
    if (!NAME.test(raw) || !known.has(raw.slice(0, -3))) return c.json({ detail: "Not Found" }, 404);
    const mod = await moduleOf(raw.slice(0, -3));
    const etag = `"${mod.hash}"`;
    const versioned = c.req.query("v") === mod.hash;
    const headers = {
      "Content-Type": "text/javascript; charset=utf-8",
      ETag: etag,
      "Cache-Control": versioned ? "public, max-age=31536000, immutable" : "public, max-age=300",
    };
    if (matchesEtag(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
    return c.body(mod.body as Uint8Array<ArrayBuffer>, 200, headers);
  });
  return app;
}
