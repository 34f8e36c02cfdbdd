/**
 * A process dies between a signal's commit and `attestPending`: after a restart of the real server over the same
 * KV file, the signal is in the transparency log (inclusion proof from the public endpoint), committed to the
 * (loopback) GitHub contents API, and its audit entries were there all along.
 */
import assert from "node:assert/strict";
import { verifyInclusionProof } from "../../../domain/attestation/transparency_log.ts";
import { signalFilePath } from "../../../domain/attestation/github_attester.ts";
import { createAuditRepo } from "../../../domain/store/audit_repo.ts";
import { keys } from "../../../domain/store/keys.ts";
import { createSignalRepo } from "../../../domain/store/signal_repo.ts";
import { startFakeGithubContents } from "../../_helpers/fake_github_contents.ts";
import { REPO_DIR, restrictedTaskArgs } from "../../_helpers/task_command.ts";

/** Reads `stream` line by line until `match` accepts one; the rest is drained in the background. */
async function firstLine<T>(
  stream: ReadableStream<Uint8Array>,
  match: (line: string) => T | null,
): Promise<{ value: T; drained: Promise<void> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the process exited early:\n${buffer}`);
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      const found = match(line);
      if (found !== null) {
        const drained = (async () => {
          while (!(await reader.read()).done) { /* discard */ }
        })().catch(() => {});
        return { value: found, drained };
      }
    }
  }
}

const json = (line: string) => {
  try {
    return line.startsWith("{") ? JSON.parse(line) : null;
  } catch {
    return null;
  }
};

Deno.test("killed between the signal's commit and attestPending: after a restart it is logged and attested, audited all along", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qe_signal_crash_" });
  const kvPath = `${dir}/kv.sqlite`;
  const gh = startFakeGithubContents({ token: "ghp_crash", owner: "acme", repo: "signals" });
  const env = {
    DENO_ENV: "development",
    KV_PATH: kvPath,
    JWT_SECRET: "crash-secret-crash-secret-crash-secret-0123",
    GITHUB_TOKEN: "ghp_crash",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_REQUESTS: "false",
    NO_COLOR: "1",
  };
  // The `dev` task's command line (reads narrowed to the repository and the temp dir), on the child script.
  const devArgs = await restrictedTaskArgs("dev", { read: [dir], write: [dir] }, []);
  assert.equal(devArgs.at(-1), "main.ts");
  const spawn = (script: string, args: string[] = []) =>
    new Deno.Command(Deno.execPath(), {
      args: [...devArgs.slice(0, -1), script, ...args],
      cwd: REPO_DIR,
      env,
      stdout: "piped",
      stderr: "null",
    }).spawn();

  let server: Deno.ChildProcess | null = null;
  const drains: Promise<void>[] = [];
  try {
    // 1. Commit, then die before attestPending.
    const child = spawn("tests/_helpers/signal_commit_child.ts", [JSON.stringify(env)]);
    const committed = await firstLine(child.stdout, (line) => json(line)?.committed ? json(line) : null);
    drains.push(committed.drained);
    child.kill("SIGKILL");
    assert.equal((await child.status).success, false, "the child was killed, not finished");
    const { committed: hash, slug, trade_date } = committed.value as {
      committed: string;
      slug: string;
      trade_date: string;
    };

    // What the dead process left: the signal, its audit entries and both markers; nothing logged or on GitHub.
    const kv = await Deno.openKv(kvPath);
    try {
      const signal = await createSignalRepo(kv).get(slug, trade_date);
      assert.equal(signal?.signal_hash, hash);
      assert.equal(signal?.log, null);
      assert.equal(signal?.attestation.committed, false);
      assert.deepEqual(await createSignalRepo(kv).byHash(hash), { strategy_slug: slug, trade_date });
      assert.equal((await createSignalRepo(kv).listToLog()).length, 1);
      assert.equal((await createSignalRepo(kv).listUnattested()).length, 1);
      const events = (await createAuditRepo(kv).list(slug, 10, 0)).items.map((e) => e.event).sort();
      assert.deepEqual(events, ["ACTIVATED", "CREATED", "SIGNAL_SUBMITTED"]);
      assert.equal((await kv.get(keys.tlogLeafByHash(hash))).value, null);
    } finally {
      kv.close();
    }
    assert.equal(gh.file(signalFilePath(slug, trade_date)), null);

    // 2. Restart: the real server over the same KV file.
    server = spawn("main.ts");
    const listening = await firstLine(
      server.stdout,
      (line) => json(line)?.msg === "listening" ? json(line) : null,
    );
    drains.push(listening.drained);
    const base = listening.value.url as string;

    let proof: Record<string, unknown> | null = null;
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const res = await fetch(`${base}/api/v1/public/log/proof/${hash}`, {
        signal: AbortSignal.timeout(5_000),
      });
      const body = await res.json();
      if (res.status === 200 && gh.file(signalFilePath(slug, trade_date))) {
        proof = body;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(proof, "the signal reached the log and GitHub after the restart");
    assert.equal(proof.leaf_index, 0);
    assert.deepEqual(proof.signal, { strategy_slug: slug, trade_date });
    assert.equal(await verifyInclusionProof(proof as never), true, "the inclusion proof checks out");
    assert.equal(JSON.parse(gh.file(signalFilePath(slug, trade_date))!.text).signal_hash, hash);
    assert.equal(
      gh.commits.filter((c) => c.path.startsWith("signals/")).length,
      1,
      "one GitHub commit of the signal (beside the log's checkpoint)",
    );

    const audit = await (await fetch(`${base}/api/v1/public/strategies/${slug}/audit`)).json();
    assert.deepEqual(audit.audit_log.map((e: { event: string }) => e.event).sort(), [
      "ACTIVATED",
      "CREATED",
      "SIGNAL_SUBMITTED",
    ]);
    const submitted = audit.audit_log.find((e: { event: string }) => e.event === "SIGNAL_SUBMITTED");
    assert.equal(submitted.data.signal_hash, hash);
    server.kill("SIGTERM");
    await server.status;
    server = null;

    // The stored signal carries both outcomes and no marker is left.
    const after = await Deno.openKv(kvPath);
    try {
      const repo = createSignalRepo(after);
      const signal = (await repo.get(slug, trade_date))!;
      assert.equal(signal.log?.leaf_index, 0);
      assert.equal(signal.attestation.committed, true);
      assert.deepEqual(await repo.listToLog(), []);
      assert.deepEqual(await repo.listUnattested(), []);
    } finally {
      after.close();
    }
  } finally {
    if (server) {
      server.kill("SIGTERM");
      await server.status;
    }
    await Promise.all(drains);
    await gh.close();
    await Deno.remove(dir, { recursive: true });
  }
});
