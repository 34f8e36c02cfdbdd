/**
 * What a message says to trade: universe names (`UNIVERSE_NAMES`), tickers (AAPL, RELIANCE.NS, BBCA.JK,
 * 600519.SH, bare IDX codes such as BBCA, a few company and coin names), market-cap classes and the syariah
 * filter, plus a market hint ("A-shares", "US stocks") that picks a universe when only a class is given.
 */
import type { UniverseName } from "../../market/types.ts";
import type { Language } from "../turn_contract.ts";

/** The universe part of a message. */
export interface UniverseSlots {
  name?: UniverseName;
  /** Tickers as the spec takes them (IDX codes with `.JK`). */
  tickers: string[];
  marketCap: ("small" | "mid" | "large")[];
  syariah?: boolean;
  /** A universe implied by a market word ("A-shares" → hs300), used only with market-cap classes. */
  marketHint?: UniverseName;
}

/** Universe names and their phrasings in the normalised vocabulary (first match wins). */
const NAMES: readonly [RegExp, UniverseName][] = [
  [/\b(?:hs\s?300|csi\s?300|shanghai[- ]shenzhen\s?300|000300(?:\.sh)?)\b/, "hs300"],
  [/\bcsi\s?500\b|\bzz\s?500\b/, "csi500"],
  [/\bcsi\s?1000\b/, "csi1000"],
  [/\bcsi\s?2000\b/, "csi2000"],
  [/\blq\s?45\b/, "lq45"],
  [/\bnifty(?:\s?50)?\b/, "nifty"],
  [/\b(?:all\s+)?etfs?\b/, "etf_all"],
  [/\b(?:crypto(?:currenc(?:y|ies))?|coins)\b/, "crypto"],
  [/\b(?:idx|ihsg|jci|indonesia(?:n)?\s+(?:stocks|shares|market)|idx stocks)\b/, "idx"],
  [
    /\b(?:us\s+(?:stocks|shares|equities|market)|s&p\s?500|sp\s?500|american stocks|nasdaq(?:\s?100)?|nyse)\b/,
    "us",
  ],
];

/** Market words that imply a universe for a market-cap class. */
const HINTS: readonly [RegExp, UniverseName][] = [
  [/\b(?:a-shares|a shares|china|chinese)\b/, "hs300"],
  [/\b(?:india|indian|nse)\b/, "nifty"],
  [/\b(?:indonesia|indonesian|jakarta)\b/, "idx"],
  [/\b(?:us|usa|american|wall street)\b/, "us"],
];

/** Codes of large IDX stocks (a bare one is read as an IDX ticker). */
const IDX_CODES = new Set(
  "BBCA BBRI BMRI BBNI TLKM ASII UNVR ICBP INDF GOTO ANTM ADRO PGAS KLBF UNTR PTBA ITMG SMGR CPIN MDKA BRIS ARTO EXCL ISAT INCO HMSP GGRM AMRT ACES ERAA MEDC BUKA TOWR INKP TPIA"
    .split(" "),
);
/** Well-known US tickers (read in any case). */
const US_CODES = new Set(
  "AAPL MSFT GOOGL GOOG AMZN TSLA NVDA NFLX AMD INTC SPY QQQ IWM DIA JPM BAC WMT DIS KO PEP".split(" "),
);
/** NSE names read without their suffix. */
const NSE_CODES = new Set("RELIANCE TCS INFY HDFCBANK ICICIBANK SBIN ITC".split(" "));
/** Upper-case words that are not tickers. */
const NOT_TICKERS = new Set(
  ("RSI SMA EMA MA MACD ETF ETFS IDX USD IDR CNY RMB BB ROC ATR OBV VWAP SL TP US USA AND OR THE IF WHEN BUY SELL " +
    "I A LQ CSI HS NSE BSE IHSG JCI AI OK YES NO NIFTY CAP EOD DAY BPS ROE PE PBV EPS API JSON JK SH SZ NS FAST SLOW " +
    "ATH ATL YTD DCA CEO IPO GDP MOM TA BTC ETH ON AT TO IN OF BY FOR MY ME IT IS BE AN AS SO DO UP PM AM UTC OHLC " +
    "CSV PDF VS HOLD STOP LOSS TAKE PROFIT HIGH LOW OPEN CLOSE TOP BEST WITH FROM LAST SINCE YEAR YEARS DAYS CROSS " +
    "GOLDEN DEATH LONG SHORT ENTRY EXIT NEW ALL ANY MAX MIN AVG SD STD K X DONCHIAN ADX CCI KDJ BOLL MID SMALL LARGE " +
    "BIG RP RS INR SAHAM BELI JUAL DAN ATAU YA OKE TIDAK KALAU SAAT MODAL JUTA BIAYA HARI TAHUN DARI SAMPAI")
    .split(" "),
);
/** Coins and company names → tickers (normalised text). */
const NAMED: readonly [RegExp, string][] = [
  [/\b(?:bitcoin|btc(?:-usd)?)\b/, "BTC-USD"],
  [/\b(?:ethereum|eth(?:-usd)?)\b/, "ETH-USD"],
  [/\bapple\b/, "AAPL"],
  [/\btesla\b/, "TSLA"],
  [/\bnvidia\b/, "NVDA"],
  [/\bmicrosoft\b/, "MSFT"],
  [/\bmoutai\b/, "600519.SH"],
  [/\breliance\b/, "RELIANCE.NS"],
];

/** The universe part of a message: `original` as written (NFKC), `text` normalised. */
export function extractUniverse(original: string, text: string, lang: Language): UniverseSlots {
  const out: UniverseSlots = { tickers: [], marketCap: [] };
  for (const [re, name] of NAMES) {
    if (re.test(text)) {
      out.name = name;
      break;
    }
  }
  for (const [re, name] of HINTS) {
    if (re.test(text)) {
      out.marketHint = name;
      break;
    }
  }
  for (
    const [re, cls] of [[/\blarge cap/, "large"], [/\bmid cap/, "mid"], [/\bsmall cap/, "small"]] as const
  ) {
    if (re.test(text)) out.marketCap.push(cls);
  }
  if (/\bsyariah\b|\bhalal\b|\bislamic\b/.test(text)) out.syariah = true;
  const tickers = new Set<string>();
  const src = original.normalize("NFKC").slice(0, 4000);
  for (const m of src.matchAll(/\b(\d{6})\.(sh|sz|ss|bj)\b/gi)) {
    tickers.add(`${m[1]}.${m[2].toUpperCase() === "SS" ? "SH" : m[2].toUpperCase()}`);
  }
  for (const m of text.matchAll(/\b(\d{6})\.(sh|sz)\b/g)) tickers.add(`${m[1]}.${m[2].toUpperCase()}`);
  for (const m of src.matchAll(/\b([a-z][a-z0-9&]{0,11}(?:-[a-z])?)\.(ns|bo|jk)\b/gi)) {
    tickers.add(`${m[1].toUpperCase()}.${m[2].toUpperCase()}`);
  }
  for (
    const m of src.matchAll(
      /(?:^|[^\d.$¥])((?:60[0135]|688|00[0123]|30[01])\d{3})(?![\d.%万亿]|\s*(?:元|yuan|rmb|cny|usd|dollars?))/g,
    )
  ) {
    const code = m[1];
    tickers.add(`${code}.${code.startsWith("6") ? "SH" : "SZ"}`);
  }
  for (const [re, t] of NAMED) if (re.test(text)) tickers.add(t);
  const letters = src.replace(/[^A-Za-z]/g, "");
  const shouting = letters.length > 12 && letters.replace(/[^A-Z]/g, "").length / letters.length > 0.6;
  for (const m of src.matchAll(/(?<![.\w-])([A-Za-z]{2,9})(?![\w-]|\.\w)/g)) {
    const word = m[1];
    const upper = word.toUpperCase();
    if (tickers.has(upper) || NOT_TICKERS.has(upper)) continue;
    if (IDX_CODES.has(upper)) tickers.add(`${upper}.JK`);
    else if (US_CODES.has(upper)) tickers.add(upper);
    else if (NSE_CODES.has(upper) && word === upper) tickers.add(`${upper}.NS`);
    else if (word === upper && !shouting && upper.length <= 5) {
      tickers.add(lang === "id" && upper.length === 4 ? `${upper}.JK` : upper);
    }
  }
  out.tickers = [...tickers].slice(0, 500);
  return out;
}
