import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../domain/config.ts";

Deno.test("WITNESS_URLS: empty by default; a comma-separated list of http(s) base URLs, trailing slash dropped", () => {
  assert.deepEqual(parseConfig({}).witnesses, { urls: [], timeoutMs: 3_000 });
  const c = parseConfig({
    WITNESS_URLS: " https://w1.example.org/ , http://127.0.0.1:8790,https://w2.example.org/base/",
    WITNESS_TIMEOUT_MS: "1500",
  });
  assert.deepEqual(c.witnesses, {
    urls: ["https://w1.example.org", "http://127.0.0.1:8790", "https://w2.example.org/base"],
    timeoutMs: 1_500,
  });
});

Deno.test("WITNESS_URLS and WITNESS_TIMEOUT_MS are refused with a clear message when invalid", async (t) => {
  const nine = Array.from({ length: 9 }, (_, i) => `https://w${i}.example.org`).join(",");
  const cases: [Record<string, string>, RegExp][] = [
    [{ WITNESS_URLS: "not a url" }, /WITNESS_URLS: "not a url" is not a URL/],
    [{ WITNESS_URLS: "ftp://w.example.org" }, /WITNESS_URLS: .* is not an http\(s\) URL/],
    [{ WITNESS_URLS: "https://user:pw@w.example.org" }, /WITNESS_URLS: a witness URL carries no credentials/],
    [{ WITNESS_URLS: "https://w.example.org/?k=1" }, /no credentials, query or fragment/],
    [
      { WITNESS_URLS: "https://w.example.org,https://w.example.org/" },
      /"https:\/\/w.example.org" is listed twice/,
    ],
    [{ WITNESS_URLS: nine }, /at most 8 witnesses \(9 given\)/],
    [{ WITNESS_TIMEOUT_MS: "50" }, /WITNESS_TIMEOUT_MS/],
    [{ WITNESS_TIMEOUT_MS: "soon" }, /WITNESS_TIMEOUT_MS/],
  ];
  for (const [env, message] of cases) {
    await t.step(JSON.stringify(env).slice(0, 80), () => {
      assert.throws(
        () => parseConfig(env),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }
});
