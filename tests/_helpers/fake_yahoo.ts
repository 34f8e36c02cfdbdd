/** A loopback stand-in for Yahoo's chart API, serving responses in the recorded v8 chart format. */

/** One session of a fixture: local date, prices (null for a null row). */
export interface FixtureBar {
  date: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
  adjclose: number | null;
}

/** Per ticker: time zone, UTC offset (s), session open (`HH:MM` local) and bars. */
export interface FixtureSeries {
  timeZone: string;
  gmtoffset: number;
  currency: string;
  sessionOpen: string;
  bars: FixtureBar[];
}

/** Builds a chart response body like Yahoo's for the bars within [period1, period2). */
export function chartBody(ticker: string, f: FixtureSeries, period1: number, period2: number) {
  const [h, m] = f.sessionOpen.split(":").map(Number);
  const rows = f.bars
    .map((b) => ({ b, t: Date.parse(`${b.date}T00:00:00Z`) / 1000 + h * 3600 + m * 60 - f.gmtoffset }))
    .filter(({ t }) => t >= period1 && t < period2);
  return {
    chart: {
      result: [{
        meta: {
          currency: f.currency,
          symbol: ticker,
          exchangeName: "FAKE",
          fullExchangeName: "Fake Exchange",
          instrumentType: "EQUITY",
          firstTradeDate: 946_684_800,
          regularMarketTime: rows.length ? rows[rows.length - 1].t : period1,
          hasPrePostMarketData: false,
          gmtoffset: f.gmtoffset,
          timezone: "LOC",
          exchangeTimezoneName: f.timeZone,
          regularMarketPrice: rows.length ? rows[rows.length - 1].b.close : 1,
          priceHint: 2,
          currentTradingPeriod: {
            pre: { timezone: "LOC", start: period1, end: period1, gmtoffset: f.gmtoffset },
            regular: { timezone: "LOC", start: period1, end: period1 + 19_800, gmtoffset: f.gmtoffset },
            post: { timezone: "LOC", start: period1 + 19_800, end: period1 + 19_800, gmtoffset: f.gmtoffset },
          },
          dataGranularity: "1d",
          range: "",
          validRanges: ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        },
        timestamp: rows.map((r) => r.t),
        indicators: {
          quote: [{
            open: rows.map((r) => r.b.open),
            high: rows.map((r) => r.b.high),
            low: rows.map((r) => r.b.low),
            close: rows.map((r) => r.b.close),
            volume: rows.map((r) => r.b.volume),
          }],
          adjclose: [{ adjclose: rows.map((r) => r.b.adjclose) }],
        },
      }],
      error: null,
    },
  };
}

/** A running fake: its base URL, the paths it was asked for, a switch to fail, and `close()`. */
export interface FakeYahoo {
  baseUrl: string;
  requests: string[];
  mode: "ok" | "error500" | "garbage" | "hang";
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with `fixtures` keyed by Yahoo ticker. */
export function startFakeYahoo(fixtures: Record<string, FixtureSeries>): FakeYahoo {
  const ac = new AbortController();
  const fake: FakeYahoo = { baseUrl: "", requests: [], mode: "ok", close: () => Promise.resolve() };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      fake.requests.push(url.pathname + url.search);
      if (fake.mode === "error500") return new Response("oops", { status: 500 });
      if (fake.mode === "garbage") {
        return new Response("<html>not json", {
          headers: { "content-type": "text/html" },
        });
      }
      if (fake.mode === "hang") await new Promise((r) => setTimeout(r, 3000));
      const m = /^\/v8\/finance\/chart\/(.+)$/.exec(url.pathname);
      const ticker = m ? decodeURIComponent(m[1]) : "";
      const f = fixtures[ticker];
      if (!f) {
        return Response.json({
          chart: { result: null, error: { code: "Not Found", description: "No data found" } },
        }, {
          status: 404,
        });
      }
      const body = chartBody(
        ticker,
        f,
        Number(url.searchParams.get("period1")),
        Number(url.searchParams.get("period2")),
      );
      return Response.json(body);
    },
  );
  fake.baseUrl = `http://127.0.0.1:${server.addr.port}`;
  fake.close = async () => {
    ac.abort();
    await server.finished;
  };
  return fake;
}
