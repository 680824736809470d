/**
 * The queue producer a `queues` binding gets in `cli.ts dev`: what is sent is delivered in this process, after its
 * delay, to the served function whose `queue` trigger consumes the queue of that name, as `POST /__slrs/queue/<name>`
 * would deliver it. Sending resolves before the consumer runs, as on a platform's queue.
 *
 * The consumer receives the body as a real queue would give it back, never the producer's own object: with
 * `contentType` as Cloudflare Queues define it, `json` the JSON value, `text` the string, `bytes` the bytes (a
 * `Uint8Array`, as every slrs backend delivers them) and `v8` a structured clone; without one, bytes as `bytes` and
 * anything else as `json` (the portable default of `src/bindings.ts`). The first three go through the envelope the
 * Redis and Queue Storage backends store, so they are refused and decoded exactly as there. A body its content type
 * cannot carry is refused at send, before anything is delivered.
 *
 * @module
 */

import { decodeQueueBody, encodeQueueBody } from "../bindings/_queue_messages.ts";
import { BindingError, type QueueProducer, type QueueSendOptions, type QueueSendRequest } from "../src/bindings.ts";
import { createContext } from "../src/context.ts";
import type { MessageInit } from "../src/events.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import { startDeadline } from "./dev_limits.ts";
import { deliverBatch, type DevFunction } from "./dev_triggers.ts";

/** Cloudflare Queues' content types; `v8` is Workers-only (docs/bindings.md, limit 15), and dev honours it too. */
const CONTENT_TYPES: readonly string[] = ["json", "text", "bytes", "v8"];

/**
 * A producer for the queue `name` that delivers to the consumer among `functions` (read at each send, so functions
 * served after this one are found too).
 *
 * @param name The binding's name, which is the queue's.
 * @param functions The served functions.
 * @returns The producer.
 *
 * @example Usage
 * ```ts ignore
 * env.JOBS = devQueue("JOBS", served);
 * ```
 */
export function devQueue(name: string, functions: readonly DevFunction[]): QueueProducer {
  const deliver = (messages: readonly { body: unknown; delaySeconds?: number | undefined }[]) => {
    for (const { body, delaySeconds = 0 } of messages) {
      const message: MessageInit = { id: crypto.randomUUID(), body, attempts: 1, timestamp: new Date() };
      setTimeout(() => void deliverNow(name, functions, message), Math.max(0, delaySeconds) * 1000);
    }
    return Promise.resolve();
  };
  return {
    send: (body: unknown, options: QueueSendOptions = {}) =>
      deliver([{ body: carried(name, "send", body, options.contentType), delaySeconds: options.delaySeconds }]),
    sendBatch: (messages: Iterable<QueueSendRequest>) =>
      // Every message is checked before any is delivered: a refused one sends nothing.
      deliver([...messages].map((message) => ({
        body: carried(name, "sendBatch", message.body, message.contentType),
        delaySeconds: message.delaySeconds,
      }))),
  };
}

/**
 * The body as the consumer receives it after it travelled with `type`, or a {@linkcode BindingError} naming why it
 * cannot.
 */
function carried(name: string, operation: string, body: unknown, type: string | undefined): unknown {
  const refuse = (message: string, cause?: unknown) =>
    new BindingError({ kind: "queue", backend: "dev", operation, binding: name, message, cause });
  if (type !== undefined && !CONTENT_TYPES.includes(type)) {
    throw refuse(`the content type ${JSON.stringify(type)} is not one of ${CONTENT_TYPES.join(", ")}`);
  }
  if (type === "v8") {
    try {
      return structuredClone(body);
    } catch (error) {
      throw refuse(`the body cannot be sent as v8: ${(error as Error).message}`, error);
    }
  }
  const encoded = encodeQueueBody(body, type as "json" | "text" | "bytes" | undefined);
  if ("refused" in encoded) throw refuse(encoded.refused);
  return decodeQueueBody(encoded.json);
}

async function deliverNow(name: string, functions: readonly DevFunction[], message: MessageInit) {
  const deadlines: { clear(): void }[] = [];
  try {
    const response = await deliverBatch(functions, name, [message], (served) => {
      const deadline = startDeadline(served.fn as ServerlessFunction<never>, new AbortController().signal);
      deadlines.push(deadline);
      return createContext({
        platform: "dev",
        env: (served as { env?: Record<string, unknown> }).env ?? {},
        signal: deadline.signal,
        deadline: deadline.at,
      });
    });
    if (!response.ok) console.error(`slrs dev: queue ${name}: ${(await response.json()).error}`);
  } finally {
    for (const deadline of deadlines) deadline.clear();
  }
}
