import assert from "node:assert/strict";
import { Hono } from "hono";
import { createDeadlineTimer } from "../../routes/middleware/deadline_timer.ts";
import { requestDeadline } from "../../routes/middleware/request_guards.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("deadlines on one timer: each expires at its own time, in order, across budgets; answered ones never expire", async () => {
  const d = createDeadlineTimer();
  const t0 = performance.now();
  const expired: [string, number][] = [];
  const at = (name: string) => () => expired.push([name, performance.now() - t0]);
  d.add(120, at("a120"));
  const b = d.add(120, at("b120"));
  d.add(40, at("c40"));
  const e = d.add(40, at("e40"));
  d.add(80, at("f80"));
  d.settle(b);
  d.settle(e);
  d.settle(e); // twice is harmless
  assert.equal(d.held(), 5, "answered entries behind a running head wait to be dropped");
  await sleep(200);
  assert.deepEqual(expired.map(([n]) => n), ["c40", "f80", "a120"]);
  const [[, c], [, f], [, a]] = expired;
  assert.ok(c >= 39 && c < 110, `c40 at ${c} ms`);
  assert.ok(f >= 79 && f < 150, `f80 at ${f} ms`);
  assert.ok(a >= 119 && a < 190, `a120 at ${a} ms`);
  assert.equal(d.held(), 0);
});

Deno.test("no timer is left once every request is answered (the test sanitizer would report one)", async () => {
  const d = createDeadlineTimer();
  let fired = 0;
  const entries = Array.from({ length: 50 }, (_, i) => d.add(10_000 + (i % 3), () => fired++));
  for (const entry of entries.reverse()) d.settle(entry);
  assert.equal(d.held(), 0);
  const one = d.add(30, () => fired++);
  await sleep(1);
  d.settle(one);
  await sleep(60);
  assert.equal(fired, 0);
});

Deno.test("answered entries piled up behind a slow request are compacted: the queue holds about what is in flight", () => {
  const d = createDeadlineTimer();
  let fired = 0;
  const slow = d.add(60_000, () => fired++);
  for (let i = 0; i < 10_000; i++) d.settle(d.add(60_000, () => fired++));
  assert.ok(d.held() <= 600, `held ${d.held()}`);
  d.settle(slow);
  assert.equal(d.held(), 0);
  assert.equal(fired, 0);
});

Deno.test("requestDeadline: work that outlives its deadline is answered 503 at its deadline while quick ones pass; a late failure is not unhandled", async () => {
  const app = new Hono();
  const release: (() => void)[] = [];
  app.onError((err, c) => c.json({ detail: err.message }, err.name === "RequestDeadlineError" ? 503 : 500));
  app.use("*", requestDeadline((path) => (path === "/free" ? null : path === "/short" ? 50 : 5_000)));
  app.get(
    "/short",
    () => new Promise<Response>((_, reject) => release.push(() => reject(new Error("late failure")))),
  );
  app.get("/quick", (c) => c.json({ ok: true }));
  app.get("/free", async (c) => {
    await sleep(80);
    return c.json({ free: true });
  });
  const t0 = performance.now();
  const short = app.request("/short");
  const quick = await Promise.all(Array.from({ length: 20 }, () => app.request("/quick")));
  for (const r of quick) assert.deepEqual(await r.json(), { ok: true });
  const answered = await short;
  const took = performance.now() - t0;
  assert.equal(answered.status, 503);
  assert.match((await answered.json()).detail, /within 50 ms/);
  assert.ok(took >= 49 && took < 1_000, `answered after ${took} ms`);
  assert.deepEqual(await (await app.request("/free")).json(), { free: true }, "a path without a deadline");
  for (const r of release) r(); // the late failure is dropped, not an unhandled rejection
  await sleep(10);
});
