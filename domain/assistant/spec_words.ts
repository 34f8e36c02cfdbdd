/**
 * A strategy spec in words, built deterministically from the parsed spec: each rule of the expression language
 * rendered as a phrase ("the 20-day simple moving average of the close crosses above the 50-day one"), and one
 * section each for entry, exit, ranking, universe, sizing, risk, costs, fills, capital and dates. Every number
 * comes from the spec. English, Chinese and Indonesian (the languages of the documents' users).
 */
import { type Expr, parseExpression, printExpression } from "../strategy/expression.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import type { Language } from "./turn_contract.ts";

/** One section of an explanation: a fixed key, its title in the language asked, and its text. */
export interface ExplanationSection {
  key: "entry" | "exit" | "ranking" | "universe" | "sizing" | "risk" | "costs" | "fills" | "dates";
  title: string;
  text: string;
}

/** A number as the explanation writes it: at most 6 significant decimals, thousands grouped. */
export function num(x: number): string {
  const rounded = Math.round(x * 1e6) / 1e6;
  return rounded.toLocaleString("en-US", { maximumFractionDigits: 6 });
}

type Phrases = {
  fields: Record<string, string>;
  /** Function templates: `{0}`, `{1}`, … are the rendered arguments. */
  fn: Record<string, string>;
  /** The right side of a cross of the same average with another window: "the 50-day one". */
  sameOne: string;
  ops: Record<string, string>;
  never: string;
  not: string;
  titles: Record<ExplanationSection["key"], string>;
};

const EN: Phrases = {
  fields: { open: "the open", high: "the high", low: "the low", close: "the close", volume: "the volume" },
  fn: {
    sma: "the {1}-day simple moving average of {0}",
    ema: "the {1}-day exponential moving average of {0}",
    rsi: "the {1}-day RSI of {0}",
    macd: "the MACD line ({1}/{2}/{3}) of {0}",
    macd_signal: "the MACD signal line ({1}/{2}/{3}) of {0}",
    macd_hist: "the MACD histogram ({1}/{2}/{3}) of {0}",
    bb_upper: "the upper Bollinger band ({1} days, {2} standard deviations) of {0}",
    bb_middle: "the middle Bollinger band ({1} days) of {0}",
    bb_lower: "the lower Bollinger band ({1} days, {2} standard deviations) of {0}",
    atr: "the {0}-day average true range",
    zscore: "the {1}-day z-score of {0}",
    obv: "on-balance volume",
    vwap: "the {0}-day VWAP",
    vpt: "the volume-price trend",
    volume_sma: "the {0}-day average volume",
    highest: "the highest value of {0} over the last {1} days",
    lowest: "the lowest value of {0} over the last {1} days",
    roc: "the {1}-day rate of change of {0} (percent)",
    stdev: "the {1}-day standard deviation of {0}",
    ts_std: "the {1}-day standard deviation of {0}",
    ts_mean: "the {1}-day mean of {0}",
    ts_rank: "the rank of {0} within its last {1} days",
    delay: "{0} {1} days earlier",
    delta: "the change of {0} over {1} days",
    correlation: "the {2}-day correlation of {0} and {1}",
    rank: "the cross-sectional rank of {0}",
    abs: "the absolute value of {0}",
    log: "the natural logarithm of {0}",
    crosses_above: "{0} crosses above {1}",
    crosses_below: "{0} crosses below {1}",
  },
  sameOne: "the {n}-day one",
  ops: {
    ">": "is above",
    "<": "is below",
    ">=": "is at or above",
    "<=": "is at or below",
    "==": "equals",
    "!=": "differs from",
    and: "and",
    or: "or",
    "+": "plus",
    "-": "minus",
    "*": "times",
    "/": "divided by",
  },
  never: "never (positions leave only by the risk rules)",
  not: "it is not true that",
  titles: {
    entry: "Entry",
    exit: "Exit",
    ranking: "Ranking",
    universe: "Universe",
    sizing: "Position sizing",
    risk: "Risk",
    costs: "Costs",
    fills: "Fills",
    dates: "Capital and dates",
  },
};

const ZH: Phrases = {
  fields: { open: "开盘价", high: "最高价", low: "最低价", close: "收盘价", volume: "成交量" },
  fn: {
    sma: "{0}的{1}日简单移动平均线",
    ema: "{0}的{1}日指数移动平均线",
    rsi: "{0}的{1}日RSI",
    macd: "{0}的MACD线（{1}/{2}/{3}）",
    macd_signal: "{0}的MACD信号线（{1}/{2}/{3}）",
    macd_hist: "{0}的MACD柱（{1}/{2}/{3}）",
    bb_upper: "{0}的布林带上轨（{1}日，{2}倍标准差）",
    bb_middle: "{0}的布林带中轨（{1}日）",
    bb_lower: "{0}的布林带下轨（{1}日，{2}倍标准差）",
    atr: "{0}日平均真实波幅",
    zscore: "{0}的{1}日Z分数",
    obv: "能量潮（OBV）",
    vwap: "{0}日成交量加权均价",
    vpt: "量价趋势",
    volume_sma: "{0}日平均成交量",
    highest: "{0}在最近{1}日的最高值",
    lowest: "{0}在最近{1}日的最低值",
    roc: "{0}的{1}日变化率（百分比）",
    stdev: "{0}的{1}日标准差",
    ts_std: "{0}的{1}日标准差",
    ts_mean: "{0}的{1}日均值",
    ts_rank: "{0}在最近{1}日中的排名",
    delay: "{1}日前的{0}",
    delta: "{0}在{1}日内的变化",
    correlation: "{0}与{1}的{2}日相关系数",
    rank: "{0}的横截面排名",
    abs: "{0}的绝对值",
    log: "{0}的自然对数",
    crosses_above: "{0}上穿{1}",
    crosses_below: "{0}下穿{1}",
  },
  sameOne: "{n}日均线",
  ops: {
    ">": "高于",
    "<": "低于",
    ">=": "不低于",
    "<=": "不高于",
    "==": "等于",
    "!=": "不等于",
    and: "且",
    or: "或",
    "+": "加",
    "-": "减",
    "*": "乘以",
    "/": "除以",
  },
  never: "从不（仅按风控规则平仓）",
  not: "并非",
  titles: {
    entry: "入场",
    exit: "出场",
    ranking: "排序",
    universe: "股票池",
    sizing: "仓位",
    risk: "风控",
    costs: "费用",
    fills: "成交",
    dates: "资金与日期",
  },
};

const ID: Phrases = {
  fields: {
    open: "harga pembukaan",
    high: "harga tertinggi",
    low: "harga terendah",
    close: "harga penutupan",
    volume: "volume",
  },
  fn: {
    sma: "rata-rata bergerak sederhana {1} hari dari {0}",
    ema: "rata-rata bergerak eksponensial {1} hari dari {0}",
    rsi: "RSI {1} hari dari {0}",
    macd: "garis MACD ({1}/{2}/{3}) dari {0}",
    macd_signal: "garis sinyal MACD ({1}/{2}/{3}) dari {0}",
    macd_hist: "histogram MACD ({1}/{2}/{3}) dari {0}",
    bb_upper: "pita Bollinger atas ({1} hari, {2} deviasi standar) dari {0}",
    bb_middle: "pita Bollinger tengah ({1} hari) dari {0}",
    bb_lower: "pita Bollinger bawah ({1} hari, {2} deviasi standar) dari {0}",
    atr: "average true range {0} hari",
    zscore: "z-score {1} hari dari {0}",
    obv: "on-balance volume",
    vwap: "VWAP {0} hari",
    vpt: "volume-price trend",
    volume_sma: "rata-rata volume {0} hari",
    highest: "nilai tertinggi {0} dalam {1} hari terakhir",
    lowest: "nilai terendah {0} dalam {1} hari terakhir",
    roc: "laju perubahan {1} hari dari {0} (persen)",
    stdev: "deviasi standar {1} hari dari {0}",
    ts_std: "deviasi standar {1} hari dari {0}",
    ts_mean: "rata-rata {1} hari dari {0}",
    ts_rank: "peringkat {0} dalam {1} hari terakhir",
    delay: "{0} {1} hari sebelumnya",
    delta: "perubahan {0} selama {1} hari",
    correlation: "korelasi {2} hari antara {0} dan {1}",
    rank: "peringkat lintas saham dari {0}",
    abs: "nilai absolut {0}",
    log: "logaritma natural {0}",
    crosses_above: "{0} memotong ke atas {1}",
    crosses_below: "{0} memotong ke bawah {1}",
  },
  sameOne: "yang {n} hari",
  ops: {
    ">": "di atas",
    "<": "di bawah",
    ">=": "di atas atau sama dengan",
    "<=": "di bawah atau sama dengan",
    "==": "sama dengan",
    "!=": "berbeda dari",
    and: "dan",
    or: "atau",
    "+": "ditambah",
    "-": "dikurangi",
    "*": "dikali",
    "/": "dibagi",
  },
  never: "tidak pernah (posisi hanya ditutup oleh aturan risiko)",
  not: "tidak benar bahwa",
  titles: {
    entry: "Masuk",
    exit: "Keluar",
    ranking: "Peringkat",
    universe: "Saham",
    sizing: "Ukuran posisi",
    risk: "Risiko",
    costs: "Biaya",
    fills: "Eksekusi",
    dates: "Modal dan tanggal",
  },
};

const PHRASES: Record<Language, Phrases> = { en: EN, zh: ZH, id: ID };

/** The largest rule rendered in words (deeper nesting is printed as the expression itself). */
const MAX_DEPTH = 24;

const fill = (template: string, args: string[]) =>
  template.replace(/\{(\d)\}/g, (_, i) => args[Number(i)] ?? "");

const sameExceptWindow = (a: Expr, b: Expr): b is Expr & { kind: "call" } =>
  a.kind === "call" && b.kind === "call" && a.name === b.name && ["sma", "ema"].includes(a.name) &&
  printExpression(a.args[0]) === printExpression(b.args[0]);

/** One expression in words. */
function words(e: Expr, p: Phrases, depth = 0): string {
  if (depth > MAX_DEPTH) return printExpression(e);
  const w = (x: Expr) => words(x, p, depth + 1);
  switch (e.kind) {
    case "num":
      return num(e.value);
    case "field":
      return p.fields[e.name] ?? e.name;
    case "neg":
      return `-${w(e.arg)}`;
    case "not":
      return `${p.not} ${w(e.arg)}`;
    case "bin":
      return `${w(e.left)} ${p.ops[e.op] ?? e.op} ${w(e.right)}`;
    case "call": {
      const template = p.fn[e.name];
      if (!template) return printExpression(e);
      if (
        (e.name === "crosses_above" || e.name === "crosses_below") && sameExceptWindow(e.args[0], e.args[1])
      ) {
        const n = e.args[1].args[1];
        return fill(template, [
          w(e.args[0]),
          p.sameOne.replace("{n}", n.kind === "num" ? num(n.value) : w(n)),
        ]);
      }
      return fill(template, e.args.map(w));
    }
  }
}

/** A rule of the expression language in words; `0 > 1` (the exit of a strategy without one) reads "never". */
export function ruleInWords(rule: string, language: Language): string {
  const p = PHRASES[language];
  const e = parseExpression(rule);
  if (printExpression(e) === "0 > 1") return p.never;
  return words(e, p);
}

const pct = (x: number) => `${num(x)}%`;

/** The sections of an account of `spec`, in a fixed order, in `language`. */
export function specSections(spec: StrategySpec, language: Language): ExplanationSection[] {
  const p = PHRASES[language];
  const t = p.titles;
  const zh = language === "zh", id = language === "id";
  const pick = (en: string, zhText: string, idText: string) => (zh ? zhText : id ? idText : en);
  const out: ExplanationSection[] = [];
  const add = (key: ExplanationSection["key"], text: string) => out.push({ key, title: t[key], text });

  add(
    "entry",
    pick(
      `Buy when ${ruleInWords(spec.entry, "en")}.`,
      `当${ruleInWords(spec.entry, "zh")}时买入。`,
      `Beli ketika ${ruleInWords(spec.entry, "id")}.`,
    ),
  );
  add(
    "exit",
    pick(
      `Sell when ${ruleInWords(spec.exit, "en")}.`,
      `当${ruleInWords(spec.exit, "zh")}时卖出。`,
      `Jual ketika ${ruleInWords(spec.exit, "id")}.`,
    ),
  );
  const s = spec.sizing;
  if (s.max_positions > 1) {
    const r = ruleInWords(spec.rank_by, language);
    add(
      "ranking",
      pick(
        `When more stocks qualify than free slots, the ones with the largest value of ${r} are bought first.`,
        `当符合条件的股票多于空余仓位时，优先买入${r}最高的股票。`,
        `Jika saham yang memenuhi syarat lebih banyak dari slot kosong, yang ${r} tertinggi dibeli lebih dulu.`,
      ),
    );
  }

  const u = spec.universe;
  const parts: string[] = [];
  if (u.tickers) {
    parts.push(
      pick(
        `the tickers ${u.tickers.join(", ")}`,
        `股票 ${u.tickers.join("、")}`,
        `saham ${u.tickers.join(", ")}`,
      ),
    );
  }
  if (u.name) parts.push(pick(`the ${u.name} universe`, `${u.name} 股票池`, `universe ${u.name}`));
  const f = u.filters;
  if (f?.market_cap) {
    parts.push(
      pick(
        `market cap ${f.market_cap.join("/")} only`,
        `仅限市值 ${f.market_cap.join("/")}`,
        `hanya kapitalisasi ${f.market_cap.join("/")}`,
      ),
    );
  }
  if (f?.sectors) {
    parts.push(
      pick(
        `sectors ${f.sectors.join(", ")}`,
        `行业 ${f.sectors.join("、")}`,
        `sektor ${f.sectors.join(", ")}`,
      ),
    );
  }
  if (f?.syariah !== undefined) {
    parts.push(
      pick(
        f.syariah ? "syariah stocks only" : "non-syariah stocks only",
        f.syariah ? "仅限伊斯兰合规股票" : "仅限非伊斯兰合规股票",
        f.syariah ? "hanya saham syariah" : "hanya saham non-syariah",
      ),
    );
  }
  if (f?.min_avg_traded_value !== undefined) {
    const v = num(f.min_avg_traded_value);
    parts.push(
      pick(
        `20-day average traded value at least ${v}`,
        `20日平均成交额至少 ${v}`,
        `rata-rata nilai transaksi 20 hari minimal ${v}`,
      ),
    );
  }
  for (const b of f?.fundamentals ?? []) {
    const range = [b.min !== undefined ? `≥ ${num(b.min)}` : "", b.max !== undefined ? `≤ ${num(b.max)}` : ""]
      .filter(Boolean).join(" ");
    parts.push(`${b.metric} ${range}`);
  }
  add(
    "universe",
    pick(
      `Trades ${parts.join("; ")}.`,
      `交易范围：${parts.join("；")}。`,
      `Diperdagangkan: ${parts.join("; ")}.`,
    ),
  );

  const sizeText = s.method === "percent_equity"
    ? pick(
      `each position is ${pct(s.percent)} of equity`,
      `每个仓位占权益的${pct(s.percent)}`,
      `setiap posisi ${pct(s.percent)} dari ekuitas`,
    )
    : s.method === "fixed_cash"
    ? pick(
      `each position is ${num(s.cash)} in cash`,
      `每个仓位${num(s.cash)}现金`,
      `setiap posisi ${num(s.cash)} tunai`,
    )
    : s.method === "fixed_quantity"
    ? pick(
      `each position is a fixed ${num(s.quantity)} ${s.quantity === 1 ? "share" : "shares"}`,
      `每个仓位固定${num(s.quantity)}股`,
      `setiap posisi tetap ${num(s.quantity)} lembar`,
    )
    : pick(
      `each position risks ${pct(s.risk_pct)} of equity, with the stop ${
        num(s.atr_multiple)
      } × the ${s.atr_period}-day ATR away`,
      `每个仓位承担权益的${pct(s.risk_pct)}风险，止损距离为${num(s.atr_multiple)}倍${s.atr_period}日ATR`,
      `setiap posisi berisiko ${pct(s.risk_pct)} dari ekuitas, stop sejauh ${
        num(s.atr_multiple)
      } × ATR ${s.atr_period} hari`,
    );
  const minPos = s.min_position > 0
    ? pick(
      `; orders under ${num(s.min_position)} are skipped`,
      `；低于${num(s.min_position)}的订单跳过`,
      `; order di bawah ${num(s.min_position)} dilewati`,
    )
    : "";
  add(
    "sizing",
    pick(
      `${cap(sizeText)}; at most ${s.max_positions} position${
        s.max_positions === 1 ? "" : "s"
      } at once${minPos}.`,
      `${sizeText}；最多同时持有${s.max_positions}个仓位${minPos}。`,
      `${cap(sizeText)}; paling banyak ${s.max_positions} posisi sekaligus${minPos}.`,
    ),
  );

  const r = spec.risk;
  const none = pick("none", "无", "tidak ada");
  add(
    "risk",
    pick(
      `Stop loss ${r.stop_loss_pct === null ? none : pct(r.stop_loss_pct)}, take profit ${
        r.take_profit_pct === null ? none : pct(r.take_profit_pct)
      }, trailing stop ${r.trailing_stop_pct === null ? none : pct(r.trailing_stop_pct)}, maximum holding ${
        r.max_holding_days === null ? none : `${r.max_holding_days} days`
      }.`,
      `止损 ${r.stop_loss_pct === null ? none : pct(r.stop_loss_pct)}，止盈 ${
        r.take_profit_pct === null ? none : pct(r.take_profit_pct)
      }，移动止损 ${r.trailing_stop_pct === null ? none : pct(r.trailing_stop_pct)}，最长持有 ${
        r.max_holding_days === null ? none : `${r.max_holding_days}日`
      }。`,
      `Stop loss ${r.stop_loss_pct === null ? none : pct(r.stop_loss_pct)}, take profit ${
        r.take_profit_pct === null ? none : pct(r.take_profit_pct)
      }, trailing stop ${
        r.trailing_stop_pct === null ? none : pct(r.trailing_stop_pct)
      }, lama tahan maksimum ${r.max_holding_days === null ? none : `${r.max_holding_days} hari`}.`,
    ),
  );
  const c = spec.costs;
  add(
    "costs",
    pick(
      `${pct(c.buy_fee_pct)} fee on each buy, ${pct(c.sell_fee_pct)} on each sell, minimum fee ${
        num(c.min_fee)
      }, slippage ${pct(c.slippage_pct)}.`,
      `买入费率${pct(c.buy_fee_pct)}，卖出费率${pct(c.sell_fee_pct)}，最低费用${num(c.min_fee)}，滑点${
        pct(c.slippage_pct)
      }。`,
      `Biaya beli ${pct(c.buy_fee_pct)}, biaya jual ${pct(c.sell_fee_pct)}, biaya minimum ${
        num(c.min_fee)
      }, slippage ${pct(c.slippage_pct)}.`,
    ),
  );
  add(
    "fills",
    spec.fill === "next_open"
      ? pick(
        "Signals are decided on a day's close and filled at the next day's open.",
        "信号在当日收盘时决定，于次日开盘成交。",
        "Sinyal diputuskan pada harga penutupan dan dieksekusi pada pembukaan hari berikutnya.",
      )
      : pick(
        "Signals are decided and filled at the same day's close.",
        "信号在当日收盘时决定并成交。",
        "Sinyal diputuskan dan dieksekusi pada harga penutupan hari yang sama.",
      ),
  );
  const bench = spec.benchmarks.length ? spec.benchmarks.join(", ") : none;
  add(
    "dates",
    pick(
      `Starts with ${num(spec.capital)} on ${spec.start} and runs to ${spec.end}; benchmarks: ${bench}${
        spec.close_at_end ? "; positions still open are sold at the last close" : ""
      }.`,
      `初始资金${num(spec.capital)}，自${spec.start}至${spec.end}；基准：${bench}${
        spec.close_at_end ? "；期末未平仓位按最后收盘价卖出" : ""
      }。`,
      `Modal awal ${num(spec.capital)} dari ${spec.start} sampai ${spec.end}; benchmark: ${bench}${
        spec.close_at_end ? "; posisi terbuka dijual pada penutupan terakhir" : ""
      }.`,
    ),
  );
  return out;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The sections as one text: `Title: text` per line. */
export function sectionsText(sections: ExplanationSection[], language: Language): string {
  const sep = language === "zh" ? "：" : ": ";
  return sections.map((s) => `${s.title}${sep}${s.text}`).join("\n");
}
