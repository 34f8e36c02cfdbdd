/**
 * The dashboard's static files, served by this app so the pages work offline (no CDN):
 * - everything under `web/` (`app.css`, `client/*.js`) at `/app/assets/<path>`;
 * - TradingView Lightweight Charts (npm `lightweight-charts`, Apache-2.0) at `/app/assets/vendor/lightweight-charts.mjs`:
 *   the package's own self-contained ES module build, read from the installed npm package.
 * Files are read once, on first use, and kept in memory with a strong ETag (SHA-256 of the bytes). Page links carry
 * `?v=<hash>` (see `assetUrl`), so a browser may keep them for a year; a changed file gets a new URL.
 */
import { Hono } from "hono";
import { version as chartsVersion } from "lightweight-charts";
import type { AppEnv } from "../app_env.ts";
import { hashOf, matchesEtag } from "./etag.ts";

/** URL prefix of every dashboard asset. */
export const ASSET_PREFIX = "/app/assets";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
};

/** One file in memory. */
interface Asset {
  body: Uint8Array;
  type: string;
  hash: string;
}

const WEB_ROOT = new URL("../../web/", import.meta.url);
/** The largest number of files and directory levels read from `web/` (a bound on a misconfigured tree). */
const MAX_FILES = 500;
const MAX_DEPTH = 6;

let loaded: Promise<Map<string, Asset>> | null = null;

async function readTree(dir: URL, rel: string, depth: number, into: Map<string, Asset>): Promise<void> {
  if (depth > MAX_DEPTH) return;
  for await (const entry of Deno.readDir(dir)) {
    if (into.size >= MAX_FILES) return;
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      await readTree(new URL(`${entry.name}/`, dir), name, depth + 1, into);
      continue;
    }
    const ext = entry.name.slice(entry.name.lastIndexOf("."));
    const type = CONTENT_TYPES[ext];
    if (!entry.isFile || !type) continue;
    const body = await Deno.readFile(new URL(entry.name, dir));
    into.set(name, { body, type, hash: await hashOf(body) });
  }
}

/**
 * The self-contained ES module build beside the package's entry point (its `exports` name only the entry; the
 * static import above puts the package in the module graph, so `import.meta.resolve` finds its files).
 */
async function readChartsModule(): Promise<Asset> {
  const entry = import.meta.resolve("lightweight-charts");
  if (!entry.startsWith("file:")) {
    throw new Error(`lightweight-charts ${chartsVersion()} is not installed as files`);
  }
  const body = await Deno.readFile(new URL("./lightweight-charts.standalone.production.mjs", entry));
  return { body, type: CONTENT_TYPES[".mjs"], hash: await hashOf(body) };
}

const CHARTS_PATH = "vendor/lightweight-charts.mjs";
/** Why the chart module could not be read (`null`: it was). */
let chartsProblem: string | null = null;

/** Every asset, keyed by its path under `/app/assets/` (read once). */
function loadAssets(): Promise<Map<string, Asset>> {
  loaded ??= (async () => {
    const files = new Map<string, Asset>();
    await readTree(WEB_ROOT, "", 0, files);
    // The pages still work (without charts) when the package's files cannot be read; `warmAssets` reports it.
    try {
      files.set(CHARTS_PATH, await readChartsModule());
      chartsProblem = null;
    } catch (e) {
      chartsProblem = e instanceof Error ? e.message : String(e);
    }
    return files;
  })();
  loaded.catch(() => (loaded = null));
  return loaded;
}

/** Hashes of the loaded assets (filled by `loadAssets`), for `assetUrl`. */
const hashes = new Map<string, string>();

/** `/app/assets/<path>?v=<hash>` once the assets are loaded; the bare path before. */
export function assetUrl(path: string): string {
  const hash = hashes.get(path);
  return `${ASSET_PREFIX}/${path}${hash ? `?v=${hash}` : ""}`;
}

/** A percent-decoded path; `""` (no asset) for a malformed escape such as `%E0%A4%A`. */
function decodedPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return "";
  }
}

/** The router of `/app/assets/*`. */
export function staticAssetRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(`${ASSET_PREFIX}/*`, async (c) => {
    const files = await loadAssets();
    for (const [path, asset] of files) hashes.set(path, asset.hash);
    const path = decodedPath(c.req.path.slice(ASSET_PREFIX.length + 1));
    const asset = files.get(path);
    if (!asset && path === CHARTS_PATH && chartsProblem) {
      return c.json({ detail: `The chart library could not be read: ${chartsProblem}` }, 503);
    }
    if (!asset) return c.json({ detail: "Not Found" }, 404);
    const etag = `"${asset.hash}"`;
    const versioned = c.req.query("v") === asset.hash;
    const headers = {
      "Content-Type": asset.type,
      ETag: etag,
      "Cache-Control": versioned ? "public, max-age=31536000, immutable" : "public, max-age=300",
    };
    if (matchesEtag(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, headers);
  });
  return app;
}

/** Loads the assets and fills the hashes `assetUrl` uses (called when the app is built). */
export async function warmAssets(): Promise<void> {
  for (const [path, asset] of await loadAssets()) hashes.set(path, asset.hash);
  if (chartsProblem) {
    throw new Error(`the chart library could not be read (pages work without charts): ${chartsProblem}`);
  }
}
