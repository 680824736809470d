/**
 * Gives a function its bindings as clients in `ctx.env`, whatever adapter runs it: the entry `build` generates wraps
 * the function with {@linkcode withBindings} and the backends of its target, then hands it to the adapter as usual.
 *
 * A client is made on the first read of its name, from the environment the adapter gave (`process.env` on Lambda,
 * Azure, Google Cloud and Vercel), and kept for the life of the process or isolate: a cold start that never touches a
 * binding pays nothing for it, and a warm invocation reuses the client. Cloudflare's entry is never wrapped: there,
 * `ctx.env` already holds the native bindings.
 *
 * @example Give a function a DynamoDB KV
 * ```ts ignore
 * import { handle } from "../adapters/aws_lambda.ts";
 * import { withBindings } from "./with_bindings.ts";
 * import { dynamoDbKv } from "./dynamodb_kv.ts";
 * import base from "../examples/hello/main.ts";
 *
 * export const handler = handle(withBindings(base, { COUNTER: dynamoDbKv }));
 * ```
 *
 * @module
 */

import type { ServerlessFunction } from "../src/serverless.ts";
import type { EnvRecord } from "./_bytes.ts";

/** Makes the client of one binding from its name and the platform's environment: a backend's constructor. */
export type BindingFactory = (binding: string, env: EnvRecord) => unknown;

/**
 * Wraps a function so that each name in `factories` reads, in `ctx.env`, as the client its factory makes. Variables
 * and anything else in `ctx.env` stay as they were; a name the adapter already filled (an explicit `env` option of
 * `serve`) wins over the factory.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, as `serverless()` made it.
 * @param factories The backend constructor per binding name, e.g. `{ COUNTER: dynamoDbKv }`.
 * @returns The same function, its triggers seeing the clients.
 *
 * @example A KV in a local directory
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { withBindings } from "./with_bindings.ts";
 * import { localKv } from "./local_kv.ts";
 * import { createContext } from "../src/context.ts";
 *
 * const base = serverless<{ COUNTER: { put(k: string, v: string): Promise<void> } }>({
 *   name: "count",
 *   fetch: async (_req, ctx) => {
 *     await ctx.env.COUNTER.put("count", "1");
 *     return new Response("ok");
 *   },
 * });
 * const fn = withBindings(base, { COUNTER: localKv });
 * const dir = await Deno.makeTempDir();
 * const ctx = createContext({ platform: "node", env: { SLRS_COUNTER_FILE: `${dir}/counter.json` } as never });
 * console.assert((await fn.dispatch(new Request("http://x/"), ctx)).status === 200);
 * ```
 */
export function withBindings<Env>(
  fn: ServerlessFunction<Env>,
  factories: Readonly<Record<string, BindingFactory>>,
): ServerlessFunction<Env> {
  const names = Object.keys(factories);
  if (names.length === 0) return fn;
  const clients = new Map<string, unknown>();
  const views = new WeakMap<object, object>();
  const bound = <C extends { env: Env }>(ctx: C): C => {
    const env = (ctx.env ?? {}) as object;
    let view = views.get(env);
    if (view === undefined) views.set(env, view = bindingView(env, names, factories, clients));
    // The context is the adapter's own object: its env is replaced in place, so its private state stays intact.
    Object.defineProperty(ctx, "env", { value: view, configurable: true, enumerable: true });
    return ctx;
  };
  return {
    ...fn,
    get metadata() {
      return fn.metadata;
    },
    dispatch: (request, ctx) => fn.dispatch(request, bound(ctx)),
    scheduled: (event, ctx) => fn.scheduled(event, bound(ctx)),
    queue: (batch, ctx) => fn.queue(batch, bound(ctx)),
    event: (event, ctx) => fn.event(event, bound(ctx)),
  };
}

/** `env` seen through the bindings: their names read as clients, made on first read and shared by every view. */
function bindingView(
  env: object,
  names: readonly string[],
  factories: Readonly<Record<string, BindingFactory>>,
  clients: Map<string, unknown>,
): object {
  const isBinding = (key: string | symbol): key is string =>
    typeof key === "string" && Object.hasOwn(factories, key) && !Object.hasOwn(env, key);
  const client = (name: string): unknown => {
    if (!clients.has(name)) clients.set(name, factories[name]!(name, env as EnvRecord));
    return clients.get(name);
  };
  return new Proxy(env, {
    get: (target, key) => isBinding(key) ? client(key) : Reflect.get(target, key),
    has: (target, key) => isBinding(key) || Reflect.has(target, key),
    ownKeys: (target) => [...Reflect.ownKeys(target), ...names.filter((name) => !Object.hasOwn(target, name))],
    getOwnPropertyDescriptor: (target, key) =>
      isBinding(key)
        ? { value: client(key), writable: false, enumerable: true, configurable: true }
        : Reflect.getOwnPropertyDescriptor(target, key),
  });
}
