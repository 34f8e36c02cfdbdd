/**
 * Drives one endpoint: `wrk -t1 -c<connections> -d<seconds>s --latency` pinned to core 1 when wrk is present,
 * else the Deno fallback generator (`generator.ts`) with the same connections, also pinned when it can be.
 */

/** What one run of a generator measured. */
export interface LoadResult {
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Socket errors (connect, read, write, timeout). */
  errors: number;
  /** Answers with a status of 400 or more. */
  non_2xx_3xx: number;
}

/** How the load is generated. */
export interface Generator {
  kind: "wrk" | "deno";
  /** Core the generator runs on, or `null` when not pinned. */
  core: number | null;
}

async function available(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return out.success || out.code === 1;
  } catch {
    return false;
  }
}

/** Whether `taskset` can pin to cores 0 and 1 (it exists and the machine has two cores or more). */
export async function canPin(): Promise<boolean> {
  return navigator.hardwareConcurrency >= 2 && await available("taskset", ["-c", "1", "true"]);
}

/** `wrk` when present and not refused, else the Deno generator. */
export async function pickGenerator(prefer: "auto" | "wrk" | "deno", pin: boolean): Promise<Generator> {
  const core = pin ? 1 : null;
  if (prefer === "deno") return { kind: "deno", core };
  if (await available("wrk", ["--version"])) return { kind: "wrk", core };
  if (prefer === "wrk") throw new Error("--generator wrk: wrk is not installed");
  return { kind: "deno", core };
}

/** A latency as wrk prints it (`412.00us`, `3.40ms`, `1.01s`, `1.5m`) in milliseconds. */
export function wrkDurationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

/** Parses `wrk --latency` output. */
export function parseWrk(out: string): LoadResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const pct = (p: string) => wrkDurationMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const requests = num(/(\d+) requests in /);
  return {
    requests,
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50_ms: requests > 0 ? pct("50") : NaN,
    p99_ms: requests > 0 ? pct("99") : NaN,
    errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non_2xx_3xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
  };
}

/** Runs the generator against `url` for `seconds` with `connections` and `headers`. */
export async function drive(
  gen: Generator,
  url: string,
  opts: { connections: number; seconds: number; headers: Record<string, string> },
): Promise<LoadResult> {
  const pinned = (cmd: string, args: string[]) =>
    gen.core === null ? { cmd, args } : { cmd: "taskset", args: ["-c", String(gen.core), cmd, ...args] };
  const run = gen.kind === "wrk"
    ? pinned("wrk", [
      "-t1",
      `-c${opts.connections}`,
      `-d${opts.seconds}s`,
      "--latency",
      // A slow answer is measured, not dropped as a timeout (wrk's default is 2 s).
      "--timeout",
      "30s",
      ...Object.entries(opts.headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
      url,
    ])
    : pinned("deno", [
      "run",
      `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
      "--allow-net=127.0.0.1",
      new URL("./generator.ts", import.meta.url).pathname,
      url,
      String(opts.connections),
      String(opts.seconds),
      JSON.stringify(opts.headers),
    ]);
  const out = await new Deno.Command(run.cmd, { args: run.args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${gen.kind} failed on ${url}: ${new TextDecoder().decode(out.stderr).slice(0, 500)}`);
  }
  return gen.kind === "wrk" ? parseWrk(text) : JSON.parse(text.trim().split("\n").at(-1)!) as LoadResult;
}
