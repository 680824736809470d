/**
 * Non-HTTP sources: SQS batches → `queue` (with `batchItemFailures`), EventBridge scheduled events → `scheduled`, and
 * SNS, S3 and other EventBridge events → `event` as CloudEvents 1.0.
 *
 * @module
 */

import type { Context } from "../../src/context.ts";
import { type CloudEvent, type MessageInit, trackBatch } from "../../src/events.ts";
import { errorText } from "../../src/log.ts";
import type { ServerlessFunction } from "../../src/serverless.ts";
import type { Json } from "./_http.ts";

/** The non-HTTP event kinds the adapter understands. */
export type SourceKind = "sqs" | "sns" | "s3" | "scheduled" | "eventbridge";

/** Options of the non-HTTP conversion. */
export interface SourceOptions {
  batchItemFailures: boolean;
  schedules: Record<string, string> | undefined;
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;

/**
 * Finds the kind of a non-HTTP event.
 *
 * @param event The event.
 * @returns Its kind, or `undefined`.
 */
export function sourceKind(event: Json): SourceKind | undefined {
  const records = event.Records;
  if (Array.isArray(records) && records.length > 0 && isObject(records[0])) {
    const first = records[0];
    if (first.eventSource === "aws:sqs") return "sqs";
    if (first.eventSource === "aws:s3") return "s3";
    // SNS spells its fields with capitals, unlike SQS and S3.
    if (first.EventSource === "aws:sns") return "sns";
    return undefined;
  }
  if (typeof event["detail-type"] === "string" && typeof event.source === "string") {
    return event["detail-type"] === "Scheduled Event" && event.source === "aws.events" ? "scheduled" : "eventbridge";
  }
  return undefined;
}

/**
 * Runs the function's trigger for a non-HTTP event.
 *
 * @param kind The event's kind.
 * @param fn The function.
 * @param event The event.
 * @param ctx The invocation's context.
 * @param options Conversion options.
 * @returns What Lambda expects back: `{ batchItemFailures }` for SQS, nothing otherwise.
 */
export async function runSource(
  kind: SourceKind,
  fn: ServerlessFunction<never>,
  event: Json,
  ctx: Context<never>,
  options: SourceOptions,
): Promise<Json | undefined> {
  switch (kind) {
    case "sqs":
      return await sqs(fn, event.Records as Json[], ctx, options);
    case "scheduled":
      return void await fn.scheduled({ cron: cronOf(fn, event, options), scheduledTime: timeOf(event.time) }, ctx);
    case "eventbridge":
      return void await fn.event(fromEventBridge(event), ctx);
    case "sns":
      for (const record of event.Records as Json[]) await fn.event(fromSns(record), ctx);
      return undefined;
    case "s3":
      for (const record of event.Records as Json[]) await fn.event(fromS3(record), ctx);
      return undefined;
  }
}

// ── SQS ─────────────────────────────────────────────────────────────────────────────────────────────────────────────

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

// ── EventBridge ─────────────────────────────────────────────────────────────────────────────────────────────────────

function cronOf(fn: ServerlessFunction<never>, event: Json, options: SourceOptions): string {
  const crons = fn.metadata.triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
  if (crons.length === 1) return crons[0]!;
  const resources = Array.isArray(event.resources) ? event.resources : [];
  const rule = typeof resources[0] === "string" ? resources[0].slice(resources[0].lastIndexOf("/") + 1) : "";
  const mapped = options.schedules?.[rule];
  if (mapped !== undefined) return mapped;
  if (crons.length === 0) return ""; // fn.scheduled() then says the function has no scheduled trigger.
  throw new Error(
    `Function "${fn.name}" declares ${crons.length} schedules (${crons.join(", ")}) and the event comes from rule ` +
      `"${rule}": map rule names to crons with handle(fn, { schedules: { "${rule}": "<cron>" } }).`,
  );
}

function fromEventBridge(event: Json): CloudEvent {
  const resources = Array.isArray(event.resources) ? event.resources : [];
  return cloudEvent({
    id: event.id,
    source: event.source,
    type: `${event.source}.${event["detail-type"]}`,
    time: event.time,
    subject: resources.length === 1 ? resources[0] : undefined,
    data: event,
  });
}

// ── SNS and S3 ──────────────────────────────────────────────────────────────────────────────────────────────────────

function fromSns(record: Json): CloudEvent {
  const sns = isObject(record.Sns) ? record.Sns : {};
  return cloudEvent({
    id: sns.MessageId,
    source: sns.TopicArn,
    type: `aws.sns.${sns.Type ?? "Notification"}`,
    time: sns.Timestamp,
    subject: sns.Subject,
    data: record,
  });
}

function fromS3(record: Json): CloudEvent {
  const s3 = isObject(record.s3) ? record.s3 : {};
  const bucket = isObject(s3.bucket) ? s3.bucket : {};
  const object = isObject(s3.object) ? s3.object : {};
  const response = isObject(record.responseElements) ? record.responseElements : {};
  const requestId = response["x-amz-request-id"];
  return cloudEvent({
    // As in the CloudEvents AWS S3 adapter: the request id and the extended request id identify the event.
    id: typeof requestId === "string" ? `${requestId}.${response["x-amz-id-2"] ?? object.sequencer ?? ""}` : undefined,
    source: bucket.arn ?? (typeof bucket.name === "string" ? `arn:aws:s3:::${bucket.name}` : undefined),
    type: `aws.s3.${record.eventName}`,
    time: record.eventTime,
    // S3 sends keys form-encoded (`Happy%20Face.jpg`, spaces as `+`); the subject is the key itself.
    subject: typeof object.key === "string" ? decodeKey(object.key) : undefined,
    data: record,
  });
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replaceAll("+", " "));
  } catch {
    return key;
  }
}

function cloudEvent(fields: Record<string, unknown>): CloudEvent {
  const event: Record<string, unknown> = {
    specversion: "1.0",
    id: typeof fields.id === "string" && fields.id !== "" ? fields.id : crypto.randomUUID(),
    source: typeof fields.source === "string" && fields.source !== "" ? fields.source : "aws",
    type: fields.type,
    datacontenttype: "application/json",
    data: fields.data,
  };
  if (typeof fields.time === "string") event.time = fields.time;
  if (typeof fields.subject === "string" && fields.subject !== "") event.subject = fields.subject;
  return event as unknown as CloudEvent;
}

function timeOf(time: unknown): number {
  const parsed = typeof time === "string" ? Date.parse(time) : NaN;
  return Number.isNaN(parsed) ? Date.now() : parsed;
}
