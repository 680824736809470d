/**
 * The building blocks of a `*.tf.json` file: the document type, a collector for its blocks, local names, and the two
 * kinds of string that go into it.
 *
 * In Terraform JSON, a string in an expression position (a resource argument, an output's value, a local, a
 * validation) is a template: `${…}` and `%{…}` in it are evaluated. The generator's own references are meant that way;
 * a user's text (a description, a route, a path) must be escaped (`$${`, `%%{`) or Terraform evaluates it. The two
 * kinds are different types: an expression position takes only a {@linkcode Template}, which comes from
 * {@linkcode literal} (escaped text), {@linkcode hcl} (the generator's own template, parts escaped) or
 * {@linkcode quoted} (a string literal inside an expression), so a raw string there does not compile.
 *
 * @module
 */

declare const TEMPLATE: unique symbol;

/** A string Terraform reads as a template, written by the generator: user text in it is escaped. */
export type Template = string & { readonly [TEMPLATE]: true };

/** A value in an expression position: every string in it is a {@linkcode Template}. */
export type TerraformValue =
  | Template
  | number
  | boolean
  | null
  | readonly TerraformValue[]
  | { readonly [key: string]: TerraformValue };

/** The arguments of a resource or provider block. */
export type Arguments = { readonly [key: string]: TerraformValue };

/** An input variable. Its `description` and `default` are read literally by Terraform; `validation` is evaluated. */
export interface Variable {
  /** A comment, which Terraform ignores (the JSON syntax's `"//"` property). */
  "//"?: string;
  /** The type constraint, e.g. `string` or `map(string)`. */
  type: string;
  /** What it is, shown as written. */
  description: string;
  /** The value when none is given, taken as written. */
  default?: string | null;
  /** Whether Terraform hides its value in output. */
  sensitive?: boolean;
  /** Checks of the value. */
  validation?: { condition: Template; error_message: Template }[];
}

/** A Terraform JSON document: the root keys are block types. */
export interface TerraformJson {
  /** Settings of Terraform itself (required providers); read literally. */
  terraform?: Record<string, unknown>;
  /** Provider configurations by provider name. */
  provider?: Record<string, Arguments>;
  /** Input variables by name. */
  variable?: Record<string, Variable>;
  /** Local values. */
  locals?: Record<string, TerraformValue>;
  /** Resources by type, then by name. */
  resource?: Record<string, Record<string, Arguments>>;
  /** Outputs by name; the description is read literally, the value is evaluated. */
  output?: Record<string, { description: string; value: Template }>;
}

/**
 * Text that Terraform must read as it is: `${` and `%{` become `$${` and `%%{`, the template escapes (the only ones:
 * `$$` or `%%` before anything else stays as written).
 *
 * @param text Any text, such as a user's description.
 * @returns The text as a template that evaluates to itself.
 *
 * @example Usage
 * ```ts
 * import { literal } from "./terraform_file.ts";
 * console.assert(literal("costs ${var.x} %{if}") === "costs $${var.x} %%{if}");
 * ```
 */
export function literal(text: string): Template {
  return text.replace(/([$%])\{/g, "$1$1{") as Template;
}

/**
 * The generator's own template: the source text of the tagged template is kept as it is (its `${…}` are meant). What
 * is interpolated must already be a {@linkcode Template}: a user's text goes through {@linkcode literal} or
 * {@linkcode quoted} first, so a plain string does not compile here.
 *
 * @param strings The template's own text.
 * @param parts The interpolated templates and numbers.
 * @returns The template.
 *
 * @example Usage
 * ```ts
 * import { hcl, literal } from "./terraform_file.ts";
 * const role = literal("aws_iam_role.shop");
 * console.assert(hcl`\${${role}.arn}` === "${aws_iam_role.shop.arn}");
 * console.assert(hcl`${literal("${var.x}")}-lambda` === "$${var.x}-lambda");
 * ```
 */
export function hcl(strings: TemplateStringsArray, ...parts: (Template | number)[]): Template {
  return strings.reduce((out, text, i) => `${out}${parts[i - 1]}${text}`) as Template;
}

/**
 * A quoted string literal for use inside a `${…}` expression: quotes, backslashes and control characters escaped as
 * in HCL, and the template sequences as in {@linkcode literal}.
 *
 * @param text Any text, such as a path or a route.
 * @returns `"…"`, to place inside an expression.
 *
 * @example Usage
 * ```ts
 * import { hcl, quoted } from "./terraform_file.ts";
 * console.assert(hcl`\${filesha256(${quoted('a"b')})}` === '${filesha256("a\\"b")}');
 * ```
 */
export function quoted(text: string): Template {
  return hcl`"${quotedText(text)}"`;
}

/**
 * The inside of a quoted string literal in an expression (see {@linkcode quoted}), for a string that also holds the
 * generator's own references: `"${local.dist}/…"`.
 *
 * @param text Any text.
 * @returns The text escaped for the inside of `"…"` in an expression.
 *
 * @example Usage
 * ```ts
 * import { hcl, quotedText } from "./terraform_file.ts";
 * console.assert(hcl`\${file("\${local.dist}/${quotedText("a\\b")}")}` === '${file("${local.dist}/a\\\\b")}');
 * ```
 */
export function quotedText(text: string): Template {
  return literal(
    // deno-lint-ignore no-control-regex -- control characters are what HCL wants escaped.
    text.replace(/[\\"]/g, "\\$&").replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${hex4(c)}`),
  );
}

function hex4(character: string): string {
  return character.charCodeAt(0).toString(16).padStart(4, "0");
}

/** Collects the blocks of one `*.tf.json` file; the generators for each platform write into it. */
export class TerraformFile {
  /** The document being built. */
  readonly json: TerraformJson = {};

  /**
   * Adds a resource.
   *
   * @param type The resource type, e.g. `aws_lambda_function`.
   * @param name The resource's local name (from {@linkcode identifier}).
   * @param body Its arguments.
   * @returns The reference prefix `type.name`, for `${…}` expressions.
   *
   * @example Usage
   * ```ts
   * import { literal, TerraformFile } from "./terraform_file.ts";
   * const file = new TerraformFile();
   * console.assert(file.resource("aws_sqs_queue", "orders", { name: literal("orders") }) === "aws_sqs_queue.orders");
   * ```
   */
  resource(type: string, name: string, body: Arguments): Template {
    const byType = ((this.json.resource ??= {})[type] ??= {});
    if (Object.hasOwn(byType, name)) throw new Error(`Two ${type} resources are named "${name}".`);
    byType[name] = body;
    return `${type}.${name}` as Template;
  }

  /**
   * Adds an input variable.
   *
   * @param name The variable's name.
   * @param body Its type, description and default.
   * @returns `var.<name>`.
   *
   * @example Usage
   * ```ts
   * import { TerraformFile } from "./terraform_file.ts";
   * const file = new TerraformFile();
   * console.assert(file.variable("aws_region", { type: "string", description: "The region." }) === "var.aws_region");
   * ```
   */
  variable(name: string, body: Variable): Template {
    (this.json.variable ??= {})[name] = body;
    return `var.${name}` as Template;
  }

  /**
   * Adds an output.
   *
   * @param name The output's name.
   * @param value Its value, usually a `${…}` expression.
   * @param description What it is (read literally).
   *
   * @example Usage
   * ```ts
   * import { hcl, TerraformFile } from "./terraform_file.ts";
   * const file = new TerraformFile();
   * file.output("url", hcl`\${aws_lambda_function_url.hello.function_url}`, "The function's URL.");
   * console.assert(file.json.output?.url?.description === "The function's URL.");
   * ```
   */
  output(name: string, value: Template, description: string): void {
    const outputs = this.json.output ??= {};
    if (Object.hasOwn(outputs, name)) throw new Error(`Two outputs are named "${name}".`);
    outputs[name] = { description, value };
  }
}

/**
 * A Terraform local name for a function or binding: letters, digits, `_` and `-`, not starting with a digit.
 *
 * @param name A function, queue or binding name.
 * @returns The identifier.
 *
 * @example Usage
 * ```ts
 * import { identifier } from "./terraform_file.ts";
 * console.assert(identifier("aws-lambda-example") === "aws-lambda-example");
 * console.assert(identifier("9 lives") === "_9_lives");
 * ```
 */
export function identifier(name: string): Template {
  const id = name.replace(/[^A-Za-z0-9_-]/g, "_");
  return (/^[A-Za-z_]/.test(id) ? id : `_${id}`) as Template;
}
