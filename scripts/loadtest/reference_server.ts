/**
 * The load test's two reference servers in one process (`scripts/loadtest.ts` starts it pinned to core 0):
 * `GET /json`, a bare Hono JSON route, and `GET /kv`, a bare Hono route answering one KV value (the 120-row
 * track record the app answered, stored once at start). Prints `listening <port>` when ready.
 *
 *   deno run --allow-net=127.0.0.1 --allow-read=<dir> --allow-write=<dir> reference_server.ts <port> <kv> <json-file>
 */
import { Hono } from "hono";

const [portText, kvPath, recordFile] = Deno.args;
const kv = await Deno.openKv(kvPath);
const KEY = ["loadtest", "track_record"];
await kv.set(KEY, JSON.parse(await Deno.readTextFile(recordFile)));

const app = new Hono();
app.get("/json", (c) => c.json({ ok: true, service: "reference", version: 1 }));
app.get("/kv", async (c) => c.json((await kv.get<Record<string, unknown>>(KEY)).value));

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(portText),
  onListen: ({ port }) => console.log(`listening ${port}`),
}, app.fetch);
