/** A source of the current time; core code takes one instead of calling `Date.now()`. */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still at `ms` until moved with `advance` or `set`; for tests and replays. */
export function fixedClock(ms: number): Clock & { advance(deltaMs: number): void; set(ms: number): void } {
  let current = ms;
  return {
    now: () => current,
    advance(deltaMs: number) {
      current += deltaMs;
    },
    set(next: number) {
      current = next;
    },
  };
}
