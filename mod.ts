/**
 * slrs: write a serverless function once against web-standard `Request`/`Response`, and run it on AWS Lambda,
 * Cloudflare Workers, Azure Functions, Vercel, Google Cloud Functions, Deno and Node through one adapter each.
 *
 * @example Define a function
 * ```ts
 * import { Router, serverless } from "@slrs/core";
 *
 * export default serverless({
 *   name: "hello",
 *   requirements: { memory: 256, timeout: 10 },
 *   fetch: new Router().get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name })),
 * });
 * ```
 *
 * @module
 */

export { type BackendKind, type BackendName, type BindingBackend } from "./src/binding_backends.ts";
export { type Context, type ContextInit, createContext, type DefaultEnv, type Platform } from "./src/context.ts";
export { closest, DefinitionError } from "./src/definition_error.ts";
export { errorResponse, jsonError } from "./src/error_response.ts";
export {
  type EventTrigger,
  type QueueTrigger,
  type ScheduledTrigger,
  type ServerlessOptions,
} from "./src/definition.ts";
export {
  type CloudEvent,
  type Message,
  type MessageBatch,
  type MessageInit,
  type MessageOutcome,
  type RetryOptions,
  type ScheduledEvent,
  trackBatch,
  type TrackedBatch,
} from "./src/events.ts";
export { type Handler, type Method, type RouteInfo } from "./src/handler.ts";
export { HttpError, type HttpErrorOptions, statusText } from "./src/http_error.ts";
export {
  describeFunction,
  type FunctionInfo,
  type FunctionSource,
  type InfoDocument,
  type Overrides,
  type PlatformInfo,
  validateOverrides,
} from "./src/info.ts";
export {
  consoleSink,
  createLogger,
  errorText,
  type Logger,
  type LogLevel,
  logLine,
  type LogRecord,
  type LogSink,
} from "./src/log.ts";
export { type PlatformAdvice, type PlatformName, type SettingValue } from "./src/platforms.ts";
export { isRoutable, type Routable } from "./src/routable.ts";
export { type Architecture, type Bindings, type Requirements } from "./src/requirements.ts";
export {
  type AddRoute,
  type ErrorHandler,
  type Middleware,
  type Next,
  type ParamNames,
  type RouteHandler,
  type RouteMatch,
  type RouteParams,
  Router,
  type RouterOptions,
} from "./src/router.ts";
export {
  type FunctionMetadata,
  isServerlessFunction,
  serverless,
  type ServerlessFunction,
  type Trigger,
} from "./src/serverless.ts";
export { VERSION } from "./src/version.ts";
