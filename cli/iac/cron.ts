/**
 * Five-field cron (what `scheduled.cron` takes) to EventBridge's six-field `cron(...)`.
 *
 * @module
 */

/**
 * Converts a five-field cron expression to an EventBridge schedule expression. EventBridge adds a year field, wants
 * `?` in one of day-of-month and day-of-week, and numbers weekdays 1–7 from Sunday (cron: 0–7, both 0 and 7 being
 * Sunday).
 *
 * @param cron A valid five-field expression (`minute hour day-of-month month day-of-week`).
 * @returns The `cron(…)` schedule expression.
 * @throws {RangeError} When both day fields are restricted (cron then means either; EventBridge cannot say that),
 *   or the day-of-week field has a step, which EventBridge does not accept.
 *
 * @example Usage
 * ```ts
 * import { eventBridgeCron } from "./cron.ts";
 * console.assert(eventBridgeCron("*\/15 * * * *") === "cron(*\/15 * * * ? *)");
 * console.assert(eventBridgeCron("0 9 * * 1-5") === "cron(0 9 ? * 2-6 *)");
 * ```
 */
export function eventBridgeCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new RangeError(`cron "${cron}" must have five fields; it has ${fields.length}.`);
  const [minute, hour, dom, month, dow] = fields.map((f) => f.toUpperCase()) as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (dow === "*" || dow === "?") return `cron(${minute} ${hour} ${dom === "?" ? "*" : dom} ${month} ? *)`;
  if (dom !== "*" && dom !== "?") {
    throw new RangeError(
      `cron "${cron}" restricts both day-of-month (${dom}) and day-of-week (${dow}); EventBridge takes only one of ` +
        "them. Use two schedules, or * in one of the two fields.",
    );
  }
  return `cron(${minute} ${hour} ? ${month} ${weekdays(dow, cron)} *)`;
}

function weekdays(field: string, cron: string): string {
  if (field.includes("/")) {
    throw new RangeError(
      `cron "${cron}": EventBridge takes no step (/) in day-of-week; list the days instead, e.g. 1,3,5.`,
    );
  }
  return field.split(",").map((part) => {
    const [from, to] = part.split("-") as [string, string | undefined];
    if (to === undefined) return day(from);
    // A range ending on Sunday written as 7 (5-7) wraps in EventBridge's numbering; split it.
    if (to === "7") return from === "0" ? "1-7" : `${day(from)}-7,1`;
    return `${day(from)}-${day(to)}`;
  }).join(",");
}

/** A weekday number 0–7 (0 and 7: Sunday) as EventBridge's 1–7; names pass through. */
function day(value: string): string {
  return /^\d+$/.test(value) ? String((Number(value) % 7) + 1) : value;
}
