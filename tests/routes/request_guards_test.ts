import assert from "node:assert/strict";
import { openTestWorld, signInAdmin, signInWithOtp } from "../_helpers/test_app.ts";

Deno.test("an empty POST with no content type is 415, not {}: it creates no invite code", async () => {
  const w = await openTestWorld();
  try {
    const admin = (await signInAdmin(w)).access_token;
    for (const init of [{}, { body: "" }, { body: "", headers: { "content-type": "" } }]) {
      const res = await w.request("POST", "/api/v1/admin/invite-codes", { token: admin, ...init });
      assert.equal(res.status, 415);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.ok(res.headers.get("x-correlation-id"));
      const body = await res.json();
      assert.equal(typeof body.detail, "string");
      assert.match(body.detail, /^Unsupported Media Type: send the body as application\/json/);
    }
    const list = await (await w.request("GET", "/api/v1/admin/invite-codes", { token: admin })).json();
    assert.equal(list.total, 0, "no code was created");
    // The same call with JSON still works.
    const ok = await w.request("POST", "/api/v1/admin/invite-codes", { token: admin, json: {} });
    assert.equal(ok.status, 201);
  } finally {
    await w.close();
  }
});

Deno.test("a route whose body is optional takes no body at all as {}, but a body without a JSON type is still 415", async () => {
  const w = await openTestWorld();
  try {
    const me = (await signInWithOtp(w, "optional-body@example.com")).access_token;
    const path = "/api/v1/strategies/strat_NOPE/run";
    // No body: past the guard, so the route answers (the strategy does not exist).
    assert.equal((await w.request("POST", path, { token: me })).status, 404);
    // A body is never ignored: without a JSON content type it is refused, whatever its bytes.
    for (
      const init of [{ body: new Uint8Array([123, 125]) }, { body: "{}" }, {
        body: "{}",
        headers: { "content-type": "text/plain" },
      }]
    ) {
      const res = await w.request("POST", path, { token: me, ...init });
      assert.equal(res.status, 415, JSON.stringify(init));
      assert.match((await res.json()).detail, /or send no body at all/);
    }
    assert.equal((await w.request("POST", path, { token: me, json: {} })).status, 404);
    // Over a real socket: no body sends Content-Length: 0 and passes; a body without a type does not.
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, w.app.fetch);
    try {
      const url = `http://127.0.0.1:${server.addr.port}${path}`;
      const headers = { authorization: `Bearer ${me}` };
      const none = await fetch(url, { method: "POST", headers });
      assert.equal(none.status, 404, await none.text());
      const raw = await fetch(url, { method: "POST", headers, body: new Uint8Array([123, 125]) });
      assert.equal(raw.status, 415);
      await raw.body?.cancel();
      // As `curl -X POST` sends it: no Content-Length, no Transfer-Encoding, no body.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      await conn.write(new TextEncoder().encode(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${me}\r\nConnection: close\r\n\r\n`,
      ));
      let text = "";
      const buf = new Uint8Array(4096);
      for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      conn.close();
      assert.match(text, /^HTTP\/1\.1 404 /, text.slice(0, 200));
    } finally {
      await server.shutdown();
    }
  } finally {
    await w.close();
  }
});

Deno.test("routes without a JSON body are not affected by the content-type rule", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "nobody-body@example.com");
    const created = await w.request("POST", "/api/v1/billing/api-keys", {
      token: me.access_token,
      json: { name: "k" },
    });
    const { id } = await created.json();
    // DELETE without a body or a content type.
    const del = await w.request("DELETE", `/api/v1/billing/api-keys/${id}`, { token: me.access_token });
    assert.ok(del.status < 300, `DELETE answered ${del.status}`);
    await del.body?.cancel();
    // GET with a stray content type is still a GET.
    const me2 = await w.request("GET", "/api/v1/auth/me", {
      token: me.access_token,
      headers: { "content-type": "text/plain" },
    });
    assert.equal(me2.status, 200);
    await me2.body?.cancel();
    // A CSV upload keeps its own media types.
    const csv = await w.request("POST", "/api/v1/data/import?symbol=ABC.NS", {
      token: me.access_token,
      body: "Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1,1,10\n",
      headers: { "content-type": "text/csv" },
    });
    assert.notEqual(csv.status, 415, await csv.text());
  } finally {
    await w.close();
  }
});

Deno.test("a URL over MAX_URL_BYTES is 414 with the documented body and X-Correlation-ID", async () => {
  const w = await openTestWorld({ MAX_URL_BYTES: "2048" });
  try {
    const long = `/api/v1/data/symbols?q=${"a".repeat(2100)}`;
    const res = await w.request("GET", long, { headers: { "x-correlation-id": "url-length-1" } });
    assert.equal(res.status, 414);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(res.headers.get("x-correlation-id"), "url-length-1");
    const body = await res.json();
    assert.match(body.detail, /^URI Too Long: .*limit 2048/);
    // Just under the limit passes on to the route.
    const fits = await w.request("GET", `/api/v1/data/symbols?q=${"a".repeat(50)}`);
    assert.notEqual(fits.status, 414);
    await fits.body?.cancel();
  } finally {
    await w.close();
  }
});

Deno.test("over a real socket, a long URL (default 8 KiB limit) gets the documented 414", async () => {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/api/v1/data/symbols?q=${"b".repeat(9000)}`);
    assert.equal(res.status, 414);
    assert.ok(res.headers.get("x-correlation-id"));
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match((await res.json()).detail, /limit 8192/);
  } finally {
    await server.shutdown();
    await w.close();
  }
});

Deno.test("/openapi.json documents the 415 of every route that takes a JSON body", async () => {
  const w = await openTestWorld();
  try {
    const doc = await (await w.request("GET", "/openapi.json")).json();
    let jsonRoutes = 0;
    for (
      const [path, item] of Object.entries<Record<string, Record<string, Record<string, unknown>>>>(doc.paths)
    ) {
      for (const [method, op] of Object.entries(item)) {
        const content = (op.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
        if (!content?.["application/json"]) continue;
        jsonRoutes++;
        const entry =
          (op.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>)["415"];
        // The Quant Copilot's root paths answer their document's shape (`error` beside `detail`).
        const copilot = /^\/(auth\/(request|verify)-otp|strategy\/|backtest$|plot$|leaderboard\/)/.test(path);
        assert.deepEqual(
          entry?.content?.["application/json"]?.schema,
          { $ref: `#/components/schemas/${copilot ? "CopilotError" : "Error"}` },
          `${method.toUpperCase()} ${path}`,
        );
      }
    }
    assert.ok(jsonRoutes >= 20, `only ${jsonRoutes} JSON routes`);
  } finally {
    await w.close();
  }
});
