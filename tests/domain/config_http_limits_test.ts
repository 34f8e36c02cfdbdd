import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../domain/config.ts";

Deno.test("parseConfig() defaults the URL, deadline and WebSocket limits", () => {
  const c = parseConfig({});
  assert.equal(c.maxUrlBytes, 8192);
  assert.equal(c.requestTimeoutMs, 30_000);
  assert.equal(c.importTimeoutMs, 300_000);
  assert.deepEqual(c.ws, { idleTimeoutS: 30, maxLifetimeMs: 3_600_000, maxPerIp: 20 });
});

Deno.test("parseConfig() reads the URL, deadline and WebSocket limits and refuses nonsense", () => {
  const c = parseConfig({
    MAX_URL_BYTES: "4096",
    REQUEST_TIMEOUT_MS: "5000",
    IMPORT_TIMEOUT_MS: "60000",
    WS_IDLE_TIMEOUT_S: "10",
    WS_MAX_LIFETIME_S: "600",
    WS_MAX_PER_IP: "5",
  });
  assert.equal(c.maxUrlBytes, 4096);
  assert.equal(c.requestTimeoutMs, 5000);
  assert.equal(c.importTimeoutMs, 60_000);
  assert.deepEqual(c.ws, { idleTimeoutS: 10, maxLifetimeMs: 600_000, maxPerIp: 5 });
  for (
    const [name, value] of [
      ["MAX_URL_BYTES", "10"],
      ["REQUEST_TIMEOUT_MS", "0"],
      ["WS_IDLE_TIMEOUT_S", "0"],
      ["WS_MAX_LIFETIME_S", "-1"],
      ["WS_MAX_PER_IP", "many"],
    ]
  ) {
    assert.throws(
      () => parseConfig({ [name]: value }),
      (e) => e instanceof ConfigError && e.message.includes(name),
    );
  }
});
