/**
 * The EventBridge scheduled-event shape: a schedule rule's event becomes the function's \`scheduled\` trigger.
 *
 * @module
 */

import type { ServerlessFunction } from "../../src/serverless.ts";
import { firstRecord, type SourceOptions, type SourceShape } from "./_event_shape.ts";
import type { Json } from "./_http_fields.ts";

/** Whether an event is an EventBridge schedule's (also used by \`./_eventbridge.ts\` to leave it out). */
export function isScheduledEvent(event: Json): boolean {
  return event["detail-type"] === "Scheduled Event" && event.source === "aws.events";
}

/** EventBridge scheduled events → \`scheduled\`. */
export const SCHEDULE: SourceShape = {
  kind: "source",
  name: "EventBridge scheduled event",
  matches: (event) => firstRecord(event) === undefined && isScheduledEvent(event),
  run: async (fn, event, ctx, options) =>
    void await fn.scheduled({ cron: cronOf(fn, event, options), scheduledTime: timeOf(event.time) }, ctx),
};

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

function timeOf(time: unknown): number {
  const parsed = typeof time === "string" ? Date.parse(time) : NaN;
  return Number.isNaN(parsed) ? Date.now() : parsed;
}
