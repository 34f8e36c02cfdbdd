/** Schemas of `POST /indicators` (expressions of the strategy language evaluated on one symbol's bars). */
import { z } from "@hono/zod-openapi";
import { IsoDateString } from "./calendar.ts";
import { safeText } from "./common.ts";
import { TickerSymbol } from "./strategy_source.ts";

/** The request: a symbol, an optional date range and 1–20 expressions. */
export const IndicatorsBody = z.strictObject({
  symbol: TickerSymbol.openapi({ example: "600519.SH" }),
  start: IsoDateString.optional().openapi({ example: "2024-01-01" }),
  end: IsoDateString.optional().openapi({ example: "2024-12-31" }),
  expressions: z.array(safeText({ min: 1, max: 2000, multiline: true, trim: false })).min(1).max(20).openapi({
    example: ["rsi(close, 14)", "macd(close, 12, 26, 9)", "bb_upper(close, 20, 2)"],
  }),
}).openapi("IndicatorsRequest");

/** The answer: the dates and one series per expression (keyed by its text; `null` where undefined). */
export const IndicatorsSchema = z.object({
  symbol: z.string(),
  source: z.string(),
  dates: z.array(z.string()),
  series: z.record(z.string(), z.array(z.number().nullable())),
}).openapi("Indicators");
