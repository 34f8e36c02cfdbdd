/** A fresh in-memory support world (KV, fixed clock, ticket and notification repos) for domain tests. */
import { fixedClock } from "../../../domain/clock.ts";
import { createNotificationRepo } from "../../../domain/store/notification_repo.ts";
import { createTicketRepo } from "../../../domain/store/ticket_repo.ts";
import type { SupportDeps } from "../../../domain/support/tickets.ts";

/** 2026-05-14T01:00:00Z. */
export const START = Date.UTC(2026, 4, 14, 1, 0, 0);

/** Opens `:memory:` KV and builds `SupportDeps` on it with a clock standing at `START`. */
export async function openSupportWorld(): Promise<
  { kv: Deno.Kv; clock: ReturnType<typeof fixedClock>; deps: SupportDeps }
> {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(START);
  return {
    kv,
    clock,
    deps: { tickets: createTicketRepo(kv), notifications: createNotificationRepo(kv), clock },
  };
}
