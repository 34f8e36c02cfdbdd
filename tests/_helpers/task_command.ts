/**
 * Child processes under the same limits as the tests: the command line of a `deno task` taken from deno.json,
 * with `--allow-read` narrowed to the repository (plus named directories) and `--allow-write` to named
 * directories, so a child cannot read a file outside the repository that the test itself could not read.
 */
import { fileURLToPath } from "node:url";

/** The repository root as a file-system path. */
export const REPO_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** Directories a child may read (besides the repository) and write. */
export interface ChildDirs {
  read?: string[];
  write?: string[];
}

/**
 * The `deno` arguments of task `name` (one plain `deno …` command in deno.json) with reads and writes narrowed
 * to `dirs`, followed by `args`. Throws when the task is missing, is not a single deno command, or grants
 * every permission.
 */
export async function restrictedTaskArgs(name: string, dirs: ChildDirs, args: string[]): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))) as {
    tasks?: Record<string, string>;
  };
  const line = config.tasks?.[name];
  if (line === undefined) throw new Error(`deno.json has no task "${name}"`);
  const words = line.trim().split(/\s+/);
  if (words[0] !== "deno" || words.slice(1).some((w) => /[&|;$<>"'`()]/.test(w))) {
    throw new Error(`task "${name}" is not one plain deno command: ${line}`);
  }
  if (words.some((w) => w === "-A" || w === "--allow-all")) {
    throw new Error(`task "${name}" allows everything`);
  }
  const read = [REPO_DIR, ...(dirs.read ?? [])].join(",");
  const write = (dirs.write ?? []).join(",");
  const narrowed = words.slice(1).flatMap((w) => {
    if (w === "--allow-read") return [`--allow-read=${read}`];
    if (w === "--allow-write") return write ? [`--allow-write=${write}`] : [];
    return [w];
  });
  return [...narrowed, ...args];
}
