/**
 * A witness that never answers cannot make submissions slow: a submission's `attestPending({github: false})`
 * cosigns each log once after all its appends (not once per appended hash), so it answers within about one
 * `WITNESS_TIMEOUT_MS`; the failed push puts the witness in its backoff window (`WITNESS_BACKOFF_MS`), so a
 * second submission right after does not wait for it at all; the catch-up run (`attestPending` without
 * `github: false`) still pushes to it.
 */
import assert from "node:assert/strict";
import { attestPending } from "../../../domain/track_record/signals/attest_pending.ts";
import { submitSignal } from "../../../domain/track_record/signals/signals.ts";
import { createTrackedStrategy } from "../../../domain/track_record/signals/tracked_strategies.ts";
import { submitSignalView } from "../../../domain/track_record/operations.ts";
import { openTestWorld } from "../../_helpers/test_app.ts";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { settleAll } from "../../../domain/track_record/settlement/settle.ts";
import { CHAIN_DAYS, CHAIN_OWNER, chainDeps, chainStrategy } from "./chain_world.ts";

const OWNER = "usr_backoff";
const DAY = "2026-05-14"; // the test clock stands at 09:00 Asia/Shanghai on this Thursday
const TIMEOUT_MS = 400;

/** A loopback server that accepts connections and never answers; counts the connections. */
function silentWitness() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) conns.push(conn);
    } catch {
      // closed
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    connections: () => conns.length,
    close: async () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed by the client
        }
      }
      await accepting;
    },
  };
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

Deno.test("a witness that never answers: a submission waits about one timeout, the next one none; catch-up still pushes to it", async () => {
  const silent = silentWitness();
  const w = await openTestWorld({ WITNESS_URLS: silent.url, WITNESS_TIMEOUT_MS: String(TIMEOUT_MS) });
  try {
    const track = w.deps.track;
    const slugs = ["backoff-a", "backoff-b", "backoff-c", "backoff-d", "backoff-e"];
    for (const slug of slugs) {
      await createTrackedStrategy(track, OWNER, 10, {
        name: slug,
        slug,
        universe: "hs300",
        execution_price: "open",
        holding_period: 10,
        initial_capital: 1_000_000,
        commission_rate: 0.0003,
        slippage_rate: 0.002,
      });
    }
    // Three signals committed but not yet logged (as a crash between commit and log would leave them).
    for (const slug of slugs.slice(0, 3)) {
      await submitSignal(track, OWNER, slug, {
        trade_date: DAY,
        signals: [{ symbol: "600519.SH", weight: 0.5 }],
      });
    }
    // This submission logs four hashes; the witness is asked once.
    const first = await timed(() =>
      submitSignalView(track, OWNER, slugs[3], {
        trade_date: DAY,
        signals: [{ symbol: "600519.SH", weight: 0.5 }],
      })
    );
    assert.ok(first.value.log);
    assert.equal((await track.tlog.checkpoint()).tree_size, 4);
    assert.ok(first.ms < TIMEOUT_MS * 2, `first submission took ${Math.round(first.ms)} ms`);
    const [state] = (await (await w.request("GET", "/api/v1/public/log/witnesses")).json()).witnesses;
    assert.match(state.last_error, /^timeout after/);

    // Right after: the witness is in its backoff window and is not asked.
    const asked = silent.connections();
    const second = await timed(() =>
      submitSignalView(track, OWNER, slugs[4], {
        trade_date: DAY,
        signals: [{ symbol: "600519.SH", weight: 0.5 }],
      })
    );
    assert.ok(second.value.log);
    assert.equal((await track.tlog.checkpoint()).tree_size, 5);
    assert.ok(second.ms < TIMEOUT_MS / 2, `second submission took ${Math.round(second.ms)} ms`);
    assert.equal(silent.connections(), asked, "not contacted during its backoff window");

    // The catch-up run pushes to it regardless (and waits its timeout).
    const catchUp = await timed(() => attestPending(track));
    assert.ok(silent.connections() > asked, "the catch-up run contacted it");
    assert.ok(catchUp.ms >= TIMEOUT_MS * 0.9, `catch-up took ${Math.round(catchUp.ms)} ms`);
  } finally {
    await w.close();
    await silent.close();
  }
});

Deno.test("a witness that never answers: settling two strategies through eight days pushes once (one timeout), not once per day", async () => {
  const sse = getCalendar("SSE");
  const silent = silentWitness();
  const w = await openTestWorld({ WITNESS_URLS: silent.url, WITNESS_TIMEOUT_MS: String(TIMEOUT_MS) });
  try {
    const deps = chainDeps(w);
    for (const slug of ["catch-a", "catch-b"]) {
      await chainStrategy(deps, slug);
      w.clock.set(sse.instantAt(CHAIN_DAYS[0], "09:00"));
      await submitSignal(deps, CHAIN_OWNER, slug, {
        trade_date: CHAIN_DAYS[0],
        signals: [{ symbol: "600519.SH", weight: 0.45 }],
      });
    }
    await attestPending(deps, { github: false });
    // Days later (the backoff window long gone), settlement catches up eight days of each strategy.
    w.clock.set(sse.instantAt(CHAIN_DAYS[7], "18:15"));
    const before = silent.connections();
    const settled = await timed(() => settleAll(deps, CHAIN_DAYS[7]));
    assert.deepEqual(settled.value.outcomes.map((o) => o.days.length), [8, 8]);
    assert.equal((await deps.tlog.checkpoint()).tree_size, 2 + 16);
    // One push of the log's head after all sixteen appends (so one timeout), not one per appended day record.
    assert.equal(silent.connections() - before, 1, `${silent.connections() - before} pushes`);
  } finally {
    await w.close();
    await silent.close();
  }
});
