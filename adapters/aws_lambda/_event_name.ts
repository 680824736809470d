/**
 * Names the shape of an event that a specialised handler was not built for, without importing that shape's
 * conversion: the error then says "got an SQS event", not a list of keys.
 *
 * @module
 */

import { isAlbEvent, isHttpV2Event, isRestEvent } from "./_http_detect.ts";
import type { Json } from "./_http_fields.ts";

const RECORD_SOURCES: Record<string, string> = { "aws:sqs": "an SQS", "aws:s3": "an S3", "aws:sns": "an SNS" };

/**
 * What an event is, when it is one of the shapes `handle()` knows.
 *
 * @param event The event.
 * @returns A phrase like "an SQS event", or `undefined`.
 */
export function eventName(event: Json): string | undefined {
  if (isAlbEvent(event)) return "an Application Load Balancer event";
  if (isHttpV2Event(event)) return "an HTTP API / Function URL (payload 2.0) event";
  if (isRestEvent(event)) return "a REST API (payload 1.0) event";
  const records = event.Records;
  if (Array.isArray(records) && typeof records[0] === "object" && records[0] !== null) {
    const first = records[0] as Json;
    const source = first.eventSource ?? first.EventSource;
    const name = typeof source === "string" ? Object.hasOwn(RECORD_SOURCES, source) && RECORD_SOURCES[source] : false;
    return name ? `${name} event` : undefined;
  }
  if (typeof event["detail-type"] !== "string" || typeof event.source !== "string") return undefined;
  return event["detail-type"] === "Scheduled Event" && event.source === "aws.events"
    ? "an EventBridge scheduled event"
    : "an EventBridge event";
}
