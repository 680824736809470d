/**
 * The definition-time checks of `serverless()` and of `Router` routes: every option's type, range and syntax, with an
 * error that names the field (or route), the value and what is accepted. Kept apart so that `cli.ts build` can leave
 * them out of deployment bundles (the definition was checked when the build imported it) by mapping this module to
 * `_definition_unchecked.ts`.
 *
 * @module
 */

import { cronProblem } from "./cron.ts";
import { DefinitionError } from "./definition_error.ts";
import { isRoutable } from "./routable.ts";
import { plainObject, rejectUnknown, validateRequirements } from "./requirements.ts";
import type { CheckedDefinition, ScheduledTrigger, ServerlessOptions } from "./definition.ts";
import type { Method } from "./handler.ts";

const OPTION_KEYS = ["name", "description", "requirements", "fetch", "scheduled", "queue", "event"] as const;
const NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks a definition and returns it normalized (`requirements` validated, `scheduled` as a list), throwing a
 * {@linkcode DefinitionError} for the first mistake.
 *
 * @param options The options given to `serverless()`.
 * @returns The normalized options.
 *
 * @example Usage
 * ```ts
 * import { validateDefinition } from "./validate_definition.ts";
 * const options = validateDefinition({ name: "shop", scheduled: { cron: "0 * * * *", run() {} } });
 * console.assert(Array.isArray(options.scheduled));
 * ```
 */
export function validateDefinition<Env>(options: ServerlessOptions<Env>): CheckedDefinition<Env> {
  const given = plainObject(undefined, "options", options);
  if (typeof given.name !== "string" || !NAME.test(given.name)) {
    throw new DefinitionError(
      undefined,
      "name",
      given.name,
      "must be 1–63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen, " +
        'e.g. "orders-api"',
    );
  }
  const name = given.name;
  rejectUnknown(name, "", given, OPTION_KEYS);
  if (given.description !== undefined && typeof given.description !== "string") {
    throw new DefinitionError(name, "description", given.description, "must be a string");
  }
  if (given.fetch !== undefined && typeof given.fetch !== "function" && !isRoutable(given.fetch)) {
    throw new DefinitionError(name, "fetch", given.fetch, "must be a Router or a function (request, ctx) => Response");
  }
  const scheduled = given.scheduled === undefined ? undefined : validateSchedules(name, given.scheduled);
  if (given.queue !== undefined) {
    const queue = plainObject(name, "queue", given.queue);
    rejectUnknown(name, "queue", queue, ["name", "run"]);
    if (typeof queue.name !== "string" || !/^[A-Za-z0-9_-]{1,80}$/.test(queue.name)) {
      throw new DefinitionError(name, "queue.name", queue.name, "must be 1–80 letters, digits, hyphens or underscores");
    }
    requireFunction(name, "queue.run", queue.run);
  }
  if (given.event !== undefined) {
    const event = plainObject(name, "event", given.event);
    rejectUnknown(name, "event", event, ["sources", "run"]);
    if (event.sources !== undefined && !(Array.isArray(event.sources) && event.sources.every(isString))) {
      throw new DefinitionError(name, "event.sources", event.sources, 'must be an array of strings like "aws.s3"');
    }
    requireFunction(name, "event.run", event.run);
  }
  const { scheduled: _scheduled, requirements: _requirements, ...rest } = options;
  return { ...rest, requirements: validateRequirements(name, given.requirements), ...(scheduled && { scheduled }) };
}

/**
 * Checks a route as it is registered: a path starting with `/`, `*` only as a whole last segment (not glued, as in
 * `/assets*` or `/files/*.js`), `:name` parameters with unique identifier names (not `{name}`), and at least one
 * handler, all functions. Throws a `TypeError` naming the route and what to write instead.
 *
 * @param method The method it is registered for.
 * @param pattern The path pattern as given.
 * @param handlers The handlers and middleware given for it.
 *
 * @example Usage
 * ```ts
 * import { validateRoute } from "./validate_definition.ts";
 * validateRoute("GET", "/users/:id", [() => new Response()]);
 * try {
 *   validateRoute("GET", "/a/*\/b", [() => new Response()]);
 * } catch (error) {
 *   console.assert(String(error).includes("may only be the last segment"));
 * }
 * ```
 */
export function validateRoute(method: Method | "ALL", pattern: string, handlers: readonly unknown[]): void {
  if (typeof pattern !== "string" || !pattern.startsWith("/")) {
    throw new TypeError(`Route path must be a string starting with "/"; got ${JSON.stringify(pattern)}.`);
  }
  if (handlers.length === 0) {
    throw new TypeError(`Route ${method} ${pattern} has no handler; pass at least one function.`);
  }
  for (const handler of handlers) {
    if (typeof handler !== "function") {
      throw new TypeError(`Route ${method} ${pattern}: handlers must be functions; got ${typeof handler}.`);
    }
  }
  const segments = pattern.slice(1).split("/");
  const names = new Set<string>();
  segments.forEach((segment, index) => {
    if (segment === "*" && index !== segments.length - 1) {
      throw new TypeError(`Route ${method} ${pattern}: "*" may only be the last segment, as in "/files/*".`);
    }
    const route = `Route ${method} ${pattern}`;
    const before = `/${segments.slice(0, index).map((s) => `${s}/`).join("")}`;
    if (segment !== "*" && segment.includes("*")) {
      const prefix = segment.slice(0, segment.indexOf("*"));
      throw new TypeError(
        `${route}: "${segment}" glues "*" to other characters, which would only match them literally; "*" must be a ` +
          `whole last segment: write "${before}${prefix === "" ? "" : `${prefix}/`}*" and check the rest of ` +
          `ctx.params["*"] in the handler.`,
      );
    }
    if (segment.includes("{") || segment.includes("}")) {
      const name = /\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(segment)?.[1] ?? "name";
      throw new TypeError(
        `${route}: "${segment}" is not a parameter; write ":${name}", as in "${before}:${name}" ` +
          "(a parameter is a whole segment).",
      );
    }
    if (!segment.startsWith(":")) return;
    const name = segment.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || names.has(name)) {
      throw new TypeError(
        `Route ${method} ${pattern}: parameter "${segment}" must be ":" then a unique name of letters, digits or "_".`,
      );
    }
    names.add(name);
  });
}

function validateSchedules<Env>(name: string, value: unknown): ScheduledTrigger<Env>[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, index) => {
    const field = Array.isArray(value) ? `scheduled[${index}]` : "scheduled";
    const trigger = plainObject(name, field, item);
    rejectUnknown(name, field, trigger, ["cron", "run"]);
    const problem = typeof trigger.cron === "string" ? cronProblem(trigger.cron) : "is missing";
    if (problem !== undefined) {
      throw new DefinitionError(
        name,
        `${field}.cron`,
        trigger.cron,
        `must be a five-field cron expression: ${problem}`,
      );
    }
    requireFunction(name, `${field}.run`, trigger.run);
    return trigger as unknown as ScheduledTrigger<Env>;
  });
}

function requireFunction(name: string, field: string, value: unknown): void {
  if (typeof value !== "function") throw new DefinitionError(name, field, value, "must be a function");
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}
