/**
 * A stand-in for the Gemini API on 127.0.0.1: answers `POST …/models/<model>:generateContent` (the REST call the
 * real `@google/genai` client makes when `httpOptions.baseUrl` points here) from a script of replies, each with an
 * optional delay, and records every request (path, whether the API key header was sent, parsed body).
 */

/** One scripted answer. */
export type FakeGeminiReply =
  /** A candidate whose text is `JSON.stringify(json)` (a turn reply, or any JSON). */
  | { json: unknown; delayMs?: number; promptTokens?: number; responseTokens?: number }
  /** A candidate whose text is exactly `text` (e.g. not JSON). */
  | { text: string; delayMs?: number }
  /** An error status with Gemini's error body (which echoes `echo`, to test scrubbing). */
  | { status: number; delayMs?: number; echo?: string };

/** One request the fake received. */
export interface FakeGeminiRequest {
  path: string;
  /** The `x-goog-api-key` header. */
  apiKey: string | null;
  body: {
    contents: { role: string; parts: { text: string }[] }[];
    systemInstruction?: { parts: { text: string }[] };
    generationConfig?: { responseMimeType?: string; responseJsonSchema?: Record<string, unknown> };
  };
}

/** A running fake. */
export interface FakeGemini {
  /** `http://127.0.0.1:<port>`: set as `GEMINI_BASE_URL`. */
  baseUrl: string;
  /** Replies still to give, in order; when empty the fake answers 500. */
  script: FakeGeminiReply[];
  requests: FakeGeminiRequest[];
  close(): Promise<void>;
}

/** Starts a fake Gemini. */
export function startFakeGemini(script: FakeGeminiReply[] = []): FakeGemini {
  const stop = new AbortController();
  // A delay ends early when the fake closes (the client may have given up long before).
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stop.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  const fake: FakeGemini = {
    baseUrl: "",
    script,
    requests: [],
    async close() {
      stop.abort();
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || !url.pathname.endsWith(":generateContent")) {
      return json({ error: { code: 404, message: "not found", status: "NOT_FOUND" } }, 404);
    }
    fake.requests.push({
      path: url.pathname,
      apiKey: req.headers.get("x-goog-api-key"),
      body: await req.json(),
    });
    const next = fake.script.shift() ?? { status: 500 };
    if (next.delayMs) await wait(next.delayMs);
    if ("status" in next) {
      return json({
        error: {
          code: next.status,
          message: `scripted failure${next.echo ? ` for key ${next.echo}` : ""}`,
          status: next.status === 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL",
        },
      }, next.status);
    }
    const text = "json" in next ? JSON.stringify(next.json) : next.text;
    return json({
      candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: {
        promptTokenCount: "json" in next ? next.promptTokens ?? 100 : 100,
        candidatesTokenCount: "json" in next ? next.responseTokens ?? 20 : 20,
        totalTokenCount: 120,
      },
      modelVersion: "fake",
    });
  });
  fake.baseUrl = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}

/** A turn reply with the contract's defaults, overridden by `fields`. */
export function turnReply(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: "config_ready",
    message: "Here is your strategy.",
    question: null,
    missing: [],
    draft: null,
    assumptions: [],
    rationale: "",
    ...fields,
  };
}

/** The value at a dotted `path` of `json` (numeric segments index arrays); undefined when absent. */
export function geminiSchemaAt(json: unknown, path: string): unknown {
  let at: unknown = json;
  for (const part of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}
