import assert from "node:assert/strict";
import { generateSigningKey } from "../../domain/attestation/checkpoint.ts";
import { createWitnessStore } from "../../witness/witness_store.ts";
import { pinLogsFrom } from "../../witness/trust_on_first_use.ts";
import { REPO_DIR, restrictedTaskArgs } from "../_helpers/task_command.ts";
import { addBody, get, openLog, post, type TestLog } from "./log_fixture.ts";

const decoder = new TextDecoder();

/** A loopback stand-in for a Quantedge server's two public checkpoint URLs, served from real logs. */
function serveCheckpoints(production: TestLog, demo: TestLog | null) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname !== "/api/v1/public/log/checkpoint") return new Response("no", { status: 404 });
    const log = url.searchParams.get("log") === "demo" ? demo : production;
    if (!log) return Response.json({ detail: "Not Found" }, { status: 404 });
    return Response.json({ ...await log.log.checkpoint(), cosignatures: [], github: null });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** `deno task witness …` as a child under the task's own permissions; resolves once it listens. */
async function startTask(dir: string, env: Record<string, string>, args: string[] = []) {
  const child = new Deno.Command(Deno.execPath(), {
    args: await restrictedTaskArgs("witness", { read: [dir], write: [dir] }, args),
    cwd: REPO_DIR,
    env: { NO_COLOR: "1", WITNESS_PORT: "0", WITNESS_KV_PATH: `${dir}/w.sqlite`, ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let stderr = "";
  const errDone = (async () => {
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk);
  })();
  const reader = child.stdout.getReader();
  let url: string | null = null;
  while (url === null) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += decoder.decode(value);
    url = stdout.match(/listening on (http:\/\/\S+)/)?.[1] ?? null;
  }
  return {
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (url !== null) child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += decoder.decode(value);
      }
      await errDone;
      return await child.status;
    },
  };
}

Deno.test("deno task witness: serves the configured logs, prints its public key and never its private key", async () => {
  const dir = await Deno.makeTempDir({ dir: ".tmp" });
  await using log = await openLog("quantedge/signals");
  await log.grow("a", 3);
  const key = await generateSigningKey();
  try {
    const task = await startTask(dir, {
      WITNESS_LOGS: `quantedge/signals ${log.publicKey}`,
      WITNESS_NAME: "third-party",
      WITNESS_SIGNING_KEY: key,
    });
    try {
      assert.ok(task.url, task.stderr());
      const info = (await get(`${task.url}/`)).body;
      assert.equal(info.name, "third-party");
      assert.deepEqual(info.logs.map((l: { origin: string }) => l.origin), ["quantedge/signals"]);
      assert.match(task.stdout(), new RegExp(`public key ${info.public_key.replace(/[+/]/g, "\\$&")}`));
      assert.match(task.stdout(), new RegExp(`key id ${info.key_id}`));
      const res = await post(`${task.url}/add-checkpoint`, await addBody(log.log, 0));
      assert.equal(res.status, 200);
      assert.equal(res.body.cosignature.witness, "third-party");
    } finally {
      await task.stop();
    }
    assert.ok(!task.stdout().includes(key) && !task.stderr().includes(key), "the private key was printed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task witness: a malformed WITNESS_LOGS, WITNESS_MAX_FUTURE_SKEW_MS or argument exits 2 without serving", async () => {
  const dir = await Deno.makeTempDir({ dir: ".tmp" });
  try {
    const badLogs = await startTask(dir, { WITNESS_LOGS: "quantedge/signals not-a-key" });
    assert.equal(badLogs.url, null);
    assert.equal((await badLogs.stop()).code, 2);
    assert.match(badLogs.stderr(), /WITNESS_LOGS entry/);
    const badSkew = await startTask(dir, { WITNESS_MAX_FUTURE_SKEW_MS: "5m" });
    assert.equal(badSkew.url, null);
    assert.equal((await badSkew.stop()).code, 2);
    assert.match(badSkew.stderr(), /WITNESS_MAX_FUTURE_SKEW_MS "5m"/);
    const badArg = await startTask(dir, {}, ["--trust-log-from", "ftp://x"]);
    assert.equal((await badArg.stop()).code, 2);
    assert.match(badArg.stderr(), /usage: deno task witness/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task witness --trust-log-from: pins the production and demo logs on first use, loudly, and keeps them across restarts", async () => {
  const dir = await Deno.makeTempDir({ dir: ".tmp" });
  await using production = await openLog("quantedge/signals");
  await using demo = await openLog("quantedge/demo");
  await production.grow("p", 2);
  await demo.grow("d", 3);
  const server = serveCheckpoints(production, demo);
  try {
    // The `deno task witness -- --trust-log-from …` form: the literal "--" only separates.
    const first = await startTask(dir, {}, ["--", "--trust-log-from", server.url]);
    try {
      assert.ok(first.url, first.stderr());
      assert.match(first.stderr(), /TRUST ON FIRST USE: pinned log "quantedge\/signals"/);
      assert.match(first.stderr(), /TRUST ON FIRST USE: pinned log "quantedge\/demo"/);
      const info = (await get(`${first.url}/`)).body;
      // Pinned logs are listed by origin.
      assert.deepEqual(
        info.logs.map((l: { origin: string; public_key: string }) => [l.origin, l.public_key]),
        [
          ["quantedge/demo", demo.publicKey],
          ["quantedge/signals", production.publicKey],
        ],
      );
      assert.equal((await post(`${first.url}/add-checkpoint`, await addBody(demo.log, 0))).status, 200);
    } finally {
      await first.stop();
    }
    // Restarted without the flag: the pins and the state are in its database.
    const second = await startTask(dir, {});
    try {
      const logs = (await get(`${second.url}/`)).body.logs;
      assert.deepEqual(logs.map((l: { origin: string; tree_size: number }) => [l.origin, l.tree_size]), [
        ["quantedge/demo", 3],
        ["quantedge/signals", 0],
      ]);
    } finally {
      await second.stop();
    }
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pinLogsFrom(): a pinned origin keeps its first key, a server that ignores ?log= is pinned once, a dead one is unavailable", async () => {
  await using production = await openLog("quantedge/signals");
  await using impostor = await openLog("quantedge/signals");
  const kv = await Deno.openKv(":memory:");
  const honest = serveCheckpoints(production, null);
  const later = serveCheckpoints(impostor, impostor);
  try {
    const store = createWitnessStore(kv);
    const first = await pinLogsFrom(store, honest.url, { now: 5 });
    assert.deepEqual(first.map((o) => o.kind), ["pinned", "unavailable"]);
    assert.match((first[1] as { reason: string }).reason, /HTTP 404/);
    const again = await pinLogsFrom(store, later.url, { now: 6 });
    assert.deepEqual(again.map((o) => o.kind), ["key_mismatch"]);
    assert.deepEqual(await store.pins(), [{
      origin: "quantedge/signals",
      public_key: production.publicKey,
      source: `${honest.url}/api/v1/public/log/checkpoint`,
      pinned_at: 5,
    }]);
    await later.close();
    const down = await pinLogsFrom(store, later.url, { now: 7, timeoutMs: 2000 });
    assert.deepEqual(down.map((o) => o.kind), ["unavailable", "unavailable"]);
  } finally {
    await honest.close();
    kv.close();
  }
});
