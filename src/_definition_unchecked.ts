/**
 * The stand-in `cli.ts build` maps `validate_definition.ts` to in deployment bundles: it normalizes a definition and
 * accepts routes the build already checked (by importing them) without carrying the checks and their messages into
 * the bundle.
 *
 * @module
 */

import type { CheckedDefinition, ServerlessOptions } from "./definition.ts";
import type { Method } from "./handler.ts";

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
export function validateDefinition<Env>(options: ServerlessOptions<Env>): CheckedDefinition<Env> {
  const { scheduled, requirements = {}, ...rest } = options;
  return { ...rest, requirements, ...(scheduled && { scheduled: [scheduled].flat() }) };
}

/**
 * Accepts a route without checking it: the build already registered it once, checked.
 *
 * @param _method The method it is registered for.
 * @param _pattern The path pattern.
 * @param _handlers Its handlers.
 *
 * @example Usage
 * ```ts
 * import { validateRoute } from "./_definition_unchecked.ts";
 * validateRoute("GET", "/users/:id", [() => new Response()]);
 * ```
 */
export function validateRoute(_method: Method | "ALL", _pattern: string, _handlers: readonly unknown[]): void {}
