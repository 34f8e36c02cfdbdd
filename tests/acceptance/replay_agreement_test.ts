/**
 * Acceptance (issue 18): the verifier's settlement replay (an independent implementation, from public data only)
 * agrees with the published record to a relative 1e-9 on the three demo records (a window across the July
 * ex-dates, longer than the 60-day rolling window) and on a public record holding a dividend ex-date and a
 * suspension of a held stock. The number of figures compared is checked against a floor counted here from the
 * published answers, so an agreement over few numbers cannot pass.
 */
import assert from "node:assert/strict";
import { DEMO_SLUGS } from "../../scripts/demo_replay.ts";
import { verifyPublicRecord } from "../../verifier/verify.ts";
import {
  buildDividendSuspensionRecord,
  openTrackWorld,
  replayDemoRecords,
  type TrackWorld,
} from "../_helpers/track_world.ts";
import type { Json } from "./tampering_proxy.ts";

const API = "/api/v1";
const TOLERANCE = 1e-9;

/**
 * The replayed figures a record publishes, counted from its answers: per day NAV, cash, previous NAV and daily
 * return; per trade price, fill price, quantity, notional and commission; per position price, quantity and market
 * value; per dividend per-share amount, quantity and cash.
 */
async function replayedFigures(base: string, slug: string) {
  const track = await (await fetch(`${base}${API}/public/strategies/${slug}/track-record`)).json();
  let figures = 0, trades = 0, positions = 0, dividends = 0;
  for (const r of track.records as Json[]) {
    const res = await fetch(`${base}${API}/public/strategies/${slug}/verify?date=${r.date}`);
    assert.equal(res.status, 200);
    const b = await res.json();
    trades += b.trades.length;
    positions += b.positions.length;
    dividends += b.dividends.length;
  }
  figures = 4 * track.records.length + 5 * trades + 3 * positions + 3 * dividends;
  return { days: track.records.length, trades, positions, dividends, figures };
}

async function agreement(world: TrackWorld, slug: string) {
  const v = await verifyPublicRecord({ baseUrl: world.base, slug });
  assert.equal(v.verdict, "verified", `${slug}: ${v.failures.join("\n")}`);
  const published = await replayedFigures(world.base, slug);
  console.log(
    `${slug}: ${published.days} days, ${published.trades} trades, ${published.positions} position-days, ` +
      `${published.dividends} dividend credits; verifier compared ${v.replay.compared} figures, max relative ` +
      `error ${v.replay.max_relative_error}`,
  );
  assert.ok(v.replay.max_relative_error <= TOLERANCE, `${slug}: ${v.replay.max_relative_error}`);
  assert.ok(v.replay.max_relative_error >= 0);
  assert.ok(
    v.replay.compared >= published.figures,
    `${slug}: compared ${v.replay.compared} < ${published.figures} published replayed figures`,
  );
  return published;
}

Deno.test("the verifier's replay agrees with the three demo records to 1e-9", async () => {
  const world = await openTrackWorld();
  try {
    // 65 trading days through Friday 24 July 2026: past the July ex-dates, and over the 60-day rolling window.
    const report = await replayDemoRecords(world.w, 65, Date.UTC(2026, 6, 24, 12, 0));
    assert.equal(report.days, 65);
    let dividends = 0;
    for (const slug of DEMO_SLUGS) {
      const p = await agreement(world, slug);
      assert.equal(p.days, 65);
      assert.ok(p.trades > 0);
      dividends += p.dividends;
    }
    assert.ok(dividends > 0, "a demo position was held into an ex-date");
  } finally {
    await world.close();
  }
});

Deno.test("the verifier's replay agrees to 1e-9 with a record holding a dividend ex-date and a suspension", async () => {
  const world = await openTrackWorld();
  try {
    const rec = await buildDividendSuspensionRecord(world.w);
    const ex =
      await (await fetch(`${world.base}${API}/public/strategies/${rec.slug}/verify?date=${rec.ex_date}`))
        .json();
    assert.ok(
      ex.dividends.some((d: Json) => d.symbol === rec.symbol && d.per_share > 0),
      "a dividend credit",
    );
    assert.ok(rec.suspended.length > 0);
    for (const date of rec.suspended) {
      const b = await (await fetch(`${world.base}${API}/public/strategies/${rec.slug}/verify?date=${date}`))
        .json();
      assert.ok(
        b.positions.some((p: Json) => p.symbol === rec.symbol && p.suspended === true),
        `${rec.symbol} held and suspended on ${date}`,
      );
    }
    const p = await agreement(world, rec.slug);
    assert.equal(p.days, rec.days.length);
    assert.ok(p.dividends > 0);
  } finally {
    await world.close();
  }
});
