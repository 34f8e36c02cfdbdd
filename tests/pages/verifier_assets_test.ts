/**
 * `/app/assets/verifier/*.js`: every `verifier/*.ts` is served as JavaScript a browser can import (its imports
 * resolve to other served modules, no TypeScript syntax is left: each module is imported here from `blob:` URLs
 * built from the served bytes alone), with ETag and cache headers; anything that is not a verifier file answers 404.
 */
import assert from "node:assert/strict";
import { normaliseKey } from "../../verifier/options.ts";
import { canonicalJson } from "../../verifier/canonical_json.ts";
import { VERIFIER_PREFIX } from "../../routes/pages/verifier_assets.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const get = (world: TestWorld, path: string, headers: Record<string, string> = {}) =>
  world.app.fetch(new Request(`http://localhost${path}`, { headers }));

/** The module names of `verifier/` (`x.ts` → `x`). */
async function verifierNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(new URL("../../verifier/", import.meta.url))) {
    if (e.isFile && e.name.endsWith(".ts")) names.push(e.name.slice(0, -3));
  }
  return names.sort();
}

/** Every module specifier of a JavaScript text: static imports, re-exports, bare `import "x"` and `import("x")`. */
function specifiersOf(js: string): string[] {
  const out: string[] = [];
  for (const m of js.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) out.push(m[1]);
  return out;
}

Deno.test("every verifier module is served as importable JavaScript whose imports are served modules", async () => {
  const world = await openTestWorld();
  try {
    const names = await verifierNames();
    assert.ok(names.includes("verify") && names.length >= 10, names.join(","));
    const served = new Map<string, string>();
    for (const name of names) {
      const res = await get(world, `${VERIFIER_PREFIX}/${name}.js`);
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
      assert.match(res.headers.get("etag") ?? "", /^"[0-9a-f]{16}"$/);
      assert.equal(res.headers.get("cache-control"), "public, max-age=300");
      const js = await res.text();
      assert.ok(js.startsWith(`// verifier/${name}.ts, served as JavaScript`), name);
      served.set(name, js);
    }
    // The import graph: each specifier is `./<a served name>.js` (no `.ts` left, nothing outside verifier/).
    const deps = new Map<string, string[]>();
    for (const [name, js] of served) {
      const specs = specifiersOf(js);
      for (const s of specs) {
        const m = /^\.\/([a-z0-9_]+)\.js$/.exec(s);
        assert.ok(m && served.has(m[1]), `${name}.js imports ${s}`);
      }
      deps.set(name, specs.map((s) => s.slice(2, -3)));
    }
    assert.ok(deps.get("verify")!.includes("public_api"), "verify.js imports its modules");
    // No TypeScript syntax: each module, with its imports pointed at its dependencies' blob: URLs, imports here.
    const urls = new Map<string, string>();
    const urlOf = (name: string, depth = 0): string => {
      assert.ok(depth < 50, "no import cycle");
      const done = urls.get(name);
      if (done) return done;
      let js = served.get(name)!;
      for (const d of deps.get(name)!) js = js.replaceAll(`"./${d}.js"`, JSON.stringify(urlOf(d, depth + 1)));
      const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
      urls.set(name, url);
      return url;
    };
    const modules = new Map<string, Record<string, unknown>>();
    for (const name of names) modules.set(name, await import(urlOf(name)));
    assert.equal(typeof modules.get("verify")!.verifyPublicRecord, "function");
    // The served code is the verifier's code: it answers as the TypeScript modules do.
    const servedKey = modules.get("options")!.normaliseKey as typeof normaliseKey;
    const key = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => i * 7)));
    assert.equal(servedKey(key.replace(/=+$/, "").replace(/\+/g, "-")), normaliseKey(key));
    assert.equal(servedKey("short"), null);
    const servedCanonical = modules.get("canonical_json")!.canonicalJson as typeof canonicalJson;
    const value = { b: [1, 2.5, "é"], a: { z: null, y: true } };
    assert.equal(servedCanonical(value), canonicalJson(value));
    assert.equal(servedCanonical(value), '{"a":{"y":true,"z":null},"b":[1,2.5,"é"]}');
    for (const url of urls.values()) URL.revokeObjectURL(url);
  } finally {
    await world.close();
  }
});

Deno.test("only verifier modules are served: other names, server files and path tricks answer 404", async () => {
  const world = await openTestWorld();
  try {
    const tricks = [
      "nope.js",
      "verify.ts",
      "verify",
      "VERIFY.js",
      "verify.js.map",
      "verify.js/",
      "sub/verify.js",
      "static_assets.js",
      "verifier_assets.js",
      "app_env.js",
      "main.js",
      "..%2fstatic_assets.js",
      "..%2f..%2fmain.ts",
      "%2e%2e%2f%2e%2e%2fmain.js",
      "verify%2ejs",
      "verify.js%00",
      "%2fetc%2fpasswd",
      "",
    ];
    for (const t of tricks) {
      const res = await get(world, `${VERIFIER_PREFIX}/${t}`);
      const body = await res.text();
      assert.equal(res.status, 404, t);
      assert.ok(!body.includes("import "), t);
    }
    // Dot segments are resolved before routing: they never reach a file outside verifier/ either.
    const res = await get(world, `${VERIFIER_PREFIX}/../../routes/pages/verifier_assets.ts`);
    assert.notEqual(res.status, 200);
    await res.body?.cancel();
  } finally {
    await world.close();
  }
});

Deno.test("a served verifier module has a strong ETag: 304 when it matches (also weak, listed or *), a year's cache when versioned", async () => {
  const world = await openTestWorld();
  try {
    const path = `${VERIFIER_PREFIX}/merkle.js`;
    const first = await get(world, path);
    const body = await first.text();
    const etag = first.headers.get("etag")!;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
    const hex = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(etag, `"${hex}"`);
    const again = await get(world, path, { "if-none-match": etag });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    assert.equal(again.headers.get("etag"), etag);
    const weak = await get(world, path, { "if-none-match": `W/${etag}` });
    assert.equal(weak.status, 304);
    await weak.body?.cancel();
    const listed = await get(world, path, {
      "if-none-match": `"0000000000000000", W/"1111111111111111", ${etag}`,
    });
    assert.equal(listed.status, 304);
    await listed.body?.cancel();
    const any = await get(world, path, { "if-none-match": "*" });
    assert.equal(any.status, 304);
    await any.body?.cancel();
    const stale = await get(world, path, { "if-none-match": '"0000000000000000", W/"1111111111111111"' });
    assert.equal(stale.status, 200);
    assert.equal(await stale.text(), body);
    const versioned = await get(world, `${path}?v=${hex}`);
    assert.equal(versioned.headers.get("cache-control"), "public, max-age=31536000, immutable");
    await versioned.body?.cancel();
    const wrongVersion = await get(world, `${path}?v=0000`);
    assert.equal(wrongVersion.headers.get("cache-control"), "public, max-age=300");
    await wrongVersion.body?.cancel();
  } finally {
    await world.close();
  }
});
