import assert from "node:assert/strict";
import { detectLanguage } from "../../../domain/assistant/offline/language.ts";
import {
  chineseNumeral,
  ID_LEXICON,
  normalizeText,
  ZH_LEXICON,
} from "../../../domain/assistant/offline/lexicon.ts";

Deno.test("detectLanguage() tells Chinese, Indonesian and English apart and says null when it cannot tell", async (t) => {
  const cases: [string, string | null][] = [
    ["5日均线上穿20日均线买入", "zh"],
    ["RSI低于30买入", "zh"],
    ["Beli BBCA ketika RSI di bawah 30", "id"],
    ["saham berkapitalisasi besar, modal 100 juta", "id"],
    ["Buy AAPL when the 50-day SMA crosses above the 200-day SMA", "en"],
    ["yes", "en"],
    ["ya", "id"],
    ["ok", null],
    ["2020-2023", null],
    ["", null],
    ["🚀🚀", null],
  ];
  for (const [text, lang] of cases) await t.step(text || "(empty)", () => assert.equal(detectLanguage(text), lang));
});

Deno.test("chineseNumeral() reads numerals below 1000", () => {
  assert.equal(chineseNumeral("三"), 3);
  assert.equal(chineseNumeral("十"), 10);
  assert.equal(chineseNumeral("十五"), 15);
  assert.equal(chineseNumeral("二十"), 20);
  assert.equal(chineseNumeral("两"), 2);
  assert.equal(chineseNumeral("一百二十"), 120);
  assert.equal(chineseNumeral("年"), null);
  assert.equal(chineseNumeral(""), null);
});

Deno.test("normalizeText(): the Chinese lexicon and numbers (万三, 100万, 1亿, 最近三年, 2020年)", async (t) => {
  const cases: [string, string][] = [
    ["5日均线上穿20日均线时买入，下穿时卖出", "5 day ma crosses above 20 day ma when buy , crosses below when sell"],
    ["手续费万三", "fee 0.03%"],
    ["佣金万2.5", "fee 0.025%"],
    ["千一", "0.1%"],
    ["初始资金100万", "capital 1000000 yuan"],
    ["1亿", "100000000 yuan"],
    ["最近三年", "last 3 years"],
    ["从2020年到2023年", "from 2020 to 2023"],
    ["2021年以来", "since 2021"],
    ["2024年3月5日", "2024-03-05"],
    ["相对强弱低于30", "rsi below 30"],
    ["布林带下轨买入，中轨卖出", "bollinger lower band buy , middle band sell"],
    ["止损5%，止盈10%，移动止损8%", "stop loss 5%, take profit 10%, trailing stop 8%"],
    ["沪深300 中证500 大盘股", "hs300 csi500 large cap"],
  ];
  for (const [zh, en] of cases) await t.step(zh, () => assert.equal(normalizeText(zh), en));
});

Deno.test("normalizeText(): the Indonesian lexicon, decimal commas and thousands dots", async (t) => {
  const cases: [string, string][] = [
    ["rata-rata bergerak 20 hari memotong ke atas", "ma 20 days crosses above"],
    ["jual ketika persilangan", "sell when crossover"],
    ["beli ketika harga di bawah", "buy when price below"],
    ["saham berkapitalisasi besar", "large cap stocks"],
    ["modal 100 juta", "capital 100 million"],
    ["100jt", "100 jt"],
    ["biaya 0,15%", "fee 0.15%"],
    ["dari 2020 sampai 2023", "from 2020 to 2023"],
    ["3 tahun terakhir", "last 3 years"],
    ["Rp 100.000.000", "rp 100000000"],
    ["stop loss 5%", "stop loss 5%"],
  ];
  for (const [id, en] of cases) await t.step(id, () => assert.equal(normalizeText(id), en));
});

Deno.test("normalizeText(): English synonyms, parameter lists and glued units", async (t) => {
  const cases: [string, string][] = [
    ["Relative Strength Index(14) drops below 30", "rsi 14 below 30"],
    ["Bollinger Bands(20, 2)", "bollinger 20 2"],
    ["MACD(12,26,9)", "macd 12 26 9"],
    ["$50,000", "$50000"],
    ["$50k", "$50 k"],
    ["ma5 crosses over ma20", "ma 5 crosses above ma 20"],
    ["20-day SMA", "20 day sma"],
    ["1e6", "1000000"],
    ["1e309", "999999999999999999999999"],
    ["Large-Cap", "large cap"],
  ];
  for (const [raw, en] of cases) await t.step(raw, () => assert.equal(normalizeText(raw), en));
});

Deno.test("the lexicons map their phrases to the extractors' vocabulary (every entry is non-empty)", () => {
  for (const table of [ZH_LEXICON, ID_LEXICON]) {
    for (const [from, to] of Object.entries(table)) {
      assert.ok(from.length > 0 && to.length > 0, `${from} → ${to}`);
    }
  }
  assert.equal(ZH_LEXICON["均线"], "ma");
  assert.equal(ID_LEXICON["persilangan"], "crossover");
});

Deno.test("normalizeText() is linear: 4 000-character adversarial strings finish fast", () => {
  for (const unit of ["1", "1,", "1.", "a-", "万", "1.000.", "(1,", "rp 1.000 ", "均线", "𝟙"]) {
    const text = unit.repeat(Math.ceil(4000 / unit.length)).slice(0, 4000);
    const t0 = performance.now();
    normalizeText(text);
    assert.ok(performance.now() - t0 < 250, `${unit} took too long`);
  }
});
