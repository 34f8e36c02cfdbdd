/**
 * What the offline assistant says, in English, Chinese and Indonesian: its questions (one per missing slot,
 * each offering concrete choices and, in a chat, a proposal the user accepts with "yes"/"好"/"ya"), its
 * refusals and its summaries. A proposal is written after `PROPOSAL_MARKERS[lang]` so the next turn can read it
 * back from the conversation.
 */
import type { Language } from "../turn_contract.ts";
import type { Refusal } from "./guard.ts";

/** The words that open a proposal, per language (a "yes" next turn accepts what follows, up to the sentence end). */
export const PROPOSAL_MARKERS: Readonly<Record<Language, string>> = {
  en: 'Reply "yes" for',
  zh: "回复“好”即采用",
  id: 'Jawab "ya" untuk',
};

type Text = Readonly<Record<Language, string>>;

const QUESTIONS = {
  entry: {
    en:
      "What should trigger a buy? For example: the 20-day SMA crossing above the 50-day SMA, RSI(14) below 30, the close breaking its 20-day high, or MACD (12/26/9) crossing above its signal line.",
    zh:
      "什么条件买入？例如：20日均线上穿50日均线、RSI(14)低于30、收盘价突破20日新高，或MACD(12/26/9)上穿信号线。",
    id:
      "Kapan harus membeli? Misalnya: SMA 20 hari memotong ke atas SMA 50 hari, RSI(14) di bawah 30, harga menembus tertinggi 20 hari, atau MACD (12/26/9) memotong ke atas garis sinyal.",
  },
  exit: {
    en:
      "When should it sell? For example: {mirror}a stop loss / take profit (e.g. 5% / 10%), or after a number of days.",
    zh: "什么条件卖出？例如：{mirror}止损/止盈（如5%/10%），或持有若干天后卖出。",
    id:
      "Kapan harus menjual? Misalnya: {mirror}stop loss / take profit (mis. 5% / 10%), atau setelah sejumlah hari.",
  },
  exitRank: {
    en:
      "How often should the top {top} be rebalanced (weekly, monthly, every N days), or when should a holding be sold?",
    zh: "前{top}名多久调仓一次（每周、每月、每N天），或者持仓何时卖出？",
    id:
      "Seberapa sering {top} saham teratas di-rebalance (mingguan, bulanan, setiap N hari), atau kapan posisi dijual?",
  },
  universe: {
    en:
      "Which market or tickers should it trade? For example: AAPL, RELIANCE.NS, BBCA.JK, 600519.SH, or a universe (us, hs300, csi500, nifty, lq45, idx, crypto).",
    zh:
      "交易哪些标的？例如：600519.SH、AAPL、BBCA.JK，或一个股票池（沪深300、中证500、中证1000、lq45、idx、crypto）。",
    id:
      "Saham atau pasar mana yang diperdagangkan? Misalnya: BBCA, BBRI, TLKM, atau universe (lq45, idx, saham berkapitalisasi besar, hs300, us).",
  },
  strategy: {
    en:
      "Which signal should the strategy trade on: SMA crossover (20/50), RSI (14, buy below 30, sell above 70), MACD cross (12/26/9) or Bollinger Bands (20, 2)? {proposal} SMA crossover (20/50).",
    zh:
      "策略用哪种信号：均线交叉(20/50)、RSI(14，低于30买入、高于70卖出)、MACD交叉(12/26/9)还是布林带(20, 2)？{proposal} 均线交叉(20/50)。",
    id:
      "Sinyal apa yang dipakai: persilangan SMA (20/50), RSI (14, beli di bawah 30, jual di atas 70), MACD (12/26/9) atau Bollinger Bands (20, 2)? {proposal} persilangan SMA (20/50).",
  },
  momentum: {
    en:
      "Which momentum signal: SMA crossover (20/50), MACD cross (12/26/9) or RSI (14, buy below 30, sell above 70)? {proposal} SMA crossover (20/50).",
    zh:
      "用哪种动量信号：均线交叉(20/50)、MACD交叉(12/26/9)，还是RSI(14，低于30买入、高于70卖出)？{proposal} 均线交叉(20/50)。",
    id:
      "Sinyal momentum yang mana: persilangan SMA (20/50), MACD (12/26/9) atau RSI (14, beli di bawah 30, jual di atas 70)? {proposal} persilangan SMA (20/50).",
  },
  trend: {
    en:
      "Which trend signal: SMA crossover (50/200), price above its 200-day SMA, or MACD cross (12/26/9)? {proposal} SMA crossover (50/200).",
    zh:
      "用哪种趋势信号：均线交叉(50/200)、价格站上200日均线，还是MACD交叉(12/26/9)？{proposal} 均线交叉(50/200)。",
    id:
      "Sinyal tren yang mana: persilangan SMA (50/200), harga di atas SMA 200 hari, atau MACD (12/26/9)? {proposal} persilangan SMA (50/200).",
  },
  mean_reversion: {
    en:
      "Which mean-reversion signal: RSI (14, buy below 30, sell above 70) or Bollinger Bands (20, 2: buy at the lower band, sell at the middle)? {proposal} RSI (14, 30/70).",
    zh:
      "用哪种均值回归信号：RSI(14，低于30买入、高于70卖出)，还是布林带(20, 2：下轨买入、中轨卖出)？{proposal} RSI 14 30/70。",
    id:
      "Sinyal mean reversion yang mana: RSI (14, beli di bawah 30, jual di atas 70) atau Bollinger Bands (20, 2: beli di band bawah, jual di band tengah)? {proposal} RSI 14 30/70.",
  },
  chatUniverse: {
    en:
      "Which stocks should it trade: a universe (LQ45, all IDX, HS300, US), a market-cap class (large, mid or small cap) or tickers (e.g. BBCA, BBRI, TLKM)? {proposal} LQ45.",
    zh:
      "交易哪些股票：股票池（沪深300、中证500、LQ45、IDX）、市值分类（大盘、中盘、小盘）还是具体代码（如600519.SH）？{proposal} 沪深300。",
    id:
      "Saham apa yang diperdagangkan: universe (LQ45, semua saham IDX), kapitalisasi (besar, menengah, kecil) atau kode saham (mis. BBCA, BBRI, TLKM)? {proposal} LQ45.",
  },
  date_range: {
    en:
      "Which period should the backtest cover? For example: 2024-01-01 to 2024-12-31, the last 3 years, or since 2020. {proposal} the last 3 years.",
    zh: "回测哪个时间段？例如：2024-01-01至2024-12-31、最近三年，或2020年以来。{proposal} 最近三年。",
    id:
      "Periode backtest yang mana? Misalnya: 2024-01-01 sampai 2024-12-31, 3 tahun terakhir, atau sejak 2020. {proposal} 3 tahun terakhir.",
  },
  capital: {
    en:
      "How much initial capital? For example: 100 million (IDR 100,000,000), 500 million, or $50k. {proposal} a capital of 100 million.",
    zh: "初始资金多少？例如：100万、500万或1000万。{proposal} 初始资金100万。",
    id: "Berapa modal awal? Misalnya: 100 juta, 500 juta, atau 1 miliar. {proposal} modal 100 juta.",
  },
} as const satisfies Record<string, Text>;

/** A question's key. */
export type QuestionKey = keyof typeof QUESTIONS;

/** The question for `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export function question(key: QuestionKey, lang: Language, vars: Record<string, string> = {}): string {
  const text = QUESTIONS[key][lang].replace("{proposal}", PROPOSAL_MARKERS[lang]);
  return text.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");
}

const REFUSALS: Readonly<Record<Refusal | "off_topic", Text>> = {
  too_long: {
    en: "That message is too long (over 4,000 characters). Please describe the strategy in a few sentences.",
    zh: "消息太长（超过4000个字符）。请用几句话描述策略。",
    id: "Pesan terlalu panjang (lebih dari 4.000 karakter). Jelaskan strategi dalam beberapa kalimat.",
  },
  control_characters: {
    en: "The message contains control characters; please send plain text.",
    zh: "消息包含控制字符，请发送纯文本。",
    id: "Pesan berisi karakter kontrol; kirim teks biasa.",
  },
  injection: {
    en: "I can only build and explain trading strategies; I will not change my instructions or run code.",
    zh: "我只能构建和解释交易策略，不会更改指令或运行代码。",
    id:
      "Saya hanya dapat membuat dan menjelaskan strategi trading; saya tidak akan mengubah instruksi atau menjalankan kode.",
  },
  market_abuse: {
    en:
      "I can't help with market manipulation or insider information. I can help you backtest a rule-based strategy.",
    zh: "我不能协助操纵市场或利用内幕信息。我可以帮你回测基于规则的策略。",
    id:
      "Saya tidak dapat membantu manipulasi pasar atau informasi orang dalam. Saya bisa membantu backtest strategi berbasis aturan.",
  },
  off_topic: {
    en:
      'I can only help with trading strategies and backtests. Describe a strategy, e.g. "buy AAPL when RSI(14) is below 30, sell above 70".',
    zh: "我只能帮助构建交易策略和回测。请描述一个策略，例如“RSI(14)低于30买入贵州茅台，高于70卖出”。",
    id:
      'Saya hanya dapat membantu strategi trading dan backtest. Jelaskan strategi, mis. "beli BBCA saat RSI(14) di bawah 30, jual di atas 70".',
  },
};

/** The refusal text for `reason` in `lang`. */
export function refusalText(reason: Refusal | "off_topic", lang: Language): string {
  return REFUSALS[reason][lang];
}

const LINES = {
  ready: {
    en: "Here is the strategy: {name}. Entry: {entry}. Exit: {exit}.",
    zh: "策略已生成：{name}。买入：{entry}。卖出：{exit}。",
    id: "Strategi siap: {name}. Beli: {entry}. Jual: {exit}.",
  },
  chatReady: {
    en: "Your configuration is ready! Click 'Run Backtest' to see results.",
    zh: "配置已就绪！点击“运行回测”查看结果。",
    id: "Konfigurasi siap! Klik 'Run Backtest' untuk melihat hasilnya.",
  },
  soFar: {
    en: "So far: {summary}.",
    zh: "目前：{summary}。",
    id: "Sejauh ini: {summary}.",
  },
  assumed: {
    en: "Assumed (not given): {list}.",
    zh: "默认设置（未提供）：{list}。",
    id: "Asumsi (tidak disebutkan): {list}.",
  },
  repair: {
    en: "The draft did not pass the checks: {errors}.",
    zh: "草稿未通过检查：{errors}。",
    id: "Draf tidak lolos pemeriksaan: {errors}.",
  },
} as const satisfies Record<string, Text>;

/** A fixed line in `lang` with `{name}` placeholders filled. */
export function line(key: keyof typeof LINES, lang: Language, vars: Record<string, string>): string {
  return LINES[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");
}

/** At most 30 distinct assumptions of at most 300 characters each (the turn contract's bounds). */
export function boundAssumptions(list: string[]): string[] {
  return [...new Set(list)].slice(0, 30).map((a) => (a.length > 300 ? `${a.slice(0, 297)}...` : a));
}
