/** The load test's servers: the app (`deno run main.ts` in the app's directory) and the reference server. */

/** A running server. */
export interface Server {
  base: string;
  stop(): Promise<void>;
}

/** Waits until `GET url` answers (any status), up to `ms`. */
async function waitFor(url: string, ms: number, child: Deno.ChildProcess): Promise<void> {
  let exited = false;
  child.status.then(() => (exited = true));
  const until = Date.now() + ms;
  while (Date.now() < until && !exited) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(
    exited ? `the server for ${url} exited while starting` : `${url} did not answer in ${ms} ms`,
  );
}

async function spawn(
  cmd: string[],
  opts: { cwd?: string; env?: Record<string, string>; pin: boolean; logFile: string },
): Promise<Deno.ChildProcess> {
  const [program, ...args] = opts.pin ? ["taskset", "-c", "0", ...cmd] : cmd;
  const child = new Deno.Command(program, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log = await Deno.open(opts.logFile, { write: true, create: true, truncate: true });
  const writer = log.writable.getWriter();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) await writer.write(chunk);
  };
  Promise.all([pump(child.stdout), pump(child.stderr)]).finally(() => writer.close().catch(() => {}));
  return child;
}

function stopper(child: Deno.ChildProcess): () => Promise<void> {
  return async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5000);
    await child.status;
    clearTimeout(timer);
  };
}

/** The app as `deno task dev` runs it (same permissions), on `kvPath` and `port`, with a quiet log. */
export async function startApp(
  appDir: string,
  kvPath: string,
  port: number,
  opts: { pin: boolean; logFile: string },
): Promise<Server> {
  const child = await spawn(
    ["deno", "run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys", "main.ts"],
    {
      cwd: appDir,
      env: {
        KV_PATH: kvPath,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_REQUESTS: "false",
        DENO_ENV: "development",
      },
      pin: opts.pin,
      logFile: opts.logFile,
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/api/v1/public/strategies`, 90_000, child);
  return { base, stop: stopper(child) };
}

/** The reference server (`reference_server.ts`) holding `recordFile` in one KV value of `kvPath`. */
export async function startReference(
  kvPath: string,
  recordFile: string,
  port: number,
  opts: { pin: boolean; logFile: string },
): Promise<Server> {
  const script = new URL("./reference_server.ts", import.meta.url).pathname;
  const dir = kvPath.slice(0, kvPath.lastIndexOf("/"));
  const child = await spawn(
    [
      "deno",
      "run",
      `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
      "--allow-net=127.0.0.1",
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      script,
      String(port),
      kvPath,
      recordFile,
    ],
    { pin: opts.pin, logFile: opts.logFile },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/json`, 30_000, child);
  return { base, stop: stopper(child) };
}
