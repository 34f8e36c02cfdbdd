import assert from "node:assert/strict";
import { calendarProvenance } from "../../../domain/backtest/report.ts";
import { clearInstalledClosures, installOfficialClosures } from "../../../domain/calendar/calendar.ts";
import { toDayNumber } from "../../../domain/calendar/dates.ts";

const days = Int32Array.from(["2026-12-30", "2026-12-31", "2027-01-04", "2027-01-05"].map(toDayNumber));

Deno.test("calendarProvenance() counts the simulated days past an exchange's official list", () => {
  assert.deepEqual(calendarProvenance(days, ["SSE"]), {
    provisional: true,
    provisional_days: 2,
    official_through: { SSE: "2026-12-31" },
  });
  assert.deepEqual(calendarProvenance(days, ["NYSE", "CRYPTO"]), {
    provisional: false,
    provisional_days: 0,
    official_through: { CRYPTO: null, NYSE: "2028-12-31" },
  });
  assert.equal(calendarProvenance(days, ["SSE", "NYSE"]).provisional_days, 2);
  assert.equal(calendarProvenance(days, []).provisional, false);
});

Deno.test("calendarProvenance() follows an installed official list", () => {
  try {
    installOfficialClosures("SSE", 2027, ["2027-01-01"]);
    assert.deepEqual(calendarProvenance(days, ["SSE"]), {
      provisional: false,
      provisional_days: 0,
      official_through: { SSE: "2027-12-31" },
    });
  } finally {
    clearInstalledClosures();
  }
});
