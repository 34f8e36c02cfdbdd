/**
 * The independent verifier (`verifier/`) on a 120-day demo record served on loopback by today's server: the whole
 * verification of `demo-momentum` (every public read, proofs, signatures, replay, metrics, chain, checkpoint list),
 * and the settlement replay alone over the same record with its bundles and bars already read.
 */
import { replayDay, type ReplayState } from "../verifier/replay.ts";
import { verifyPublicRecord } from "../verifier/verify.ts";
import { loadBars, tradingDaysBetween } from "../verifier/market.ts";
import { createPublicApi } from "../verifier/public_api.ts";
import type { Parameters, TrackRecordAnswer, VerifyAnswer } from "../verifier/shapes.ts";
import { openServedDemo } from "../tests/verifier/served_demo.ts";

const demo = await openServedDemo(120, Date.UTC(2026, 10, 20, 12, 0));
const SLUG = "demo-momentum";

const api = createPublicApi(demo.base, fetch);
const track = await api.get<TrackRecordAnswer>(`/public/strategies/${SLUG}/track-record`);
const params = track.parameters as Parameters;
const dates = track.records.map((r) => r.date);
const bundles = await Promise.all(
  dates.map((d) => api.get<VerifyAnswer>(`/public/strategies/${SLUG}/verify?date=${d}`)),
);
const weights = bundles.map((b) =>
  b.signal
    ? (JSON.parse(b.signal.canonical_json).signals as { symbol: string; weight: string }[])
      .map((s) => ({ symbol: s.symbol, weight: Number(s.weight) }))
    : null
);
const symbols = [...new Set(weights.flatMap((w) => w ?? []).map((w) => w.symbol))];
const bars = await loadBars(api, symbols, params.start_date, dates.at(-1)!, 8);

Deno.bench(`verifyPublicRecord: ${SLUG}, 120 days on loopback`, async () => {
  const v = await verifyPublicRecord({ baseUrl: demo.base, slug: SLUG });
  if (v.verdict !== "verified") {
    throw new Error(v.failures.concat(v.days.flatMap((d) => d.failures)).join("\n"));
  }
});

Deno.bench(`replayDay × 120: ${SLUG} (inputs already read)`, () => {
  let state: ReplayState = { cash: params.initial_capital, holdings: [] };
  for (let i = 0; i < dates.length; i++) {
    state = replayDay({
      date: dates[i],
      state,
      signal: weights[i],
      bar: (s) => bars.get(s)?.bar(dates[i]) ?? null,
      tradingDaysSince: (from) => tradingDaysBetween(dates, from, dates[i]),
      creditDividends: true,
      parameters: params,
    }).state;
  }
});

globalThis.addEventListener("unload", () => void demo.close());
