/**
 * Refusals of a synchronous backtest that point the caller at the job queue instead. The messages end with a
 * neutral hint ("submit it to the job queue"); an adapter that knows how its clients reach the queue (an HTTP
 * route, a tool name) appends that.
 */
import { PayloadTooLargeError, RateLimitError } from "../errors.ts";

/** The run is over the synchronous size limit (413): it belongs in the job queue. */
export class SyncRunTooLargeError extends PayloadTooLargeError {}

/** Every synchronous run place is taken (429 with `Retry-After`): retry, or use the job queue. */
export class SyncRunsBusyError extends RateLimitError {}

/** The closing words of both refusals. */
export const JOB_QUEUE_HINT = "submit it to the job queue";
