/**
 * Reading a backend's configuration from the environment record it is given, with the error that names a missing
 * variable.
 *
 * @module
 */

import { BindingError } from "../src/bindings.ts";
import type { EnvRecord } from "./_bytes.ts";
import type { RetryTarget } from "./_retry.ts";

/**
 * Reads a required variable, or throws the error that names it.
 *
 * @param target The binding.
 * @param env The environment.
 * @param variable The variable's name.
 * @param what What it should hold.
 * @returns Its value.
 */
export function requiredVariable(target: RetryTarget, env: EnvRecord, variable: string, what: string): string {
  const value = env[variable];
  if (value === undefined || value === "") {
    throw new BindingError({
      ...target,
      operation: "configure",
      message: `${variable} is not set; set it to ${what}. The deployment sets it for a deployed function; ` +
        `a test or a local run sets it itself.`,
    });
  }
  return value;
}
