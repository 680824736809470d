/**
 * The queue producer a `queues` binding gets in `cli.ts dev`: what is sent is delivered in this process, after its
 * delay, to the served function whose `queue` trigger consumes the queue of that name, as `POST /__slrs/queue/<name>`
 * would deliver it. Sending resolves before the consumer runs, as on a platform's queue.
 *
 * @module
 */

import type { QueueProducer, QueueSendOptions, QueueSendRequest } from "../src/bindings.ts";
import { createContext } from "../src/context.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import { startDeadline } from "./dev_limits.ts";
import { deliverQueue, type DevFunction } from "./dev_triggers.ts";

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
  const deliver = (bodies: readonly unknown[], delaySeconds = 0) => {
    setTimeout(() => void deliverNow(name, functions, bodies), Math.max(0, delaySeconds) * 1000);
    return Promise.resolve();
  };
  return {
    send: (body: unknown, options: QueueSendOptions = {}) => deliver([body], options.delaySeconds),
    sendBatch: async (messages: Iterable<QueueSendRequest>) => {
      for (const message of messages) await deliver([message.body], message.delaySeconds);
    },
  };
}

async function deliverNow(name: string, functions: readonly DevFunction[], bodies: readonly unknown[]) {
  const deadlines: { clear(): void }[] = [];
  const request = new Request(`http://localhost/__slrs/queue/${encodeURIComponent(name)}`, {
    method: "POST",
    body: JSON.stringify({ messages: bodies.map((body) => ({ body })) }),
  });
  try {
    const response = await deliverQueue(functions, name, request, (served) => {
      const deadline = startDeadline(served.fn as ServerlessFunction<never>, request.signal);
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
