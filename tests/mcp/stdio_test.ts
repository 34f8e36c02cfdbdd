/**
 * `deno task mcp` end to end: `scripts/mcp_stdio.ts` as a subprocess, spoken to by the SDK's own
 * `StdioClientTransport`, on a KV file in which this test created an account and its API key through the domain
 * operations (the same wiring the script opens). With the key: tools listed, `whoami` answers that account,
 * `get_calendar` works, and stdout carries nothing but JSON-RPC. With a refused key the process exits 1 with a
 * message on stderr that does not repeat the key, and prints nothing on stdout.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { buildServices } from "../../app/services.ts";
import { createInviteCode, registerAgent } from "../../domain/auth/identity.ts";
import { systemClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { createLogMailer } from "../../domain/mail/mailer.ts";
import { openKv } from "../../domain/store/kv.ts";

const SCRIPT = "scripts/mcp_stdio.ts";

/** The settings both this test and the subprocess use (the subprocess reads them from its environment). */
function settings(kvPath: string): Record<string, string> {
  return { DENO_ENV: "test", KV_PATH: kvPath, JWT_SECRET: "stdio-test-secret-stdio-test-secret-0123" };
}

/** A KV file under .tmp holding one agent account; answers its path, the key and the account id. */
async function seedAccount(): Promise<{ dir: string; kvPath: string; apiKey: string; userId: string }> {
  await Deno.mkdir(".tmp", { recursive: true });
  const dir = await Deno.realPath(await Deno.makeTempDir({ dir: ".tmp", prefix: "mcp_stdio_" }));
  const kvPath = `${dir}/quantedge.sqlite3`;
  const config = parseConfig(settings(kvPath));
  const kv = await openKv(config.kvPath);
  try {
    const services = await buildServices({
      config,
      kv,
      clock: systemClock,
      mailer: createLogMailer(),
      log: () => {},
      queue: { listening: () => false, enqueueHeartbeat: () => Promise.resolve() },
    });
    await createInviteCode(services.auth, "usr_stdio_admin", { code: "STDIO-TEST", max_uses: 5 });
    const reg = await registerAgent(services.auth, "STDIO-TEST", "127.0.0.1", "stdio-agent");
    return { dir, kvPath, apiKey: reg.api_key, userId: reg.user.id };
  } finally {
    kv.close();
  }
}

/** Reads everything a stream yields as text. */
async function drain(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (!stream) return "";
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text;
}

Deno.test("deno task mcp: the SDK's stdio client lists tools and calls whoami and get_calendar as the key's account", async () => {
  const seed = await seedAccount();
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", SCRIPT],
    cwd: Deno.cwd(),
    env: { ...getDefaultEnvironment(), ...settings(seed.kvPath), QUANTEDGE_API_KEY: seed.apiKey },
    stderr: "pipe",
  });
  const client = new Client({ name: "quantedge-stdio-test", version: "1.0.0" });
  const protocolErrors: Error[] = [];
  client.onerror = (e: Error) => void protocolErrors.push(e);
  const stderr = drain(transport.stderr as NodeJS.ReadableStream | null);
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const names = tools.map((t: { name: string }) => t.name);
    for (const name of ["whoami", "get_calendar", "submit_signal"]) assert.ok(names.includes(name), name);
    const { resources } = await client.listResources();
    assert.equal(resources.length, 4);

    const me = await client.callTool({ name: "whoami", arguments: {} });
    assert.equal(me.isError, undefined, JSON.stringify(me.content));
    const who = me.structuredContent as { id: string; authenticated_with: string; tier: string };
    assert.equal(who.id, seed.userId);
    assert.equal(who.authenticated_with, "api_key");
    assert.equal(who.tier, "free");

    const cal = await client.callTool({ name: "get_calendar", arguments: { date: "2026-05-14" } });
    assert.equal(cal.isError, undefined, JSON.stringify(cal.content));
    assert.equal((cal.structuredContent as { is_trading_day: boolean }).is_trading_day, true);

    const bad = await client.callTool({ name: "get_calendar", arguments: { date: "14/05/2026" } });
    assert.equal(bad.isError, true);
  } finally {
    const closing = performance.now();
    await client.close();
    // The SDK's client ends stdin, then waits 2 s before SIGTERM: the server exits on stdin's end at once.
    assert.ok(performance.now() - closing < 1900, "the server exits when its stdin closes");
    const log = await stderr;
    assert.ok(!log.includes(seed.apiKey), "the key never reaches the log");
    assert.match(log, /mcp stdio server ready/);
    await Deno.remove(seed.dir, { recursive: true });
  }
  assert.deepEqual(protocolErrors.map((e) => e.message), [], "stdout carries JSON-RPC only");
});

Deno.test("deno task mcp: a refused QUANTEDGE_API_KEY exits 1, says so on stderr without the key, prints nothing on stdout", async () => {
  const seed = await seedAccount();
  const badKey = `${seed.apiKey.slice(0, -4)}XXXX`;
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT],
      cwd: Deno.cwd(),
      clearEnv: true,
      env: { ...getDefaultEnvironment(), ...settings(seed.kvPath), QUANTEDGE_API_KEY: badKey },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.equal(new TextDecoder().decode(out.stdout), "", "nothing on stdout");
    assert.match(stderr, /QUANTEDGE_API_KEY was refused/);
    assert.match(stderr, /list_api_keys/, "with the document's recovery: check the keys, make a new one");
    assert.ok(!stderr.includes(badKey), "the refused key is not repeated");
    assert.ok(!stderr.includes(badKey.slice(3, -4)), "nor most of it");
  } finally {
    await Deno.remove(seed.dir, { recursive: true });
  }
});

Deno.test("deno task mcp: requests written just before stdin closes are all answered before the process exits", async () => {
  const seed = await seedAccount();
  try {
    const lines = [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "pipe", version: "1" },
        },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_strategies", arguments: {} } },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "whoami", arguments: {} } },
      { jsonrpc: "2.0", id: 4, method: "resources/list" },
    ].map((m) => JSON.stringify(m) + "\n").join("");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT],
      cwd: Deno.cwd(),
      clearEnv: true,
      env: { ...getDefaultEnvironment(), ...settings(seed.kvPath), QUANTEDGE_API_KEY: seed.apiKey },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(lines));
    await writer.close();
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const answers = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(answers.map((a) => a.id).sort(), [1, 2, 3, 4]);
    const whoami = answers.find((a) => a.id === 3);
    assert.equal(whoami.result.structuredContent.id, seed.userId);
  } finally {
    await Deno.remove(seed.dir, { recursive: true });
  }
});
