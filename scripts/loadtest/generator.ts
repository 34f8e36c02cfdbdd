/**
 * The load test's fallback generator (when `wrk` is absent): `connections` loops sending `GET url` back to back
 * for `seconds` (each loop holds one keep-alive connection), then prints one JSON line `GeneratorResult`.
 *
 *   deno run --allow-net=127.0.0.1 generator.ts <url> <connections> <seconds> [<header-json>]
 */
import type { LoadResult } from "./wrk.ts";

const [url, connText, secondsText, headerJson] = Deno.args;
const connections = Math.max(1, Math.min(Number(connText) || 32, 1024));
const seconds = Math.max(0.2, Math.min(Number(secondsText) || 10, 3600));
const headers = headerJson ? JSON.parse(headerJson) as Record<string, string> : {};

const latencies: number[] = [];
let errors = 0;
let bad = 0;
const stop = performance.now() + seconds * 1000;
async function loop(): Promise<void> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 1, http2: false });
  try {
    while (performance.now() < stop) {
      const t0 = performance.now();
      try {
        const res = await fetch(url, { headers, client });
        await res.arrayBuffer();
        if (res.status >= 400) bad++;
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  } finally {
    client.close();
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: connections }, loop));
const elapsed = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] : NaN;
const result: LoadResult = {
  requests: latencies.length,
  rps: latencies.length / elapsed,
  p50_ms: pct(0.5),
  p99_ms: pct(0.99),
  errors,
  non_2xx_3xx: bad,
};
console.log(JSON.stringify(result));
