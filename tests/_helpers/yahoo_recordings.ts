/**
 * A loopback server that answers Yahoo chart requests (`/v8/finance/chart/<ticker>`) with recorded-format
 * responses from `tests/fixtures/yahoo/`, verbatim whatever the period asked (a recording is what Yahoo said
 * once), or with a scripted failure. Unknown tickers get Yahoo's 404 body.
 */

const FIXTURES = new URL("../fixtures/yahoo/", import.meta.url);

/** Reads a fixture file of `tests/fixtures/yahoo/` as text. */
export function readYahooFixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** How one ticker is answered. */
export interface RecordedAnswer {
  /** A fixture file name, or a literal body. */
  file?: string;
  body?: string;
  status?: number;
  contentType?: string;
  /** Wait this long before answering (cut short by `close()`). */
  delayMs?: number;
  /** Once this answer has been given, the ticker is answered with `then`. */
  then?: RecordedAnswer;
}

/** A running server: base URL, the requests it saw, the answers (mutable), and `close()`. */
export interface YahooRecordings {
  baseUrl: string;
  requests: URL[];
  answers: Record<string, RecordedAnswer>;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with `answers` keyed by Yahoo ticker. */
export function serveYahooRecordings(answers: Record<string, RecordedAnswer>): YahooRecordings {
  const ac = new AbortController();
  // Delayed answers still waiting; `close()` releases them so the server can finish at once.
  const pending = new Set<() => void>();
  const rec: YahooRecordings = { baseUrl: "", requests: [], answers, close: () => Promise.resolve() };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      rec.requests.push(url);
      const m = /^\/v8\/finance\/chart\/([^/]+)$/.exec(url.pathname);
      const ticker = m ? decodeURIComponent(m[1]) : "";
      const answer = rec.answers[ticker];
      if (answer?.then) rec.answers[ticker] = answer.then;
      if (!answer) {
        return new Response(readYahooFixture("not_found.json"), {
          status: 404,
          headers: { "content-type": "application/json;charset=utf-8" },
        });
      }
      if (answer.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => (pending.delete(release), resolve()), answer.delayMs);
          const release = () => (clearTimeout(timer), resolve());
          pending.add(release);
        });
      }
      return new Response(answer.file ? readYahooFixture(answer.file) : answer.body ?? "", {
        status: answer.status ?? 200,
        headers: { "content-type": answer.contentType ?? "application/json;charset=utf-8" },
      });
    },
  );
  rec.baseUrl = `http://127.0.0.1:${server.addr.port}`;
  rec.close = async () => {
    for (const release of pending) release();
    ac.abort();
    await server.finished;
  };
  return rec;
}

/** A loopback port with nothing listening on it (connections are refused). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
