/** Every message that travels on the queue, as one zod discriminated union. */
import { z } from "zod";

/** A liveness ping: the listener records when it processed it. */
export const HeartbeatMessage = z.object({
  type: z.literal("system.heartbeat"),
  id: z.string(),
  sent_at: z.number(),
});

/** Union of all queue messages; other areas add their types here. */
export const QueueMessage = z.discriminatedUnion("type", [HeartbeatMessage]);

/** A parsed queue message. */
export type QueueMessage = z.infer<typeof QueueMessage>;
