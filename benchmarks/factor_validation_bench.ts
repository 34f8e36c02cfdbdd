/**
 * Factor validation (issue 15) on the synthetic csi1000 market, 1,000 symbols × 500 value dates:
 * - the computation on a loaded panel (`validationStats`: every statistic, no other factors; and with two other
 *   active factors of the owner correlated one at a time, their values read from KV) — target < 300 ms;
 * - the whole `POST /factors/{id}/submit` in process (market panel load, values read, computation, series and
 *   record stored, the answer).
 */
import { getCalendar } from "../domain/calendar/calendar.ts";
import { validationGrid, validationStats } from "../domain/factors/factor_validation.ts";
import { openTestWorld, signInWithOtp } from "../tests/_helpers/test_app.ts";

const w = await openTestWorld();
const token = (await signInWithOtp(w, "bench@example.com")).access_token;
const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
const dates = getCalendar("SSE").tradingDaysBetween("2023-01-01", "2026-05-13").slice(-500);
const symbols = (await w.deps.market.data.getUniverse("csi1000")).slice(0, 1000);

async function factorWith(name: string, seed: number): Promise<string> {
  const res = await w.app.request("/api/v1/factors", {
    method: "POST",
    headers,
    body: JSON.stringify({ name, universe: "csi1000" }),
  });
  const id = (await res.json()).id;
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const data = dates.map((date) => ({ date, values: Object.fromEntries(symbols.map((x) => [x, rnd()])) }));
  const up = await w.app.request(`/api/v1/factors/${id}/values`, {
    method: "POST",
    headers,
    body: JSON.stringify({ data }),
  });
  if (up.status !== 200) throw new Error(await up.text());
  return id;
}

const id = await factorWith("bench", 1);
const others = [await factorWith("other1", 2), await factorWith("other2", 3)];
const record = (await w.deps.factors.factors.get(id))!;
const grid = await validationGrid(w.deps.factors, record);

Deno.bench({
  name:
    `validationStats on a loaded ${grid.market.symbols.length} × ${grid.market.dates.length} panel, no other factors`,
  n: 10,
  warmup: 2,
  async fn() {
    await validationStats(w.deps.factors, record, grid);
  },
});

for (const o of others) await w.deps.factors.factors.update(o, (r) => ({ ...r, status: "active" }));

Deno.bench({
  name: "validationStats, the same panel, 2 other active factors read and correlated",
  n: 10,
  warmup: 2,
  async fn() {
    await validationStats(w.deps.factors, record, grid);
  },
});

Deno.bench({
  name: "POST /factors/{id}/submit, 1,000 × 500, 2 other active factors (load + compute + store), in process",
  n: 5,
  warmup: 1,
  async fn() {
    await w.deps.factors.factors.update(id, (r) => ({ ...r, status: "ready" }));
    const res = await w.app.request(`/api/v1/factors/${id}/submit`, { method: "POST", headers });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    await res.json();
  },
});
