/**
 * Cost of `openKv`'s busy-retry wrapper when nothing contends: point reads and checked commits on a file KV,
 * through the raw handle and through the wrapper (the server's and the CLIs' handle).
 */
import { openKv } from "../domain/store/kv.ts";

const dir = await Deno.makeTempDir({ prefix: "kv_busy_bench_" });
const raw = await Deno.openKv(`${dir}/raw.sqlite`);
const wrapped = await openKv(`${dir}/wrapped.sqlite`);

for (const [name, kv] of [["raw Deno.Kv", raw], ["openKv (busy retry)", wrapped]] as const) {
  await kv.set(["n"], 0);
  Deno.bench(`${name}: get`, { group: "get" }, async () => {
    await kv.get(["n"]);
  });
  Deno.bench(`${name}: read, checked commit of 3 mutations`, { group: "commit" }, async () => {
    const r = await kv.get<number>(["n"]);
    await kv.atomic().check(r).set(["n"], (r.value ?? 0) + 1).set(["a"], r.value).sum(["s"], 1n).commit();
  });
}

globalThis.addEventListener("unload", () => {
  raw.close();
  wrapped.close();
  Deno.removeSync(dir, { recursive: true });
});
