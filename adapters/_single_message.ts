/**
 * Internal: the queue handler run for platforms that deliver one message per invocation (Azure Storage queues, the
 * Azure custom handler's queue invocations, Pub/Sub through the functions-framework), where the only way to ask
 * for a redelivery is to fail the invocation.
 *
 * @module
 */

import { type Context, errorText, type ServerlessFunction, type TrackedBatch } from "../mod.ts";

/**
 * Runs `fn.queue` on a batch of one and fails the invocation only when the message must be delivered again: it asked
 * for `retry()`, or the handler threw before acknowledging it. An acknowledged message is done whatever happens
 * after `ack()`, as `Message.ack` promises (and SQS and Cloudflare do); the error is still logged.
 *
 * @param fn The function.
 * @param tracked The batch of one, from `trackBatch`.
 * @param ctx The invocation's context, for `fn.queue` and the log.
 * @param redelivery What failing the invocation makes the platform do, for the retry error's message.
 * @throws What the handler threw, or an error saying the message asked for `retry()`.
 *
 * @example Acknowledged, then the handler throws: the invocation succeeds
 * ```ts
 * import { createContext, serverless, trackBatch } from "../mod.ts";
 * import { runSingleMessage } from "./_single_message.ts";
 *
 * const fn = serverless({ name: "q", queue: { name: "q", run: (batch) => {
 *   batch.messages[0]?.ack();
 *   throw new Error("after the ack");
 * } } });
 * const tracked = trackBatch("q", [{ id: "m-1", body: "hi", attempts: 1, timestamp: new Date() }]);
 * await runSingleMessage(fn, tracked, createContext({ platform: "fetch", logSink: () => {} }), "redelivered");
 * ```
 */
export async function runSingleMessage(
  fn: ServerlessFunction<never>,
  tracked: TrackedBatch,
  ctx: Context<never>,
  redelivery: string,
): Promise<void> {
  const id = tracked.batch.messages[0]?.id ?? "";
  try {
    await fn.queue(tracked.batch, ctx);
  } catch (error) {
    if (tracked.outcomes.get(id) !== "ack") throw error;
    ctx.log.error("the queue handler threw after acknowledging the message, which is not delivered again", {
      message: id,
      error: errorText(error),
    });
    return;
  }
  if (tracked.outcomes.get(id) === "retry") {
    throw new Error(`Message ${id} of queue "${tracked.batch.queue}" asked for retry(); ${redelivery}.`);
  }
}
