/**
 * The trading signals of one clause of a normalised message: moving-average crossovers and price against a
 * moving average, RSI thresholds, Bollinger bands, MACD crosses, N-day breakouts (Donchian), momentum (rate
 * of change) and top-N ranking by a factor. Each indicator's numbers are read from its own window of the clause
 * (from the previous indicator's mention to the next one), so "RSI below 30 and price above the 200-day SMA"
 * gives 30 to RSI and 200 to the SMA. A period outside 1–1000 or an RSI level outside 0–100 is replaced by the
 * default and said so in `notes`. A clause that names no indicator but a direction or a level ("sell when it
 * crosses below", "sell above 70") continues the previous clause's indicator when `continues` (a clause that
 * names its side: a neutral one such as "stop loss 5%" does not).
 */

/** A direction relative to a line or a level. */
export type Direction = "above" | "below";

/** One signal. `dir: null` means "not said": the side (entry or exit) picks the usual one. */
export type Signal =
  | { kind: "ma_cross"; ma: "sma" | "ema"; fast: number; slow: number; dir: Direction | null; cross: boolean }
  | { kind: "price_ma"; ma: "sma" | "ema"; period: number; dir: Direction | null; cross: boolean }
  | {
    kind: "rsi";
    period: number;
    level: number | null;
    dir: Direction | null;
    cross: boolean;
    low: number | null;
    high: number | null;
  }
  | {
    kind: "bollinger";
    period: number;
    k: number;
    band: "lower" | "upper" | "middle" | null;
    dir: Direction | null;
    cross: boolean;
  }
  | {
    kind: "macd";
    fast: number;
    slow: number;
    signal: number;
    dir: Direction | null;
    target: "signal" | "zero" | "hist";
  }
  | { kind: "breakout"; period: number; side: "high" | "low" | null }
  | { kind: "vwap"; period: number; dir: Direction | null; cross: boolean }
  | { kind: "momentum"; period: number; level: number; dir: Direction | null }
  | { kind: "rank"; factor: "momentum" | "volume" | "rsi" | "volatility"; period: number; top: number };

/** The signals of a clause and what was defaulted. */
export interface ClauseSignals {
  signals: Signal[];
  /** Parameters the user did not give (or gave out of range) and the value used, for `assumptions`. */
  notes: string[];
}

type Kind = Signal["kind"];

const ANCHORS: readonly [Kind, RegExp][] = [
  [
    "rank",
    /\b(?:top|best|strongest|highest)\s+\d{1,3}\b|\b\d{1,3}\s+(?:best|strongest|top)\b|\brank(?:ed|ing)?\b/g,
  ],
  ["macd", /\bmacd\b/g],
  ["vwap", /\bvwap\b/g],
  ["rsi", /\brsi\b|\boversold\b|\boverbought\b/g],
  [
    "bollinger",
    /\b(?:bollinger|bb|boll)\b|\b(?:lower|upper|middle|mid) band\b|\b\d+(?:\.\d+)?\s*(?:standard deviations?|std|sd|sigma)\b/g,
  ],
  [
    "breakout",
    /\bdonchian\b|\bbreakouts?\b|\bbreak out\b|\b\d{1,6}\s*(?:day|d|week|w)?\s*(?:high|low)s?\b|\b(?:high|low)s?\s+\d{1,4}\s*(?:days?|d|weeks?|w)\b|\bhighest high\b|\blowest low\b|\bnew highs?\b/g,
  ],
  ["momentum", /\bmomentum\b|\broc\b|\breturns?\b/g],
  ["ma_cross", /\b(?:sma|ema|ma)\b|\bsmas\b/g],
];
/** Words that name a moving-average crossover only when no other indicator is named in the clause. */
const WEAK_MA = /\bgolden cross\b|\bdeath cross\b|\bcrossover\b/g;

/** A period read from text: clamped to 1–1000 with a note, or the default with a note. */
function period(raw: number | null, fallback: number, what: string, notes: string[]): number {
  if (raw === null) return fallback;
  if (!Number.isInteger(raw) || raw < 1 || raw > 1000) {
    notes.push(`${what} period ${raw} is not a whole number from 1 to 1000: ${fallback} used`);
    return fallback;
  }
  return raw;
}

const num = (s: string | undefined) => (s === undefined ? null : Number(s));

/** The direction words of a window, first one wins; `cross` when it is a crossing. */
function direction(w: string): { dir: Direction | null; cross: boolean } {
  const m =
    /\b(crosses above|golden cross|breaks above|bullish|crosses below|death cross|falls below|bearish|crossover|above|over|>=?|higher|positive|below|under|<=?|lower|negative|touch(?:es)?|hits?)\b|[<>]=?/
      .exec(w);
  if (!m) return { dir: null, cross: /\bcross/.test(w) };
  const t = m[0];
  if (/crosses above|golden|breaks above|bullish/.test(t)) return { dir: "above", cross: true };
  if (/crosses below|death|falls below|bearish/.test(t)) return { dir: "below", cross: true };
  if (t === "crossover") return { dir: null, cross: true };
  if (/above|over|>|higher|positive/.test(t)) return { dir: "above", cross: /\bcross/.test(w) };
  if (/touch|hit/.test(t)) return { dir: "below", cross: false };
  return { dir: "below", cross: /\bcross/.test(w) };
}

/** Numbers of a window that can be moving-average periods (not percents, holdings, years or counts). */
function maPeriods(w: string): number[] {
  const out: number[] = [];
  for (
    const m of w.matchAll(
      /(?<![\w.])(\b(?:hold|for|after|within|max|most|every|top|last|past|capital|\$|rsi)\s+)?(\d+(?:\.\d+)?)(\s*(?:%|stocks|positions|years?|months?|weeks?|shares|x\b|times))?/g,
    )
  ) {
    if (m[1] || m[3]) continue;
    out.push(Number(m[2]));
  }
  return out;
}

function maOf(w: string): "sma" | "ema" {
  return /\bema\b/.test(w) ? "ema" : "sma";
}

function readMa(w: string, prev: Signal | undefined, notes: string[]): Signal | null {
  const nums = maPeriods(w);
  const d = direction(w);
  const golden = /\bgolden cross\b/.test(w), death = /\bdeath cross\b/.test(w);
  const ma = /\bema\b/.test(w)
    ? "ema"
    : prev && (prev.kind === "ma_cross" || prev.kind === "price_ma")
    ? prev.ma
    : maOf(w);
  if (nums.length >= 2) {
    const [a, b] = nums;
    const fast = period(Math.min(a, b), 20, "fast moving average", notes);
    const slow = period(Math.max(a, b), 50, "slow moving average", notes);
    if (fast === slow) return { kind: "price_ma", ma, period: fast, dir: d.dir, cross: d.cross };
    const dir = d.dir && a > b ? (d.dir === "above" ? "below" : "above") : d.dir;
    const cross = d.cross || golden || death || /\bcross/.test(w);
    return { kind: "ma_cross", ma, fast, slow, dir, cross };
  }
  if (nums.length === 1) {
    if (prev && prev.kind === "ma_cross" && !/\b(?:price|close|closes|stock|it)\b/.test(w)) {
      return { ...prev, dir: d.dir, cross: d.cross || prev.cross };
    }
    const p = period(nums[0], 50, "moving average", notes);
    return { kind: "price_ma", ma, period: p, dir: d.dir, cross: d.cross };
  }
  if (prev && (prev.kind === "ma_cross" || prev.kind === "price_ma")) {
    return { ...prev, dir: d.dir, cross: d.cross || prev.cross };
  }
  if (golden || death) {
    notes.push("golden/death cross: the 50-day and 200-day SMA");
    return { kind: "ma_cross", ma, fast: 50, slow: 200, dir: golden ? "above" : "below", cross: true };
  }
  if (/\bcross/.test(w)) {
    notes.push(`moving-average crossover without periods: ${ma.toUpperCase()} 20 and 50`);
    return { kind: "ma_cross", ma, fast: 20, slow: 50, dir: d.dir, cross: true };
  }
  if (d.dir === null && !/\b(?:price|close|closes|stock|it)\b/.test(w)) {
    notes.push(`moving-average strategy without periods: ${ma.toUpperCase()} 20/50 crossover`);
    return { kind: "ma_cross", ma, fast: 20, slow: 50, dir: null, cross: true };
  }
  notes.push(`moving average without a period: ${ma.toUpperCase()} 50`);
  return { kind: "price_ma", ma, period: 50, dir: d.dir, cross: d.cross };
}

function level(raw: number, fallback: number, notes: string[]): number {
  if (raw > 0 && raw < 100) return raw;
  notes.push(`RSI level ${raw} is not between 0 and 100: ${fallback} used`);
  return fallback;
}

function readRsi(w: string, prev: Signal | undefined, notes: string[]): Signal {
  const base = prev?.kind === "rsi" ? prev : null;
  let p: number | null = null,
    low: number | null = base?.low ?? null,
    high: number | null = base?.high ?? null;
  const before = /(\d+)\s*(?:day|d|period|bar)s?\s*rsi\b/.exec(w);
  const after =
    /\brsi\s*(?:period\s*)?(\d+(?:\.\d+)?)(?:\s*(?:\/|,|-|and)?\s*(\d+(?:\.\d+)?)(?:\s*(?:\/|,|-|and)\s*(\d+(?:\.\d+)?))?)?(?!\s*%)/
      .exec(w);
  if (before) p = Number(before[1]);
  if (after) {
    const ns = [after[1], after[2], after[3]].filter((x) => x !== undefined).map(Number);
    const seq = w.slice(after.index, after.index + after[0].length);
    if (ns.length === 3) [p, low, high] = ns;
    else if (ns.length === 2 && /[/-]/.test(seq) && ns[0] < ns[1] && ns[0] <= 50 && ns[1] >= 50) {
      [low, high] = ns;
    } else if (ns.length === 2) [p] = ns;
    else if (!/(?:below|above|under|over|<|>)\s*$/.test(w.slice(0, after.index + 3))) p = ns[0];
  }
  if (p === null && !base) notes.push("RSI period not given: 14");
  const levels =
    /\b(?:levels?|thresholds?|bands?)\s*(?:of|at)?\s*(\d+(?:\.\d+)?)\s*(?:and|\/|-|to)\s*(\d+(?:\.\d+)?)/
      .exec(w);
  if (levels && Number(levels[1]) < Number(levels[2])) (low = Number(levels[1])), (high = Number(levels[2]));
  const os = /\boversold\s*(?:level\s*)?(?:of\s*|at\s*)?(\d+(?:\.\d+)?)/.exec(w);
  const ob = /\boverbought\s*(?:level\s*)?(?:of\s*|at\s*)?(\d+(?:\.\d+)?)/.exec(w);
  if (os) low = Number(os[1]);
  if (ob) high = Number(ob[1]);
  const per = period(p, base?.period ?? 14, "RSI", notes);
  if (low !== null) low = level(low, 30, notes);
  if (high !== null) high = level(high, 70, notes);
  let lvl: number | null = null, dir: Direction | null = null, cross = false;
  const cmp =
    /\b(oversold|overbought)\b\s*(?:level\s*)?(?:of\s*|at\s*)?(\d+(?:\.\d+)?)?|\b(crosses above|crosses below|breaks above|falls below|above|over|below|under)\s*(?:level\s*)?(?:of\s*)?(\d+(?:\.\d+)?)\b|([<>]=?)\s*(\d+(?:\.\d+)?)/
      .exec(after ? w.slice(0, after.index) + " " + w.slice(after.index + after[0].length) : w);
  if (cmp) {
    const word = cmp[1] ?? cmp[3] ?? cmp[5];
    const value = cmp[2] ?? cmp[4] ?? cmp[6];
    cross = /crosses|breaks|falls/.test(word);
    dir = word !== "oversold" && /above|over|>/.test(word) ? "above" : "below";
    if (value !== undefined) lvl = level(Number(value), dir === "above" ? 70 : 30, notes);
    else if (word === "oversold") lvl = low ?? 30;
    else if (word === "overbought") lvl = high ?? 70;
  }
  return { kind: "rsi", period: per, level: lvl, dir, cross, low, high };
}

function readBollinger(w: string, prev: Signal | undefined, notes: string[]): Signal {
  const base = prev?.kind === "bollinger" ? prev : null;
  let p: number | null = null, k: number | null = null;
  const after = /\b(?:bollinger|bb|boll)(?:\s*bands?)?\s*(\d+)(?:\s+(\d+(?:\.\d+)?))?/.exec(w);
  const before = /(\d+)\s*(?:day|d|period)s?\s*(?:bollinger|bb|mean|average|ma|sma)\b/.exec(w);
  if (after) (p = Number(after[1])), (k = num(after[2]));
  if (before) p = Number(before[1]);
  const kWord = /(\d+(?:\.\d+)?)\s*(?:std|sd|standard deviations?|sigma|σ|stdev)\b|\bk\s*=?\s*(\d+(?:\.\d+)?)/
    .exec(w);
  if (kWord) k = Number(kWord[1] ?? kWord[2]);
  if (!base && (p === null || k === null)) {
    notes.push(
      `Bollinger ${p === null ? "period" : "width"} not given: ${
        p === null ? "20" : "2 standard deviations"
      }`,
    );
  }
  const per = period(p, base?.period ?? 20, "Bollinger", notes);
  let kk = base?.k ?? 2;
  if (k !== null) {
    if (k > 0 && k <= 10) kk = k;
    else notes.push(`Bollinger width ${k} standard deviations is not from 0 to 10: ${kk} used`);
  }
  const bandWord = /\b(lower|upper|middle|mid|center|centre|basis|mean)\b/.exec(w);
  const stdSide = /\b(?:std|sd|sigma|standard deviations?)\s*(below|under|above|over)\b/.exec(w);
  const band = stdSide
    ? (/below|under/.test(stdSide[1]) ? "lower" : "upper")
    : bandWord
    ? (bandWord[1] === "lower" ? "lower" : bandWord[1] === "upper" ? "upper" : "middle")
    : null;
  const d = direction(w.replace(/\b(?:lower|upper|middle) band\b/g, ""));
  return { kind: "bollinger", period: per, k: kk, band, dir: d.dir, cross: d.cross };
}

function readMacd(w: string, prev: Signal | undefined, notes: string[]): Signal {
  const base = prev?.kind === "macd" ? prev : null;
  const m = /\bmacd\s*(\d+)(?:\s*[/,\s-]\s*(\d+))?(?:\s*[/,\s-]\s*(\d+))?/.exec(w);
  let f = num(m?.[1]), s = num(m?.[2]), g = num(m?.[3]);
  const named = (name: string) =>
    num(new RegExp(String.raw`\b${name}\s*(?:period\s*)?(?:of\s*)?=?\s*(\d+)`).exec(w)?.[1]);
  f = named("fast") ?? f;
  s = named("slow") ?? s;
  g = named("signal") ?? g;
  if (!base && f === null && s === null && g === null) notes.push("MACD periods not given: 12/26/9");
  let fast = period(f, base?.fast ?? 12, "MACD fast", notes);
  let slow = period(s, base?.slow ?? 26, "MACD slow", notes);
  const signal = period(g, base?.signal ?? 9, "MACD signal", notes);
  if (fast >= slow) {
    notes.push(`MACD fast period ${fast} is not below the slow ${slow}: 12/26 used`);
    (fast = 12), (slow = 26);
  }
  const target = base && !/\bhist(?:ogram)?\b|\bzero\b|\bsignal\b/.test(w)
    ? base.target
    : /\bhist(?:ogram)?\b/.test(w)
    ? "hist"
    : /\bzero\b|(?:above|below|over|under|[<>])\s*0(?!\.\d)\b/.test(w)
    ? "zero"
    : "signal";
  return { kind: "macd", fast, slow, signal, dir: direction(w).dir, target };
}

function readBreakout(w: string, prev: Signal | undefined, notes: string[]): Signal {
  const base = prev?.kind === "breakout" ? prev : null;
  const reversed = /\b(?:high|low)s?\s+(\d{1,4})\s*(days?|d|weeks?|w)\b/.exec(w);
  const m = /(\d+)\s*(day|d|week|w)?\s*(high|low)s?\b/.exec(w) ??
    (reversed ? [reversed[0], reversed[1], reversed[2].startsWith("w") ? "week" : "day", "high"] : null) ??
    /\b(?:highest high|lowest low|donchian(?: channel)?|breakout|new high)\s*(?:of\s*)?(?:the\s*)?(?:last\s*|past\s*)?(\d+)/
      .exec(w);
  let p: number | null = null;
  if (m && m[3] !== undefined) {
    p = Number(m[1]);
    if (m[2] === "week" || m[2] === "w") p = p === 52 ? 252 : p * 5;
  } else if (m) p = Number(m[1]);
  else {
    const days = /(?<![\w.])(\d{1,4})\s*(?:days?|d)\b/.exec(w);
    if (days) p = Number(days[1]);
  }
  if (p === null && !base) notes.push("breakout without a period: 20 days");
  const per = period(p, base?.period ?? 20, "breakout", notes);
  const side = /\bhigh|highest\b/.test(w) ? "high" : /\blows?\b|\blowest\b/.test(w) ? "low" : null;
  return { kind: "breakout", period: per, side };
}

function readVwap(w: string, prev: Signal | undefined, notes: string[]): Signal {
  const base = prev?.kind === "vwap" ? prev : null;
  const m = /\bvwap\s*(\d+)\b/.exec(w) ?? /(\d+)\s*(?:day|d|period|bar)s?\s*vwap\b/.exec(w);
  if (!m && !base) notes.push("VWAP without a period: 20 days");
  const d = direction(w);
  return {
    kind: "vwap",
    period: period(num(m?.[1]), base?.period ?? 20, "VWAP", notes),
    dir: d.dir,
    cross: d.cross,
  };
}

function readMomentum(w: string, prev: Signal | undefined, notes: string[]): Signal {
  const base = prev?.kind === "momentum" ? prev : null;
  const m = /(\d+)\s*(day|d|week|w|month)?s?\s*(?:momentum|roc|returns?|price change)\b/.exec(w) ??
    /\b(?:momentum|roc|returns?)\s*(?:over|of|in)?\s*(?:the\s*)?(?:last|past)?\s*(\d+)\s*(day|d|week|w|month)?/
      .exec(w);
  let p: number | null = null;
  if (m) {
    p = Number(m[1]);
    if (m[2] === "week" || m[2] === "w") p *= 5;
    if (m[2] === "month") p *= 21;
  } else if (!base) notes.push("momentum without a period: 20-day rate of change");
  const per = period(p, base?.period ?? 20, "momentum", notes);
  const lv = /(?:above|over|>|below|under|<|exceeds)\s*(-?\d+(?:\.\d+)?)(?!\s*(?:days?|d|weeks?|months?)\b)/
    .exec(w);
  const d = direction(w.replace(/\b\d+\s*(?:day|d)\b/g, ""));
  return { kind: "momentum", period: per, level: lv ? Number(lv[1]) : base?.level ?? 0, dir: d.dir };
}

function readRank(w: string, full: string, notes: string[]): Signal | null {
  const m = /\b(?:top|best|strongest|highest)\s+(\d{1,3})\b/.exec(w) ??
    /\b(\d{1,3})\s+(?:best|strongest|top)\b/.exec(w) ??
    /\b(?:top|best|strongest|highest)\s+(\d{1,3})\b/.exec(full);
  const factor = /\bvolatility\b/.test(full)
    ? "volatility"
    : /\b(?:momentum|roc|returns?|performance|performing|gainers?)\b/.test(full)
    ? "momentum"
    : /\b(?:volume|liquidity|liquid|turnover|traded value)\b/.test(full)
    ? "volume"
    : /\brsi\b/.test(full)
    ? "rsi"
    : null;
  if (!m || !factor) return null;
  const top = Number(m[1]);
  if (top < 1 || top > 500) return null;
  const pm =
    /(\d+)\s*(day|d|week|w|month)?s?\s*(?:momentum|roc|returns?|volatility|performance)\b/.exec(full) ??
      /\b(?:momentum|roc|returns?|volatility)\s*(?:over|of|in)?\s*(?:the\s*)?(?:last|past)?\s*(\d+)\s*(day|d|week|w|month)?/
        .exec(full);
  let p: number | null = pm
    ? Number(pm[1]) * (pm[2] === "week" || pm[2] === "w" ? 5 : pm[2] === "month" ? 21 : 1)
    : null;
  if (p === null && factor !== "volume" && factor !== "rsi") {
    notes.push(`ranking by ${factor} without a period: 20 days`);
  }
  if (factor === "volume" || factor === "rsi") p = factor === "rsi" ? 14 : 20;
  return { kind: "rank", factor, period: period(p, 20, "ranking", notes), top };
}

/**
 * The signals of one clause. `context` is the last signal of the earlier clauses (continued when this clause
 * names no indicator); `full` is the whole message (a ranking's factor may be named elsewhere).
 */
export function extractSignals(
  text: string,
  context: Signal | undefined,
  full: string,
  continues = true,
): ClauseSignals {
  const notes: string[] = [];
  const hits: { kind: Kind; at: number; end: number }[] = [];
  for (const [kind, re] of ANCHORS) {
    for (const m of text.matchAll(re)) hits.push({ kind, at: m.index!, end: m.index! + m[0].length });
  }
  if (hits.length === 0 && !(continues && context?.kind === "macd")) {
    for (const m of text.matchAll(WEAK_MA)) {
      hits.push({ kind: "ma_cross", at: m.index!, end: m.index! + m[0].length });
    }
  }
  hits.sort((a, b) => a.at - b.at);
  // Drop overlapped anchors (a breakout's "20 day high" inside another), then group neighbours of a kind.
  const groups: { kind: Kind; at: number; end: number }[] = [];
  for (const h of hits) {
    const last = groups[groups.length - 1];
    if (last && h.at < last.end) continue;
    if (last && last.kind === h.kind) last.end = h.end;
    else groups.push({ ...h });
  }
  const rank = groups.find((g) => g.kind === "rank");
  const signals: Signal[] = [];
  if (rank) {
    const r = readRank(text, full, notes);
    if (r) return { signals: [r], notes };
  }
  const real = groups.filter((g) => g.kind !== "rank");
  if (real.length === 0) {
    const riskOnly = /\b(?:after|within|hold|stop|take profit|trailing|target)\b/.test(text);
    const moves =
      /\b(?:above|below|over|under|cross|crosses|falls|breaks|touch|touches|hits|positive|negative|back|mean|middle|reach(?:es)?|returns?)\b|[<>]|\d/;
    if (continues && context && !riskOnly && moves.test(text)) {
      const again = readKind(context.kind, text, context, notes, full);
      if (again) signals.push(again);
    }
    return { signals, notes };
  }
  real.forEach((g, i) => {
    const from = i === 0 ? 0 : real[i - 1].end;
    const to = i + 1 < real.length ? real[i + 1].at : text.length;
    const window = text.slice(from, to);
    const prev = context?.kind === g.kind ? context : undefined;
    const s = readKind(g.kind, window, prev, notes, full);
    if (s) signals.push(s);
  });
  return { signals, notes };
}

function readKind(
  kind: Kind,
  w: string,
  prev: Signal | undefined,
  notes: string[],
  full: string,
): Signal | null {
  switch (kind) {
    case "ma_cross":
    case "price_ma":
      return readMa(w, prev, notes);
    case "rsi":
      return readRsi(w, prev, notes);
    case "bollinger":
      return readBollinger(w, prev, notes);
    case "macd":
      return readMacd(w, prev, notes);
    case "breakout":
      return readBreakout(w, prev, notes);
    case "momentum":
      return readMomentum(w, prev, notes);
    case "vwap":
      return readVwap(w, prev, notes);
    case "rank":
      return readRank(w, full, notes);
  }
}
