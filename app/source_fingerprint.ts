/**
 * A fingerprint of the code that shapes public answers, so a self-hosted upgrade changes every public ETag and
 * version token (cached answers, materialised copies, clients' conditional requests) even when the product
 * version did not move. On Deno Deploy the deployment id plays that part (`Config.buildId`).
 */
import { createHash } from "node:crypto";

/** The folders (relative to the repository root) whose TypeScript shapes what the API answers. */
const SHAPING_DIRS = ["domain", "routes"];

async function* sourceFiles(dir: URL, rel: string): AsyncGenerator<{ rel: string; url: URL }> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = `${rel}/${e.name}`;
    if (e.isDirectory) yield* sourceFiles(new URL(`${e.name}/`, dir), path);
    else if (e.isFile && (e.name.endsWith(".ts") || e.name.endsWith(".tsx"))) {
      yield { rel: path, url: new URL(e.name, dir) };
    }
  }
}

/**
 * SHA-256 (first 12 hex digits) over the path and bytes of every `.ts`/`.tsx` file under `domain/` and `routes/`
 * of the repository at `root`, in path order; `null` when they cannot be read (then the version alone salts).
 */
export async function sourceFingerprint(root: URL): Promise<string | null> {
  try {
    const hash = createHash("sha256");
    for (const dir of SHAPING_DIRS) {
      for await (const f of sourceFiles(new URL(`${dir}/`, root), dir)) {
        hash.update(f.rel).update("\0").update(await Deno.readFile(f.url)).update("\0");
      }
    }
    return hash.digest("hex").slice(0, 12);
  } catch {
    return null;
  }
}
