/**
 * Reads the repository's source files for the architecture tests: each file's repo-relative path, its text
 * without comments, and every import with whether it is type-only. The rules themselves are pure functions
 * over these records (see tests/architecture_test.ts), so a test can plant a violation and see it caught.
 */

/** One import or re-export of a module. */
export interface ImportRef {
  specifier: string;
  /** `import type …`, `export type …`, or `import { type A, type B }` with every name a type. */
  typeOnly: boolean;
}

/** A source file as the rules see it. */
export interface SourceFile {
  /** Repo-relative path with forward slashes, e.g. `domain/store/kv.ts`. */
  path: string;
  /** The text with comments removed. */
  code: string;
  imports: ImportRef[];
}

const ROOT = new URL("../../", import.meta.url);
const SKIP_DIRS = new Set([".git", "node_modules", "data", ".ci", "coverage", ".tmp", "fixtures"]);
const SOURCE = /\.(ts|tsx|js|mjs)$/;

/** Removes block and line comments (a `//` inside a string after `:` or a quote is kept, as in URLs). */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Every import/re-export of `code` with its type-only flag. */
export function importsOf(code: string): ImportRef[] {
  const out: ImportRef[] = [];
  const fromClause = /^\s*(import|export)\s+(type\s+)?([^"'`;]*?)\bfrom\s*["']([^"']+)["']/gm;
  for (const m of code.matchAll(fromClause)) {
    const names = m[3].trim();
    const braces = names.match(/^\{([\s\S]*)\}$/);
    const allTypes = braces !== null &&
      braces[1].split(",").map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith("type "));
    out.push({ specifier: m[4], typeOnly: m[2] !== undefined || allTypes });
  }
  for (const m of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) {
    out.push({ specifier: m[1], typeOnly: false });
  }
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    out.push({ specifier: m[1], typeOnly: false });
  }
  return out;
}

/** A source record from a path and raw text (used for planted files in tests). */
export function sourceFile(path: string, text: string): SourceFile {
  const code = stripComments(text);
  return { path, code, imports: importsOf(code) };
}

/** Resolves a relative specifier against the importing file; `null` for bare and URL specifiers. */
export function resolveRelative(from: string, spec: string): string | null {
  if (!spec.startsWith("./") && !spec.startsWith("../")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const piece of spec.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== ".") parts.push(piece);
  }
  return parts.join("/");
}

async function walk(dir: URL, rel: string, out: SourceFile[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      if (!SKIP_DIRS.has(entry.name)) await walk(new URL(`${entry.name}/`, dir), `${rel}${entry.name}/`, out);
    } else if (entry.isFile && SOURCE.test(entry.name)) {
      out.push(sourceFile(`${rel}${entry.name}`, await Deno.readTextFile(new URL(entry.name, dir))));
    }
  }
}

let cache: Promise<SourceFile[]> | undefined;
/** Every source file of the repository (read once per test process). */
export function repositorySources(): Promise<SourceFile[]> {
  cache ??= (async () => {
    const out: SourceFile[] = [];
    await walk(ROOT, "", out);
    return out.sort((a, b) => a.path.localeCompare(b.path));
  })();
  return cache;
}
