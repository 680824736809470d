/**
 * The error `serverless()` throws for a bad definition.
 *
 * @module
 */

/**
 * A mistake in a function's definition, found when `serverless()` runs. The message names the field, the value
 * given and what is accepted.
 *
 * @example Usage
 * ```ts
 * import { DefinitionError, serverless } from "../mod.ts";
 * try {
 *   serverless({ name: "shop", requirements: { memory: 64 } });
 * } catch (error) {
 *   console.assert(error instanceof DefinitionError && error.field === "requirements.memory");
 * }
 * ```
 */
export class DefinitionError extends TypeError {
  /** The path of the bad field, e.g. `requirements.memory`. */
  readonly field: string;

  /**
   * Creates the error.
   *
   * @param functionName The function's name, or `undefined` while the name itself is not known to be valid.
   * @param field The path of the bad field.
   * @param value The value given.
   * @param accepted What would be accepted, as a phrase.
   */
  constructor(functionName: string | undefined, field: string, value: unknown, accepted: string) {
    const who = functionName === undefined ? "serverless()" : `serverless("${functionName}")`;
    super(`${who}: ${field} ${accepted}; got ${show(value)}.`);
    this.name = "DefinitionError";
    this.field = field;
  }
}

function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The known key closest to an unknown one, for "did you mean" hints.
 *
 * @param key The unknown key.
 * @param known The accepted keys.
 * @returns The closest known key within two edits, if any.
 *
 * @example Usage
 * ```ts
 * import { closest } from "./definition_error.ts";
 * console.assert(closest("memmory", ["memory", "timeout"]) === "memory");
 * ```
 */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
