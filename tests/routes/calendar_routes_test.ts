import assert from "node:assert/strict";
import { openTestWorld, T0 } from "../_helpers/test_app.ts";

const FEB_2024_SSE = [
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
];

Deno.test("GET /calendar?month=2024-02 lists exactly the 15 SSE trading days of February 2024, without auth", async () => {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/api/v1/calendar?month=2024-02");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await res.json(), {
      exchange: "SSE",
      month: "2024-02",
      trading_days: FEB_2024_SSE,
      count: 15,
      today: "2026-05-14", // T0 is 09:00 in Shanghai
      today_is_trading_day: true,
      next_trading_day: "2026-05-15",
      basis: "published",
      official_through: "2026-12-31",
      provisional: false,
      warning: null,
    });
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar?date= gives the SSE session instants and neighbours", async () => {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/api/v1/calendar?date=2026-05-14");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      exchange: "SSE",
      date: "2026-05-14",
      is_trading_day: true,
      next_trading_day: "2026-05-15",
      previous_trading_day: "2026-05-13",
      today: "2026-05-14",
      basis: "published",
      official_through: "2026-12-31",
      provisional: false,
      warning: null,
      session: {
        time_zone: "Asia/Shanghai",
        open: "09:30",
        close: "15:00",
        open_at: "2026-05-14T01:30:00.000Z",
        close_at: "2026-05-14T07:00:00.000Z",
      },
    });
    const holiday = await (await w.request("GET", "/api/v1/calendar?date=2024-02-12")).json();
    assert.equal(holiday.is_trading_day, false);
    assert.equal(holiday.session.open_at, null);
    assert.equal(holiday.session.close_at, null);
    assert.equal(holiday.next_trading_day, "2024-02-19");
    assert.equal(holiday.previous_trading_day, "2024-02-08");
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar takes the exchange in any case and answers in that exchange's zone", async () => {
  const w = await openTestWorld();
  try {
    const ny = await (await w.request("GET", "/api/v1/calendar?date=2026-05-14&exchange=nyse")).json();
    assert.equal(ny.exchange, "NYSE");
    assert.equal(ny.basis, "rules");
    assert.equal(ny.session.time_zone, "America/New_York");
    assert.equal(ny.session.open_at, "2026-05-14T13:30:00.000Z");
    assert.equal(ny.session.close_at, "2026-05-14T20:00:00.000Z");
    assert.equal(ny.today, "2026-05-13"); // 01:00Z is still the 13th in New York
    const winter = await (await w.request("GET", "/api/v1/calendar?date=2026-03-06&exchange=NYSE")).json();
    assert.equal(winter.session.open_at, "2026-03-06T14:30:00.000Z");
    const crypto = await (await w.request("GET", "/api/v1/calendar?month=2024-02&exchange=Crypto")).json();
    assert.equal(crypto.exchange, "CRYPTO");
    assert.equal(crypto.count, 29);
    assert.equal(crypto.basis, "always");
    const szse = await (await w.request("GET", "/api/v1/calendar?month=2024-02&exchange=szse")).json();
    assert.deepEqual(szse.trading_days, FEB_2024_SSE);
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar's today follows the injected clock across the Shanghai date line", async () => {
  const w = await openTestWorld();
  try {
    w.clock.set(Date.UTC(2026, 4, 13, 15, 59, 59)); // 23:59:59 CST on Wednesday the 13th
    let body = await (await w.request("GET", "/api/v1/calendar?month=2026-05")).json();
    assert.equal(body.today, "2026-05-13");
    w.clock.advance(1000); // midnight in Shanghai
    body = await (await w.request("GET", "/api/v1/calendar?month=2026-05")).json();
    assert.equal(body.today, "2026-05-14");
    w.clock.set(T0 + 2 * 86_400_000); // Saturday the 16th
    body = await (await w.request("GET", "/api/v1/calendar?month=2026-05")).json();
    assert.equal(body.today, "2026-05-16");
    assert.equal(body.today_is_trading_day, false);
    assert.equal(body.next_trading_day, "2026-05-18");
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar flags weekday-only guesses with a warning", async (t) => {
  const w = await openTestWorld();
  try {
    for (
      const q of [
        "date=2014-06-03",
        "month=1989-01&exchange=NYSE",
      ]
    ) {
      await t.step(q, async () => {
        const body = await (await w.request("GET", `/api/v1/calendar?${q}`)).json();
        assert.equal(body.basis, "weekdays");
        assert.equal(body.provisional, true);
        assert.match(body.warning, /weekday-only guess/);
      });
    }
    for (const q of ["month=2027-03", "month=2024-01&exchange=NSE", "date=2024-06-17&exchange=IDX"]) {
      await t.step(q, async () => {
        const body = await (await w.request("GET", `/api/v1/calendar?${q}`)).json();
        assert.equal(body.basis, "estimate");
        assert.equal(body.provisional, true);
        assert.match(body.warning, /rule-based estimate/);
      });
    }
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar refuses neither, both, impossible or out-of-range dates and unknown exchanges with 422", async (t) => {
  const w = await openTestWorld();
  try {
    const cases: [string, string[]][] = [
      ["", ["query"]],
      ["?exchange=SSE", ["query"]],
      ["?month=2024-02&date=2024-02-01", ["query"]],
      ["?date=2023-02-29", ["query", "date"]],
      ["?date=2024-04-31", ["query", "date"]],
      ["?date=2024-1-1", ["query", "date"]],
      ["?month=2024-13", ["query", "month"]],
      ["?month=2024-00", ["query", "month"]],
      ["?month=9999-12", ["query", "month"]],
      ["?date=9999-12-31", ["query", "date"]],
      ["?month=0024-01", ["query", "month"]],
      ["?month=2024-02&exchange=LSE", ["query", "exchange"]],
      ["?month=2024-02&month=2024-03", ["query", "month"]],
    ];
    for (const [q, loc] of cases) {
      await t.step(q || "(none)", async () => {
        const res = await w.request("GET", `/api/v1/calendar${q}`);
        assert.equal(res.status, 422);
        const body = await res.json();
        assert.ok(Array.isArray(body.detail) && body.detail.length > 0);
        for (const d of body.detail) {
          assert.equal(typeof d.type, "string");
          assert.equal(typeof d.msg, "string");
        }
        assert.ok(
          body.detail.some((d: { loc: string[] }) => JSON.stringify(d.loc) === JSON.stringify(loc)),
          q,
        );
      });
    }
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar answers at the edges of the supported years", async () => {
  const w = await openTestWorld();
  try {
    const last = await (await w.request("GET", "/api/v1/calendar?date=2199-12-31")).json();
    assert.equal(last.next_trading_day, "2200-01-02"); // 2200-01-01 is New Year's Day in the estimate
    const first = await w.request("GET", "/api/v1/calendar?month=1900-01&exchange=NYSE");
    assert.equal(first.status, 200);
    assert.equal((await first.json()).basis, "weekdays");
  } finally {
    await w.close();
  }
});

Deno.test("GET /calendar is documented in /openapi.json with both answer shapes", async () => {
  const w = await openTestWorld();
  try {
    const doc = await (await w.request("GET", "/openapi.json")).json();
    const op = doc.paths["/api/v1/calendar"].get;
    assert.deepEqual(op.parameters.map((p: { name: string }) => p.name).sort(), [
      "date",
      "exchange",
      "month",
    ]);
    assert.ok(doc.components.schemas.CalendarMonth);
    assert.ok(doc.components.schemas.CalendarDate);
    assert.equal(op.security, undefined);
  } finally {
    await w.close();
  }
});
