/** Calendar reads on hot paths: inside the published years, in the estimate, and in an installed year. */
import { getCalendar, installOfficialClosures } from "../domain/calendar/calendar.ts";

const sse = getCalendar("SSE");
const idx = getCalendar("IDX");
// Warm the per-year caches once, as a running server has.
sse.countTradingDays("2015-01-01", "2035-12-31");
idx.countTradingDays("2015-01-01", "2035-12-31");

Deno.bench("SSE isTradingDay, published year (2024-02-19)", () => {
  sse.isTradingDay("2024-02-19");
});

Deno.bench("SSE isTradingDay, estimated year (2027-02-15)", () => {
  sse.isTradingDay("2027-02-15");
});

Deno.bench("SSE countTradingDays over 2015-2035 (published + estimate)", () => {
  sse.countTradingDays("2015-01-01", "2035-12-31");
});

Deno.bench("IDX countTradingDays over 2015-2035 (holiday library estimate)", () => {
  idx.countTradingDays("2015-01-01", "2035-12-31");
});

Deno.bench("SSE isProvisional (2027-06-01)", () => {
  sse.isProvisional("2027-06-01");
});

Deno.bench("SSE isTradingDay, installed year (2028-03-01)", { group: "installed" }, () => {
  sse.isTradingDay("2028-03-01");
});

installOfficialClosures("SSE", 2028, ["2028-01-03"]);
