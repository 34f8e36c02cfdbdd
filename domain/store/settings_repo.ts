/** Small named settings the service keeps for itself (e.g. the generated development JWT secret). */
import { keys } from "./keys.ts";

/** Persistence of service settings. */
export interface SettingsRepo {
  /**
   * Returns the stored value for `name`, or stores `create()` if none exists yet; concurrent callers all get
   * the one value that won.
   */
  getOrCreate(name: string, create: () => string): Promise<string>;
}

/** Creates the KV-backed settings repository. */
export function createSettingsRepo(kv: Deno.Kv): SettingsRepo {
  return {
    async getOrCreate(name, create) {
      for (let i = 0; i < 10; i++) {
        const existing = await kv.get<string>(keys.setting(name));
        if (existing.value) return existing.value;
        const value = create();
        const res = await kv.atomic().check(existing).set(keys.setting(name), value).commit();
        if (res.ok) return value;
      }
      throw new Error(`Cannot initialise setting "${name}"`);
    },
  };
}
