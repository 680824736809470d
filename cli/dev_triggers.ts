/**
 * The dev server's routes for the triggers that are not HTTP: `POST /__slrs/queue/<queue>` hands a batch to the
 * function consuming that queue and answers with what became of each message, `POST /__slrs/event` hands a
 * CloudEvent to the functions with an `event` trigger. dev_command.ts lets only this machine reach them
 * (dev_guard.ts).
 *
 * @module
 */

import type { Context } from "../src/context.ts";
import { type CloudEvent, type MessageInit, type MessageOutcome, trackBatch } from "../src/events.ts";
import type { DevFunction as ServedFunction } from "./dev_routes.ts";

/** A served function, with where its queue batches run when not in this process. */
export interface DevFunction extends ServedFunction {
  /** Runs its batches (through the platform's runtime); in this process when absent. */
  readonly queue?: QueueRunner | undefined;
}

/** The context a trigger runs with, made by dev per function. */
export type TriggerContext = (served: DevFunction) => Context<Record<string, unknown>>;

/** What each message outcome is called in the answer: the platform's word for what happens next. */
const OUTCOME_WORDS: Record<MessageOutcome | "threw", string> = {
  ack: "acked",
  retry: "retried",
  unsettled: "acked", // left alone and the handler returned: every platform counts it done
  threw: "failed", // left alone and the handler threw: delivered again
};

/**
 * Delivers a batch to the consumer of `queue`: the body is a JSON array of message bodies, or
 * `{ "messages": [{ "body": …, "id"?: "…", "attempts"?: 1 }] }`.
 *
 * @param functions The served functions.
 * @param queue The queue's name, from the path.
 * @param request The request with the batch.
 * @param context Makes the trigger's context.
 * @returns 200 with `{ queue, function, messages: [{ id, outcome }] }` (500 with the request id when the handler
 *   threw), 400 for a malformed batch, 404 naming the known queues.
 *
 * @example Usage
 * ```ts
 * import { createContext, serverless } from "../mod.ts";
 * import { deliverQueue } from "./dev_triggers.ts";
 * const fn = serverless({ name: "a", queue: { name: "jobs", run: (batch) => batch.ackAll() } });
 * const req = new Request("http://localhost/__slrs/queue/jobs", { method: "POST", body: "[1, 2]" });
 * const res = await deliverQueue([{ fn, entry: "a.ts" }], "jobs", req, () => createContext({ platform: "dev" }));
 * console.assert((await res.json()).messages[0].outcome === "acked");
 * ```
 */
export async function deliverQueue(
  functions: readonly DevFunction[],
  queue: string,
  request: Request,
  context: TriggerContext,
): Promise<Response> {
  const consumer = consumerOf(functions, queue);
  if (consumer instanceof Response) return consumer;
  const messages = parseBatch(await request.text());
  if (typeof messages === "string") return Response.json({ error: messages }, { status: 400 });
  return await runBatch(consumer, queue, messages, context);
}

/**
 * Delivers messages as they are (bodies of any type: bytes stay bytes) to the consumer of `queue`; what
 * {@linkcode deliverQueue} does once it has parsed its request, for a producer in this process.
 *
 * @param functions The served functions.
 * @param queue The queue's name.
 * @param messages The messages, their bodies as the consumer receives them.
 * @param context Makes the trigger's context.
 * @returns As {@linkcode deliverQueue}.
 *
 * @example Usage
 * ```ts
 * import { createContext, serverless } from "../mod.ts";
 * import { deliverBatch } from "./dev_triggers.ts";
 * const fn = serverless({ name: "a", queue: { name: "jobs", run: (batch) => batch.ackAll() } });
 * const message = { id: "1", body: new Uint8Array([0, 255]), attempts: 1, timestamp: new Date() };
 * const res = await deliverBatch([{ fn, entry: "a.ts" }], "jobs", [message], () => createContext({ platform: "dev" }));
 * console.assert(res.status === 200);
 * ```
 */
export async function deliverBatch(
  functions: readonly DevFunction[],
  queue: string,
  messages: readonly MessageInit[],
  context: TriggerContext,
): Promise<Response> {
  const consumer = consumerOf(functions, queue);
  if (consumer instanceof Response) return consumer;
  return await runBatch(consumer, queue, messages, context);
}

async function runBatch(
  consumer: DevFunction,
  queue: string,
  messages: readonly MessageInit[],
  context: TriggerContext,
): Promise<Response> {
  const ctx = context(consumer);
  const run = consumer.queue ??
    ((queue: string, messages: readonly MessageInit[]) => runQueue(consumer, queue, messages, ctx));
  const report = await run(queue, messages);
  const body = { queue, function: consumer.fn.name, messages: report.messages, requestId: ctx.requestId };
  return Response.json(report.failed ? { ...body, error: "queue handler failed" } : body, {
    status: report.failed ? 500 : 200,
  });
}

/** What became of a delivered batch: each message's outcome, and whether the handler threw. */
export interface QueueReport {
  /** One entry per message, in delivery order. */
  messages: { id: string; outcome: string; delaySeconds?: number }[];
  /** The handler threw (or the platform reported the invocation failed). */
  failed: boolean;
}

/** Runs a batch somewhere else than in this process (in workerd, for `--target cloudflare`). */
export type QueueRunner = (queue: string, messages: readonly MessageInit[]) => Promise<QueueReport>;

/** The function whose queue trigger consumes `queue`, or the 404 that names the known queues. */
function consumerOf(functions: readonly DevFunction[], queue: string): DevFunction | Response {
  const consumer = functions.find(({ fn }) =>
    fn.metadata.triggers.some((t) => t.type === "queue" && t.queue === queue)
  );
  if (consumer !== undefined) return consumer;
  const known = functions.flatMap(({ fn }) => fn.metadata.triggers.flatMap((t) => t.type === "queue" ? [t.queue] : []));
  const list = known.length === 0 ? "no served function consumes a queue" : `the known queues are ${known.join(", ")}`;
  return Response.json({ error: `No function consumes the queue ${JSON.stringify(queue)}; ${list}.`, known }, {
    status: 404,
  });
}

async function runQueue(
  consumer: DevFunction,
  queue: string,
  messages: readonly MessageInit[],
  ctx: Context<Record<string, unknown>>,
): Promise<QueueReport> {
  const tracked = trackBatch(queue, messages);
  let threw = false;
  try {
    await consumer.fn.queue(tracked.batch, ctx);
  } catch (error) {
    threw = true;
    ctx.log.error("queue handler failed", { error: error instanceof Error ? error.stack : String(error) });
  }
  const outcomes = [...tracked.outcomes].map(([id, outcome]) => {
    const word = OUTCOME_WORDS[threw && outcome === "unsettled" ? "threw" : outcome];
    const delay = tracked.retryDelays.get(id);
    return delay === undefined || outcome !== "retry"
      ? { id, outcome: word }
      : { id, outcome: word, delaySeconds: delay };
  });
  return { messages: outcomes, failed: threw };
}

function parseBatch(text: string): MessageInit[] | string {
  const shape = 'a JSON array of message bodies, or { "messages": [{ "body": …, "id"?: "…", "attempts"?: 1 }] }';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `The batch must be ${shape}; the body is not JSON.`;
  }
  const now = new Date();
  if (Array.isArray(parsed)) {
    return parsed.map((body, i) => ({ id: `dev-${i + 1}`, body, attempts: 1, timestamp: now }));
  }
  const list = (parsed as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(list)) return `The batch must be ${shape}.`;
  const inits: MessageInit[] = [];
  for (const [i, item] of list.entries()) {
    const { body, id = `dev-${i + 1}`, attempts = 1 } = (item ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || !Number.isInteger(attempts) || (attempts as number) < 1) {
      return `messages[${i}]: "id" must be a string and "attempts" a whole number from 1.`;
    }
    if (inits.some((m) => m.id === id)) return `messages[${i}]: the id ${JSON.stringify(id)} is used twice.`;
    inits.push({ id, body, attempts: attempts as number, timestamp: now });
  }
  return inits;
}

/**
 * Delivers a CloudEvent, in structured mode (a JSON body with `specversion`, `id`, `source`, `type`) or binary mode
 * (`ce-*` headers, the body as `data`), to every function with an `event` trigger whose `sources` take its source.
 *
 * @param functions The served functions.
 * @param request The request with the event.
 * @param context Makes each trigger's context.
 * @returns 200 with `{ delivered: [{ function, outcome }] }` (500 when a handler threw), 400 for a malformed event,
 *   404 when no function takes it.
 *
 * @example Usage
 * ```ts
 * import { createContext, serverless } from "../mod.ts";
 * import { deliverEvent } from "./dev_triggers.ts";
 * const fn = serverless({ name: "a", event: { run: () => {} } });
 * const event = { specversion: "1.0", id: "1", source: "dev", type: "ping" };
 * const req = new Request("http://localhost/__slrs/event", { method: "POST", body: JSON.stringify(event) });
 * const res = await deliverEvent([{ fn, entry: "a.ts" }], req, () => createContext({ platform: "dev" }));
 * console.assert(res.status === 200);
 * ```
 */
export async function deliverEvent(
  functions: readonly DevFunction[],
  request: Request,
  context: TriggerContext,
): Promise<Response> {
  const event = await parseCloudEvent(request);
  if (typeof event === "string") return Response.json({ error: event }, { status: 400 });
  const takers = functions.filter(({ fn }) =>
    fn.metadata.triggers.some((t) => t.type === "event" && (t.sources.length === 0 || t.sources.includes(event.source)))
  );
  if (takers.length === 0) {
    const withEvents = functions.filter(({ fn }) => fn.metadata.triggers.some((t) => t.type === "event"));
    const names = withEvents.map(({ fn }) => `"${fn.name}"`).join(", ") || "none";
    return Response.json({
      error: `No served function takes an event from ${JSON.stringify(event.source)}; ` +
        `functions with an event trigger: ${names}.`,
    }, { status: 404 });
  }
  const delivered = [];
  for (const taker of takers) {
    const ctx = context(taker);
    try {
      await taker.fn.event(event, ctx);
      delivered.push({ function: taker.fn.name, outcome: "ok", requestId: ctx.requestId });
    } catch (error) {
      ctx.log.error("event handler failed", { error: error instanceof Error ? error.stack : String(error) });
      delivered.push({ function: taker.fn.name, outcome: "failed", requestId: ctx.requestId });
    }
  }
  const failed = delivered.some((d) => d.outcome === "failed");
  return Response.json({ id: event.id, delivered }, { status: failed ? 500 : 200 });
}

const REQUIRED = ["id", "source", "type"] as const;

async function parseCloudEvent(request: Request): Promise<CloudEvent | string> {
  const type = request.headers.get("content-type") ?? "";
  const binary = request.headers.has("ce-specversion");
  let event: Record<string, unknown>;
  if (binary) {
    event = Object.create(null);
    for (const [name, value] of request.headers) {
      if (name.startsWith("ce-")) event[name.slice(3)] = value;
    }
    const text = await request.text();
    if (type !== "") event.datacontenttype = type;
    if (text !== "") {
      try {
        event.data = /[/+]json\b/.test(type) ? JSON.parse(text) : text;
      } catch {
        return `The body is not the JSON its content-type ${JSON.stringify(type)} says.`;
      }
    }
  } else {
    try {
      event = JSON.parse(await request.text());
    } catch {
      return "A CloudEvent is a JSON body (structured mode, content-type application/cloudevents+json) or " +
        "ce-specversion, ce-id, ce-source and ce-type headers (binary mode).";
    }
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      return "A structured CloudEvent is a JSON object.";
    }
  }
  if (event.specversion !== "1.0") {
    return `specversion must be "1.0" (CloudEvents 1.0); got ${JSON.stringify(event.specversion ?? null)}.`;
  }
  const missing = REQUIRED.filter((name) => typeof event[name] !== "string" || event[name] === "");
  if (missing.length > 0) {
    const how = binary ? missing.map((m) => `ce-${m}`).join(", ") + " headers" : missing.join(", ");
    return `The CloudEvent lacks ${how}.`;
  }
  return { ...event } as unknown as CloudEvent;
}
