/**
 * The building blocks of a `*.tf.json` file: the document type, a collector for its blocks, and local names.
 *
 * @module
 */

/** A Terraform JSON document: the root keys are block types. */
export interface TerraformJson {
  /** Settings of Terraform itself (required providers). */
  terraform?: Record<string, unknown>;
  /** Provider configurations by provider name. */
  provider?: Record<string, Record<string, unknown>>;
  /** Input variables by name. */
  variable?: Record<string, Record<string, unknown>>;
  /** Local values. */
  locals?: Record<string, unknown>;
  /** Resources by type, then by name. */
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  /** Outputs by name. */
  output?: Record<string, Record<string, unknown>>;
}

/** Collects the blocks of one `*.tf.json` file; the generators for each platform write into it. */
export class TerraformFile {
  /** The document being built. */
  readonly json: TerraformJson = {};

  /**
   * Adds a resource.
   *
   * @param type The resource type, e.g. `aws_lambda_function`.
   * @param name The resource's local name.
   * @param body Its arguments.
   * @returns The reference prefix `type.name`, for `${…}` expressions.
   *
   * @example Usage
   * ```ts
   * import { TerraformFile } from "./terraform_file.ts";
   * const file = new TerraformFile();
   * console.assert(file.resource("aws_sqs_queue", "orders", { name: "orders" }) === "aws_sqs_queue.orders");
   * ```
   */
  resource(type: string, name: string, body: Record<string, unknown>): string {
    const byType = ((this.json.resource ??= {})[type] ??= {});
    if (name in byType) throw new Error(`Two ${type} resources are named "${name}".`);
    byType[name] = body;
    return `${type}.${name}`;
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
   * console.assert(file.variable("aws_region", { type: "string" }) === "var.aws_region");
   * ```
   */
  variable(name: string, body: Record<string, unknown>): string {
    (this.json.variable ??= {})[name] = body;
    return `var.${name}`;
  }

  /**
   * Adds an output.
   *
   * @param name The output's name.
   * @param value Its value, usually a `${…}` expression.
   * @param description What it is.
   *
   * @example Usage
   * ```ts
   * import { TerraformFile } from "./terraform_file.ts";
   * const file = new TerraformFile();
   * file.output("url", "${aws_lambda_function_url.hello.function_url}", "The function's URL.");
   * console.assert(file.json.output?.url?.description === "The function's URL.");
   * ```
   */
  output(name: string, value: string, description: string): void {
    (this.json.output ??= {})[name] = { description, value };
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
export function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}
