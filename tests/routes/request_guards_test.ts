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
