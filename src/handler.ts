/**
 * What a handler is, and the rows of a route table: the types the router, the function definition and the answer
 * helpers share, kept apart so none of them has to import another.
 *
 * @module
 */

import type { Context, DefaultEnv } from "./context.ts";

/** An HTTP method a route can be registered for. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

/** One row of {@linkcode Router.routes}: `ALL` stands for a route registered with `all()`. */
export interface RouteInfo {
  /** The method, or `ALL`. */
  readonly method: Method | "ALL";
  /** The path pattern as registered, normalized (e.g. `/users/:id`). */
  readonly path: string;
}

/** Answers a request. */
export type Handler<Env = DefaultEnv> = (request: Request, ctx: Context<Env>) => Response | Promise<Response>;
