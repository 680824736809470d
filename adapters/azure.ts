/**
 * Azure Functions adapter (v4 Node programming model, `@azure/functions`).
 *
 * - {@linkcode handle}: the HTTP handler `(HttpRequest, InvocationContext) => HttpResponseInit`.
 * - {@linkcode register}: declares every trigger with `app.http`, `app.timer` and `app.storageQueue`.
 * - {@linkcode customHandler}: runs the same function on Azure as a custom handler (e.g. a Deno binary), for the
 *   host's proxied HTTP requests and its invocation payloads.
 *
 * @example Entry file (src/functions/shop.ts)
 * ```ts
 * import az from "npm:@azure/functions@^4.16.5";
 * import { serverless } from "../mod.ts";
 * import { register } from "./azure.ts";
 *
 * const shop = serverless({ name: "shop", fetch: () => new Response("hello") });
 * register(az.app, shop);
 * ```
 *
 * @module
 */

export { type AzureHttpOptions, type AzureRaw, handle, parseSetCookie } from "./azure/http.ts";
export {
  type AzureRegisterOptions,
  type AzureRegistration,
  ncrontab,
  queueHandler,
  register,
  scheduledHandler,
} from "./azure/triggers.ts";
export {
  customHandler,
  type CustomHandlerOptions,
  type InvocationPayload,
  type PayloadHttpRequest,
  payloadToRequest,
  responseToPayload,
} from "./azure/custom_handler.ts";
export type {
  AzureApp,
  AzureCookie,
  AzureHttpHandler,
  AzureHttpMethod,
  AzureHttpRequest,
  AzureHttpResponseInit,
  AzureInvocationContext,
  AzureTimer,
} from "./azure/types.ts";
