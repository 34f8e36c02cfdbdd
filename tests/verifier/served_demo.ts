/**
 * Test helpers for the verifier's end-to-end tests: today's server (`buildServices` + `createApp`) on a loopback
 * port holding a demo replay, and a loopback proxy that can alter one JSON answer at a time.
 */
import { fixedClock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { type DemoReport, replayDemo } from "../../scripts/demo_replay.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

/** A served world holding the three demo records. */
export interface ServedDemo {
  w: TestWorld;
  base: string;
  report: DemoReport;
  close(): Promise<void>;
}

/** Replays `days` demo trading days ending before `nowMs` into a fresh world and serves it on 127.0.0.1. */
export async function openServedDemo(days: number, nowMs: number): Promise<ServedDemo> {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  try {
    const market = buildMarketServices(w.kv, fixedClock(nowMs), {
      seed: w.config.marketSeed,
      cacheBytes: 64 << 20,
      yahoo: w.config.yahoo,
    });
    const report = await replayDemo(
      { ...w.deps.track, market: market.data, clock: w.clock },
      w.deps.auth.users,
      createSettingsRepo(w.kv),
      { days, nowMs },
    );
    return {
      w,
      base: `http://127.0.0.1:${server.addr.port}`,
      report,
      close: async () => {
        await server.shutdown();
        await w.close();
      },
    };
  } catch (e) {
    await server.shutdown();
    await w.close();
    throw e;
  }
}

// deno-lint-ignore no-explicit-any
export type Json = any;

/** Alters a JSON answer of `path` (below `/api/v1`, with its query) in place; returns whether it did. */
export type Alter = (path: string, body: Json) => boolean | Promise<boolean>;

/** A loopback proxy in front of `target`: forwards, applies `alter` to JSON answers, or answers 502. */
export function startProxy(target: string) {
  let alter: Alter | null = null;
  let down = false;
  let altered = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (down) return new Response("bad gateway", { status: 502 });
    const u = new URL(req.url);
    const res = await fetch(target + u.pathname + u.search);
    if (!alter || !res.headers.get("content-type")?.includes("json")) return res;
    const body = await res.json();
    if (await alter(u.pathname.replace(/^\/api\/v1/, "") + u.search, body)) altered++;
    return Response.json(body, { status: res.status });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    set(a: Alter | null) {
      alter = a;
      altered = 0;
    },
    down(yes: boolean) {
      down = yes;
    },
    altered: () => altered,
    close: () => server.shutdown(),
  };
}

/** A fetch that alters JSON answers in process (for tests that need no second port). */
export function alteringFetch(alter: Alter): (url: string, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const res = await fetch(url, init);
    if (!res.headers.get("content-type")?.includes("json")) return res;
    const body = await res.json();
    const u = new URL(url);
    await alter(u.pathname.replace(/^\/api\/v1/, "") + u.search, body);
    return Response.json(body, { status: res.status });
  };
}
