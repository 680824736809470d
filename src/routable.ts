/**
 * What `fetch` in `serverless()` accepts besides a plain handler, recognised by shape.
 *
 * @module
 */

import type { Context, DefaultEnv } from "./context.ts";
import type { RouteInfo } from "./handler.ts";

/**
 * What `fetch` accepts besides a plain handler: an object that answers with a context and lists its routes, as a
 * {@linkcode Router} does. Recognised by shape rather than class, so a function with a plain handler does not carry
 * the router in its bundle.
 */
export interface Routable<Env = DefaultEnv> {
  /**
   * Answers a request, synchronously or with a promise that must not reject (a {@linkcode Router} applies the error
   * policy itself).
   */
  fetch(request: Request, ctx: Context<Env>): Response | Promise<Response>;
  /** The routes, for `--info`. */
  readonly routes: readonly RouteInfo[];
}

/**
 * Whether a value is {@linkcode Routable}: an object with `fetch` and a `routes` array, as a `Router` is.
 *
 * @param value The `fetch` option.
 * @returns `true` when it can answer with a context and list its routes.
 *
 * @example Usage
 * ```ts
 * import { Router } from "../mod.ts";
 * import { isRoutable } from "./routable.ts";
 * console.assert(isRoutable(new Router()));
 * console.assert(!isRoutable(() => new Response()));
 * ```
 */
export function isRoutable<Env>(value: unknown): value is Routable<Env> {
  const candidate = value as Partial<Routable<Env>> | null;
  return typeof candidate?.fetch === "function" && Array.isArray(candidate.routes);
}
