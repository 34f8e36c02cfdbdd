/**
 * The synthetic market's symbols: A-share universes (hs300, csi500, csi1000, csi2000 — disjoint, like the CSI
 * size series), ETFs, NSE, IDX, US and crypto names, their benchmark indexes, and each series' hidden model
 * parameters (beta, volatility, sector, shares outstanding). Deterministic from the seed.
 */
import type { ExchangeCode } from "../../calendar/exchanges.ts";
import type { MarketCapClass, SymbolInfo, SymbolKind, UniverseName } from "../types.ts";
import { hash4, uniform } from "./prng.ts";

/** Hidden parameters of one generated series. */
export interface SeriesParams {
  /** Index into the catalogue (also the RNG stream of the series). */
  id: number;
  info: SymbolInfo;
  /** Exposure to the market factor. */
  beta: number;
  /** Sector index (0-based) or -1. */
  sector: number;
  /** Long-run daily idiosyncratic volatility (fraction). */
  vol: number;
  /** Daily drift (fraction). */
  drift: number;
  startPrice: number;
  /** Shares outstanding (for cap weights). */
  shares: number;
  /** Typical daily volume in shares. */
  baseVolume: number;
  /** Price tick (0.01 for A-shares, 0.001 for ETFs, 0.01 elsewhere, 0 = unrounded). */
  tick: number;
  /** Yearly cash dividend as a fraction of price (0 for none). */
  dividendYield: number;
  /** Whether the planted A-share characteristics act on this series. */
  planted: boolean;
  /** Constituent symbols for an index. */
  constituents: string[] | null;
  /** Base level of an index. */
  baseLevel: number;
}

/** The sectors of the synthetic market. */
export const SECTORS = [
  "Financials",
  "Consumer Staples",
  "Consumer Discretionary",
  "Industrials",
  "Information Technology",
  "Health Care",
  "Materials",
  "Energy",
  "Utilities",
  "Real Estate",
  "Communication Services",
] as const;

/** Sizes of the A-share universes. */
export const UNIVERSE_SIZES = { hs300: 300, csi500: 500, csi1000: 1000, csi2000: 2000 } as const;

/** Benchmark index symbol per universe. */
export const UNIVERSE_INDEX: Readonly<Record<UniverseName, string | null>> = {
  hs300: "000300.SH",
  csi500: "000905.SH",
  csi1000: "000852.SH",
  csi2000: "932000.CSI",
  etf_all: null,
  nifty: "^NSEI",
  lq45: "LQ45",
  idx: "^JKSE",
  us: "^GSPC",
  crypto: null,
};

const WELL_KNOWN_A: [string, string, number][] = [
  ["600519.SH", "Kweichow Moutai", 1],
  ["000001.SZ", "Ping An Bank", 0],
  ["600036.SH", "China Merchants Bank", 0],
  ["000858.SZ", "Wuliangye Yibin", 1],
  ["601318.SH", "Ping An Insurance", 0],
  ["000333.SZ", "Midea Group", 2],
  ["300750.SZ", "Contemporary Amperex Technology", 3],
  ["600900.SH", "China Yangtze Power", 8],
  ["601398.SH", "Industrial and Commercial Bank of China", 0],
  ["000002.SZ", "China Vanke", 9],
  ["600276.SH", "Jiangsu Hengrui Pharmaceuticals", 5],
  ["688981.SH", "Semiconductor Manufacturing International", 4],
];

const NAME_HEADS = [
  "Huaxin",
  "Zhongke",
  "Jinlong",
  "Tianrun",
  "Hengtai",
  "Dongfang",
  "Xinhua",
  "Changjiang",
  "Baoli",
  "Guoxin",
  "Haitian",
  "Ruifeng",
  "Shenghe",
  "Yuanda",
  "Zhenhua",
  "Minsheng",
  "Jiahe",
  "Longji",
  "Sanhe",
  "Wanxiang",
];
const NAME_TAILS: Record<number, string[]> = {
  0: ["Bank", "Securities", "Insurance"],
  1: ["Foods", "Liquor", "Dairy"],
  2: ["Appliances", "Auto", "Retail"],
  3: ["Machinery", "Electric", "Logistics"],
  4: ["Microelectronics", "Software", "Optics"],
  5: ["Pharmaceutical", "Biotech", "Medical"],
  6: ["Chemical", "Steel", "Nonferrous"],
  7: ["Energy", "Coal", "Petroleum"],
  8: ["Power", "Water", "Gas"],
  9: ["Properties", "Land", "Development"],
  10: ["Media", "Telecom", "Interactive"],
};

const OTHER_MARKETS: {
  universe: UniverseName;
  exchange: ExchangeCode;
  currency: string;
  lot: number;
  names: [string, string, number, boolean | null][];
}[] = [
  {
    universe: "nifty",
    exchange: "NSE",
    currency: "INR",
    lot: 1,
    names: [
      ["RELIANCE.NS", "Reliance Industries", 7, null],
      ["TCS.NS", "Tata Consultancy Services", 4, null],
      ["HDFCBANK.NS", "HDFC Bank", 0, null],
      ["INFY.NS", "Infosys", 4, null],
      ["ICICIBANK.NS", "ICICI Bank", 0, null],
      ["HINDUNILVR.NS", "Hindustan Unilever", 1, null],
      ["ITC.NS", "ITC", 1, null],
      ["SBIN.NS", "State Bank of India", 0, null],
      ["BHARTIARTL.NS", "Bharti Airtel", 10, null],
      ["LT.NS", "Larsen & Toubro", 3, null],
    ],
  },
  {
    universe: "lq45",
    exchange: "IDX",
    currency: "IDR",
    lot: 100,
    names: [
      ["BBCA.JK", "Bank Central Asia", 0, false],
      ["BBRI.JK", "Bank Rakyat Indonesia", 0, false],
      ["BMRI.JK", "Bank Mandiri", 0, false],
      ["TLKM.JK", "Telkom Indonesia", 10, true],
      ["ASII.JK", "Astra International", 2, true],
      ["UNVR.JK", "Unilever Indonesia", 1, true],
      ["ICBP.JK", "Indofood CBP", 1, true],
      ["ADRO.JK", "Adaro Energy", 7, true],
      ["ANTM.JK", "Aneka Tambang", 6, true],
      ["BRIS.JK", "Bank Syariah Indonesia", 0, true],
    ],
  },
  {
    universe: "us",
    exchange: "NYSE",
    currency: "USD",
    lot: 1,
    names: [
      ["AAPL", "Apple", 4, null],
      ["MSFT", "Microsoft", 4, null],
      ["AMZN", "Amazon.com", 2, null],
      ["GOOGL", "Alphabet", 10, null],
      ["JPM", "JPMorgan Chase", 0, null],
      ["JNJ", "Johnson & Johnson", 5, null],
      ["XOM", "Exxon Mobil", 7, null],
      ["PG", "Procter & Gamble", 1, null],
    ],
  },
];

const ETF_NAMES: [string, string][] = [
  ["510300.SH", "CSI 300 ETF"],
  ["510500.SH", "CSI 500 ETF"],
  ["512100.SH", "CSI 1000 ETF"],
  ["510050.SH", "SSE 50 ETF"],
  ["588000.SH", "STAR 50 ETF"],
  ["159915.SZ", "ChiNext ETF"],
  ["159919.SZ", "CSI 300 ETF (SZ)"],
  ["159922.SZ", "CSI 500 ETF (SZ)"],
  ["512880.SH", "Securities ETF"],
  ["512800.SH", "Bank ETF"],
  ["512690.SH", "Liquor ETF"],
  ["512010.SH", "Pharma ETF"],
  ["512480.SH", "Semiconductor ETF"],
  ["515030.SH", "New Energy Vehicle ETF"],
  ["515790.SH", "Photovoltaic ETF"],
  ["512660.SH", "Military ETF"],
  ["512400.SH", "Nonferrous Metals ETF"],
  ["515220.SH", "Coal ETF"],
  ["512200.SH", "Real Estate ETF"],
  ["159928.SZ", "Consumer ETF"],
  ["159949.SZ", "ChiNext 50 ETF"],
  ["159995.SZ", "Chip ETF"],
  ["159825.SZ", "Agriculture ETF"],
  ["159869.SZ", "Gaming ETF"],
  ["515000.SH", "Technology ETF"],
  ["515180.SH", "Dividend ETF"],
  ["510880.SH", "SSE Dividend ETF"],
  ["511010.SH", "Treasury Bond ETF"],
  ["518880.SH", "Gold ETF"],
  ["513100.SH", "Nasdaq 100 ETF"],
  ["513500.SH", "S&P 500 ETF"],
  ["513050.SH", "China Internet ETF"],
  ["159920.SZ", "Hang Seng ETF"],
  ["510900.SH", "H-Share ETF"],
  ["512170.SH", "Healthcare ETF"],
  ["516160.SH", "New Energy ETF"],
];

function aShareCodePool(seed: number): string[] {
  const ranges: [number, number, string][] = [
    [600000, 601999, "SH"],
    [603000, 603999, "SH"],
    [605000, 605499, "SH"],
    [688000, 688799, "SH"],
    [1, 2999, "SZ"],
    [300001, 301599, "SZ"],
  ];
  const taken = new Set(WELL_KNOWN_A.map(([s]) => s));
  const all: { code: string; key: number }[] = [];
  for (const [lo, hi, ex] of ranges) {
    for (let n = lo; n <= hi; n++) {
      const code = `${String(n).padStart(6, "0")}.${ex}`;
      if (!taken.has(code)) all.push({ code, key: hash4(seed, 11, n, ex === "SH" ? 1 : 2) });
    }
  }
  all.sort((a, b) => a.key - b.key || (a.code < b.code ? -1 : 1));
  return all.map((a) => a.code);
}

const capClassOf = (u: UniverseName): MarketCapClass =>
  u === "hs300" ? "large" : u === "csi500" ? "mid" : "small";

function info(
  symbol: string,
  name: string,
  exchange: ExchangeCode,
  currency: string,
  kind: SymbolKind,
  extra: Partial<SymbolInfo>,
): SymbolInfo {
  return {
    symbol,
    name,
    exchange,
    currency,
    kind,
    sector: null,
    market_cap_class: null,
    lot_size: 1,
    price_limit: null,
    syariah: null,
    universes: [],
    source: "synthetic",
    ...extra,
  };
}

/** Builds the whole catalogue for `seed`: series parameters in a stable order, indexes last. */
export function buildCatalog(seed: number): SeriesParams[] {
  const out: SeriesParams[] = [];
  const u = (id: number, k: number) => uniform(seed, 1000 + k, id, 0);
  const add = (p: Omit<SeriesParams, "id">) => out.push({ ...p, id: out.length });

  // A-share stocks: well-known names lead hs300, then codes drawn from the pool.
  const pool = aShareCodePool(seed);
  let next = 0;
  const universes: UniverseName[] = ["hs300", "csi500", "csi1000", "csi2000"];
  for (const uni of universes) {
    const size = UNIVERSE_SIZES[uni as keyof typeof UNIVERSE_SIZES];
    for (let i = 0; i < size; i++) {
      const known = uni === "hs300" && i < WELL_KNOWN_A.length ? WELL_KNOWN_A[i] : null;
      const symbol = known ? known[0] : pool[next++];
      const id = out.length;
      const sector = known ? known[2] : Math.floor(u(id, 1) * SECTORS.length);
      const num = Number(symbol.slice(0, 6));
      const board20 = symbol.startsWith("300") || symbol.startsWith("301") || symbol.startsWith("688");
      const sizeScale = uni === "hs300" ? 1 : uni === "csi500" ? 0.35 : uni === "csi1000" ? 0.15 : 0.06;
      const startPrice = Math.round((3 + 60 * u(id, 2) ** 2 + (known && num === 600519 ? 180 : 0)) * 100) /
        100;
      const capCny = sizeScale * (2e10 + 3e11 * u(id, 3) ** 3);
      const tails = NAME_TAILS[sector];
      add({
        info: info(
          symbol,
          known
            ? known[1]
            : `${NAME_HEADS[hash4(seed, 12, num, 0) % NAME_HEADS.length]} ${
              tails[hash4(seed, 13, num, 0) % tails.length]
            }`,
          symbol.endsWith(".SH") ? "SSE" : "SZSE",
          "CNY",
          "stock",
          {
            sector: SECTORS[sector],
            market_cap_class: capClassOf(uni),
            lot_size: 100,
            price_limit: board20 ? 0.2 : 0.1,
            universes: [uni],
          },
        ),
        beta: 0.6 + 0.8 * u(id, 4),
        sector,
        vol: (uni === "hs300" ? 0.012 : uni === "csi500" ? 0.016 : 0.019) + 0.012 * u(id, 5),
        drift: 0.0003 * (u(id, 6) - 0.5),
        startPrice,
        shares: Math.round(capCny / startPrice),
        baseVolume: Math.round((capCny / startPrice) * (0.004 + 0.01 * u(id, 7))),
        tick: 0.01,
        dividendYield: u(id, 8) < 0.7 ? 0.005 + 0.03 * u(id, 9) : 0,
        planted: true,
        constituents: null,
        baseLevel: 0,
      });
    }
  }

  for (const [symbol, name] of ETF_NAMES) {
    const id = out.length;
    add({
      info: info(symbol, name, symbol.endsWith(".SH") ? "SSE" : "SZSE", "CNY", "etf", {
        lot_size: 100,
        price_limit: 0.1,
        universes: ["etf_all"],
      }),
      beta: symbol.startsWith("511")
        ? 0.02
        : symbol.startsWith("518") || symbol.startsWith("513")
        ? 0.3
        : 0.8 + 0.3 * u(id, 4),
      sector: -1,
      vol: 0.004 + 0.006 * u(id, 5),
      drift: 0.0001,
      startPrice: Math.round((0.8 + 4 * u(id, 2)) * 1000) / 1000,
      shares: Math.round(1e9 + 2e10 * u(id, 3)),
      baseVolume: Math.round(2e7 + 3e8 * u(id, 7)),
      tick: 0.001,
      dividendYield: 0,
      planted: false,
      constituents: null,
      baseLevel: 0,
    });
  }

  for (const m of OTHER_MARKETS) {
    for (const [symbol, name, sector, syariah] of m.names) {
      const id = out.length;
      const startPrice = m.exchange === "IDX"
        ? 500 + 8000 * u(id, 2)
        : m.exchange === "NSE"
        ? 200 + 2500 * u(id, 2)
        : 30 + 200 * u(id, 2);
      add({
        info: info(symbol, name, m.exchange, m.currency, "stock", {
          sector: SECTORS[sector],
          market_cap_class: "large",
          lot_size: m.lot,
          syariah: m.exchange === "IDX" ? syariah : null,
          universes: [m.universe],
        }),
        beta: 0.7 + 0.6 * u(id, 4),
        sector,
        vol: 0.011 + 0.01 * u(id, 5),
        drift: 0.0002 + 0.0003 * (u(id, 6) - 0.5),
        startPrice: Math.round(startPrice * 100) / 100,
        shares: Math.round((5e10 + 5e11 * u(id, 3)) / startPrice),
        baseVolume: Math.round(1e6 + 2e7 * u(id, 7)),
        tick: 0.01,
        dividendYield: 0.005 + 0.02 * u(id, 9),
        planted: false,
        constituents: null,
        baseLevel: 0,
      });
    }
  }

  for (
    const [symbol, name, price] of [["BTC-USD", "Bitcoin USD", 315], [
      "ETH-USD",
      "Ethereum USD",
      0.95,
    ]] as const
  ) {
    const id = out.length;
    add({
      info: info(symbol, name, "CRYPTO", "USD", "crypto", { universes: ["crypto"] }),
      beta: 0,
      sector: -1,
      vol: 0.035 + 0.01 * u(id, 5),
      drift: 0.0015,
      startPrice: price,
      shares: 0,
      baseVolume: Math.round(2e7 + 5e7 * u(id, 7)),
      tick: 0.01,
      dividendYield: 0,
      planted: false,
      constituents: null,
      baseLevel: 0,
    });
  }

  addIdxStocks(seed, out, add);

  const members = (uni: UniverseName) =>
    out.filter((p) => p.info.universes.includes(uni)).map((p) => p.info.symbol);
  const indexes: [string, string, ExchangeCode, string, UniverseName[], number][] = [
    ["000300.SH", "CSI 300 Index", "SSE", "CNY", ["hs300"], 3500],
    ["000905.SH", "CSI 500 Index", "SSE", "CNY", ["csi500"], 5500],
    ["000852.SH", "CSI 1000 Index", "SSE", "CNY", ["csi1000"], 5800],
    ["932000.CSI", "CSI 2000 Index", "SSE", "CNY", ["csi2000"], 2000],
    ["^NSEI", "NIFTY 50 (synthetic constituents)", "NSE", "INR", ["nifty"], 8300],
    ["^JKSE", "IDX Composite (synthetic constituents)", "IDX", "IDR", ["idx"], 5200],
    ["LQ45", "LQ45 Index (synthetic constituents)", "IDX", "IDR", ["lq45"], 900],
    ["^GSPC", "S&P 500 (synthetic constituents)", "NYSE", "USD", ["us"], 2050],
  ];
  for (const [symbol, name, exchange, currency, unis, level] of indexes) {
    add({
      info: info(symbol, name, exchange, currency, "index", { universes: [] }),
      beta: 0,
      sector: -1,
      vol: 0,
      drift: 0,
      startPrice: level,
      shares: 0,
      baseVolume: 0,
      tick: 0,
      dividendYield: 0,
      planted: false,
      constituents: unis.flatMap(members),
      baseLevel: level,
    });
  }
  return out;
}

/** IDX stocks generated beside the ten named ones (the synthetic IDX has `IDX_STOCKS` in all). */
export const IDX_EXTRA_STOCKS = 80;
/** How many IDX stocks are classed `large` and `mid` (by market cap at the start; the rest are `small`). */
export const IDX_CAP_CLASS_SIZES = { large: 30, mid: 30 } as const;
/** Constituents of the synthetic LQ45. */
export const LQ45_SIZE = 45;

const IDX_HEADS = ["Sinar", "Maju", "Karya", "Mitra", "Nusa", "Bumi", "Jaya", "Sentosa", "Prima", "Cahaya"];
const IDX_TAILS: Record<number, string> = {
  0: "Finance",
  1: "Pangan",
  2: "Otomotif",
  3: "Konstruksi",
  4: "Teknologi",
  5: "Farma",
  6: "Tambang",
  7: "Energi",
  8: "Utilitas",
  9: "Properti",
  10: "Media",
};

/** Market cap at the start of history (start price × shares), the size the IDX cap classes and LQ45 rank by. */
const startCap = (p: SeriesParams) => p.startPrice * p.shares;
/** Expected daily traded value at the start (typical volume × start price), the liquidity LQ45 ranks by. */
const startLiquidity = (p: SeriesParams) => p.baseVolume * p.startPrice;

/**
 * Adds `IDX_EXTRA_STOCKS` generated IDX stocks after every other stock (so no earlier series changes its RNG
 * stream), then classes all IDX stocks and picks the LQ45: every IDX stock is in the `idx` universe (the `^JKSE`
 * constituents); ranked by start market cap, the first 30 are `large`, the next 30 `mid`, the rest `small`; of
 * the 60 large and mid names, the 45 with the highest expected daily traded value form the `lq45` universe (the
 * `LQ45` index constituents, cap-weighted like every synthetic index). Deterministic from the seed.
 */
function addIdxStocks(seed: number, out: SeriesParams[], add: (p: Omit<SeriesParams, "id">) => void): void {
  const u = (id: number, k: number) => uniform(seed, 1000 + k, id, 0);
  const taken = new Set(out.map((p) => p.info.symbol));
  for (let i = 0, attempt = 0; i < IDX_EXTRA_STOCKS && attempt < 100_000; attempt++) {
    const h = hash4(seed, 14, attempt, 0);
    const code = Array.from({ length: 4 }, (_, k) => String.fromCharCode(65 + ((h >>> (k * 6)) % 26))).join(
      "",
    );
    const symbol = `${code}.JK`;
    if (taken.has(symbol)) continue;
    taken.add(symbol);
    i++;
    const id = out.length;
    const sector = Math.floor(u(id, 1) * SECTORS.length);
    const startPrice = Math.round((60 + 6000 * u(id, 2) ** 2) * 100) / 100;
    const capIdr = 5e9 + 4e11 * u(id, 3) ** 3;
    add({
      info: info(
        symbol,
        `${IDX_HEADS[hash4(seed, 15, attempt, 0) % IDX_HEADS.length]} ${IDX_TAILS[sector]} Tbk`,
        "IDX",
        "IDR",
        "stock",
        {
          sector: SECTORS[sector],
          market_cap_class: "small",
          lot_size: 100,
          syariah: u(id, 10) < 0.6,
          universes: ["idx"],
        },
      ),
      beta: 0.6 + 0.8 * u(id, 4),
      sector,
      vol: 0.013 + 0.014 * u(id, 5),
      drift: 0.0002 + 0.0003 * (u(id, 6) - 0.5),
      startPrice,
      shares: Math.round(capIdr / startPrice),
      baseVolume: Math.round((capIdr / startPrice) * (0.001 + 0.01 * u(id, 7))),
      tick: 0.01,
      dividendYield: u(id, 8) < 0.6 ? 0.005 + 0.03 * u(id, 9) : 0,
      planted: false,
      constituents: null,
      baseLevel: 0,
    });
  }
  const idx = out.filter((p) => p.info.exchange === "IDX" && p.info.kind === "stock");
  const byCap = [...idx].sort((a, b) => startCap(b) - startCap(a) || a.id - b.id);
  const { large, mid } = IDX_CAP_CLASS_SIZES;
  byCap.forEach((p, rank) => {
    p.info.market_cap_class = rank < large ? "large" : rank < large + mid ? "mid" : "small";
    p.info.universes = ["idx"];
  });
  const lq45 = byCap.slice(0, large + mid)
    .sort((a, b) => startLiquidity(b) - startLiquidity(a) || a.id - b.id)
    .slice(0, LQ45_SIZE);
  for (const p of lq45) p.info.universes = ["idx", "lq45"];
}
