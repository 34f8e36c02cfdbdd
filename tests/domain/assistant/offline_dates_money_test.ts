import assert from "node:assert/strict";
import { extractDateRange, shiftBack } from "../../../domain/assistant/offline/dates.ts";
import { normalizeText } from "../../../domain/assistant/offline/lexicon.ts";
import { extractCapital, extractCosts } from "../../../domain/assistant/offline/money.ts";

const TODAY = "2026-06-15";
const range = (text: string) => {
  const r = extractDateRange(normalizeText(text), TODAY);
  return r ? [r.start, r.end] : null;
};

Deno.test("shiftBack() moves a date back by years, months, weeks and days (day clamped to the month)", () => {
  assert.equal(shiftBack("2026-06-15", 3, "years"), "2023-06-15");
  assert.equal(shiftBack("2024-02-29", 1, "years"), "2023-02-28");
  assert.equal(shiftBack("2026-03-31", 1, "months"), "2026-02-28");
  assert.equal(shiftBack("2026-01-15", 2, "months"), "2025-11-15");
  assert.equal(shiftBack("2026-06-15", 2, "weeks"), "2026-06-01");
  assert.equal(shiftBack("2026-03-01", 1, "days"), "2026-02-28");
});

Deno.test("extractDateRange(): English, Chinese and Indonesian periods (hand-worked against 2026-06-15)", async (t) => {
  const cases: [string, [string, string] | null][] = [
    ["from 2019 to 2023", ["2019-01-01", "2023-12-31"]],
    ["between 2019 and 2023", ["2019-01-01", "2023-12-31"]],
    ["2019-2023", ["2019-01-01", "2023-12-31"]],
    ["from 2019-03-01 to 2023-06-30", ["2019-03-01", "2023-06-30"]],
    ["last 3 years", ["2023-06-15", "2026-06-15"]],
    ["past 6 months", ["2025-12-15", "2026-06-15"]],
    ["last year", ["2025-01-01", "2025-12-31"]],
    ["this year", ["2026-01-01", "2026-06-15"]],
    ["since 2020", ["2020-01-01", "2026-06-15"]],
    ["2024", ["2024-01-01", "2024-12-31"]],
    ["in 2024", ["2024-01-01", "2024-12-31"]],
    ["backtest over 5 years", ["2021-06-15", "2026-06-15"]],
    ["最近三年", ["2023-06-15", "2026-06-15"]],
    ["从2020年到2023年", ["2020-01-01", "2023-12-31"]],
    ["2021年以来", ["2021-01-01", "2026-06-15"]],
    ["2023年", ["2023-01-01", "2023-12-31"]],
    ["dari 2020 sampai 2023", ["2020-01-01", "2023-12-31"]],
    ["3 tahun terakhir", ["2023-06-15", "2026-06-15"]],
    ["sejak 2020", ["2020-01-01", "2026-06-15"]],
    ["sma 20 50 on aapl", null],
    ["capital $2000", null],
    ["2024 to 2019", null],
    ["from 1850 to 1860", null],
    ["last 0 years", null],
  ];
  for (const [text, want] of cases) await t.step(text, () => assert.deepEqual(range(text), want));
});

Deno.test("extractDateRange() cuts an end after today to today and says so", () => {
  const r = extractDateRange(normalizeText("from 2025 to 2027"), TODAY)!;
  assert.deepEqual([r.start, r.end], ["2025-01-01", TODAY]);
  assert.match(r.notes[0], /after today/);
  assert.equal(extractDateRange(normalizeText("in 2030"), TODAY), null);
});

Deno.test("extractCapital(): amounts with currencies, capital words and magnitudes in three languages", async (t) => {
  const cases: [string, number | null][] = [
    ["$50k", 50_000],
    ["$1,000,000", 1_000_000],
    ["1 million", 1_000_000],
    ["start with 250000", 250_000],
    ["capital of 2.5m", 2_500_000],
    ["10 lakh rupees", 1_000_000],
    ["100 juta", 100_000_000],
    ["modal 100 juta", 100_000_000],
    ["100jt", 100_000_000],
    ["modal 1,5 miliar", 1_500_000_000],
    ["Rp 100.000.000", 100_000_000],
    ["初始资金100万", 1_000_000],
    ["1亿", 100_000_000],
    ["资金50万", 500_000],
    ["RSI 14 below 30 for 20 days", null],
    ["min daily value 1 billion", null],
    ["", null],
  ];
  for (const [text, want] of cases) {
    await t.step(text || "(empty)", () => assert.equal(extractCapital(normalizeText(text))?.value ?? null, want));
  }
});

Deno.test("extractCapital(): a lone number counts only after a capital question; too large is refused with a note", () => {
  assert.equal(extractCapital(normalizeText("5000000")), null);
  assert.equal(extractCapital(normalizeText("5000000"), true)?.value, 5_000_000);
  const huge = extractCapital(normalizeText("capital 1e309"))!;
  assert.equal(huge.value, 0);
  assert.match(huge.notes[0], /above the limit of 1e12/);
  assert.equal(extractCapital(normalizeText("capital 2e12"))?.value, 0);
});

Deno.test("extractCosts(): percent, basis points, 万三, Indonesian commas, per side and no fees", async (t) => {
  const cases: [string, Record<string, number | undefined>][] = [
    ["0.15% fee", { buyPct: 0.15, sellPct: 0.15 }],
    ["commission 10 bps", { buyPct: 0.1, sellPct: 0.1 }],
    ["fees of 0.1% per side", { buyPct: 0.1, sellPct: 0.1 }],
    ["buy fee 0.15% sell fee 0.25%", { buyPct: 0.15, sellPct: 0.25 }],
    ["手续费万三", { buyPct: 0.03, sellPct: 0.03 }],
    ["biaya 0,15%", { buyPct: 0.15, sellPct: 0.15 }],
    ["biaya beli 0,15% biaya jual 0,25%", { buyPct: 0.15, sellPct: 0.25 }],
    ["no fees", { buyPct: 0, sellPct: 0 }],
    ["slippage 0.05%", { slippagePct: 0.05 }],
    ["minimum fee 1000", { minFee: 1000 }],
    ["buy AAPL", {}],
  ];
  for (const [text, want] of cases) {
    await t.step(text, () => {
      const { notes: _, ...got } = extractCosts(normalizeText(text));
      assert.deepEqual(got, want);
    });
  }
  const bad = extractCosts(normalizeText("fee 50%"));
  assert.equal(bad.buyPct, undefined);
  assert.match(bad.notes[0], /outside 0–10%/);
});
