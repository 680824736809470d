/**
 * The S3 notification shape: each record becomes the function's \`event\` trigger, as a CloudEvent.
 *
 * @module
 */

import type { CloudEvent } from "../../src/events.ts";
import { cloudEvent } from "./_cloud_event.ts";
import { firstRecord, type SourceShape } from "./_event_shape.ts";
import { isObject, type Json } from "./_http_fields.ts";

/** S3 notifications → \`event\`. */
export const S3: SourceShape = {
  kind: "source",
  name: "S3",
  matches: (event) => firstRecord(event)?.eventSource === "aws:s3",
  run: async (fn, event, ctx) => {
    for (const record of event.Records as Json[]) await fn.event(fromS3(record), ctx);
    return undefined;
  },
};

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
