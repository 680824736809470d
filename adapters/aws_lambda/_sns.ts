/**
 * The SNS shape: each record becomes the function's \`event\` trigger, as a CloudEvent.
 *
 * @module
 */

import type { CloudEvent } from "../../src/events.ts";
import { cloudEvent } from "./_cloud_event.ts";
import { firstRecord, type SourceShape } from "./_event_shape.ts";
import { isObject, type Json } from "./_http_fields.ts";

/** SNS notifications → \`event\`. */
export const SNS: SourceShape = {
  kind: "source",
  name: "SNS",
  // SNS spells its fields with capitals, unlike SQS and S3.
  matches: (event) => firstRecord(event)?.EventSource === "aws:sns",
  run: async (fn, event, ctx) => {
    for (const record of event.Records as Json[]) await fn.event(fromSns(record), ctx);
    return undefined;
  },
};

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
