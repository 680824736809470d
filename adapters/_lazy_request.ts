/**
 * The fast path, named: a `Request` that is built on first use.
 *
 * Building a `Request` is the single largest cost of an invocation (in Deno ~20× the cost of a `Response`, most of
 * it allocation and garbage collection; on Node 20 about a third of the adapter's own CPU), and the router only reads
 * `method` and `url`. Shared by the AWS Lambda and Node adapters. So the adapter hands over a
 * stand-in that knows those two values and builds the real `Request` the first time anything else is touched:
 * headers, body, `clone()`, `fetch(request)`, `new Request(request)`, `Request.prototype.text.call(request)`…
 * Every other access is forwarded to the real object, bound to it, so the handler cannot tell the difference:
 * `instanceof Request` holds and `url`/`method` are exactly what the real object reports. A handler that never
 * reads the request (a health check, a static answer) never pays for it.
 *
 * @module
 */

/** The state behind one lazy request; it is also the proxy's target, so inspecting the proxy shows the real one. */
class LazyRequest {
  readonly method: string;
  readonly url: string;
  readonly signal: () => AbortSignal;
  #make: (() => Request) | undefined;
  #real: Request | undefined;
  #bound: Map<PropertyKey, unknown> | undefined;

  constructor(method: string, url: string, signal: () => AbortSignal, make: () => Request) {
    this.method = method;
    this.url = url;
    this.signal = signal;
    this.#make = make;
  }

  real(): Request {
    if (this.#real === undefined) {
      const make = this.#make!;
      this.#make = undefined;
      this.#real = make();
    }
    return this.#real;
  }

  bound(prop: PropertyKey, fn: (...args: unknown[]) => unknown, real: Request): unknown {
    const cache = this.#bound ??= new Map();
    let bound = cache.get(prop);
    if (bound === undefined) cache.set(prop, bound = fn.bind(real));
    return bound;
  }

  [Symbol.for("Deno.customInspect")](inspect: (value: unknown, options: unknown) => string, options: unknown): string {
    return inspect(this.real(), options);
  }

  [Symbol.for("nodejs.util.inspect.custom")](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return inspect(this.real(), options);
  }
}

const TRAPS: ProxyHandler<LazyRequest> = {
  get(target, prop) {
    if (prop === "method") return target.method;
    if (prop === "url") return target.url;
    if (prop === "signal") return target.signal();
    const real = target.real();
    const value = Reflect.get(real, prop, real);
    // Methods run on the real object (their brand checks need it); `constructor` stays `Request` itself.
    if (typeof value !== "function" || prop === "constructor") return value;
    return target.bound(prop, value as (...args: unknown[]) => unknown, real);
  },
  set: (target, prop, value) => Reflect.set(target.real(), prop, value),
  has: (target, prop) => prop === "method" || prop === "url" || Reflect.has(target.real(), prop),
  getPrototypeOf: () => Request.prototype,
  ownKeys: (target) => Reflect.ownKeys(target.real()),
  getOwnPropertyDescriptor(target, prop) {
    const descriptor = Reflect.getOwnPropertyDescriptor(target.real(), prop);
    // The target must own a configurable property for the proxy to report one.
    if (descriptor !== undefined) descriptor.configurable = true;
    return descriptor;
  },
  defineProperty: (target, prop, descriptor) => Reflect.defineProperty(target.real(), prop, descriptor),
  deleteProperty: (target, prop) => Reflect.deleteProperty(target.real(), prop),
};

/**
 * A `Request` that is built by `make` on first use beyond `method` and `url`.
 *
 * @param method The normalized method, exactly as the real request will report it.
 * @param url The serialized URL, exactly as the real request will report it.
 * @param signal Gives what `request.signal` returns (Lambda: the invocation's deadline signal; Node: the client-gone
 *   signal). Called on each read of `request.signal`, so it should hand out the same signal every time, made lazily.
 * @param make Builds the real request; it may throw (then the access that triggered it throws).
 * @returns The request.
 */
export function lazyRequest(
  method: string,
  url: string,
  signal: () => AbortSignal,
  make: () => Request,
): Request {
  return new Proxy(new LazyRequest(method, url, signal, make), TRAPS) as unknown as Request;
}
