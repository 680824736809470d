/**
 * The {@linkcode Router}: methods and paths to handlers, with middleware, HEAD from GET, 405 with `Allow`, and a
 * route table that `cli.ts --info` reads.
 *
 * Trailing-slash policy: a route matches its path exactly. By default (`trailingSlash: "redirect"`) a request that
 * differs from a route only by a trailing slash is answered with a 308 redirect to the route's form, keeping the
 * query; with `trailingSlash: "strict"` it gets the 404.
 *
 * @module
 */

import { type Answer, expectResponse, settle } from "./answer.ts";
import type { Context, DefaultEnv } from "./context.ts";
import { DOT_PARAM_MESSAGE, hasDotSegment, routedPath } from "./dot_segments.ts";
import type { Handler, Method, RouteInfo } from "./handler.ts";
import { errorResponse, jsonError } from "./error_response.ts";
import { HttpError, statusText } from "./http_error.ts";
import { errorText } from "./log.ts";
import { validateRoute } from "./validate_definition.ts";

/** Calls the rest of the chain and resolves to its response. */
export type Next = () => Promise<Response>;

/** Runs around the rest of the chain: may answer early, or call `next()` and change its response. */
export type Middleware<Env = DefaultEnv> = (
  request: Request,
  ctx: Context<Env>,
  next: Next,
) => Response | Promise<Response>;

/** Turns an error thrown by a handler into a response. */
export type ErrorHandler<Env = DefaultEnv> = (
  error: unknown,
  request: Request,
  ctx: Context<Env>,
) => Response | Promise<Response>;

/** The names of the `:name` parameters in a path pattern, as a union of string literals. */
export type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}` ? Name
  : never;

/** The `params` a path pattern yields: one key per `:name`, plus `*` for a trailing wildcard. */
export type RouteParams<Path extends string> =
  & { [Name in ParamNames<Path>]: string }
  & (Path extends `${string}*` ? { "*": string } : unknown);

/** A handler or middleware of one route, whose `ctx.params` is typed from the route's path. */
export type RouteHandler<Env, Path extends string> = (
  request: Request,
  ctx: Context<Env> & { params: RouteParams<Path> },
  next: Next,
) => Response | Promise<Response>;

/**
 * Registers a route on a {@linkcode Router}: the path pattern (e.g. `/users/:id`), then middleware for this route,
 * then the handler. Returns the router, for chaining. `ctx.params` is typed from the pattern.
 */
export type AddRoute<Env, Self> = <Path extends string>(path: Path, ...handlers: RouteHandler<Env, Path>[]) => Self;

/** Options for {@linkcode Router}. */
export interface RouterOptions {
  /** What a request that differs from a route only by a trailing slash gets: a 308 to the route, or a 404. */
  trailingSlash?: "redirect" | "strict";
}

interface Route<Env> {
  readonly info: RouteInfo;
  readonly handlers: readonly Middleware<Env>[];
  readonly paramNames: readonly string[];
}

type MethodTable<Env> = Partial<Record<Method | "ALL", Route<Env>>>;

// The request's method indexes these tables: without a prototype, `constructor` or `__proto__` finds nothing.
const methodTable = <Env>(): MethodTable<Env> => Object.create(null);

interface Node<Env> {
  statics?: Map<string, Node<Env>>;
  param?: Node<Env>;
  methods?: MethodTable<Env>;
  wildcard?: MethodTable<Env>;
}

/** What {@linkcode Router.match} finds: the route and its decoded parameters. */
export interface RouteMatch {
  /** The matched route as registered. */
  readonly route: RouteInfo;
  /** The route parameters, percent-decoded. */
  readonly params: Record<string, string>;
}

interface Match<Env> {
  route: Route<Env>;
  values: string[];
  /** The route is the GET route answering a HEAD request: the body must be dropped. */
  headFromGet: boolean;
}

const METHODS: readonly Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/**
 * Routes requests by method and path.
 *
 * Paths take `:name` parameters (one segment, percent-decoded) and a trailing `*` (the rest of the path, in
 * `ctx.params["*"]`, percent-decoded too). A value that decodes to a `.` or `..` segment (`..%2F..%2Fetc`) is
 * answered 400, as is a request path with a dot segment (through `serverless()`), so a parameter never walks up a
 * directory the router did not see. Static segments win over parameters, which win over wildcards. Middleware
 * added with `use` runs for every request in onion order. HEAD is answered from GET with the body dropped; a path
 * that exists under other methods answers 405 with `Allow`, and OPTIONS on it answers 204 with `Allow` unless a
 * route handles it.
 *
 * @typeParam Env The shape of `ctx.env`.
 *
 * @example Routes, parameters and middleware
 * ```ts
 * import { createContext, Router } from "../mod.ts";
 *
 * const router = new Router()
 *   .use(async (_req, _ctx, next) => {
 *     const res = await next();
 *     res.headers.set("x-powered-by", "slrs");
 *     return res;
 *   })
 *   .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name }));
 *
 * const res = await router.fetch(new Request("http://localhost/hello/ada"), createContext({ platform: "fetch" }));
 * console.assert((await res.json()).hello === "ada");
 * console.assert(res.headers.get("x-powered-by") === "slrs");
 * ```
 */
export class Router<Env = DefaultEnv> {
  readonly #statics = new Map<string, MethodTable<Env>>();
  readonly #root: Node<Env> = {};
  readonly #middleware: Middleware<Env>[] = [];
  readonly #routes: RouteInfo[] = [];
  readonly #trailingSlash: "redirect" | "strict";
  #onError: ErrorHandler<Env> | undefined;
  #notFound: Handler<Env> | undefined;

  /**
   * Creates an empty router.
   *
   * @param options The trailing-slash policy.
   */
  constructor(options: RouterOptions = {}) {
    this.#trailingSlash = options.trailingSlash ?? "redirect";
  }

  /**
   * The registered routes, in registration order, for `--info`.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * const router = new Router().get("/a", () => new Response("a"));
   * console.assert(router.routes[0]?.path === "/a");
   * ```
   */
  get routes(): readonly RouteInfo[] {
    return this.#routes;
  }

  /**
   * Registers a GET route (which also answers HEAD).
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().get("/users/:id", (_req, ctx) => Response.json({ id: ctx.params.id }));
   * ```
   */
  declare get: AddRoute<Env, this>;

  /**
   * Registers a POST route.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().post("/orders", async (req) => Response.json(await req.json(), { status: 201 }));
   * ```
   */
  declare post: AddRoute<Env, this>;

  /**
   * Registers a PUT route.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().put("/items/:id", () => new Response(null, { status: 204 }));
   * ```
   */
  declare put: AddRoute<Env, this>;

  /**
   * Registers a PATCH route.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().patch("/items/:id", () => new Response(null, { status: 204 }));
   * ```
   */
  declare patch: AddRoute<Env, this>;

  /**
   * Registers a DELETE route.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().delete("/items/:id", () => new Response(null, { status: 204 }));
   * ```
   */
  declare delete: AddRoute<Env, this>;

  /**
   * Registers a HEAD route, which takes precedence over the GET route for HEAD requests.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().head("/health", () => new Response(null, { status: 204 }));
   * ```
   */
  declare head: AddRoute<Env, this>;

  /**
   * Registers an OPTIONS route, replacing the automatic 204 with `Allow`.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().options("/*", () => new Response(null, { status: 204, headers: { "access-control-allow-origin": "*" } }));
   * ```
   */
  declare options: AddRoute<Env, this>;

  /**
   * Registers a route for every method; a route for the specific method wins over it.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().all("/proxy/*", (req) => new Response(req.method));
   * ```
   */
  declare all: AddRoute<Env, this>;

  static {
    // One function makes all eight registrars, which keeps the deployment bundle small.
    const prototype = this.prototype as unknown as Record<string, unknown>;
    for (const method of [...METHODS, "ALL"] as const) {
      prototype[method.toLowerCase()] = function (this: Router<unknown>, path: string, ...handlers: unknown[]) {
        return this.#add(method, path, handlers);
      };
    }
  }

  /**
   * Adds middleware that runs for every request, matched or not, in the order added (onion order: the first added
   * is the outermost).
   *
   * @param middleware One or more middleware functions.
   * @returns This router, for chaining.
   *
   * @example Answer early
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().use((req, _ctx, next) =>
   *   req.headers.get("authorization") ? next() : new Response("Unauthorized", { status: 401 })
   * );
   * ```
   */
  use(...middleware: Middleware<Env>[]): this {
    this.#middleware.push(...middleware);
    return this;
  }

  /**
   * Sets the handler for every error thrown by middleware or handlers, {@linkcode HttpError}s included (among them
   * the 400 for a malformed path parameter). What it throws, or a value that is not a `Response`, goes to the
   * default policy: rethrow the error to get the default answer for it (an `HttpError`'s status, else 500 with the
   * request id).
   *
   * @param handler Turns the error into a response.
   * @returns This router, for chaining.
   *
   * @example Usage
   * ```ts
   * import { HttpError, Router } from "../mod.ts";
   * new Router().onError((error, _req, ctx) => {
   *   if (error instanceof HttpError) throw error; // the default answer: its status and message
   *   return Response.json({ oops: "please retry", id: ctx.requestId }, { status: 500 });
   * });
   * ```
   */
  onError(handler: ErrorHandler<Env>): this {
    this.#onError = handler;
    return this;
  }

  /**
   * Sets the handler for requests no route matches (by default: JSON 404 with the request id).
   *
   * @param handler Answers unmatched requests.
   * @returns This router, for chaining.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * new Router().notFound(() => new Response("Nothing here", { status: 404 }));
   * ```
   */
  notFound(handler: Handler<Env>): this {
    this.#notFound = handler;
    return this;
  }

  /**
   * Finds the route for a method and path without running anything. HEAD falls back to GET.
   *
   * @param method The request method, upper case.
   * @param path The URL path, percent-encoded as in a request URL, without the query.
   * @returns The route and its parameters, or `undefined` when nothing matches.
   * @throws {HttpError} 400 when a parameter has malformed percent-encoding.
   *
   * @example Usage
   * ```ts
   * import { Router } from "../mod.ts";
   * const router = new Router().get("/users/:id", () => new Response());
   * console.assert(router.match("GET", "/users/7")?.params.id === "7");
   * console.assert(router.match("POST", "/users/7") === undefined);
   * ```
   */
  match(method: string, path: string): RouteMatch | undefined {
    const match = this.#match(method, path);
    return match && { route: match.route.info, params: paramsOf(match) };
  }

  /**
   * Answers a request: routing, middleware, the handler, and the error policy.
   *
   * @param request The request.
   * @param ctx Its context; `ctx.params` is set from the matched route.
   * @returns The response (synchronously when the handler answered synchronously), or a promise that never rejects.
   *
   * @example Usage
   * ```ts
   * import { createContext, Router } from "../mod.ts";
   * const router = new Router().get("/", () => new Response("home"));
   * const res = await router.fetch(new Request("http://localhost/nowhere"), createContext({ platform: "fetch" }));
   * console.assert(res.status === 404);
   * ```
   */
  fetch(request: Request, ctx: Context<Env>): Response | Promise<Response> {
    return settle(() => this.#dispatch(request, ctx), (error) => this.#recover(error, request, ctx));
  }

  #dispatch(request: Request, ctx: Context<Env>): Answer {
    const method = request.method;
    const path = routedPath(request.url);
    const match = this.#match(method, path);
    // What the end of the chain answers: 405, a trailing-slash redirect or 404.
    const unmatched = () => this.#unmatched(request, ctx, method, path);
    if (!match) return this.#chain(request, ctx, [], unmatched);
    ctx.params = paramsOf(match);
    const { handlers, info } = match.route;
    // Fast path: a lone handler with no middleware needs no chain.
    if (handlers.length === 1 && this.#middleware.length === 0 && !match.headFromGet) {
      return expectResponse(handlers[0]!(request, ctx, () => Promise.resolve(unmatched())), info);
    }
    const answer = this.#chain(request, ctx, handlers, unmatched, info);
    return match.headFromGet ? answer.then(withoutBody) : answer;
  }

  #chain(
    request: Request,
    ctx: Context<Env>,
    handlers: readonly Middleware<Env>[],
    last: () => Response | Promise<Response>,
    route?: RouteInfo,
  ): Promise<Response> {
    const chain = this.#middleware.length === 0 ? handlers : [...this.#middleware, ...handlers];
    let reached = -1;
    const step = async (index: number): Promise<Response> => {
      if (index <= reached) throw new Error("A middleware called next() more than once.");
      reached = index;
      const handler = chain[index];
      return await expectResponse(await (handler ? handler(request, ctx, () => step(index + 1)) : last()), route);
    };
    return step(0);
  }

  #recover(error: unknown, request: Request, ctx: Context<Env>): Answer {
    const onError = this.#onError;
    if (!onError) return errorResponse(error, ctx);
    return settle(() => expectResponse(onError(error, request, ctx), "onError handler"), (failure) => {
      // Rethrowing is how onError hands an error back to the defaults; anything else is a bug of its own, and the
      // error it was given must not vanish from the log with it.
      if (failure !== error) ctx.log.error("onError failed on this error", { error: errorText(error) });
      return errorResponse(failure, ctx);
    });
  }

  #unmatched(request: Request, ctx: Context<Env>, method: string, path: string): Response | Promise<Response> {
    const allowed = this.#allowedMethods(path);
    if (allowed.length > 0) {
      const allow = allowed.join(", ");
      if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow } });
      return jsonError(405, statusText(405), ctx.requestId, { allow });
    }
    if (this.#trailingSlash === "redirect" && path !== "/") {
      const other = path.endsWith("/") ? path.slice(0, -1) : `${path}/`;
      if (this.#match(method, other)) {
        const query = request.url.indexOf("?");
        const location = query === -1 ? other : other + request.url.slice(query);
        return new Response(null, { status: 308, headers: { location } });
      }
    }
    if (this.#notFound) return this.#notFound(request, ctx);
    return jsonError(404, statusText(404), ctx.requestId);
  }

  #add(method: Method | "ALL", pattern: string, handlers: readonly unknown[]): this {
    validateRoute(method, pattern, handlers);
    // The URL parser gives static segments the percent-encoding that request URLs have, so both compare alike.
    const path = new URL(pattern, "http://localhost").pathname;
    const paramNames: string[] = [];
    let node = this.#root;
    let isStatic = true;
    for (const segment of path.slice(1).split("/")) {
      if (segment === "*") {
        paramNames.push("*");
        isStatic = false;
      } else if (segment.startsWith(":")) {
        paramNames.push(segment.slice(1));
        node = node.param ??= {};
        isStatic = false;
      } else {
        node = entry(node.statics ??= new Map(), segment, () => ({}));
      }
    }
    const table = isStatic
      ? entry(this.#statics, path, methodTable<Env>)
      : paramNames.at(-1) === "*"
      ? (node.wildcard ??= methodTable())
      : (node.methods ??= methodTable());
    if (table[method]) throw new TypeError(`Route ${method} ${pattern} is registered twice.`);
    const info: RouteInfo = { method, path };
    table[method] = { info, handlers: handlers as Middleware<Env>[], paramNames };
    this.#routes.push(info);
    return this;
  }

  #match(method: string, path: string): Match<Env> | undefined {
    const values: string[] = [];
    const table = this.#statics.get(path);
    if (table) {
      const match = pick(table, method, values);
      if (match) return match;
    }
    return find(this.#root, path, 1, method, values);
  }

  // The methods some route answers on this path (HEAD wherever GET is), in a fixed order, for `Allow`. Only unmatched
  // requests get here, so a lookup per method costs nothing on the hot path.
  #allowedMethods(path: string): Method[] {
    return METHODS.filter((method) => this.#match(method, path));
  }
}

function entry<Value>(map: Map<string, Value>, key: string, make: () => Value): Value {
  let value = map.get(key);
  if (value === undefined) map.set(key, value = make());
  return value;
}

function pick<Env>(table: MethodTable<Env>, method: string, values: string[]): Match<Env> | undefined {
  const route = table[method as Method] ?? table.ALL;
  if (route) return { route, values, headFromGet: false };
  if (method === "HEAD" && table.GET) return { route: table.GET, values, headFromGet: true };
  return undefined;
}

// Depth-first over path segments; `start` indexes the current segment, and `start > path.length` means the path is
// used up. Static children are tried before the parameter child, and both before a wildcard.
function find<Env>(
  node: Node<Env>,
  path: string,
  start: number,
  method: string,
  values: string[],
): Match<Env> | undefined {
  if (start > path.length) {
    const match = node.methods && pick(node.methods, method, values);
    if (match || !node.wildcard) return match;
    values.push("");
    return pick(node.wildcard, method, values) ?? void values.pop();
  }
  let end = path.indexOf("/", start);
  if (end === -1) end = path.length;
  const child = node.statics?.get(path.slice(start, end));
  if (child) {
    const match = find(child, path, end + 1, method, values);
    if (match) return match;
  }
  if (node.param && end > start) {
    values.push(path.slice(start, end));
    const match = find(node.param, path, end + 1, method, values);
    if (match) return match;
    values.pop();
  }
  if (!node.wildcard) return undefined;
  values.push(path.slice(start));
  return pick(node.wildcard, method, values) ?? void values.pop();
}

function paramsOf<Env>(match: Match<Env>): Record<string, string> {
  const params: Record<string, string> = {};
  const names = match.route.paramNames;
  for (let i = 0; i < names.length; i++) params[names[i]!] = decodeParam(match.values[i]!);
  return params;
}

// Decoded, a value may hold a `/` the router never split on (`..%2F..%2Fetc`); one that would make a dot segment of
// it is refused, so a handler joining `ctx.params["*"]` to a directory cannot be walked out of it.
function decodeParam(value: string): string {
  let decoded = value;
  if (value.includes("%")) {
    try {
      decoded = decodeURIComponent(value);
    } catch {
      throw new HttpError(400, `Malformed percent-encoding in path segment "${value}".`);
    }
  }
  if (hasDotSegment(decoded)) throw new HttpError(400, DOT_PARAM_MESSAGE);
  return decoded;
}

function withoutBody(response: Response): Response {
  void response.body?.cancel();
  // A Response is a valid init: its status, status text and headers.
  return new Response(null, response);
}
