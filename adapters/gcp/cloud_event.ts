/**
 * Google Cloud Functions / Cloud Run functions: CloudEvents from the functions-framework to the function's
 * triggers: Pub/Sub to `queue`, Cloud Scheduler to `scheduled`, everything else (Storage, Firestore, Audit Logs…)
 * to `event`.
 *
 * @module
 */

import { type CloudEvent, type Context, type ServerlessFunction, trackBatch } from "../../mod.ts";
import { pending } from "../_env.ts";
import { runSingleMessage } from "../_single_message.ts";
import { gcpContext, type GcpHttpFunction, handle } from "./http.ts";

/** A CloudEvent as the framework parses it (structured mode: the JSON body; binary mode: `ce-*` headers + body). */
export interface GcpCloudEvent {
  /** The spec version, `"1.0"`. */
  specversion: string;
  /** The event id. */
  id: string;
  /** Where it happened, e.g. `//pubsub.googleapis.com/projects/p/topics/t`. */
  source: string;
  /** What happened, e.g. `google.cloud.storage.object.v1.finalized`. */
  type: string;
  /** When, RFC 3339. */
  time?: string | undefined;
  /** What it happened to, e.g. `objects/MyFile`. */
  subject?: string | undefined;
  /** The payload. */
  data?: unknown;
  /** Other attributes and extensions (e.g. `traceparent`, which the framework adds). */
  [attribute: string]: unknown;
}

/** The CloudEvent function the framework calls with the event it parsed (structured or binary mode). */
export type GcpCloudEventFunction = (event: GcpCloudEvent) => Promise<void>;

/** The Pub/Sub `messagePublished` data. */
export interface PubSubMessagePublished {
  /** The message. */
  message?: {
    /** The payload, base64. */
    data?: string;
    /** The message id. */
    messageId?: string;
    /** When it was published. */
    publishTime?: string;
    /** Attributes. */
    attributes?: Record<string, string>;
  };
  /** The subscription that delivered it. */
  subscription?: string;
  /** The delivery count, when the subscription has a dead-letter policy. */
  deliveryAttempt?: number;
}

const PUBSUB = "google.cloud.pubsub.topic.v1.messagePublished";
const SCHEDULER = "google.cloud.scheduler.job.v1.executed";

/**
 * Makes the functions-framework CloudEvent function for a function: `functions.cloudEvent(name,
 * handleCloudEvent(fn))`. Pub/Sub messages go to `queue` (a batch of one; the body is the decoded data, parsed as
 * JSON when it is JSON, a `Uint8Array` when it is not UTF-8 text; `retry()`, or a thrown error before `ack()`, fails
 * the delivery so Pub/Sub redelivers it), Cloud Scheduler
 * runs go to `scheduled` (the cron is the job's body when it names a declared cron, else the only one declared),
 * and other events, or these when the function lacks that trigger, go to `event` as they are.
 *
 * @param fn The function.
 * @returns The CloudEvent function.
 *
 * @example Deliver a Storage event
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { handleCloudEvent } from "./cloud_event.ts";
 *
 * const seen: string[] = [];
 * const fn = serverless({ name: "files", event: { run: (e) => void seen.push(e.type) } });
 * await handleCloudEvent(fn)({
 *   specversion: "1.0",
 *   id: "1",
 *   source: "//storage.googleapis.com/projects/_/buckets/b",
 *   type: "google.cloud.storage.object.v1.finalized",
 * });
 * console.assert(seen[0] === "google.cloud.storage.object.v1.finalized");
 * ```
 */
export function handleCloudEvent(fn: ServerlessFunction<never>): GcpCloudEventFunction {
  const kinds = new Set(fn.metadata.triggers.map((t) => t.type));
  return async (received) => {
    const event = received as CloudEvent;
    const work = pending();
    const ctx = gcpContext(event.id, event, work.add) as Context<never>;
    try {
      if (event.type === PUBSUB && kinds.has("queue")) await runQueue(fn, event, ctx);
      else if (event.type === SCHEDULER && kinds.has("schedule")) await runScheduled(fn, event, ctx);
      else await fn.event(event, ctx);
    } finally {
      await work.settled();
    }
  };
}

async function runQueue(fn: ServerlessFunction<never>, event: CloudEvent, ctx: Context<never>): Promise<void> {
  const data = (event.data ?? {}) as PubSubMessagePublished;
  const message = data.message ?? {};
  const id = message.messageId ?? event.id;
  const published = Date.parse(message.publishTime ?? event.time ?? "");
  const tracked = trackBatch(topicOf(event.source), [{
    id,
    body: messageBody(message.data, id, ctx),
    attempts: data.deliveryAttempt ?? 1,
    timestamp: new Date(Number.isNaN(published) ? Date.now() : published),
  }]);
  await runSingleMessage(fn, tracked, ctx, "failing the delivery so Pub/Sub sends it again");
}

// A message's data is base64 of any bytes. Text is parsed as JSON when it is JSON; bytes that are not UTF-8 are
// handed over as they are, never decoded with replacement characters. Data that is not base64 at all cannot come
// from Pub/Sub itself: it still reaches the handler, as the string that arrived, rather than failing every
// delivery of the message before any code could ack it.
function messageBody(data: string | undefined, id: string, ctx: Context<never>): unknown {
  if (data === undefined) return undefined;
  const bytes = base64Bytes(data);
  if (bytes === undefined) {
    ctx.log.warn("Pub/Sub message data is not base64; the body is the data as it arrived", { message: id });
    return data;
  }
  return textOrBytes(bytes);
}

function base64Bytes(data: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function textOrBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return bytes;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// `//pubsub.googleapis.com/projects/p/topics/orders` → `orders`.
function topicOf(source: string): string {
  return /\/topics\/([^/]+)$/.exec(source)?.[1] ?? source;
}

async function runScheduled(fn: ServerlessFunction<never>, event: CloudEvent, ctx: Context<never>): Promise<void> {
  const crons = fn.metadata.triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
  const customData = (event.data as { customData?: string } | undefined)?.customData;
  const bytes = customData === undefined ? undefined : base64Bytes(customData);
  const body = bytes === undefined ? customData : textOrBytes(bytes);
  const cron = crons.find((c) => c === body) ?? (crons.length === 1 ? crons[0] : undefined);
  if (cron === undefined) {
    throw new Error(
      `Cloud Scheduler event ${event.id} from ${event.source} names no declared cron (body: ${
        JSON.stringify(body)
      }); ` +
        `with several schedules, give each job one of ${crons.map((c) => `"${c}"`).join(", ")} as its body.`,
    );
  }
  const time = Date.parse(event.time ?? "");
  await fn.scheduled({ cron, scheduledTime: Number.isNaN(time) ? Date.now() : time }, ctx);
}

/** The part of `@google-cloud/functions-framework` that {@linkcode register} uses. */
export interface GcpFramework {
  /** Registers an HTTP function. */
  http(name: string, handler: GcpHttpFunction): void;
  /** Registers a CloudEvent function. */
  cloudEvent(name: string, handler: GcpCloudEventFunction): void;
}

/** Options for {@linkcode register}. */
export interface GcpRegisterOptions {
  /** The HTTP function's name (its `--target`). Default: the function's name. */
  httpTarget?: string;
  /** The CloudEvent function's name. Default: the function's name, or `<name>-events` when it also answers HTTP. */
  eventTarget?: string;
}

/** The names {@linkcode register} registered, to pass as `--target` when deploying. */
export interface GcpRegistration {
  /** The HTTP function's name, if the function answers HTTP. */
  http?: string;
  /** The CloudEvent function's name, if it has scheduled, queue or event triggers. */
  cloudEvent?: string;
}

/**
 * Registers a function with the functions-framework: `http` for its routes, `cloudEvent` for its scheduled, queue
 * and event triggers. Google deploys one signature per function, so a function with both is deployed twice.
 *
 * @param functions The default export of `@google-cloud/functions-framework`.
 * @param fn The function.
 * @param options The targets' names.
 * @returns The names registered.
 *
 * @example Usage
 * ```ts
 * import functions from "npm:@google-cloud/functions-framework@^5.0.5";
 * import { serverless } from "../../mod.ts";
 * import { register } from "./cloud_event.ts";
 *
 * const fn = serverless({ name: "orders", fetch: () => new Response("ok"), queue: { name: "orders", run: () => {} } });
 * const names = register(functions, fn);
 * console.assert(names.http === "orders" && names.cloudEvent === "orders-events");
 * ```
 */
export function register(
  functions: GcpFramework,
  fn: ServerlessFunction<never>,
  options: GcpRegisterOptions = {},
): GcpRegistration {
  const types = new Set(fn.metadata.triggers.map((t) => t.type));
  const registration: GcpRegistration = {};
  if (types.has("http")) {
    registration.http = options.httpTarget ?? fn.name;
    functions.http(registration.http, handle(fn));
  }
  if (types.has("schedule") || types.has("queue") || types.has("event")) {
    registration.cloudEvent = options.eventTarget ?? (types.has("http") ? `${fn.name}-events` : fn.name);
    functions.cloudEvent(registration.cloudEvent, handleCloudEvent(fn));
  }
  return registration;
}
