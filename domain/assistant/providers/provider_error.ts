/**
 * How a model provider fails. `assist` reads `kind`: a `malformed` reply (not JSON, or not a `TurnReply`) is asked
 * again once with the parse error; every other kind makes the turn fall back to the offline parser with a note.
 * Messages never hold an API key (the Gemini provider scrubs it from anything it passes on).
 */

/** What went wrong with a provider call. */
export type ProviderFailure = "timeout" | "http" | "unreachable" | "malformed";

/** A provider call that gave no usable reply. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailure,
    message: string,
    /** The HTTP status the model's API answered (`http` only), else null. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}
