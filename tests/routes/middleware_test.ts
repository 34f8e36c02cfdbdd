import assert from "node:assert/strict";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ONE_MIB = 1024 * 1024;

async function withWorld(env: Record<string, string>, fn: (w: TestWorld) => Promise<void>): Promise<void> {
  const w = await openTestWorld(env);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** Reads a JSON error body after checking the content type. */
async function jsonOf(res: Response): Promise<Record<string, unknown>> {
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  return await res.json();
}

Deno.test("requestContext() echoes a well-formed X-Correlation-ID", async (t) => {
  await withWorld({}, async (w) => {
    for (const id of ["abc-123", "req.2026:05:14_01", "A".repeat(128), crypto.randomUUID()]) {
      await t.step(id.slice(0, 40), async () => {
        const res = await w.request("GET", "/health", { headers: { "x-correlation-id": id } });
        await res.body?.cancel();
        assert.equal(res.headers.get("x-correlation-id"), id);
      });
    }
  });
});

Deno.test("requestContext() generates a uuid when X-Correlation-ID is absent or malformed", async (t) => {
  await withWorld({}, async (w) => {
    const cases: [string, Record<string, string>][] = [
      ["absent", {}],
      ["empty", { "x-correlation-id": "" }],
      ["with spaces", { "x-correlation-id": "abc def" }],
      ["markup", { "x-correlation-id": "<script>alert(1)</script>" }],
      ["too long", { "x-correlation-id": "a".repeat(129) }],
      ["json", { "x-correlation-id": '{"a":1}' }],
    ];
    for (const [label, headers] of cases) {
      await t.step(label, async () => {
        const res = await w.request("GET", "/health", { headers });
        await res.body?.cancel();
        const id = res.headers.get("x-correlation-id") ?? "";
        assert.match(id, UUID);
        assert.notEqual(id, headers["x-correlation-id"]);
      });
    }
    const a = await w.request("GET", "/health");
    const b = await w.request("GET", "/health");
    await a.body?.cancel();
    await b.body?.cancel();
    assert.notEqual(a.headers.get("x-correlation-id"), b.headers.get("x-correlation-id"));
  });
});

Deno.test("X-Correlation-ID is on 404, 422, 401, 413 and 500 responses", async (t) => {
  await withWorld({}, async (w) => {
    w.app.get("/api/v1/__test/boom", () => {
      throw new Error("planted failure");
    });
    const cases: [string, number, () => Promise<Response>][] = [
      [
        "404",
        404,
        () => w.request("GET", "/api/v1/no-such-route", { headers: { "x-correlation-id": "cid-404" } }),
      ],
      ["422", 422, () =>
        w.request("POST", "/api/v1/auth/request-otp", {
          json: { email: 5 },
          headers: { "x-correlation-id": "cid-422" },
        })],
      ["401", 401, () => w.request("GET", "/api/v1/auth/me", { headers: { "x-correlation-id": "cid-401" } })],
      ["413", 413, () =>
        w.request("POST", "/api/v1/auth/request-otp", {
          body: "x".repeat(ONE_MIB + 1),
          headers: { "content-type": "application/json", "x-correlation-id": "cid-413" },
        })],
      [
        "500",
        500,
        () => w.request("GET", "/api/v1/__test/boom", { headers: { "x-correlation-id": "cid-500" } }),
      ],
    ];
    for (const [label, status, send] of cases) {
      await t.step(label, async () => {
        const res = await send();
        assert.equal(res.status, status);
        await jsonOf(res);
        assert.equal(res.headers.get("x-correlation-id"), `cid-${label}`);
      });
    }
  });
});

Deno.test("unknown routes answer 404 {detail: 'Not Found'}", async (t) => {
  await withWorld({}, async (w) => {
    for (
      const [method, path] of [["GET", "/nope"], ["GET", "/api/v1/nope"], ["POST", "/api/v1/auth/nope"], [
        "GET",
        "/api/v2/health",
      ]]
    ) {
      await t.step(`${method} ${path}`, async () => {
        const res = await w.request(method, path);
        assert.equal(res.status, 404);
        assert.deepEqual(await jsonOf(res), { detail: "Not Found" });
      });
    }
  });
});

Deno.test("an unexpected exception answers 500 with the correlation id and logs it with the id", async (t) => {
  await withWorld({}, async (w) => {
    w.app.get("/__test/throw-error", () => {
      throw new TypeError("cannot read properties of undefined");
    });
    w.app.get("/api/v1/__test/throw-error", () => Promise.reject(new Error("async failure")));
    w.app.get("/api/v1/__test/throw-string", () => {
      throw "a plain string";
    });
    w.app.get("/api/v1/__test/throw-object", () => {
      throw { code: 42 };
    });
    for (
      const path of [
        "/__test/throw-error",
        "/api/v1/__test/throw-error",
        "/api/v1/__test/throw-string",
        "/api/v1/__test/throw-object",
      ]
    ) {
      await t.step(path, async () => {
        const res = await w.request("GET", path);
        assert.equal(res.status, 500);
        const body = await jsonOf(res);
        const id = res.headers.get("x-correlation-id");
        assert.match(id ?? "", UUID);
        assert.deepEqual(body, { detail: "Internal server error", correlation_id: id });
        const logged = w.logs.filter((l) => l.level === "error" && l.fields?.correlation_id === id);
        assert.equal(logged.length, 1, `one error log line for ${id}: ${JSON.stringify(w.logs)}`);
        assert.equal(logged[0].fields?.path, path);
        assert.equal(logged[0].fields?.method, "GET");
      });
    }
  });
});

Deno.test("request log lines carry method, path, status, ms and correlation id, never credentials or bodies", async () => {
  await withWorld({ LOG_REQUESTS: "true" }, async (w) => {
    const pair = await signInWithOtp(w, "logger@example.com");
    w.logs.length = 0;
    const secretPassword = "body-secret-Pa55word-9f8e7d";
    const me = await w.request("GET", "/api/v1/auth/me?token=query-part", {
      token: pair.access_token,
      headers: { "x-correlation-id": "log-me-1" },
    });
    assert.equal(me.status, 200);
    await me.body?.cancel();
    const login = await w.request("POST", "/api/v1/auth/login", {
      json: { email: "logger@example.com", password: secretPassword },
      headers: { "x-correlation-id": "log-login-1" },
    });
    assert.equal(login.status, 401);
    await login.body?.cancel();

    const lines = w.logs.filter((l) => l.msg === "request");
    assert.equal(lines.length, 2);
    const [first, second] = lines.map((l) => l.fields ?? {});
    assert.deepEqual(
      { method: first.method, path: first.path, status: first.status, correlation_id: first.correlation_id },
      { method: "GET", path: "/api/v1/auth/me", status: 200, correlation_id: "log-me-1" },
    );
    assert.deepEqual(
      {
        method: second.method,
        path: second.path,
        status: second.status,
        correlation_id: second.correlation_id,
      },
      { method: "POST", path: "/api/v1/auth/login", status: 401, correlation_id: "log-login-1" },
    );
    for (const f of [first, second]) {
      assert.equal(typeof f.ms, "number");
      assert.ok((f.ms as number) >= 0);
    }
    const everything = JSON.stringify(w.logs);
    assert.ok(!everything.includes(pair.access_token), "the access token reached the log");
    assert.ok(!everything.includes(pair.access_token.split(".")[2]), "the token signature reached the log");
    assert.ok(!everything.includes(secretPassword), "the request body reached the log");
    assert.ok(!/authorization|bearer/i.test(everything), "an Authorization header reached the log");
  });
});

Deno.test("request logging is off when LOG_REQUESTS=false", async () => {
  await withWorld({ LOG_REQUESTS: "false" }, async (w) => {
    const res = await w.request("GET", "/health");
    await res.body?.cancel();
    assert.equal(w.logs.filter((l) => l.msg === "request").length, 0);
  });
});

Deno.test("CORS allows configured origins and not others", async (t) => {
  await withWorld({ CORS_ORIGINS: "https://app.example.com, https://lab.example.com" }, async (w) => {
    const preflight = (origin: string) =>
      w.request("OPTIONS", "/api/v1/auth/me", {
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization, x-correlation-id",
        },
      });
    await t.step("preflight from an allowed origin", async () => {
      const res = await preflight("https://lab.example.com");
      await res.body?.cancel();
      assert.ok(res.status === 204 || res.status === 200, `status ${res.status}`);
      assert.equal(res.headers.get("access-control-allow-origin"), "https://lab.example.com");
      assert.match(res.headers.get("access-control-allow-methods") ?? "", /PATCH/);
      assert.match(res.headers.get("access-control-allow-headers") ?? "", /authorization/i);
    });
    await t.step("preflight from a disallowed origin", async () => {
      const res = await preflight("https://evil.example.com");
      await res.body?.cancel();
      assert.equal(res.headers.get("access-control-allow-origin"), null);
    });
    await t.step("simple request from an allowed origin exposes the correlation id", async () => {
      const res = await w.request("GET", "/api/v1/billing/tiers", {
        headers: { origin: "https://app.example.com" },
      });
      await res.body?.cancel();
      assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example.com");
      assert.match(res.headers.get("access-control-expose-headers") ?? "", /X-Correlation-ID/i);
      // A browser on another origin can read the stage timings of a synchronous backtest.
      assert.match(res.headers.get("access-control-expose-headers") ?? "", /Server-Timing/i);
    });
    await t.step("simple request from a disallowed origin", async () => {
      const res = await w.request("GET", "/api/v1/billing/tiers", {
        headers: { origin: "https://evil.example.com" },
      });
      await res.body?.cancel();
      assert.equal(res.headers.get("access-control-allow-origin"), null);
    });
    await t.step("an error answer carries them too, and the answer varies on Origin", async () => {
      const res = await w.request("GET", "/api/v1/public/strategies/no-such-slug/track-record", {
        headers: { origin: "https://app.example.com" },
      });
      await res.body?.cancel();
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example.com");
      assert.match(res.headers.get("vary") ?? "", /Origin/);
      assert.ok(res.headers.get("x-correlation-id"), "the other middleware's headers are still there");
    });
  });
});

Deno.test("bodyLimit() answers 413 for 1 MiB + 1 byte and lets exactly 1 MiB through", async (t) => {
  await withWorld({}, async (w) => {
    const json = { "content-type": "application/json" };
    await t.step("1 MiB + 1 byte with Content-Length", async () => {
      const res = await w.request("POST", "/api/v1/auth/request-otp", {
        body: "x".repeat(ONE_MIB + 1),
        headers: json,
      });
      assert.equal(res.status, 413);
      const body = await jsonOf(res);
      assert.equal(typeof body.detail, "string");
      assert.deepEqual(Object.keys(body), ["detail"]);
    });
    await t.step("1 MiB + 1 byte streamed without Content-Length", async () => {
      const bytes = new Uint8Array(ONE_MIB + 1).fill(0x20);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes.subarray(0, ONE_MIB / 2));
          c.enqueue(bytes.subarray(ONE_MIB / 2));
          c.close();
        },
      });
      const res = await w.app.request("/api/v1/auth/request-otp", {
        method: "POST",
        body: stream,
        headers: json,
        duplex: "half",
      } as RequestInit);
      assert.equal(res.status, 413);
      assert.equal(typeof (await jsonOf(res)).detail, "string");
    });
    await t.step("exactly 1 MiB of JSON reaches validation", async () => {
      const prefix = '{"email":"a@example.com","padding":"';
      const suffix = '"}';
      const text = prefix + "p".repeat(ONE_MIB - prefix.length - suffix.length) + suffix;
      assert.equal(new TextEncoder().encode(text).length, ONE_MIB);
      const res = await w.request("POST", "/api/v1/auth/request-otp", { body: text, headers: json });
      assert.equal(res.status, 422);
      const body = await jsonOf(res);
      assert.deepEqual((body.detail as { loc: unknown[] }[]).map((i) => i.loc), [["body", "padding"]]);
    });
  });
});

Deno.test("the rate limiter answers 429 with Retry-After and the documented detail, until the window passes", async () => {
  await withWorld({ RATE_LIMIT_OTP_PER_EMAIL: "2/1m" }, async (w) => {
    const send = () =>
      w.request("POST", "/api/v1/auth/request-otp", { json: { email: "limited@example.com" } });
    for (let i = 0; i < 2; i++) {
      const ok = await send();
      assert.equal(ok.status, 200);
      await ok.body?.cancel();
    }
    w.clock.advance(15_000);
    const refused = await send();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "45");
    assert.ok(refused.headers.get("x-correlation-id"));
    assert.deepEqual(await jsonOf(refused), { detail: "Rate limit exceeded: 2 per 1 minute" });
    w.clock.advance(45_000);
    const again = await send();
    assert.equal(again.status, 200);
    await again.body?.cancel();
  });
});

Deno.test("per-IP limits key on the proxy-appended X-Forwarded-For entry, so a forged one does not help", async (t) => {
  const otp = (w: TestWorld, i: number, forwarded: string) =>
    w.request("POST", "/api/v1/auth/request-otp", {
      json: { email: `ip${i}@example.com` },
      headers: { "x-forwarded-for": forwarded },
    });
  await t.step("TRUST_PROXY=true: the rightmost entry is the client", async () => {
    await withWorld({ RATE_LIMIT_OTP_PER_IP: "2/1h", TRUST_PROXY: "true" }, async (w) => {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const res = await otp(w, i, `198.51.100.${i}, 203.0.113.7`);
        await res.body?.cancel();
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      const other = await otp(w, 9, "203.0.113.8");
      await other.body?.cancel();
      assert.equal(other.status, 200);
    });
  });
  await t.step("TRUST_PROXY=false: the header is ignored", async () => {
    await withWorld({ RATE_LIMIT_OTP_PER_IP: "2/1h", TRUST_PROXY: "false" }, async (w) => {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const res = await otp(w, i, `203.0.113.${i}`);
        await res.body?.cancel();
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [200, 200, 429]);
    });
  });
});
