/**
 * Capital and trading costs of a normalised message. Capital: an amount with a currency ("$50k", "rp 100
 * million", "100000 yuan"), after a capital word ("capital 1000000", "start with 1 million") or with a magnitude
 * ("1 million", "100 jt"): k/thousand/rb ×1e3, m/mn/million/jt ×1e6, b/bn/billion ×1e9, lakh ×1e5, crore ×1e7
 * (万 and 亿 are already multiplied out). Costs: percent or basis points after or before a fee word, separately
 * for buying and selling when both are named, "no fees" as 0, slippage and a minimum fee.
 */

/** Trading costs read from a message (percent per side; missing ones were not named). */
export interface Costs {
  buyPct?: number;
  sellPct?: number;
  slippagePct?: number;
  minFee?: number;
  /** Values refused (out of range), for `assumptions`. */
  notes: string[];
}

const MAGNITUDES: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  rb: 1e3,
  m: 1e6,
  mn: 1e6,
  mio: 1e6,
  million: 1e6,
  millions: 1e6,
  jt: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  lakh: 1e5,
  lakhs: 1e5,
  crore: 1e7,
  crores: 1e7,
};
const MAG = "k|thousand|rb|m|mn|mio|million|millions|jt|b|bn|billion|lakhs?|crores?";
const CURRENCY_BEFORE = String.raw`(?:\$|us\$|usd|rp\.?|idr|rmb|cny|¥|inr|₹|rs\.?|€|eur)`;
const CURRENCY_AFTER = String.raw`(?:dollars?|usd|rupiah|idr|yuan|rmb|cny|rupees?|inr|euros?)`;
const AMOUNT = String.raw`(\d+(?:\.\d+)?)(?:\s*(${MAG})\b)?`;

/** An amount and its magnitude word as a number. */
const amount = (n: string, mag: string | undefined) => Number(n) * (mag ? MAGNITUDES[mag] ?? 1 : 1);

/** A capital read from a message. */
export interface Capital {
  value: number;
  notes: string[];
}

const CAPITAL_RES = [
  new RegExp(String.raw`${CURRENCY_BEFORE}\s?${AMOUNT}`),
  new RegExp(String.raw`(?:^|[^\d.])${AMOUNT}\s*${CURRENCY_AFTER}\b`),
  new RegExp(
    String
      .raw`\b(?:capital|budget|account|balance|invest(?:ing|ment)?|start(?:ing)? with|fund(?:s|ing)?|money|equity of)\b(?:\s+(?:of|is|=|:|at|about|with|amount))?\s*[:=]?\s*${CURRENCY_BEFORE}?\s?${AMOUNT}`,
  ),
  new RegExp(String.raw`(?:^|[^\d.])(\d+(?:\.\d+)?)\s*(${MAG})\b(?!\s*(?:shares|volume|traded|value|days?))`),
];

/**
 * The initial capital of a normalised message, or null. With `bare` (the previous question asked for the capital)
 * a lone number counts too. Out of range (not above 0 or above 1e12): null with a note.
 */
export function extractCapital(text: string, bare = false): Capital | null {
  const res = bare ? [...CAPITAL_RES, /^\D{0,12}?(\d+(?:\.\d+)?)(?:\s*([a-z]+))?\s*\D{0,12}$/] : CAPITAL_RES;
  for (const re of res) {
    const m = re.exec(text);
    if (!m) continue;
    const preceding = text.slice(Math.max(0, m.index - 24), m.index);
    if (
      /(?:value|volume|liquidity|turnover|traded|fee|commission)\s*(?:of|above|over|>)?\s*$/.test(preceding)
    ) continue;
    const value = amount(m[1], m[2]);
    if (value <= 0) continue;
    if (!Number.isFinite(value) || value > 1e12) {
      return {
        value: 0,
        notes: [
          `capital ${m[1].slice(0, 16)}${m[1].length > 16 ? "…" : ""} is above the limit of 1e12: not used`,
        ],
      };
    }
    return { value, notes: [] };
  }
  return null;
}

const PCT = String.raw`(\d+(?:\.\d+)?)\s*(%|bps|bp)`;

/** A percent or basis points as a percent. */
const asPct = (n: string, unit: string) => (unit === "%" ? Number(n) : Number(n) / 100);

/** The trading costs of a normalised message (only what it names). */
export function extractCosts(text: string): Costs {
  const out: Costs = { notes: [] };
  const set = (key: "buyPct" | "sellPct" | "slippagePct", v: number, what: string) => {
    if (!(v >= 0 && v <= 10)) out.notes.push(`${what} ${v}% is outside 0–10%: not used`);
    else out[key] = v;
  };
  const buy = new RegExp(String.raw`\bbuy(?:ing)?\s+(?:fee|commission|cost)s?\s*(?:of|is|=|:|at)?\s*${PCT}`)
    .exec(text);
  const sell = new RegExp(String.raw`\bsell(?:ing)?\s+(?:fee|commission|cost)s?\s*(?:of|is|=|:|at)?\s*${PCT}`)
    .exec(text);
  if (buy) set("buyPct", asPct(buy[1], buy[2]), "buy fee");
  if (sell) set("sellPct", asPct(sell[1], sell[2]), "sell fee");
  if (!buy || !sell) {
    const fee = new RegExp(
      String
        .raw`\b(?:fees?|commissions?|costs?|brokerage|transaction costs?|trading costs?)\s*(?:of|is|are|=|:|at)?\s*(?:about\s+)?${PCT}`,
    ).exec(text) ??
      new RegExp(
        String
          .raw`${PCT}\s*(?:per side\s*)?(?:fees?|commissions?|costs?|brokerage|per side|per trade|each way)`,
      )
        .exec(text);
    if (fee) {
      const v = asPct(fee[1], fee[2]);
      if (!buy) set("buyPct", v, "fee");
      if (!sell) set("sellPct", v, "fee");
    } else if (
      /\b(?:no|zero|without|free of)\s+(?:fees?|commissions?|costs?|trading costs?)\b|\bcommission[- ]free\b/
        .test(text)
    ) {
      if (!buy) out.buyPct = 0;
      if (!sell) out.sellPct = 0;
    }
  }
  const slip = new RegExp(String.raw`\bslippage\s*(?:of|is|=|:|at)?\s*${PCT}`).exec(text) ??
    new RegExp(String.raw`${PCT}\s*slippage`).exec(text);
  if (slip) set("slippagePct", asPct(slip[1], slip[2]), "slippage");
  const minFee = /\bmin(?:imum)?\.?\s+fee\s*(?:of|is|=|:)?\s*(?:rp\.?|idr|\$)?\s?(\d+(?:\.\d+)?)/.exec(text);
  if (minFee) out.minFee = Number(minFee[1]);
  return out;
}
