/**
 * The `YahooClient` on the `yahoo-finance2` library (its `chart()` API, daily interval; no crumb is needed for
 * it). `baseUrl` sends its requests to another origin (a proxy, or a loopback server in tests) by rewriting the
 * Yahoo host in a custom `fetch`; every failure becomes a `YahooFetchError`. The library's version check (a
 * request to registry.npmjs.org on a schema mismatch, outside our `fetch`) and its console logging are off.
 */
import YahooFinance from "yahoo-finance2";
import { addDays } from "../../calendar/dates.ts";
import { timeoutSignal } from "../../clock.ts";
import { type YahooClient, YahooFetchError, type YahooQuote } from "./yahoo_client.ts";

/** Options of the client. */
export interface YahooFinanceClientOptions {
  /** Replaces `https://query1|query2.finance.yahoo.com`; unset for the real service. */
  baseUrl?: string;
  /** Per request, including reading the body (15 s default). */
  timeoutMs?: number;
}

const MAX_ERROR_CHARS = 500;

/** The message of a non-2xx answer: Yahoo's own `{chart: {error: {description}}}` when present. */
async function httpErrorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  let detail = text.slice(0, 200);
  try {
    const body = JSON.parse(text);
    const error = body && typeof body === "object" ? Object.values(body)[0] : null;
    const description = (error as { error?: { description?: unknown } } | null)?.error?.description;
    if (typeof description === "string") detail = description;
  } catch { /* not JSON: keep the text */ }
  return `HTTP ${res.status}${detail ? `: ${detail}` : ""}`;
}

/** Creates the client. */
export function createYahooFinanceClient(opts: YahooFinanceClientOptions = {}): YahooClient {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const rewrite = (url: string) =>
    opts.baseUrl
      ? url.replace(/^https:\/\/[a-z0-9.-]*finance\.yahoo\.com/, opts.baseUrl.replace(/\/+$/, ""))
      : url;
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    const url = rewrite(input instanceof Request ? input.url : String(input));
    const res = await fetch(url, { ...init, signal: timeoutSignal(timeoutMs) });
    // A failed status is reported here: the library would print the URL to the console before throwing.
    if (!res.ok) throw new YahooFetchError(await httpErrorMessage(res));
    return res;
  };
  const quiet = () => {};
  const logger = { info: quiet, warn: quiet, error: quiet, debug: quiet, dir: quiet };
  const yf = new YahooFinance({
    fetch: fetchImpl,
    logger,
    versionCheck: false,
    validation: { logErrors: false },
    suppressNotices: ["yahooSurvey"],
  });
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
          `Yahoo chart ${ticker}: ${e instanceof Error ? e.message : String(e)}`.slice(0, MAX_ERROR_CHARS),
        );
      }
    },
  };
}
