import assert from "node:assert/strict";
import { openTestWorld } from "../_helpers/test_app.ts";

Deno.test("GET /calendar?month=2024-02 lists the SSE trading days of February 2024", async () => {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/api/v1/calendar?month=2024-02");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.trading_days, [
      "2024-02-01",
      "2024-02-02",
      "2024-02-05",
      "2024-02-06",
      "2024-02-07",
      "2024-02-08",
      "2024-02-19",
      "2024-02-20",
      "2024-02-21",
      "2024-02-22",
      "2024-02-23",
      "2024-02-26",
      "2024-02-27",
      "2024-02-28",
      "2024-02-29",
    ]);
    assert.equal(body.count, 15);
    assert.equal(body.exchange, "SSE");
    assert.equal(body.basis, "published");
    assert.equal(body.today, "2026-05-14"); // T0 is 09:00 in Shanghai
    assert.equal(body.today_is_trading_day, true);
    assert.equal(body.next_trading_day, "2026-05-15");
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar?date= gives the session instants and neighbours", async () => {
  const w = await openTestWorld();
  try {
    const body = await (await w.request("GET", "/api/v1/calendar?date=2026-05-14&exchange=nyse")).json();
    assert.equal(body.exchange, "NYSE");
    assert.equal(body.is_trading_day, true);
    assert.equal(body.session.open_at, "2026-05-14T13:30:00.000Z");
    assert.equal(body.session.close_at, "2026-05-14T20:00:00.000Z");
    assert.equal(body.today, "2026-05-13"); // 01:00Z is still the 13th in New York
    const holiday = await (await w.request("GET", "/api/v1/calendar?date=2024-02-12")).json();
    assert.equal(holiday.is_trading_day, false);
    assert.equal(holiday.session.open_at, null);
    assert.equal(holiday.next_trading_day, "2024-02-19");
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar flags a weekday-only guess outside the published years", async () => {
  const w = await openTestWorld();
  try {
    const body = await (await w.request("GET", "/api/v1/calendar?month=2027-03")).json();
    assert.equal(body.basis, "weekdays");
    assert.match(body.warning, /guess/);
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar refuses neither, both, impossible dates and unknown exchanges with 422", async (t) => {
  const w = await openTestWorld();
  try {
    for (
      const q of [
        "",
        "?month=2024-02&date=2024-02-01",
        "?date=2023-02-29",
        "?month=2024-13",
        "?month=2024-02&exchange=LSE",
      ]
    ) {
      await t.step(q || "(none)", async () => {
        const res = await w.request("GET", `/api/v1/calendar${q}`);
        assert.equal(res.status, 422);
        const body = await res.json();
        assert.ok(Array.isArray(body.detail));
        assert.equal(body.detail[0].loc[0], "query");
      });
    }
  } finally {
    await w.close();
  }
});
