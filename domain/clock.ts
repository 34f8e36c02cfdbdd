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

/*
 * Real time for the rest of domain/: the only timers and monotonic reads of the domain live here, so every
 * other module reads the time through a `Clock` and waits through these functions (see ARCHITECTURE.md).
 */

/** Resolves after `ms` milliseconds of real time (retry backoffs, jitter). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for a macrotask (a zero-delay timer), so pending I/O (other requests) and timers run before the caller
 * continues.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Milliseconds on a monotonic clock (for measuring durations; never a date). */
export function monotonicMs(): number {
  return performance.now();
}

/**
 * Races `work` against a timer of `ms`: resolves with `work`'s result, or with `onTimeout()` when the timer
 * fires first. The timer is cleared either way.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An `AbortSignal` that aborts after `ms` milliseconds of real time; `clear()` stops the timer early. */
export function deadlineSignal(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * An `AbortSignal` that aborts by itself after `ms` milliseconds of real time (`AbortSignal.timeout`): a request
 * deadline that also covers reading the body, and that never keeps the process alive.
 */
export function timeoutSignal(ms: number): AbortSignal {
  return AbortSignal.timeout(ms);
}
