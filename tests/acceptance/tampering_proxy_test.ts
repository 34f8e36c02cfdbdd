/**
 * Acceptance (issue 18): the verifier run through a proxy that alters one kind of published number at a time
 * catches each (verdict `not_verified`, a failure tagged with that kind); the untouched record verifies; a proxy
 * that answers 502 or is gone gives `unreachable`, not `not_verified`. The record is a public (non-demo) one built
 * through the real code, holding a dividend ex-date, a suspension of a held stock and a holding-period expiry.
 */
import assert from "node:assert/strict";
import { verifyPublicRecord } from "../../verifier/verify.ts";
import { buildDividendSuspensionRecord, openTrackWorld } from "../_helpers/track_world.ts";
import { canonicalJson, type Json, sha256Hex, startTamperingProxy, type Tamper } from "./tampering_proxy.ts";

/** One kind of published number altered, and the failure tag that must name it. */
interface Case {
  kind: string;
  /** The bracketed tag of at least one failure must match this. */
  tag: RegExp;
  tamper: Tamper;
}

const API = "/api/v1";

Deno.test("the verifier catches each kind of published number altered by a proxy; the untouched record verifies", async (t) => {
  const world = await openTrackWorld();
  const proxy = startTamperingProxy(world.base);
  try {
    const rec = await buildDividendSuspensionRecord(world.w);
    const slug = rec.slug;
    const get = async (path: string) => {
      const res = await fetch(world.base + API + path);
      assert.equal(res.status, 200, path);
      return await res.json();
    };
    const bundle = (date: string) => get(`/public/strategies/${slug}/verify?date=${date}`);

    // The record holds what the cases alter (so no case can pass vacuously).
    const firstDay = rec.days[0];
    const first = await bundle(firstDay);
    assert.ok(first.trades.length >= 2, "the first day buys");
    const ex = await bundle(rec.ex_date);
    assert.ok(
      ex.dividends.some((d: Json) => d.symbol === rec.symbol && d.per_share > 0),
      "a dividend credit",
    );
    const suspendedDay = rec.suspended[0];
    const susp = await bundle(suspendedDay);
    assert.ok(
      susp.positions.some((p: Json) => p.symbol === rec.symbol && p.suspended === true),
      "held, suspended",
    );
    const holdDay = rec.days[5];
    const hold = await bundle(holdDay);
    assert.equal(hold.trades.length, 0, "a day without trades");
    assert.ok(hold.positions.length >= 2, "positions held on the hold day");
    const heldSymbol: string = hold.positions[0].symbol;
    const expiry = await bundle(rec.days[20]);
    assert.ok(expiry.trades.some((tr: Json) => tr.reason === "holding_period_expired"), "an expiry sale");
    const perf = await get(`/public/strategies/${slug}/performance`);
    assert.ok(perf.rolling_excess_sharpe.length >= 3, "rolling windows exist");
    const track = await get(`/public/strategies/${slug}/track-record`);
    assert.equal(track.records.length, rec.days.length);
    const k = 10;
    const kDate: string = track.records[k].date;

    const path = (u: URL) => u.pathname.slice(API.length);
    const isBundle = (u: URL, b: Json, date: string) =>
      path(u) === `/public/strategies/${slug}/verify` && b.date === date;
    const isTrack = (u: URL) => path(u) === `/public/strategies/${slug}/track-record`;
    const isPerf = (u: URL) => path(u) === `/public/strategies/${slug}/performance`;
    /** The day bundle carries the day's figures twice (flat and under `verification`): a forger alters both. */
    const views = (b: Json): Json[] => [b, b.verification].filter(Boolean);
    const onBundle = (date: string, f: (view: Json, b: Json) => void): Tamper => (u, b) => {
      if (!isBundle(u, b, date)) return false;
      for (const v of views(b)) f(v, b);
      return true;
    };
    /** Moves a position's price and keeps NAV adding up by taking the difference out of cash. */
    const repricePosition = (v: Json, symbol: string, price: number) => {
      const p = v.positions.find((x: Json) => x.symbol === symbol);
      const value = p.quantity * price;
      const delta = value - p.market_value;
      v.cash -= delta;
      p.price = price;
      p.market_value = value;
      if (v.nav_check) {
        v.nav_check.positions_value += delta;
        v.nav_check.cash = v.cash;
      }
    };

    /** A forger rewriting day `date` (NAV and cash up by 1) and recomputing its record hash everywhere. */
    const forgedDay = (date: string): Tamper => {
      let forged: { hash: string; nav: number } | null = null;
      const forge = async () => {
        if (forged) return forged;
        const b = await bundle(date);
        assert.ok(b.record_chain, `${date} has a record_chain`);
        const day = JSON.parse(b.record_chain.canonical_json);
        day.nav += 1;
        day.cash += 1;
        const json = canonicalJson(day);
        forged = { hash: await sha256Hex(json), nav: day.nav };
        return forged;
      };
      return async (u, b) => {
        if (isBundle(u, b, date)) {
          const f = await forge();
          const day = JSON.parse(b.record_chain.canonical_json);
          day.nav += 1;
          day.cash += 1;
          b.record_chain.canonical_json = canonicalJson(day);
          b.record_chain.record_hash = f.hash;
          for (const v of views(b)) {
            v.nav += 1;
            v.cash += 1;
          }
          return true;
        }
        if (isTrack(u)) {
          const f = await forge();
          const r = b.records.find((x: Json) => x.date === date);
          r.record_hash = f.hash;
          r.nav_value = f.nav;
          r.nav = f.nav / b.initial_capital;
          return true;
        }
        return false;
      };
    };

    const cases: Case[] = [
      {
        kind: "a trade's price",
        tag: /^trade\.price$/,
        tamper: onBundle(firstDay, (v) => {
          v.trades[0].price = Math.round(v.trades[0].price * 1.01 * 100) / 100;
        }),
      },
      {
        kind: "a trade's fill price",
        tag: /^trade\.fill_price$/,
        tamper: onBundle(firstDay, (v) => {
          v.trades[0].fill_price += 0.01;
        }),
      },
      {
        kind: "a trade's quantity (notional kept consistent)",
        tag: /^trade\.quantity$/,
        tamper: onBundle(firstDay, (v) => {
          const tr = v.trades[0];
          tr.quantity += 100;
          tr.notional = tr.quantity * tr.fill_price;
        }),
      },
      {
        kind: "a trade's commission",
        tag: /^trade\.commission$/,
        tamper: onBundle(firstDay, (v) => {
          v.trades[1].commission *= 1.5;
        }),
      },
      {
        kind: "a position's price, cash adjusted so NAV still adds up",
        tag: /^position\.price$/,
        tamper: onBundle(holdDay, (v) => {
          const p = v.positions[0];
          repricePosition(v, p.symbol, p.price + 0.5);
        }),
      },
      {
        kind: "a position's quantity, cash adjusted so NAV still adds up",
        tag: /^position\.quantity$/,
        tamper: onBundle(holdDay, (v) => {
          const p = v.positions[1];
          p.quantity += 100;
          v.cash -= 100 * p.price;
          p.market_value = p.quantity * p.price;
        }),
      },
      {
        kind: "cash and NAV shifted together",
        tag: /^(cash|nav)$/,
        tamper: onBundle(holdDay, (v) => {
          v.cash += 1000;
          v.nav += 1000;
        }),
      },
      {
        kind: "a dividend per share (its cash credit kept consistent)",
        tag: /^dividend\.per_share$/,
        tamper: onBundle(rec.ex_date, (_v, b) => {
          // `dividends` is published once, at the top of the bundle.
          const d = b.dividends.find((x: Json) => x.symbol === rec.symbol);
          d.per_share *= 1.1;
          d.cash = d.quantity * d.per_share;
        }),
      },
      {
        kind: "a position's suspended flag",
        tag: /^position\.suspended$/,
        tamper: onBundle(suspendedDay, (v) => {
          for (const p of v.positions) if (p.symbol === rec.symbol) p.suspended = false;
        }),
      },
      {
        kind: "the previous NAV of a day",
        tag: /^prev_nav$/,
        tamper: onBundle(holdDay, (v) => {
          v.prev_nav += 100;
        }),
      },
      {
        kind: "the benchmark return on /track-record",
        tag: /^track_record\.benchmark_return$/,
        tamper: (u, b) => {
          if (!isTrack(u)) return false;
          b.records[k].benchmark_return += 0.001;
          return true;
        },
      },
      {
        kind: "the benchmark close on /verify",
        tag: /^benchmark\.close$/,
        tamper: (u, b) => {
          if (!isBundle(u, b, holdDay)) return false;
          b.benchmark.close *= 1.001;
          return true;
        },
      },
      ...(["sharpe", "volatility", "max_drawdown"] as const).map((metric): Case => ({
        kind: `${metric} on /performance`,
        tag: new RegExp(`^performance\\.${metric}$`),
        tamper: (u, b) => {
          if (!isPerf(u)) return false;
          b.metrics[metric] += 0.01;
          b[metric] += 0.01;
          return true;
        },
      })),
      {
        kind: "a rolling excess Sharpe value",
        tag: /^performance\.rolling_excess_sharpe$/,
        tamper: (u, b) => {
          if (!isPerf(u)) return false;
          b.rolling_excess_sharpe[2].value += 0.01;
          return true;
        },
      },
      {
        kind: "a normalised NAV on /track-record",
        tag: /^track_record\.nav$/,
        tamper: (u, b) => {
          if (!isTrack(u)) return false;
          b.records[k].nav += 1e-4;
          return true;
        },
      },
      {
        kind: "a daily return on /track-record",
        tag: /^track_record\.daily_return$/,
        tamper: (u, b) => {
          if (!isTrack(u)) return false;
          b.records[k].daily_return += 1e-4;
          return true;
        },
      },
      {
        kind: "a past day's record changed with its record_hash recomputed (the chain breaks)",
        tag: /^chain\.(prev_record_hash|log)$/,
        tamper: forgedDay(kDate),
      },
      {
        kind: "a checkpoint timestamp (note rewritten to match)",
        tag: /^(log\.checkpoint|checkpoints\.(signature|time|order))$/,
        tamper: onBundle(firstDay, (_v, b) => {
          const cp = b.signal.log.inclusion_proof.checkpoint;
          cp.timestamp -= 3_600_000;
          cp.note = `${cp.origin}\n${cp.tree_size}\n${cp.root_hash}\n${cp.timestamp}\n`;
          b.signal.log.checkpoint_timestamp = new Date(cp.timestamp).toISOString();
        }),
      },
      {
        kind: "a parameter (commission_rate) on every endpoint that publishes it",
        tag: /^(parameters\.commission_rate|trade\.commission)$/,
        tamper: (u, b) => {
          const own = isTrack(u) || path(u) === `/public/strategies/${slug}/verify`;
          if (!own || !b.parameters) return false;
          b.parameters.commission_rate = 0.00025;
          if (b.data_provenance) b.data_provenance.commission_rate = 0.00025;
          return true;
        },
      },
      {
        kind: "a bar's close in the public bars endpoint",
        tag: /^position\.price$/,
        tamper: (u, b) => {
          if (path(u) !== `/data/bars/${heldSymbol}`) return false;
          const bar = b.bars.find((x: Json) => x.date === holdDay);
          if (!bar) return false;
          bar.close = Math.round(bar.close * 1.02 * 100) / 100;
          bar.high = Math.max(bar.high, bar.close);
          return true;
        },
      },
      {
        kind: "a day dropped from /track-record",
        tag: /^(track_record\.dates|completeness|chain\.prev_record_hash)$/,
        tamper: (u, b) => {
          if (!isTrack(u)) return false;
          b.records = b.records.filter((r: Json) => r.date !== kDate);
          return true;
        },
      },
      {
        kind: "a signal weight (canonical JSON and parsed signals)",
        tag: /^signal\.(canonical_json|hash)$/,
        tamper: onBundle(firstDay, (_v, b) => {
          b.signal.canonical_json = b.signal.canonical_json.replace('"weight":"0.5"', '"weight":"0.55"');
          b.signal.signals = b.signal.signals.map((s: Json) => s.weight === 0.5 ? { ...s, weight: 0.55 } : s);
        }),
      },
    ];

    assert.ok(cases.length >= 15);
    const verify = () => verifyPublicRecord({ baseUrl: proxy.url, slug });

    await t.step("the untouched record verifies through the proxy", async () => {
      proxy.set(null);
      const v = await verify();
      assert.equal(v.verdict, "verified", v.failures.join("\n"));
      assert.equal(v.ok, true);
      assert.equal(v.days.length, rec.days.length);
      assert.equal(v.checks.failed, 0);
      assert.ok(v.replay.compared > 0);
    });

    const tagOf = (f: string) => f.match(/^\[([^\]]+)\]/)?.[1] ?? "";
    for (const c of cases) {
      await t.step(`caught: ${c.kind}`, async () => {
        proxy.set(c.tamper);
        const v = await verify();
        assert.equal(v.verdict, "not_verified", `${c.kind}: ${v.verdict}`);
        assert.equal(v.ok, false);
        const all = [...v.failures, ...v.days.flatMap((d) => d.failures)];
        assert.ok(
          all.some((f) => c.tag.test(tagOf(f))),
          `${c.kind}: no failure tagged ${c.tag}; got ${[...new Set(all.map(tagOf))].join(", ")}`,
        );
        assert.ok(proxy.altered() > 0, "the proxy altered an answer");
      });
    }

    await t.step("a proxy answering 502 is unreachable, not tampered", async () => {
      proxy.set(null);
      proxy.mode("502");
      const v = await verify();
      assert.equal(v.verdict, "unreachable", v.failures.join("\n"));
      assert.equal(v.ok, false);
      proxy.mode("forward");
    });

    await t.step("the CLI exits 1 on a tampered record and 3 on an unreachable one", async () => {
      const cli = async () => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "--allow-net", "scripts/verify.ts", proxy.url, slug, "--json"],
          stdout: "piped",
          stderr: "piped",
        }).output();
        return { code: out.code, json: JSON.parse(new TextDecoder().decode(out.stdout)) };
      };
      proxy.set(cases[0].tamper);
      const tampered = await cli();
      assert.equal(tampered.code, 1);
      assert.equal(tampered.json.verdict, "not_verified");
      proxy.set(null);
      proxy.mode("502");
      const down = await cli();
      assert.equal(down.code, 3);
      assert.equal(down.json.verdict, "unreachable");
      proxy.mode("forward");
    });
  } finally {
    await proxy.close();
    await world.close();
  }
});

Deno.test("a closed port is unreachable, not tampered", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const v = await verifyPublicRecord({ baseUrl: `http://127.0.0.1:${port}`, slug: "nothing-here" });
  assert.equal(v.verdict, "unreachable");
  assert.equal(v.ok, false);
  assert.ok(v.failures.length > 0, "says why");
});
