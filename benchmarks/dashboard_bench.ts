/**
 * The web dashboard's public pages on a 120-day demo (three demo records) served on loopback by today's app:
 * the records list (`/app/records`), one record's page (`/app/records/demo-momentum`: NAV, drawdown, metrics,
 * rolling Sharpe, claimed, audit, days, all server-rendered), the same page's JSON API reads for comparison, and
 * the in-browser verifier's entry module once transpiled (`/app/assets/verifier/verify.js`, then served from
 * memory). Each request reads its whole body.
 */
import { openServedDemo } from "../tests/verifier/served_demo.ts";

const demo = await openServedDemo(120, Date.UTC(2026, 10, 20, 12, 0));
const SLUG = "demo-momentum";

async function read(path: string): Promise<number> {
  const res = await fetch(`${demo.base}${path}`);
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return body.byteLength;
}

// Warm once (assets, the verifier transpile) and report the sizes beside the timings.
const sizes = {
  list: await read("/app/records"),
  record: await read(`/app/records/${SLUG}`),
  verifier: await read("/app/assets/verifier/verify.js"),
};
console.log(`page sizes: list ${sizes.list} B, record ${sizes.record} B, verify.js ${sizes.verifier} B`);

Deno.bench("GET /app/records (3 public demo records)", async () => {
  await read("/app/records");
});

Deno.bench(`GET /app/records/${SLUG} (120 days, server-rendered)`, async () => {
  await read(`/app/records/${SLUG}`);
});

Deno.bench(`the JSON reads behind it: track-record + performance + audit`, async () => {
  await Promise.all([
    read(`/api/v1/public/strategies/${SLUG}/track-record`),
    read(`/api/v1/public/strategies/${SLUG}/performance`),
    read(`/api/v1/public/strategies/${SLUG}/audit`),
  ]);
});

Deno.bench("GET /app/assets/verifier/verify.js (transpiled once, then from memory)", async () => {
  await read("/app/assets/verifier/verify.js");
});
