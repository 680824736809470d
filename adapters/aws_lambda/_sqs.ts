/**
 * The SQS shape: a batch becomes the function's \`queue\` trigger, answered with \`batchItemFailures\`.
 *
 * @module
 */

import type { Context } from "../../src/context.ts";
import { type MessageInit, trackBatch } from "../../src/events.ts";
import { errorText } from "../../src/log.ts";
import type { ServerlessFunction } from "../../src/serverless.ts";
import { firstRecord, type SourceOptions, type SourceShape } from "./_event_shape.ts";
import { isObject, type Json } from "./_http_fields.ts";

/** SQS batches → \`queue\`. */
export const SQS: SourceShape = {
  kind: "source",
  name: "SQS",
  matches: (event) => firstRecord(event)?.eventSource === "aws:sqs",
  run: (fn, event, ctx, options) => sqs(fn, event.Records as Json[], ctx, options),
};

/** The message-id list AWS reads back when the mapping has `FunctionResponseTypes: ["ReportBatchItemFailures"]`. */
interface BatchResponse extends Json {
  batchItemFailures: { itemIdentifier: string }[];
}

async function sqs(
  fn: ServerlessFunction<never>,
  records: Json[],
  ctx: Context<never>,
  options: SourceOptions,
): Promise<BatchResponse> {
  const messages: MessageInit<unknown>[] = records.map((record, index) => {
    if (!isObject(record) || typeof record.messageId !== "string" || record.messageId === "") {
      throw new TypeError(`SQS record ${index} has no messageId; got ${JSON.stringify(record).slice(0, 200)}.`);
    }
    const attributes = isObject(record.attributes) ? record.attributes : {};
    const sent = Number(attributes.SentTimestamp);
    return {
      id: record.messageId,
      // SQS bodies are strings; JSON in them stays a string, so the handler decides how to parse it.
      body: record.body,
      attempts: Number(attributes.ApproximateReceiveCount) || 1,
      timestamp: new Date(Number.isFinite(sent) ? sent : Date.now()),
    };
  });
  const tracked = trackBatch(queueName(records[0]!.eventSourceARN), messages);
  let threw = false;
  let failure: unknown;
  try {
    await fn.queue(tracked.batch, ctx);
  } catch (error) {
    threw = true;
    failure = error;
  }
  // Retried messages fail; when the handler threw, so does every message it had not acknowledged.
  const failed: string[] = [];
  for (const [id, outcome] of tracked.outcomes) {
    if (outcome === "retry" || (threw && outcome === "unsettled")) failed.push(id);
  }
  if (tracked.retryDelays.size > 0) {
    ctx.log.warn("retry({ delaySeconds }) is not applied on SQS: the queue's visibility timeout decides", {
      messages: [...tracked.retryDelays.keys()],
    });
  }
  if (threw) {
    // Nothing acknowledged: fail the whole invocation, which retries the batch whatever the mapping's settings.
    if (failed.length === tracked.outcomes.size) throw failure;
    ctx.log.error("queue handler failed; retrying the messages it had not acknowledged", {
      error: errorText(failure),
      retried: failed,
    });
  }
  if (failed.length > 0 && !options.batchItemFailures) {
    throw new Error(
      `${failed.length} of ${records.length} SQS messages failed (${failed.join(", ")}); the whole batch is retried ` +
        "because batchItemFailures is off. Set ReportBatchItemFailures on the event source mapping and remove the " +
        "option to retry only those.",
    );
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

function queueName(arn: unknown): string {
  if (typeof arn !== "string") return "sqs";
  return arn.slice(arn.lastIndexOf(":") + 1) || "sqs";
}
