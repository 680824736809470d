/**
 * The CloudEvents 1.0 envelope the SNS, S3 and EventBridge shapes give the \`event\` trigger.
 *
 * @module
 */

import type { CloudEvent } from "../../src/events.ts";

/**
 * Builds a CloudEvent, with a fresh id and an \`aws\` source where the record has none.
 *
 * @param fields The record's id, source, type, time, subject and data.
 * @returns The event.
 */
export function cloudEvent(fields: Record<string, unknown>): CloudEvent {
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
