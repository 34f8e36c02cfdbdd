/**
 * The Build pages: each renders for a signed-in user with its labelled controls and its script, sends a
 * signed-out visitor to sign in, the editor opens only the visitor's own library strategies, the scripts (and
 * every module they import) are served, and the form's indicator table agrees with the blueprint compiler.
 */
import assert from "node:assert/strict";
import { getPage, pageToken, signInPage } from "../_helpers/page_session.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { INDICATOR_FIELDS, INDICATORS } from "../../routes/pages/build/blueprint_fields.ts";

const PAGES: { path: string; title: string; script: string; ids: string[]; labelled: string[] }[] = [
  {
    path: "/app/build",
    title: "Build a strategy",
    script: "client/build_blueprint.js",
    ids: [
      "blueprint-form",
      "bp-entry-0-indicator",
      "bp-entry-0-operator",
      "bp-exit-0-indicator",
      "prompt-preview",
      "code-preview",
      "run-backtest",
      "save-strategy",
      "bp-entry-add",
      "bp-exit-add",
    ],
    labelled: [
      "bp-asset",
      "bp-timeframe",
      "bp-entry-0-indicator",
      "bp-entry-0-operator",
      "bp-entry-0-lookback",
      "bp-entry-0-value",
      "bp-entry-0-multiplier",
      "bp-stop-loss",
      "bp-take-profit",
      "bp-trailing-stop",
      "bp-sizing",
      "bp-capital",
      "bp-start",
      "bp-end",
      "strategy-name",
    ],
  },
  {
    path: "/app/build/editor",
    title: "Strategy editor",
    script: "client/build_editor.js",
    ids: ["strategy-text", "editor-errors", "editor-run", "editor-save"],
    labelled: ["strategy-text", "editor-name"],
  },
  {
    path: "/app/build/chat",
    title: "Strategy chat",
    script: "client/build_chat.js",
    ids: ["chat-log", "chat-input", "chat-send", "chat-run", "chat-result", "chat-config"],
    labelled: ["chat-input"],
  },
  {
    path: "/app/build/import",
    title: "Import backtrader code",
    script: "client/build_import.js",
    ids: ["backtrader-code", "import-submit", "import-text", "import-save", "import-run"],
    labelled: ["backtrader-code", "import-universe", "import-name"],
  },
];

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

Deno.test("build pages: a signed-out visitor is sent to sign in and comes back", async () => {
  await withWorld(async (w) => {
    for (const p of [...PAGES.map((p) => p.path), "/app/build/editor?library_id=strat_x"]) {
      const res = await getPage(w, p);
      assert.equal(res.status, 303, p);
      assert.equal(res.headers.get("location"), `/app/sign-in?next=${encodeURIComponent(p)}`);
      await res.body?.cancel();
    }
  });
});

Deno.test("build pages: each renders for a signed-in user with its labelled controls and its script", async (t) => {
  await withWorld(async (w) => {
    const cookie = await signInPage(w, "builder@example.com");
    for (const page of PAGES) {
      await t.step(page.path, async () => {
        const res = await getPage(w, page.path, cookie);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /text\/html/);
        const html = await res.text();
        assert.match(html, new RegExp(`<title>${page.title} · Quantedge</title>`));
        assert.match(html, /<span class="zh" lang="zh-Hans">构建<\/span>/, "the nav is rendered signed in");
        assert.match(html, /aria-current="page" href="\/app\/build|href="\/app\/build" aria-current="page"/);
        for (const id of page.ids) assert.match(html, new RegExp(`id="${id}"`), `#${id} on ${page.path}`);
        for (const id of page.labelled) {
          assert.match(html, new RegExp(`<label for="${id}">[^<]+</label>`), `label for #${id}`);
        }
        assert.match(
          html,
          new RegExp(`<script[^>]* type="module" src="/app/assets/${page.script}(\\?v=[^"]+)?">`),
        );
        assert.doesNotMatch(html, /\son[a-z]+=/i, "no inline event handlers (CSP)");
      });
    }
  });
});

Deno.test("build page: the form starts from document 000's example and embeds the indicator table", async () => {
  await withWorld(async (w) => {
    const cookie = await signInPage(w, "builder@example.com");
    const html = await (await getPage(w, "/app/build", cookie)).text();
    assert.match(html, /<option value="crosses_above" selected>crosses above<\/option>/);
    assert.match(html, /id="bp-entry-0-lookback"[^>]*value="20"/);
    assert.match(html, /id="bp-exit-0-lookback"[^>]*value="50"/);
    // SMA takes a lookback only: the level and multiplier inputs of its row are hidden.
    assert.match(html, /<div data-param="value" hidden="">\s*<label for="bp-entry-0-value">/);
    const json = /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(html)?.[1];
    assert.ok(json, "page data embedded");
    const data = JSON.parse(json);
    assert.deepEqual(data.indicators, [...INDICATORS]);
    assert.equal(data.maxRows, 10);
    assert.deepEqual(data.indicatorFields.bollinger.fields.map((f: { name: string }) => f.name), [
      "lookback",
      "multiplier",
    ]);
  });
});

Deno.test("build page: each indicator's fallbacks are the compiler's defaults (empty inputs = the shown placeholders)", async () => {
  await withWorld(async (w) => {
    for (const indicator of INDICATORS) {
      const explicit: Record<string, unknown> = { indicator, operator: ">", params: {} };
      for (const f of INDICATOR_FIELDS[indicator].fields) {
        if (f.name === "value") explicit.value = f.fallback;
        else (explicit.params as Record<string, unknown>)[f.name] = f.fallback;
      }
      const translate = async (rule: unknown) => {
        const res = await w.request("POST", "/api/v1/builder/translate", {
          json: { asset: "RELIANCE.NS", entry: [rule] },
        });
        assert.equal(res.status, 200, await res.clone().text());
        return (await res.json()).generated_code as string;
      };
      const withDefaults = await translate({ indicator, operator: ">", value: null, params: {} });
      assert.equal(await translate(explicit), withDefaults, indicator);
    }
  });
});

Deno.test("build page: the API names a bad field at the path the form's script maps to an input", async () => {
  await withWorld(async (w) => {
    const res = await w.request("POST", "/api/v1/builder/translate", {
      json: {
        asset: "RELIANCE.NS",
        entry: [{ indicator: "rsi", operator: "<", value: 30, params: { lookback: 0 } }],
        risk: { stop_loss: 0.05 },
      },
    });
    assert.equal(res.status, 422);
    const body = await res.json();
    assert.deepEqual(body.detail[0].loc, ["body", "entry", 0, "params", "lookback"]);
    assert.equal(typeof body.detail[0].msg, "string");
  });
});

Deno.test("editor: opens my library strategy's latest text; another user's, an unknown or a malformed id is a 404", async () => {
  await withWorld(async (w) => {
    const cookie = await signInPage(w, "owner@example.com");
    const token = await pageToken(w, cookie);
    const saved = await w.request("POST", "/api/v1/library", {
      token,
      json: {
        name: "RSI dip",
        code:
          'universe: {"tickers":["RELIANCE.NS"]}\nentry: rsi(close, 14) < 30\nexit: rsi(close, 14) > 70\n',
      },
    });
    assert.equal(saved.status, 201, await saved.clone().text());
    const { strategy_id } = await saved.json();

    const mine = await getPage(w, `/app/build/editor?library_id=${strategy_id}`, cookie);
    assert.equal(mine.status, 200);
    const html = await mine.text();
    assert.match(html, /Editing <a href="\/app\/library\/[^"]+">RSI dip<\/a>, version 1/);
    assert.match(html, /entry: rsi\(close, 14\) &lt; 30/);
    assert.match(html, /id="editor-name"[^>]*value="RSI dip"/);
    assert.match(html, /Save new version/);

    const other = await signInPage(w, "other@example.com", "10.0.0.2");
    for (const id of [strategy_id, "strat_unknown", "../../etc", "x".repeat(65)]) {
      const res = await getPage(w, `/app/build/editor?library_id=${encodeURIComponent(id)}`, other);
      assert.equal(res.status, 404, id);
      assert.match(await res.text(), /does not exist or is not yours/);
    }
  });
});

Deno.test("editor: without a library id it opens the reference example, which the check route accepts", async () => {
  await withWorld(async (w) => {
    const cookie = await signInPage(w, "writer@example.com");
    const html = await (await getPage(w, "/app/build/editor", cookie)).text();
    const text = /<textarea id="strategy-text"[^>]*>(.*?)<\/textarea>/s.exec(html)?.[1];
    assert.ok(text?.includes("name: &quot;SMA cross&quot;"), String(text));
    const decoded = text!.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">")
      .replaceAll("&amp;", "&");
    const res = await w.request("POST", "/api/v1/strategy-text/check", { json: { strategy_code: decoded } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).valid, true);
  });
});

Deno.test("build scripts: each page script and every module it imports is served as JavaScript", async () => {
  await withWorld(async (w) => {
    const seen = new Set<string>();
    const queue = PAGES.map((p) => `/app/assets/${p.script}`);
    while (queue.length > 0 && seen.size < 50) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await getPage(w, path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /javascript/, path);
      const src = await res.text();
      if (path.startsWith("/app/assets/vendor/")) continue; // the npm package's own module
      for (const m of src.matchAll(/^import\s[^;]*?from\s+"([^"]+)";/gms)) {
        assert.ok(m[1].startsWith("/app/assets/"), `${path} imports ${m[1]} by its served path`);
        queue.push(m[1]);
      }
      if (path.startsWith("/app/assets/client/build_")) {
        assert.doesNotMatch(src, /innerHTML/, `${path} builds elements with h(), never innerHTML`);
      }
    }
    assert.ok(seen.has("/app/assets/client/field_issues.js"));
    assert.ok(seen.has("/app/assets/client/api.js"));
    assert.ok(seen.has("/app/assets/client/result_view.js"), "the chat renders with the shared result view");
  });
});
