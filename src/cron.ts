/**
 * Validation of five-field cron expressions, the syntax `scheduled.cron` accepts.
 *
 * @module
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

/**
 * Checks a five-field cron expression (`minute hour day-of-month month day-of-week`) with `*`, ranges `a-b`, steps
 * `/n`, lists `a,b` and month or weekday names. This is the syntax Cloudflare, Azure (without seconds), Google Cloud
 * Scheduler and Vercel take, and which the AWS adapter converts to EventBridge's six fields.
 *
 * @param expression The cron expression.
 * @returns `undefined` when valid, else a sentence that says which field is wrong and why.
 *
 * @example Usage
 * ```ts
 * import { cronProblem } from "./cron.ts";
 * console.assert(cronProblem("*\/15 * * * *") === undefined);
 * console.assert(cronProblem("0 25 * * *")?.includes("hour"));
 * ```
 */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${parts.length}`;
  }
  for (const [index, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[index]!, field);
    if (problem) return `field ${index + 1} (${field.name}) ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  for (const item of text.split(",")) {
    const [range = "", step, ...extra] = item.split("/");
    if (extra.length > 0 || (step !== undefined && !/^[1-9][0-9]*$/.test(step))) {
      return `has a bad step in "${item}"; write e.g. "*/5"`;
    }
    if (range === "*") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) return `has a bad range "${range}"; write e.g. "1-5"`;
    const values = bounds.map((bound) => valueOf(bound, field));
    for (const [i, value] of values.entries()) {
      if (value === undefined) {
        return `has "${bounds[i]}", which is not a number from ${field.min} to ${field.max}${
          field.names ? ` or a name like ${field.names[1]}` : ""
        }`;
      }
    }
    if (values.length === 2 && values[0]! > values[1]!) return `has the range "${range}", which runs backwards`;
  }
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named !== -1) return named + (field.name === "month" ? 1 : 0);
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}
