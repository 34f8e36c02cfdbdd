import assert from "node:assert/strict";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";

Deno.test("SettingsRepo.getOrCreate() creates a value once and returns it afterwards", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createSettingsRepo(kv);
    let calls = 0;
    const make = () => `value-${++calls}`;
    assert.equal(await repo.getOrCreate("jwt_secret", make), "value-1");
    assert.equal(await repo.getOrCreate("jwt_secret", make), "value-1");
    assert.equal(calls, 1);
    assert.equal(await repo.getOrCreate("other", make), "value-2");
  } finally {
    kv.close();
  }
});

Deno.test("SettingsRepo.getOrCreate() gives every concurrent caller the one value that won", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createSettingsRepo(kv);
    let n = 0;
    const values = await Promise.all(Array.from({ length: 8 }, () => repo.getOrCreate("s", () => `v${n++}`)));
    assert.equal(new Set(values).size, 1);
    assert.equal((await kv.get(["settings", "s"])).value, values[0]);
  } finally {
    kv.close();
  }
});
