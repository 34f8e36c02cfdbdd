/**
 * The lexicons: Chinese (simplified) and Indonesian phrasings, and English synonyms, rewritten into one small
 * English vocabulary the extractors read (`normalizeText`). Numbers are rewritten too: Chinese numerals before
 * a unit (三年 → 3 年), 万/亿 multipliers (100万 → 1000000), fees in 万/千 (万三 → 0.03%), Indonesian decimal
 * commas before a unit (0,15% → 0.15%) and thousands separators (1,000,000 and 100.000.000 → 1000000 and
 * 100000000). Every rewrite is a literal replacement or a regular expression without nested quantifiers, so the
 * work is linear in the text's length.
 */

/** Chinese phrase → English vocabulary (longest phrases are applied first). */
export const ZH_LEXICON: Readonly<Record<string, string>> = {
  "移动止损": "trailing stop",
  "跟踪止损": "trailing stop",
  "追踪止损": "trailing stop",
  "止损": "stop loss",
  "止盈": "take profit",
  "简单移动平均线": "sma",
  "简单移动平均": "sma",
  "指数移动平均线": "ema",
  "指数移动平均": "ema",
  "指数均线": "ema",
  "移动平均线": "ma",
  "移动平均": "ma",
  "均线": "ma",
  "金叉": "golden cross",
  "死叉": "death cross",
  "交叉": "crossover",
  "向上突破": "breaks above",
  "向下跌破": "falls below",
  "上穿": "crosses above",
  "下穿": "crosses below",
  "突破": "breaks above",
  "跌破": "falls below",
  "站上": "above",
  "高于": "above",
  "大于": "above",
  "超过": "above",
  "低于": "below",
  "小于": "below",
  "之上": "above",
  "之下": "below",
  "上方": "above",
  "下方": "below",
  "相对强弱指数": "rsi",
  "相对强弱指标": "rsi",
  "相对强弱": "rsi",
  "超卖": "oversold",
  "超买": "overbought",
  "布林带": "bollinger",
  "布林线": "bollinger",
  "布林通道": "bollinger",
  "下轨": "lower band",
  "上轨": "upper band",
  "中轨": "middle band",
  "标准差": "std",
  "唐奇安通道": "donchian",
  "唐奇安": "donchian",
  "新高": "high",
  "新低": "low",
  "最高价": "high",
  "最低价": "low",
  "信号线": "signal line",
  "柱状线": "histogram",
  "柱状图": "histogram",
  "红绿柱": "histogram",
  "由负转正": "turns positive",
  "由正转负": "turns negative",
  "翻红": "turns positive",
  "翻绿": "turns negative",
  "升破": "breaks above",
  "涨破": "breaks above",
  "上破": "breaks above",
  "跌回": "falls below",
  "回落至": "falls below",
  "回落到": "falls below",
  "最大的": "top",
  "最高的": "top",
  "最强的": "top",
  "零轴": "zero",
  "动量": "momentum",
  "涨幅": "return",
  "收益率": "return",
  "买入": "buy",
  "买进": "buy",
  "开仓": "buy",
  "建仓": "buy",
  "做多": "buy",
  "卖出": "sell",
  "平仓": "sell",
  "清仓": "sell",
  "离场": "sell",
  "持有": "hold",
  "持仓": "hold",
  "不超过": "at most",
  "最多": "at most",
  "最长": "at most",
  "个交易日": "days",
  "交易日": "days",
  "天": "days",
  "日": "day",
  "个月": "month",
  "月": "month",
  "周": "week",
  "年": "years",
  "最近": "last",
  "过去": "last",
  "近": "last",
  "从": "from",
  "到": "to",
  "至": "to",
  "每": "every",
  "调仓": "rebalance",
  "换仓": "rebalance",
  "再平衡": "rebalance",
  "初始资金": "capital",
  "本金": "capital",
  "资金": "capital",
  "手续费": "fee",
  "佣金": "fee",
  "交易费用": "fee",
  "滑点": "slippage",
  "仓位": "position size",
  "每只股票": "per stock",
  "每只": "per stock",
  "只股票": "stocks",
  "成分股": "stocks",
  "股票": "stocks",
  "大盘股": "large cap",
  "大盘蓝筹": "large cap",
  "蓝筹股": "large cap",
  "中盘股": "mid cap",
  "小盘股": "small cap",
  "沪深300": "hs300",
  "中证500": "csi500",
  "中证1000": "csi1000",
  "中证2000": "csi2000",
  "加密货币": "crypto",
  "比特币": "bitcoin",
  "以太坊": "ethereum",
  "贵州茅台": "600519.sh",
  "茅台": "600519.sh",
  "五粮液": "000858.sz",
  "招商银行": "600036.sh",
  "a股": "a-shares",
  "前": "top",
  "排名": "rank",
  "并且": "and",
  "同时": "and",
  "且": "and",
  "和": "and",
  "或者": "or",
  "或": "or",
  "的时候": "when",
  "时": "when",
  "当": "when",
  "如果": "if",
  "策略": "strategy",
  "回测": "backtest",
  "收盘价": "price",
  "股价": "price",
  "价格": "price",
  "成交量": "volume",
  "周期": "period",
  "好的": "yes",
  "可以": "yes",
  "没问题": "yes",
  "好": "yes",
  "是": "yes",
  "万元": "0000",
  "元": "yuan",
  "卖": "sell",
  "买": "buy",
  "，": ",",
  "。": ".",
  "；": ";",
  "：": ":",
  "、": ",",
};

/** Indonesian phrase → English vocabulary (longest phrases are applied first). */
export const ID_LEXICON: Readonly<Record<string, string>> = {
  "rata-rata bergerak eksponensial": "ema",
  "rata-rata bergerak sederhana": "sma",
  "rata rata bergerak": "ma",
  "rata-rata bergerak": "ma",
  "persilangan emas": "golden cross",
  "persilangan kematian": "death cross",
  "persilangan maut": "death cross",
  "persilangan": "crossover",
  "memotong ke atas": "crosses above",
  "menembus ke atas": "crosses above",
  "memotong ke bawah": "crosses below",
  "menembus ke bawah": "crosses below",
  "turun di bawah": "crosses below",
  "jatuh di bawah": "crosses below",
  "naik di atas": "crosses above",
  "menembus": "breaks above",
  "di atas": "above",
  "di bawah": "below",
  "lebih dari": "above",
  "melebihi": "above",
  "kurang dari": "below",
  "jenuh jual": "oversold",
  "jenuh beli": "overbought",
  "pita bawah": "lower band",
  "band bawah": "lower band",
  "pita atas": "upper band",
  "band atas": "upper band",
  "pita tengah": "middle band",
  "band tengah": "middle band",
  "garis tengah": "middle band",
  "garis sinyal": "signal line",
  "tertinggi": "high",
  "terendah": "low",
  "beli ketika": "buy when",
  "beli saat": "buy when",
  "beli jika": "buy when",
  "beli kalau": "buy when",
  "beli bila": "buy when",
  "jual ketika": "sell when",
  "jual saat": "sell when",
  "jual jika": "sell when",
  "jual kalau": "sell when",
  "jual bila": "sell when",
  "biaya beli": "buy fee",
  "biaya jual": "sell fee",
  "biaya transaksi": "fee",
  "biaya": "fee",
  "komisi": "fee",
  "modal awal": "capital",
  "dana awal": "capital",
  "modal": "capital",
  "saham berkapitalisasi besar": "large cap stocks",
  "berkapitalisasi besar": "large cap",
  "kapitalisasi besar": "large cap",
  "saham berkapitalisasi menengah": "mid cap stocks",
  "berkapitalisasi menengah": "mid cap",
  "kapitalisasi menengah": "mid cap",
  "saham berkapitalisasi kecil": "small cap stocks",
  "berkapitalisasi kecil": "small cap",
  "kapitalisasi kecil": "small cap",
  "saham blue chip": "large cap stocks",
  "saham syariah": "syariah stocks",
  "saham indonesia": "idx stocks",
  "bursa efek indonesia": "idx",
  "ukuran posisi": "position size",
  "per posisi": "per position",
  "setiap posisi": "per position",
  "paling banyak": "at most",
  "maksimal": "at most",
  "maksimum": "at most",
  "maks": "at most",
  "berdasarkan": "by",
  "menurut": "by",
  "setiap": "every",
  "tiap": "every",
  "penyeimbangan ulang": "rebalance",
  "seimbangkan ulang": "rebalance",
  "ketika": "when",
  "apabila": "when",
  "jika": "when",
  "kalau": "when",
  "bila": "when",
  "saat": "when",
  "beli": "buy",
  "masuk": "buy",
  "jual": "sell",
  "keluar": "sell",
  "tahan": "hold",
  "pegang": "hold",
  "hari": "days",
  "minggu": "week",
  "pekan": "week",
  "bulan": "month",
  "tahun": "years",
  "sejak": "since",
  "dari": "from",
  "sampai": "to",
  "setelah": "after",
  "sesudah": "after",
  "hingga": "to",
  "s/d": "to",
  "juta": "million",
  "miliar": "billion",
  "milyar": "billion",
  "ribu": "thousand",
  "saham": "stocks",
  "posisi": "positions",
  "harga": "price",
  "strategi": "strategy",
  "dengan": "with",
  "dan": "and",
  "atau": "or",
  "iya": "yes",
  "ya": "yes",
  "oke": "yes",
  "boleh": "yes",
  "setuju": "yes",
  "tren": "trend",
  "emas": "gold",
  "positif": "positive",
  "negatif": "negative",
};

/** English synonyms → the vocabulary. */
const EN_SYNONYMS: Readonly<Record<string, string>> = {
  "simple moving averages": "sma",
  "simple moving average": "sma",
  "exponential moving averages": "ema",
  "exponential moving average": "ema",
  "moving averages": "ma",
  "moving average": "ma",
  "relative strength index": "rsi",
  "relative strength": "rsi",
  "bollinger bands": "bollinger",
  "bollinger band": "bollinger",
  "bbands": "bollinger",
  "rate of change": "roc",
  "basis points": "bps",
  "basis point": "bps",
  "per cent": "%",
  "percent": "%",
  "crosses over": "crosses above",
  "crosses under": "crosses below",
  "crossing over": "crosses above",
  "crossing under": "crosses below",
  "crossing above": "crosses above",
  "crossing below": "crosses below",
  "crossed above": "crosses above",
  "crossed below": "crosses below",
  "cross above": "crosses above",
  "cross below": "crosses below",
  "cross over": "crosses above",
  "cross under": "crosses below",
  "cross up": "crosses above",
  "cross down": "crosses below",
  "crosses up": "crosses above",
  "crosses down": "crosses below",
  "break above": "breaks above",
  "breaking above": "breaks above",
  "breaks out above": "breaks above",
  "break below": "falls below",
  "breaks below": "falls below",
  "falls back below": "falls below",
  "drops back below": "falls below",
  "moves back below": "falls below",
  "back below": "falls below",
  "back above": "crosses above",
  "drops below": "below",
  "drop below": "below",
  "dips below": "below",
  "dip below": "below",
  "falls under": "below",
  "fall below": "below",
  "goes below": "below",
  "goes above": "above",
  "rises above": "above",
  "rise above": "above",
  "moves above": "above",
  "greater than": "above",
  "higher than": "above",
  "more than": "above",
  "less than": "below",
  "lower than": "below",
  "stop-loss": "stop loss",
  "stoploss": "stop loss",
  "take-profit": "take profit",
  "takeprofit": "take profit",
  "trailing stop-loss": "trailing stop",
  "trailing stop loss": "trailing stop",
  "large-cap": "large cap",
  "largecap": "large cap",
  "big cap": "large cap",
  "blue chips": "large cap",
  "blue-chip": "large cap",
  "blue chip": "large cap",
  "mid-cap": "mid cap",
  "midcap": "mid cap",
  "small-cap": "small cap",
  "smallcap": "small cap",
  "golden-cross": "golden cross",
  "death-cross": "death cross",
  "shariah": "syariah",
  "sharia": "syariah",
};

/** A replacement table as one pass: phrases longest first, applied left to right without re-reading output. */
function compileTable(table: Readonly<Record<string, string>>): { re: RegExp; map: Map<string, string> } {
  const phrases = Object.keys(table).sort((a, b) => b.length - a.length);
  const escaped = phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"));
  return { re: new RegExp(escaped.join("|"), "g"), map: new Map(Object.entries(table)) };
}

const ZH = compileTable(ZH_LEXICON);
const ID = compileTable(ID_LEXICON);
const EN = compileTable(EN_SYNONYMS);

/** Replaces whole-word phrases of `table` (word boundaries on Latin text, anywhere on Han text). */
function applyTable(text: string, table: { re: RegExp; map: Map<string, string> }, words: boolean): string {
  return text.replace(table.re, (m, offset: number, s: string) => {
    if (words) {
      const before = s[offset - 1] ?? " ", after = s[offset + m.length] ?? " ";
      if (/[a-z0-9]/.test(before) || /[a-z0-9]/.test(after)) return m;
    }
    return ` ${table.map.get(m)} `;
  });
}

const ZH_DIGITS: Readonly<Record<string, number>> = {
  "零": 0,
  "一": 1,
  "二": 2,
  "两": 2,
  "三": 3,
  "四": 4,
  "五": 5,
  "六": 6,
  "七": 7,
  "八": 8,
  "九": 9,
};

/** A Chinese numeral below 1000 (三, 十五, 二十, 一百二十) as a number, or null. */
export function chineseNumeral(s: string): number | null {
  if (!s || s.length > 6) return null;
  let total = 0, current = 0;
  for (const ch of s) {
    if (ch in ZH_DIGITS) current = ZH_DIGITS[ch];
    else if (ch === "十") (total += (current || 1) * 10), (current = 0);
    else if (ch === "百") (total += (current || 1) * 100), (current = 0);
    else return null;
  }
  return total + current;
}

/** What a number too large for any slot is rewritten to (24 nines: above every limit). */
const HUGE = "9".repeat(24);

/** A number as plain decimal text (no exponent, no trailing zeros). */
const plain = (x: number) => (Number.isFinite(x) ? String(Number(x.toFixed(6))) : "0");

/**
 * Rewrites `text` into the extractors' vocabulary: NFKC, lower case, numbers made plain, the Chinese,
 * Indonesian and English tables applied, and single spaces. Linear in the text's length.
 */
export function normalizeText(text: string): string {
  let s = text.normalize("NFKC").toLowerCase();
  // Exponents (1e6, 1e309) as plain digits; one too large for a number becomes `HUGE`.
  s = s.replace(/\b(\d{1,15}(?:\.\d{1,15})?)e([+-]?\d{1,4})\b/g, (m) => {
    const x = Number(m);
    return !Number.isFinite(x) ? HUGE : x >= 1 && x <= 1e15 ? plain(x) : m;
  });
  // Digit runs longer than 24 become 24 nines (a number too large for any slot; keeps every scan linear).
  s = s.replace(/\d{25,}/g, HUGE);
  // Chinese: fees in 万 and 千 (万三 = 3/10000 = 0.03%, 万2.5, 千一 = 0.1%), before 万 as a multiplier.
  s = s.replace(
    /万分之([一二两三四五六七八九十]{1,3}|\d{1,2}(?:\.\d{1,2})?)/g,
    (_, n) => ` ${plain((chineseNumeral(n) ?? Number(n)) / 100)}% `,
  );
  s = s.replace(
    /千分之([一二两三四五六七八九十]{1,3}|\d{1,2}(?:\.\d{1,2})?)/g,
    (_, n) => ` ${plain((chineseNumeral(n) ?? Number(n)) / 10)}% `,
  );
  s = s.replace(
    /(^|[^\d.])万([一二两三四五六七八九]|\d{1,2}(?:\.\d{1,2})?)(?![\d万亿])/g,
    (_, pre, n) => `${pre} ${plain((chineseNumeral(n) ?? Number(n)) / 100)}% `,
  );
  s = s.replace(
    /(^|[^\d.])千([一二两三四五六七八九]|\d(?:\.\d{1,2})?)(?![\d万亿])/g,
    (_, pre, n) => `${pre} ${plain((chineseNumeral(n) ?? Number(n)) / 10)}% `,
  );
  // Chinese numerals before a unit.
  s = s.replace(
    /([零一二两三四五六七八九十百]{1,6})(?=[年天日周月个只倍万亿%])/g,
    (m) => String(chineseNumeral(m) ?? m),
  );
  // 万 and 亿 as multipliers; a year written 2020年 keeps only its digits.
  s = s.replace(
    /(\d+(?:\.\d+)?)\s*(万|亿)/g,
    (_, n, u) => ` ${plain(Number(n) * (u === "万" ? 1e4 : 1e8))} yuan `,
  );
  s = s.replace(/(\d{4})\s*年\s*(以来|至今)/g, " since $1 ");
  s = s.replace(
    /(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?/g,
    (_, y, m, d) => ` ${y}${m ? `-${m.padStart(2, "0")}${d ? `-${d.padStart(2, "0")}` : ""}` : ""} `,
  );
  // Indonesian: "3 tahun terakhir" → "last 3 years"; "10 saham teratas" → "top 10 stocks".
  s = s.replace(/(\d+)\s*(tahun|bulan|minggu|hari)\s+(terakhir|belakangan)/g, " last $1 $2 ");
  s = s.replace(/(\d+)\s*saham\s+(teratas|terbaik|terkuat)/g, " top $1 stocks ");
  // Decimal commas before a unit (0,15% → 0.15%, 1,5 miliar), then thousands separators.
  s = s.replace(/(\d),(\d{1,2})(?=\s?(?:%|juta|jt|miliar|milyar|m\b|rb|ribu|k\b))/g, "$1.$2");
  s = s.replace(/\d{1,3}(?:,\d{3})+(?![\d,])/g, (m) => m.replace(/,/g, ""));
  s = s.replace(/\d{1,3}(?:\.\d{3}){2,}(?![\d.])/g, (m) => m.replace(/\./g, ""));
  s = s.replace(/(rp\.?\s?)(\d{1,3})\.(\d{3})(?![\d.])/g, "$1$2$3");
  s = s.replace(/(\d)\s?,\s?(?=\d)/g, "$1 ");
  // Parenthesised parameter lists: rsi(14) → rsi 14, bollinger(20, 2) → bollinger 20 2.
  s = s.replace(/\(\s*(\d[\d.\s,/]{0,40})\)/g, (_, inner: string) => ` ${inner.replace(/[,/]/g, " ")} `);
  s = applyTable(s, ZH, false);
  s = applyTable(s, ID, true);
  s = applyTable(s, EN, true);
  // Units and names glued to numbers: ma5 → ma 5, 100jt → 100 jt, 20-day → 20 day.
  s = s.replace(/\b(sma|ema|ma|rsi|macd|roc|bb|atr)(\d)/g, "$1 $2");
  s = s.replace(/(\d)(k|m|mn|jt|rb|bn|b|d|day|days|x|bps|w|y)\b/g, "$1 $2");
  s = s.replace(/(\d)\s?-\s?(?=[a-z])/g, "$1 ");
  return s.replace(/\s+/g, " ").trim();
}
