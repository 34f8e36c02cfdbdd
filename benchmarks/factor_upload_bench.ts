/**
 * `POST /api/v1/factors/{id}/values` with 500 dates × 1,000 csi1000 symbols (~16 MB of JSON), end to end in
 * process (`app.request`: body limit, JSON parse, the hand-read body check, universe filter, KV upsert of every
 * chunk, the answer). Target: under 2 s. Also the body check alone.
 */
import { getCalendar } from "../domain/calendar/calendar.ts";
import { readFactorUpload } from "../domain/factors/factor_upload_body.ts";
import { openTestWorld, signInWithOtp } from "../tests/_helpers/test_app.ts";

const w = await openTestWorld();
const token = (await signInWithOtp(w, "bench@example.com")).access_token;
const created = await w.app.request("/api/v1/factors", {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body: JSON.stringify({ name: "bench", universe: "csi1000" }),
});
const id = (await created.json()).id;
const symbols = (await w.deps.market.data.getUniverse("csi1000")).slice(0, 1000);
const dates = getCalendar("SSE").tradingDaysBetween("2023-01-01", "2026-05-13").slice(-500);
let seed = 7;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
const data = dates.map((date) => ({ date, values: Object.fromEntries(symbols.map((s) => [s, rnd()])) }));
const body = JSON.stringify({ data });
const parsed = JSON.parse(body);

Deno.bench({
  name: `POST /factors/{id}/values, 500 dates × 1,000 symbols (${
    (body.length / 1e6).toFixed(1)
  } MB), in process`,
  n: 5,
  warmup: 1,
  async fn() {
    const res = await w.app.request(`/api/v1/factors/${id}/values`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body,
    });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    await res.json();
  },
});

Deno.bench({
  name: "readFactorUpload (the body check alone), 500 × 1,000",
  n: 10,
  warmup: 2,
  fn() {
    readFactorUpload(parsed);
  },
});
