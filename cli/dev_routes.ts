/**
 * Which of several functions `dev` hands a request to: every function's routes in one table, matched the way the
 * router matches (static before parameter before wildcard), so `dev` with no entry serves each function under its
 * own routes, as separate deployments behind one gateway would.
 *
 * @module
 */

import { Router } from "../src/router.ts";
import type { RouteInfo } from "../src/handler.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import { CliError } from "./errors.ts";

/** A function `dev` serves, with the module it came from. */
export interface DevFunction {
  /** The function. */
  readonly fn: ServerlessFunction<Record<string, unknown>>;
  /** The entry module, relative to the project, for messages. */
  readonly entry: string;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/**
 * Every served function's routes in one table.
 *
 * @example Two functions, each under its routes
 * ```ts
 * import { Router, serverless } from "../mod.ts";
 * import { RouteTable } from "./dev_routes.ts";
 *
 * const users = serverless({ name: "users", fetch: new Router().get("/users/:id", () => new Response("u")) });
 * const orders = serverless({ name: "orders", fetch: new Router().post("/orders", () => new Response("o")) });
 * const table = new RouteTable([{ fn: users, entry: "users.ts" }, { fn: orders, entry: "orders.ts" }]);
 * console.assert(table.owner("POST", "/orders").fn.name === "orders");
 * console.assert(table.owner("GET", "/users/7").fn.name === "users");
 * ```
 */
export class RouteTable {
  readonly #functions: readonly DevFunction[];
  readonly #router = new Router({ trailingSlash: "strict" });
  // Keyed by the route as registered; a Map, so no request path can reach a prototype key.
  readonly #owners = new Map<string, DevFunction>();

  /**
   * Builds the table.
   *
   * @param functions The functions, in the order their entries were found.
   * @throws {CliError} When two functions have the same name, or register the same route (same path shape,
   *   overlapping methods).
   */
  constructor(functions: readonly DevFunction[]) {
    this.#functions = functions;
    for (const [i, served] of functions.entries()) {
      const twin = functions.slice(0, i).find((other) => other.fn.name === served.fn.name);
      if (twin !== undefined) {
        throw new CliError(
          `two entries define a function named "${served.fn.name}" (${twin.entry} and ${served.entry}); ` +
            "names must be unique, as each becomes its own deployment.",
        );
      }
    }
    const conflicts = routeConflicts(functions);
    if (conflicts.length > 0) {
      throw new CliError(
        `two functions claim the same route, so dev cannot tell which one answers:\n  ${
          conflicts.join("\n  ")
        }\nGive one of them another path, or serve one at a time (cli.ts dev <entry>).`,
      );
    }
    for (const served of functions) {
      for (const route of served.fn.metadata.routes) {
        const add = route.method === "ALL" ? this.#router.all : this.#router[lower(route.method)];
        add.call(this.#router, route.path, () => new Response(null));
        this.#owners.set(key(route), served);
      }
    }
  }

  /**
   * The function that answers `method path`. A path no route matches goes to the function that has it under
   * another method (so it answers 405), else to the one that has it with or without a trailing slash (its
   * redirect), else to the first function, whose router answers the 404.
   *
   * @param method The request's method.
   * @param path The request's path, as received.
   * @returns The function.
   */
  owner(method: string, path: string): DevFunction {
    const candidates = [path, path.endsWith("/") ? path.slice(0, -1) : `${path}/`];
    for (const candidate of candidates) {
      for (const tried of [method, ...METHODS]) {
        const match = this.#router.match(tried, candidate);
        if (match !== undefined) return this.#owners.get(key(match.route))!;
      }
    }
    return this.#functions[0]!;
  }
}

/**
 * The routes two functions both register, one line each naming both.
 *
 * @param functions The served functions.
 * @returns One sentence per conflict; empty when there is none.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { routeConflicts } from "./dev_routes.ts";
 * const a = serverless({ name: "a", fetch: () => new Response("a") });
 * const b = serverless({ name: "b", fetch: () => new Response("b") });
 * console.assert(routeConflicts([{ fn: a, entry: "a.ts" }, { fn: b, entry: "b.ts" }]).length === 1);
 * ```
 */
export function routeConflicts(functions: readonly DevFunction[]): string[] {
  const seen = new Map<string, { served: DevFunction; route: RouteInfo }[]>();
  const conflicts: string[] = [];
  for (const served of functions) {
    for (const route of served.fn.metadata.routes) {
      // `/users/:id` and `/users/:name` match the same requests.
      const shape = route.path.replace(/:[^/]+/g, ":");
      const earlier = seen.get(shape) ?? [];
      for (const other of earlier) {
        const overlap = other.route.method === "ALL" || route.method === "ALL" || other.route.method === route.method;
        if (overlap && other.served !== served) {
          conflicts.push(
            `${describe(other.route)} of "${other.served.fn.name}" (${other.served.entry}) and ` +
              `${describe(route)} of "${served.fn.name}" (${served.entry})`,
          );
        }
      }
      seen.set(shape, [...earlier, { served, route }]);
    }
  }
  return conflicts;
}

function describe(route: RouteInfo): string {
  return `${route.method} ${route.path}`;
}

function key(route: RouteInfo): string {
  return `${route.method} ${route.path}`;
}

function lower(method: Exclude<RouteInfo["method"], "ALL">) {
  return method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete" | "head" | "options";
}
