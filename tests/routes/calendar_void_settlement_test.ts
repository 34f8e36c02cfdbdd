import assert from "node:assert/strict";
import { clearInstalledClosures } from "../../domain/calendar/calendar.ts";
import { settleAll } from "../../domain/track_record/settlement/settle.ts";
import { openTestWorld, signInAdmin, signInWithOtp } from "../_helpers/test_app.ts";

const SIG = [{ symbol: "600519.SH", weight: 0.5 }];

const LIST_A = ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"];

Deno.test("a signal for a day an installed list closes is never settled; a day the list opens settles normally", async () => {
  const w = await openTestWorld();
  try {
    const token = (await signInWithOtp(w, "quant@example.com")).access_token;
    const created = await w.request("POST", "/api/v1/strategies", {
      token,
      json: { name: "void-1", slug: "void-1" },
    });
    assert.equal(created.status, 201);
    const admin = (await signInAdmin(w)).access_token;
    const install = (closures: string[]) =>
      w.request("PUT", "/api/v1/admin/calendars/SSE/2027", {
        token: admin,
        json: { closures, source: "test list" },
      });
    // List A opens 2027-02-12, which the estimate had closed.
    const a = await install(LIST_A);
    assert.equal(a.status, 200);
    assert.ok((await a.json()).newly_opened.includes("2027-02-12"));
    for (const trade_date of ["2027-02-12", "2027-03-02", "2027-03-03"]) {
      const res = await w.request("POST", "/api/v1/strategies/void-1/signals", {
        token,
        json: { trade_date, signals: SIG },
      });
      assert.equal(res.status, 201, trade_date);
    }
    // List B also closes 2027-03-03, after a signal for it was accepted.
    const b = await install([...LIST_A, "2027-03-03"]);
    assert.equal(b.status, 200);
    assert.deepEqual((await b.json()).newly_closed, ["2027-03-03"]);
    w.clock.set(Date.UTC(2027, 2, 4, 10, 0)); // 2027-03-04 18:00 CST
    const { outcomes } = await settleAll(w.deps.track, "2027-03-04");
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].status, "settled", JSON.stringify(outcomes[0]));
    const days = outcomes[0].days;
    assert.equal(days[0], "2027-02-12");
    assert.ok(days.includes("2027-03-02") && days.includes("2027-03-04"));
    assert.ok(!days.includes("2027-03-03"));
    const later = (await signInWithOtp(w, "quant@example.com")).access_token; // the first token has expired
    const list = await (await w.request("GET", "/api/v1/strategies/void-1/signals", { token: later })).json();
    const byDate = Object.fromEntries(
      list.items.map((s: { trade_date: string }) => [s.trade_date, s]),
    ) as Record<string, { is_settled: boolean; void: string | null }>;
    assert.equal(byDate["2027-02-12"].is_settled, true);
    assert.equal(byDate["2027-03-02"].is_settled, true);
    assert.equal(byDate["2027-03-02"].void, null);
    assert.equal(byDate["2027-03-03"].is_settled, false);
    assert.equal(byDate["2027-03-03"].void, "exchange closed");
  } finally {
    clearInstalledClosures();
    await w.close();
  }
});
