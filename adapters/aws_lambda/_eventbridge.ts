/**
 * The EventBridge shape (every event but a schedule's): the function's \`event\` trigger, as a CloudEvent.
 *
 * @module
 */

import type { CloudEvent } from "../../src/events.ts";
import { cloudEvent } from "./_cloud_event.ts";
import { firstRecord, type SourceShape } from "./_event_shape.ts";
import type { Json } from "./_http_fields.ts";
import { isScheduledEvent } from "./_schedule.ts";

/** EventBridge events → \`event\`. */
export const EVENTBRIDGE: SourceShape = {
  kind: "source",
  name: "EventBridge event",
  matches: (event) =>
    firstRecord(event) === undefined && typeof event["detail-type"] === "string" &&
    typeof event.source === "string" && !isScheduledEvent(event),
  run: async (fn, event, ctx) => void await fn.event(fromEventBridge(event), ctx),
};

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
