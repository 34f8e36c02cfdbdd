/**
 * The `YahooClient` on the `yahoo-finance2` library (its `chart()` API, daily interval). `baseUrl` sends its
 * requests to another origin (a proxy, or a loopback server in tests) by rewriting the Yahoo host in a custom
 * `fetch`; every failure becomes a `YahooFetchError`.
 */
import YahooFinance from "yahoo-finance2";
import { addDays } from "../../calendar/dates.ts";
import { type YahooClient, YahooFetchError, type YahooQuote } from "./yahoo_client.ts";

/** Options of the client. */
export interface YahooFinanceClientOptions {
  /** Replaces `https://query1|query2.finance.yahoo.com`; unset for the real service. */
  baseUrl?: string;
  timeoutMs?: number;
}

/** Creates the client. */
export function createYahooFinanceClient(opts: YahooFinanceClientOptions = {}): YahooClient {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const rewrite = (url: string) =>
    opts.baseUrl
      ? url.replace(/^https:\/\/[a-z0-9.-]*finance\.yahoo\.com/, opts.baseUrl.replace(/\/+$/, ""))
      : url;
  const fetchImpl = (input: string | URL | Request, init?: RequestInit) => {
    const url = rewrite(input instanceof Request ? input.url : String(input));
    return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  };
  const quiet = () => {};
  // The library's own logging is silenced: failures come back as `YahooFetchError`s and are recorded by the caller.
  const logger = { info: quiet, warn: quiet, error: quiet, debug: quiet, dir: quiet };
  // deno-lint-ignore no-explicit-any
  const yf = new YahooFinance({ fetch: fetchImpl, logger, suppressNotices: ["yahooSurvey"] } as any);
  return {
    async dailyQuotes(ticker, start, end) {
      try {
        const result = await yf.chart(ticker, { period1: start, period2: addDays(end, 1), interval: "1d" });
        return (result.quotes ?? []).map((q): YahooQuote => ({
          time: new Date(q.date).getTime(),
          open: q.open ?? null,
          high: q.high ?? null,
          low: q.low ?? null,
          close: q.close ?? null,
          volume: q.volume ?? null,
          adjclose: q.adjclose ?? null,
        }));
      } catch (e) {
        throw new YahooFetchError(
          `Yahoo chart ${ticker}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500),
        );
      }
    },
  };
}
