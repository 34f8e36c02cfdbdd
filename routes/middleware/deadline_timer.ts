/**
 * Deadlines for many requests on one timer. A timer per request (set, then cleared when it is answered) was one
 * of the largest per-request costs of the middleware; here a request costs an entry in a queue. Requests with the
 * same budget expire in the order they came, so each budget keeps a FIFO queue; one timer waits for the earliest
 * head that is still running. An answered entry is dropped at once when it is at its queue's head, and the queue
 * is compacted when answered entries pile up behind a slow one, so a queue holds about as many entries as there
 * are requests in flight. No timer is left once every request is answered.
 */

/** A request's deadline as its queue holds it. */
interface Entry {
  at: number;
  settled: boolean;
  expire: () => void;
  queue: Queue;
}

/** A FIFO of the entries with one budget (deadlines in arrival order); `settled` counts answered ones held. */
interface Queue {
  items: Entry[];
  head: number;
  settled: number;
}

/** Compaction starts above this many held entries, when at least half of them are answered. */
const COMPACT_AT = 256;

/** Deadlines sharing one timer. */
export interface DeadlineTimer {
  /** Starts a deadline `ms` from now: `expire` runs when it passes unless `settle` came first. */
  add(ms: number, expire: () => void): Entry;
  /** Marks the request answered: its `expire` will not run. */
  settle(entry: Entry): void;
  /** Entries held (running, or answered but not yet dropped). */
  held(): number;
}

/** Creates an empty set of deadlines; `now` is a monotonic clock in milliseconds. */
export function createDeadlineTimer(now: () => number = () => performance.now()): DeadlineTimer {
  const queues = new Map<number, Queue>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;

  /** Drops answered entries at the queue's head; compacts the array once its dropped part dominates. */
  const trim = (q: Queue) => {
    while (q.head < q.items.length && q.items[q.head].settled) {
      q.head++;
      q.settled--;
    }
    if (q.head === q.items.length) {
      q.items = [];
      q.head = 0;
    } else if (q.head >= COMPACT_AT && q.head * 2 >= q.items.length) {
      q.items = q.items.slice(q.head);
      q.head = 0;
    }
  };

  /** Points the timer at the earliest running head; no running request: no timer. */
  const schedule = () => {
    let earliest = Infinity;
    for (const q of queues.values()) {
      if (q.head < q.items.length) earliest = Math.min(earliest, q.items[q.head].at);
    }
    if (earliest === timerAt) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    timerAt = earliest;
    if (earliest !== Infinity) timer = setTimeout(fire, Math.max(0, earliest - now()));
  };

  function fire() {
    timer = undefined;
    timerAt = Infinity;
    const t = now();
    for (const q of queues.values()) {
      trim(q);
      while (q.head < q.items.length && q.items[q.head].at <= t) {
        const entry = q.items[q.head++];
        entry.settled = true;
        entry.expire();
        trim(q);
      }
    }
    schedule();
  }

  return {
    add(ms, expire) {
      let queue = queues.get(ms);
      if (!queue) queues.set(ms, queue = { items: [], head: 0, settled: 0 });
      const entry: Entry = { at: now() + ms, settled: false, expire, queue };
      queue.items.push(entry);
      if (entry.at < timerAt) schedule();
      return entry;
    },
    settle(entry) {
      if (entry.settled) return;
      entry.settled = true;
      const q = entry.queue;
      q.settled++;
      if (q.items[q.head] === entry) {
        trim(q);
        if (q.head === q.items.length) schedule();
        return;
      }
      // Behind a running head: compact once answered entries are at least half of what the queue holds.
      const live = q.items.length - q.head;
      if (live >= COMPACT_AT && q.settled * 2 >= live) {
        q.items = q.items.slice(q.head).filter((e) => !e.settled);
        q.head = 0;
        q.settled = 0;
      }
    },
    held: () => [...queues.values()].reduce((n, q) => n + q.items.length - q.head, 0),
  };
}
