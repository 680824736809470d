/**
 * Google Cloud Functions (Cloud Run functions) adapter, on `@google-cloud/functions-framework`.
 *
 * - {@linkcode handle}: the HTTP function `(req, res)`, a bridge to `Request`/`Response` with streaming.
 * - {@linkcode handleCloudEvent}: the CloudEvent function: Pub/Sub → `queue`, Cloud Scheduler → `scheduled`,
 *   others → `event`.
 * - {@linkcode register}: registers both with the framework's `http` and `cloudEvent`.
 *
 * @example Entry file (index.ts, deployed with --target=shop)
 * ```ts
 * import functions from "npm:@google-cloud/functions-framework@^5.0.5";
 * import { serverless } from "../mod.ts";
 * import { register } from "./gcp.ts";
 *
 * const shop = serverless({ name: "shop", fetch: () => new Response("hello") });
 * register(functions, shop);
 * ```
 *
 * @module
 */

export {
  gcpContext,
  type GcpHttpFunction,
  type GcpHttpRaw,
  type GcpRequest,
  type GcpResponse,
  handle,
} from "./gcp/http.ts";
export {
  type GcpCloudEvent,
  type GcpCloudEventFunction,
  type GcpFramework,
  type GcpRegisterOptions,
  type GcpRegistration,
  handleCloudEvent,
  type PubSubMessagePublished,
  register,
} from "./gcp/cloud_event.ts";
