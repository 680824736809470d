/**
 * A function's environment (Lambda `environment.variables`, Azure `app_settings`, Google `environment_variables`):
 * the user's `map(string)` variable and the generator's own settings, such as the variables that point each binding's
 * backend at its resource.
 *
 * @module
 */

import { hcl, literal, quoted, type Template, type TerraformValue } from "./terraform_file.ts";

/** A setting: its name and its value as an HCL expression without `${}` (a reference, or a quoted string). */
export type Setting = readonly [name: string, expression: Template];

/**
 * The environment's value: the user's variable alone, the settings alone as an object, or both merged (the settings
 * last, so a binding's variable cannot be overridden by mistake).
 *
 * @param env The user's variable, `var.<id>_env`, if the function reads any.
 * @param settings The generator's settings.
 * @returns The value, or `undefined` when there is nothing to set.
 *
 * @example Usage
 * ```ts
 * import { environmentValue } from "./_environment.ts";
 * import { hcl } from "./terraform_file.ts";
 * const value = environmentValue(hcl`var.shop_env`, [["SLRS_COUNTER_TABLE", hcl`aws_dynamodb_table.t.name`]]);
 * console.assert(value === '${merge(var.shop_env, { "SLRS_COUNTER_TABLE" = aws_dynamodb_table.t.name })}');
 * ```
 */
export function environmentValue(env: Template | undefined, settings: readonly Setting[]): TerraformValue | undefined {
  if (settings.length === 0) return env === undefined ? undefined : hcl`\${${env}}`;
  if (env === undefined) {
    // Property names of a JSON object are templates too; a quoted constant is written as its text.
    const value = (expression: Template) =>
      /^"[^"\\$%]*"$/.test(expression) ? (expression.slice(1, -1) as Template) : hcl`\${${expression}}`;
    return Object.fromEntries(settings.map(([name, expression]) => [literal(name), value(expression)]));
  }
  const object = settings.map(([name, expression]) => `${quoted(name)} = ${expression}`).join(", ") as Template;
  return hcl`\${merge(${env}, { ${object} })}`;
}
