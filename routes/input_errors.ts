/**
 * The HTTP side of domain errors: a domain operation names fields relative to its input (`["spec", "entry"]`),
 * and the route that called it says where that input sat in the request (`body`, `query`, `path`). Refusals that
 * point at the job queue get the queue's route appended here, so no URL lives in the domain.
 */
import { PayloadTooLargeError, RateLimitError, ValidationError } from "../domain/errors.ts";
import { SyncRunsBusyError, SyncRunTooLargeError } from "../domain/backtest/run_errors.ts";

/** Where a request's input sits: the location prefixes of 422 bodies. */
export type InputPlace = "body" | "query" | "path";

/** The route that queues a backtest, named in refusals of synchronous runs. */
export const JOB_QUEUE_ROUTE = "POST /api/v1/backtests";

/** `err` as the HTTP layer reports it: field paths under `place`, the job-queue route named. */
export function inRequest(err: unknown, place: InputPlace): unknown {
  if (err instanceof ValidationError) {
    return new ValidationError(
      err.message,
      [place, ...err.loc],
      err.type,
      err.issues?.map((i) => ({ ...i, loc: [place, ...i.loc] })),
    );
  }
  if (err instanceof SyncRunsBusyError) {
    return new RateLimitError(`${err.message} (${JOB_QUEUE_ROUTE})`, err.retryAfterSeconds);
  }
  if (err instanceof SyncRunTooLargeError) {
    return new PayloadTooLargeError(`${err.message} (${JOB_QUEUE_ROUTE})`);
  }
  return err;
}

/** Awaits `operation`, re-throwing its errors as `inRequest` reports them. */
export async function callWith<T>(place: InputPlace, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (e) {
    throw inRequest(e, place);
  }
}
