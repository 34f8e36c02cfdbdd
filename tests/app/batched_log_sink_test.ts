import assert from "node:assert/strict";
import { createBatchedSink } from "../../app/batched_log_sink.ts";
import { createJsonLogger } from "../../domain/log.ts";

const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

Deno.test("info lines of one turn go out in one write, in order, each on its own line", async () => {
  const writes: string[] = [];
  const out = createBatchedSink((text) => writes.push(text));
  const log = createJsonLogger(() => "T", out.sink);
  log("info", "request", { path: "/a", status: 200 });
  log("info", "request", { path: "/b", status: 404 });
  assert.deepEqual(writes, [], "held until the turn ends");
  await turn();
  assert.deepEqual(writes, [
    '{"time":"T","level":"info","msg":"request","path":"/a","status":200}\n' +
    '{"time":"T","level":"info","msg":"request","path":"/b","status":404}\n',
  ]);
  log("info", "later");
  await turn();
  assert.equal(writes.length, 2);
  assert.equal(writes[1], '{"time":"T","level":"info","msg":"later"}\n');
});

Deno.test("a warn or error line is written at once, after the info lines held before it", async () => {
  for (const level of ["warn", "error"] as const) {
    const writes: string[] = [];
    const out = createBatchedSink((text) => writes.push(text));
    const log = createJsonLogger(() => "T", out.sink);
    log("info", "before");
    log(level, "bad", { detail: "x" });
    assert.deepEqual(writes, [
      `{"time":"T","level":"info","msg":"before"}\n{"time":"T","level":"${level}","msg":"bad","detail":"x"}\n`,
    ]);
    log("info", "after");
    await turn();
    assert.deepEqual(writes.slice(1), ['{"time":"T","level":"info","msg":"after"}\n']);
  }
});

Deno.test("past maxBytes the held lines are written at once; flush() writes what is held and cancels the timer", () => {
  const writes: string[] = [];
  const out = createBatchedSink((text) => writes.push(text), { maxBytes: 30 });
  out.sink("a".repeat(20), "info");
  assert.deepEqual(writes, []);
  out.sink("b".repeat(20), "info");
  assert.deepEqual(writes, [`${"a".repeat(20)}\n${"b".repeat(20)}\n`]);
  out.sink("c", "info");
  out.flush();
  assert.deepEqual(writes.slice(1), ["c\n"]);
  out.flush();
  assert.equal(writes.length, 2, "nothing held, nothing written");
  // No timer is left behind (the test sanitizer would report it).
});

Deno.test("a process that exits, throws or ends in the same turn still writes every held line", async () => {
  for (const how of ["exit", "throw", "end"]) {
    const res = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-lock",
        "--no-prompt",
        "--allow-read=.",
        "tests/_helpers/batched_log_child.ts",
        how,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(res.stderr);
    assert.equal(res.success, how !== "throw", `${how}: ${stderr}`);
    assert.equal(
      new TextDecoder().decode(res.stdout),
      '{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"one","n":1}\n' +
        '{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"two","n":2}\n',
      `${how}: ${stderr}`,
    );
  }
});

Deno.test("a write that throws in the timer's flush drops its lines and is no uncaught error", async () => {
  let calls = 0;
  const out = createBatchedSink(() => {
    calls++;
    throw new Error("stdout closed");
  });
  out.sink("one", "info");
  await turn();
  assert.equal(calls, 1, "the timer wrote once");
  out.sink("two", "info");
  await turn();
  assert.equal(calls, 2, "the next turn writes again: nothing is stuck");
});

Deno.test("SIGTERM and SIGINT write the held lines, then end the process with the signal's code", async () => {
  if (Deno.build.os === "windows") return;
  const sink = new URL("../../app/batched_log_sink.ts", import.meta.url).href;
  const script = [
    `const { createBatchedSink, flushOnExit, writeStdout } = await import(${JSON.stringify(sink)});`,
    "const out = createBatchedSink(writeStdout);",
    // A listener before the flush's logs a shutdown line: it is held (the timer never runs again) until the flush.
    'for (const s of ["SIGTERM", "SIGINT"]) Deno.addSignalListener(s, () => out.sink("stopping on " + s, "info"));',
    "flushOnExit(out, false);",
    'console.error("ready");',
    "setInterval(() => {}, 1000);",
  ].join("\n");
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("ready")) {
      const { value, done } = await stderr.read();
      if (done) break;
      seen += value;
    }
    child.kill(signal);
    const [status, stdout] = await Promise.all([child.status, new Response(child.stdout).text()]);
    await stderr.cancel();
    assert.equal(stdout, `stopping on ${signal}\n`, signal);
    assert.equal(status.code, code, signal);
    assert.equal(status.signal, null, `${signal}: the process exits itself, after the flush`);
  }
});
