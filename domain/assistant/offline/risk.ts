/**
 * Risk rules, holding limits, the rebalance period and position sizing of a normalised message: stop loss,
 * take profit and trailing stop in percent ("stop loss 5%", "5% stop", "止损5%"), the longest holding in bars
 * ("hold at most 20 days", weeks ×5, months ×21), a rebalance period ("rebalance monthly" = 21 bars, weekly 5,
 * every N days N), the percent per position and the most positions held at once.
 */

/** What a message says about risk and sizing (only what it names). */
export interface RiskSlots {
  stopLossPct?: number;
  takeProfitPct?: number;
  trailingStopPct?: number;
  maxHoldingDays?: number;
  /** The rebalance period in bars and how it was written. */
  rebalance?: { bars: number; phrase: string };
  positionPct?: number;
  maxPositions?: number;
  equalWeight?: boolean;
  /** Values refused (out of range), for `assumptions`. */
  notes: string[];
}

const N = String.raw`(\d+(?:\.\d+)?)`;
const UNIT_BARS: Record<string, number> = {
  day: 1,
  days: 1,
  d: 1,
  week: 5,
  weeks: 5,
  w: 5,
  month: 21,
  months: 21,
};

/** The risk and sizing of a normalised message. */
export function extractRisk(text: string): RiskSlots {
  const out: RiskSlots = { notes: [] };
  const pct = (
    key: "stopLossPct" | "takeProfitPct" | "trailingStopPct",
    res: RegExp[],
    what: string,
    max: number,
  ) => {
    for (const re of res) {
      const m = re.exec(text);
      if (!m) continue;
      const v = Number(m[1]);
      if (v > 0 && v <= max) out[key] = v;
      else out.notes.push(`${what} of ${m[1]}% is not above 0 and at most ${max}%: left out`);
      return;
    }
  };
  pct(
    "trailingStopPct",
    [
      new RegExp(String.raw`\btrailing(?:\s+stop)?\s*(?:of|at|is|=|:)?\s*${N}\s*%?`),
      new RegExp(String.raw`${N}\s*%\s*trailing`),
    ],
    "trailing stop",
    100,
  );
  const noTrail = text.replace(/\btrailing\s+stop\b/g, " ");
  const stopRes = [
    new RegExp(
      String
        .raw`\b(?:stop\s*loss|stop|sl|cut (?:my |the )?loss(?:es)?)\s*(?:of|at|is|=|:|to|below)?\s*-?${N}\s*%`,
    ),
    new RegExp(String.raw`\b-?${N}\s*%\s*(?:stop(?:\s*loss)?|sl)\b`),
    new RegExp(String.raw`\bstop\s*loss\s*(?:of|at|is|=|:)?\s*${N}\b(?!\s*(?:day|bar))`),
  ];
  stopRes.push(
    new RegExp(
      String
        .raw`\b(?:drops?|falls?|declines?|is down|goes down|loses?)\s*${N}\s*%\s*(?:below|from|under)\s*(?:my |the |our )?(?:entry|buy|purchase|cost)`,
    ),
  );
  for (const re of stopRes) {
    const m = re.exec(noTrail);
    if (!m) continue;
    const v = Number(m[1]);
    if (v > 0 && v <= 100) out.stopLossPct = v;
    else out.notes.push(`stop loss of ${m[1]}% is not above 0 and at most 100%: left out`);
    break;
  }
  pct(
    "takeProfitPct",
    [
      new RegExp(
        String
          .raw`\b(?:take\s*profits?|tp|profit\s*target|target(?:\s*profit)?)\s*(?:of|at|is|=|:|when up)?\s*\+?${N}\s*%`,
      ),
      new RegExp(String.raw`\+?${N}\s*%\s*(?:take\s*profit|profit\s*target|profit|target|tp)\b`),
    ],
    "take profit",
    10_000,
  );
  const hold = new RegExp(
    String
      .raw`\b(?:hold(?:ing)?|keep)\s*(?:period\s*)?(?:it\s*|them\s*|positions?\s*|each\s*position\s*)?(?:for\s*)?(?:at most|max(?:imum)?|up to|no more than|not more than|a maximum of|less than)?\s*(?:of\s*)?${N}\s*(?:trading\s*)?(days?|d|weeks?|w|months?)\b`,
  ).exec(text) ??
    new RegExp(
      String
        .raw`\b(?:max(?:imum)?\s*hold(?:ing)?(?:\s*(?:period|time|days))?|time stop)\s*(?:of|is|=|:)?\s*${N}\s*(days?|d|weeks?|w|months?)?`,
    )
      .exec(text) ??
    new RegExp(
      String
        .raw`\b(?:sell|exit|close)\s*(?:it\s*|them\s*|positions?\s*)?(?:after|within)\s*${N}\s*(?:trading\s*)?(days?|d|weeks?|w|months?)\b`,
    )
      .exec(text);
  if (hold) {
    const bars = Number(hold[1]) * (UNIT_BARS[hold[2] ?? "days"] ?? 1);
    if (Number.isInteger(bars) && bars >= 1 && bars <= 10_000) out.maxHoldingDays = bars;
    else out.notes.push(`holding limit of ${hold[1]} ${hold[2] ?? "days"} is not 1–10000 days: left out`);
  }
  const reb =
    /\brebalanc(?:e|es|ed|ing)\s*(?:the portfolio\s*)?(?:every|each|once a)?\s*(\d{1,3})?\s*(days?|weeks?|months?|quarters?|daily|weekly|monthly|quarterly)\b/
      .exec(text) ??
      /\b(daily|weekly|monthly|quarterly)\s+rebalanc/.exec(text) ??
      /\bevery\s*(\d{1,3})?\s*(days?|weeks?|months?|quarters?)\s*rebalanc/.exec(text);
  if (reb) {
    const unit = reb[2] ?? reb[1];
    const count = reb[2] !== undefined && reb[1] !== undefined ? Number(reb[1]) : 1;
    const per = /^da/.test(unit)
      ? 1
      : /^week/.test(unit)
      ? 5
      : /^month/.test(unit)
      ? 21
      : /^quarter/.test(unit)
      ? 63
      : 1;
    const bars = count * per;
    if (bars >= 1 && bars <= 10_000) out.rebalance = { bars, phrase: reb[0].trim() };
  }
  const size = new RegExp(
    String
      .raw`${N}\s*%\s*(?:of\s*(?:the\s*)?(?:equity|capital|portfolio|account)\s*)?(?:per|each|for each|in each|on each|every)\s*(?:position|trade|stock|holding|name|share)s?\b`,
  ).exec(text) ??
    new RegExp(
      String
        .raw`\b(?:position\s*size|per\s*(?:position|stock|trade)|each\s*position)\s*(?:of|is|=|:)?\s*${N}\s*%`,
    ).exec(text);
  if (size) {
    const v = Number(size[1]);
    if (v > 0 && v <= 100) out.positionPct = v;
    else out.notes.push(`position size of ${size[1]}% is not above 0 and at most 100%: left out`);
  } else if (/\ball[- ]in\b/.test(text)) out.positionPct = 100;
  const maxPos =
    /\b(?:max(?:imum)?(?:\s*of)?|at most|up to|no more than|hold|holding|keep)\s*(\d{1,4})\s*(?:positions|stocks|holdings|names|tickers|shares|coins|open positions)\b/
      .exec(text) ??
      /\bmax(?:imum)?\s*(?:open\s*)?positions?\s*(?:of|is|=|:)?\s*(\d{1,4})\b/.exec(text) ??
      /\b(\d{1,4})\s*positions?\s*(?:max|at most|at a time|at once)\b/.exec(text);
  if (maxPos) {
    const v = Number(maxPos[1]);
    if (v >= 1 && v <= 500) out.maxPositions = v;
    else out.notes.push(`${maxPos[1]} positions is not 1–500: left out`);
  }
  if (/\bequal(?:ly)?[- ]weight/.test(text)) out.equalWeight = true;
  return out;
}
