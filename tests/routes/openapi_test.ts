import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

type Json = Record<string, unknown>;
type Media = { schema?: Json; example?: unknown; examples?: unknown };
type Operation = {
  security?: Record<string, unknown>[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media>; headers?: Record<string, unknown> }>;
};
type Doc = {
  openapi: string;
  info: Json;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes?: Record<string, Json> };
};

const HTTP_METHODS = ["get", "post", "put", "patch", "delete"];

/** Every route issue 2 delivers; `{}` stands for any path parameter name. */
const ISSUE_2_ROUTES = [
  "GET /health",
  "GET /api/v1/health",
  "POST /api/v1/auth/request-otp",
  "POST /api/v1/auth/verify-otp",
  "POST /api/v1/auth/invite",
  "POST /api/v1/auth/login",
  "POST /api/v1/auth/refresh",
  "POST /api/v1/auth/logout",
  "GET /api/v1/auth/me",
  "PATCH /api/v1/auth/profile",
  "GET /api/v1/auth/oauth/github",
  "GET /api/v1/auth/oauth/github/callback",
  "GET /api/v1/billing/api-keys",
  "POST /api/v1/billing/api-keys",
  "DELETE /api/v1/billing/api-keys/{}",
  "GET /api/v1/billing/tier",
  "GET /api/v1/billing/tiers",
  "GET /api/v1/admin/invite-codes",
  "POST /api/v1/admin/invite-codes",
  "POST /api/v1/admin/invite-codes/{}/disable",
  "PATCH /api/v1/admin/users/{}",
  "POST /api/v1/tickets",
  "GET /api/v1/tickets",
  "GET /api/v1/tickets/{}",
  "GET /api/v1/notifications",
  "GET /api/v1/notifications/unread-count",
  "PATCH /api/v1/notifications/{}/read",
  "POST /api/v1/notifications/read-all",
];

async function withDoc(fn: (doc: Doc, w: TestWorld) => Promise<void> | void): Promise<void> {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/openapi.json");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    await fn(await res.json(), w);
  } finally {
    await w.close();
  }
}

function operations(doc: Doc): [string, Operation][] {
  const out: [string, Operation][] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      if (item[method]) out.push([`${method.toUpperCase()} ${path}`, item[method]]);
    }
  }
  return out;
}

function resolve(doc: Doc, schema: Json | undefined): Json {
  let s = schema ?? {};
  for (let i = 0; typeof s.$ref === "string" && i < 20; i++) {
    s = doc.components.schemas[(s.$ref as string).replace("#/components/schemas/", "")] ?? {};
  }
  return s;
}

function isSchema(s: unknown): boolean {
  return typeof s === "object" && s !== null && Object.keys(s).length > 0;
}

Deno.test("/openapi.json is OpenAPI 3.1.0 and passes the 3.1 schema validator", async () => {
  await withDoc(async (doc) => {
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(typeof doc.info.title, "string");
    assert.equal(typeof doc.info.version, "string");
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Json);
    assert.equal(validator.version, "3.1");
    assert.deepEqual(result.errors ?? [], [], JSON.stringify(result.errors, null, 1));
    assert.equal(result.valid, true);
  });
});

Deno.test("the 3.1 validator rejects a broken document (so the check above means something)", async () => {
  const result = await new Validator().validate({
    openapi: "3.1.0",
    info: { title: "broken" },
    paths: { "/x": { get: { responses: { "200": { content: "nope" } } } } },
  });
  assert.equal(result.valid, false);
});

Deno.test("/openapi.json lists every route of issue 2", async (t) => {
  await withDoc(async (doc) => {
    const listed = new Set(operations(doc).map(([name]) => name.replace(/\{[^}]+\}/g, "{}")));
    for (const route of ISSUE_2_ROUTES) {
      await t.step(route, () => assert.ok(listed.has(route), `${route} is missing from /openapi.json`));
    }
  });
});

Deno.test("every operation documents a JSON 2xx response schema (or a redirect) and schemas for its bodies", async (t) => {
  await withDoc(async (doc) => {
    for (const [name, op] of operations(doc)) {
      await t.step(name, () => {
        const responses = op.responses ?? {};
        const ok = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
        const redirects = Object.entries(responses).filter(([status]) => /^3\d\d$/.test(status));
        assert.ok(ok.length + redirects.length > 0, "no 2xx or 3xx response");
        for (const [status, res] of ok) {
          if (status === "204") continue;
          // File downloads (trades.csv, strategy.txt, the copilot's /export/*, the deploy kit's .sh/.bat/.pem) and the strategy-text reference
          // document their own media type with a schema instead of JSON.
          const media = res.content?.["application/json"] ??
            (/\.(csv|txt|sh|bat|pem)$|^GET \/export\/|^GET \/docs\/strategy-text$/.test(name)
              ? Object.values(res.content ?? {})[0]
              : undefined);
          assert.ok(media, `${status} has no application/json content`);
          assert.ok(isSchema(media.schema), `${status} has no schema`);
        }
        for (const [status, res] of redirects) {
          assert.ok(res.headers?.Location, `${status} redirect does not document Location`);
        }
        if (op.requestBody) {
          const content = op.requestBody.content ?? {};
          assert.ok(Object.keys(content).length > 0, "request body without content");
          for (const [type, media] of Object.entries(content)) {
            assert.ok(isSchema(media.schema), `request body ${type} has no schema`);
          }
        }
      });
    }
  });
});

Deno.test("error responses in /openapi.json use the documented shapes", async (t) => {
  await withDoc(async (doc) => {
    for (const [name, op] of operations(doc)) {
      await t.step(name, () => {
        for (const [status, res] of Object.entries(op.responses ?? {})) {
          if (!/^[45]\d\d$/.test(status)) continue;
          const schema = resolve(doc, res.content?.["application/json"]?.schema);
          const detail = resolve(doc, (schema.properties as Record<string, Json> | undefined)?.detail);
          if (status === "422") {
            assert.equal(detail.type, "array", `${status}: detail is not an array`);
            const item = resolve(doc, detail.items as Json);
            assert.deepEqual(
              [...(item.required as string[])].sort(),
              ["loc", "msg", "type"],
              `${status} items`,
            );
          } else {
            assert.equal(detail.type, "string", `${status}: detail is not a string`);
          }
        }
      });
    }
  });
});

Deno.test("security requirements name a declared bearer scheme", async () => {
  await withDoc((doc) => {
    const schemes = doc.components.securitySchemes ?? {};
    assert.deepEqual({ type: schemes.bearerAuth?.type, scheme: schemes.bearerAuth?.scheme }, {
      type: "http",
      scheme: "bearer",
    });
    const secured = operations(doc).filter(([, op]) => (op.security ?? []).length > 0);
    assert.ok(secured.length >= 8, `only ${secured.length} operations declare security`);
    for (const [name, op] of secured) {
      for (const requirement of op.security ?? []) {
        for (const scheme of Object.keys(requirement)) {
          assert.ok(schemes[scheme], `${name} uses unknown ${scheme}`);
        }
      }
    }
    for (
      const route of [
        "GET /api/v1/auth/me",
        "POST /api/v1/billing/api-keys",
        "GET /api/v1/admin/invite-codes",
      ]
    ) {
      const [method, path] = route.split(" ");
      assert.ok(
        (doc.paths[path]?.[method.toLowerCase()]?.security ?? []).length > 0,
        `${route} is not secured`,
      );
    }
  });
});

Deno.test("examples set in the route schemas appear in /openapi.json", async (t) => {
  await withDoc(async (doc) => {
    const schemas = doc.components.schemas;
    const prop = (schema: string, field: string) =>
      (schemas[schema]?.properties as Record<string, Json> | undefined)?.[field]?.example;
    const cases: [string, unknown, unknown][] = [
      ["Error", schemas.Error?.example, { detail: "Not authenticated" }],
      [
        "ValidationError",
        (schemas.ValidationError?.example as { detail?: unknown })?.detail !== undefined,
        true,
      ],
      ["RequestOtp.email", prop("RequestOtp", "email"), "researcher@example.com"],
      ["VerifyOtp.otp_code", prop("VerifyOtp", "otp_code"), "042917"],
      ["RedeemInvite.invite_code", prop("RedeemInvite", "invite_code"), "QE-ALPHA-2026"],
      ["TokenPair.expires_in", prop("TokenPair", "expires_in"), 86400],
      ["User.nickname", prop("User", "nickname"), "alpha_hunter"],
      ["CreateApiKey.name", prop("CreateApiKey", "name"), "research-agent"],
      ["InviteCode.code", prop("InviteCode", "code"), "QE-ALPHA-2026"],
      ["Health", (schemas.Health?.example as { status?: unknown })?.status, "ok"],
    ];
    for (const [label, actual, expected] of cases) {
      await t.step(label, () => assert.deepEqual(actual, expected));
    }
    await t.step("request-otp 200 example", () => {
      const media = doc.paths["/api/v1/auth/request-otp"].post.responses?.["200"].content
        ?.["application/json"];
      const example = media?.example ?? resolve(doc, media?.schema).example;
      assert.deepEqual(example, { message: "OTP sent to your email." });
    });
    await t.step("page queries document their bounds", () => {
      const params = (doc.paths["/api/v1/billing/api-keys"].get as { parameters?: Json[] }).parameters ?? [];
      const limit = params.find((p) => p.name === "limit")?.schema as Json;
      const offset = params.find((p) => p.name === "offset")?.schema as Json;
      assert.deepEqual([limit.type, limit.minimum, limit.maximum, limit.default], ["integer", 1, 200, 50]);
      assert.deepEqual([offset.type, offset.minimum, offset.default], ["integer", 0, 0]);
    });
  });
});

Deno.test("/docs renders from same-origin assets only", async () => {
  const w = await openTestWorld();
  try {
    const page = await w.request("GET", "/docs");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    const html = await page.text();
    assert.match(html, /id="swagger-ui"/);
    const refs = [...html.matchAll(/<(script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => ({
      tag: m[1],
      url: m[2],
    }));
    assert.ok(
      refs.some((r) => r.tag === "script") && refs.some((r) => r.tag === "link"),
      JSON.stringify(refs),
    );
    assert.doesNotMatch(
      html,
      /(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i,
      "the page loads something from another host",
    );
    for (const { tag, url } of refs) {
      assert.ok(url.startsWith("/"), `${url} is not a same-origin path`);
      const res = await w.request("GET", url);
      assert.equal(res.status, 200, url);
      const type = res.headers.get("content-type") ?? "";
      assert.match(
        type,
        tag === "script" ? /^(text|application)\/javascript/ : /^text\/css/,
        `${url}: ${type}`,
      );
      const text = await res.text();
      assert.ok(text.length > 0, `${url} is empty`);
      if (url.endsWith("init.js")) {
        assert.match(text, /url: "\/openapi\.json"/);
        assert.match(text, /validatorUrl: null/);
        assert.doesNotMatch(text, /https?:\/\//);
      }
    }
    const slash = await w.request("GET", "/docs/");
    await slash.body?.cancel();
    assert.ok([301, 302].includes(slash.status));
    assert.equal(slash.headers.get("location"), "/docs");
  } finally {
    await w.close();
  }
});
