/** What the Yahoo provider needs from a quote source: daily bars of one ticker between two dates. */
import { ServiceUnavailableError } from "../../errors.ts";

/** One daily quote as Yahoo reports it; any field may be missing (null rows). */
export interface YahooQuote {
  /** Session timestamp (epoch ms); its date must be read in the exchange's time zone. */
  time: number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
  adjclose: number | null;
}

/** A fetch failure of any kind (network, HTTP status, bad body, timeout); a 503 if it ever reaches a route. */
export class YahooFetchError extends ServiceUnavailableError {}

/** A source of daily quotes. */
export interface YahooClient {
  /** Daily quotes of `ticker` from `start` to `end` (dates, inclusive); throws `YahooFetchError` on failure. */
  dailyQuotes(ticker: string, start: string, end: string): Promise<YahooQuote[]>;
}
