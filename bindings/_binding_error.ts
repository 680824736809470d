/**
 * The one constructor every backend's failures go through, so a bundle carries it once.
 *
 * @module
 */

import { BindingError, type BindingKind } from "../src/bindings.ts";

/** Which binding a call belongs to, for error messages. */
export interface ErrorTarget {
  /** The binding kind. */
  kind: BindingKind;
  /** The backend's name in messages, e.g. `dynamodb`. */
  backend: string;
  /** The binding's name, e.g. `COUNTER`. */
  binding: string;
}

/**
 * The error of a refused call or a failed request.
 *
 * @param target The binding.
 * @param operation The operation.
 * @param message What went wrong and what to do.
 * @param cause The backend's own error or answer.
 * @returns The error.
 */
export function bindingError(target: ErrorTarget, operation: string, message: string, cause?: unknown): BindingError {
  return new BindingError({ ...target, operation, message, ...(cause === undefined ? {} : { cause }) });
}
