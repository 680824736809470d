/**
 * The stand-in `cli.ts build` maps `validate_definition.ts` to in deployment bundles: it normalizes a definition the
 * build already checked (by importing it) without carrying the checks and their messages into the bundle.
 *
 * @module
 */

import type { ServerlessOptions } from "./serverless.ts";

/**
 * Normalizes a definition without checking it: `requirements` defaults to `{}` and `scheduled` becomes a list.
 *
 * @param options The options given to `serverless()`, already checked at build time.
 * @returns The normalized options.
 *
 * @example Usage
 * ```ts
 * import { validateDefinition } from "./_definition_unchecked.ts";
 * const options = validateDefinition({ name: "shop", scheduled: { cron: "0 * * * *", run() {} } });
 * console.assert(Array.isArray(options.scheduled) && options.requirements !== undefined);
 * ```
 */
export function validateDefinition<Env>(options: ServerlessOptions<Env>): ServerlessOptions<Env> {
  const { scheduled, requirements = {} } = options;
  return { ...options, requirements, ...(scheduled && { scheduled: [scheduled].flat() }) };
}
