/**
 * `deno task demo` beside a running server on the same KV file: a real `main.ts` process on a loopback port
 * under light traffic, and the demo as a second process, killed half-way once and run again.
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { DEMO_SLUGS } from "../../scripts/demo_replay.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys"];

/** A child process whose output is collected line by line as it comes. */
class Child {
  readonly lines: string[] = [];
  readonly #process: Deno.ChildProcess;
  readonly #drained: Promise<void>;
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  constructor(script: string, env: Record<string, string>, args: string[] = []) {
    this.#process = new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", `${ROOT}deno.json`, ...PERMISSIONS, script, ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#drained = Promise.all([this.#read(this.#process.stdout), this.#read(this.#process.stderr)]).then(
      () => {},
    );
  }

  async #read(stream: ReadableStream<Uint8Array>) {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) this.#line(line);
    }
    if (rest) this.#line(rest);
  }

  #line(line: string) {
    this.lines.push(line);
    this.#waiters = this.#waiters.filter((w) => !(w.test(line) && (w.resolve(line), true)));
  }

  /** The first output line (past or future) that passes `test`; rejects when the process ends without one. */
  waitFor(test: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ test, resolve });
      this.#process.status.then(() =>
        this.#drained.then(() => reject(new Error(`exited without the line:\n${this.lines.join("\n")}`)))
      );
    });
  }

  async finished(): Promise<number> {
    const status = await this.#process.status;
    await this.#drained;
    return status.code;
  }

  /** Kills the process if it still runs and waits until it and its output are gone. */
  async kill(signal: Deno.Signal = "SIGKILL"): Promise<void> {
    try {
      this.#process.kill(signal);
    } catch {
      // already exited
    }
    await this.finished();
  }
}

Deno.test({
  name: "deno task demo beside a live server on the same KV file finishes with complete, verified records",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "demo_live_" });
    const env = { KV_PATH: `${dir}/quantedge.sqlite`, DENO_ENV: "development" };
    const server = new Child("main.ts", { ...env, HOST: "127.0.0.1", PORT: "0", LOG_REQUESTS: "false" });
    const children: Child[] = [server];
    const traffic = { stop: false, statuses: new Map<number, number>(), done: Promise.resolve() };
    try {
      const listening = await server.waitFor((l) => l.includes('"msg":"listening"'));
      const base = (JSON.parse(listening).url as string).replace("localhost", "127.0.0.1");
      assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);

      // Light traffic: health checks (each writes to KV) and public reads, about 20 requests a second.
      const paths = [
        "/health",
        "/api/v1/public/strategies",
        "/api/v1/public/log/checkpoint",
        "/api/v1/public/strategies/demo-reversal/track-record",
      ];
      traffic.done = (async () => {
        for (let i = 0; !traffic.stop; i++) {
          const res = await fetch(base + paths[i % paths.length]);
          await res.body?.cancel();
          traffic.statuses.set(res.status, (traffic.statuses.get(res.status) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();

      // First run, killed once it has replayed 40 of 120 days (a crash half-way).
      const first = new Child("scripts/demo.ts", env);
      children.push(first);
      await first.waitFor((l) => l.includes("replayed 40/120"));
      await first.kill();
      assert.ok(!first.lines.some((l) => l.includes("VERIFIED")), first.lines.join("\n"));

      // The live server sees the partial record, and the verifier's completeness check refuses it.
      const partial = await (await fetch(`${base}/api/v1/public/strategies/demo-reversal/track-record`))
        .json();
      assert.ok(partial.records.length >= 40 && partial.records.length < 120, `${partial.records.length}`);
      const through = getCalendar("SSE").tradingDayOffset(partial.records[0].date, 119);
      const verify = new Child("scripts/verify.ts", {}, [
        base,
        "demo-reversal",
        "--through",
        through,
        "--days",
        "120",
      ]);
      children.push(verify);
      assert.equal(await verify.finished(), 1);
      assert.match(
        verify.lines.join("\n"),
        new RegExp(
          `FAIL \\[completeness\\] incomplete record: \\d+ settled days through ${through}, expected 120`,
        ),
      );
      assert.match(verify.lines.join("\n"), /^NOT VERIFIED: demo-reversal/m);

      // Second run: resumes and finishes beside the server.
      const second = new Child("scripts/demo.ts", env);
      children.push(second);
      const code = await second.finished();
      const out = second.lines.join("\n");
      assert.equal(code, 0, out);
      assert.doesNotMatch(out, /database is locked|NOT VERIFIED|stopped/);
      assert.match(
        out,
        /^Resumed the interrupted replay of \d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2} at \d{4}-\d{2}-\d{2}: \d+ days/m,
      );
      for (const slug of DEMO_SLUGS) {
        assert.match(
          out,
          new RegExp(`^VERIFIED ${slug}: 120/120 settled days \\((\\d+)/\\1 with signals\\)`, "m"),
        );
      }

      // The live server serves the complete record.
      const full = await (await fetch(`${base}/api/v1/public/strategies/demo-reversal/track-record`)).json();
      assert.equal(full.records.length, 120);

      traffic.stop = true;
      await traffic.done;
      const served = [...traffic.statuses].filter(([s]) => s === 200 || s === 404).reduce(
        (a, [, n]) => a + n,
        0,
      );
      assert.ok(served > 0, "no traffic reached the server");
      assert.deepEqual([...traffic.statuses.keys()].filter((s) => s !== 200 && s !== 404), []);
      assert.ok(
        !server.lines.some((l) => /database is locked|"level":"error"/.test(l)),
        server.lines.filter((l) => /locked|error/.test(l)).join("\n"),
      );
    } finally {
      traffic.stop = true;
      await traffic.done.catch(() => {});
      for (const c of children.reverse()) await c.kill();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
