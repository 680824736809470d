/**
 * Terraform JSON (`*.tf.json`) from the `--info` document, for the official AWS (`hashicorp/aws` 6.x), Cloudflare
 * (`cloudflare/cloudflare` 5.x), Azure (`hashicorp/azurerm` 5.x) and Google (`hashicorp/google` 7.x) providers. Pure
 * functions: no I/O; the CLI writes the files.
 *
 * Every resource type and attribute written here is one the providers document (`tests/support/iac_checks.ts` keeps
 * one allow-list for every resource type, with the documentation each entry came from).
 *
 * @module
 */

import type { InfoDocument } from "../../src/info.ts";
import { awsFunction } from "./_aws.ts";
import { azureFunctions } from "./_azure.ts";
import { cloudflareFunction } from "./_cloudflare.ts";
import { gcpFunctions } from "./_gcp.ts";
import { platformProblems } from "./overrides.ts";
import { hcl, literal, TerraformFile, type TerraformJson } from "./terraform_file.ts";

export {
  hcl,
  identifier,
  literal,
  quoted,
  type Template,
  TerraformFile,
  type TerraformJson,
  type TerraformValue,
} from "./terraform_file.ts";

/** The platforms Terraform is generated for. */
export type TerraformPlatform = "aws-lambda" | "cloudflare" | "azure" | "gcp";

/**
 * Every {@linkcode TerraformPlatform}, in the order the files are written.
 *
 * @example Usage
 * ```ts
 * import { TERRAFORM_PLATFORMS } from "./terraform.ts";
 * console.assert(TERRAFORM_PLATFORMS.includes("gcp"));
 * ```
 */
export const TERRAFORM_PLATFORMS: readonly TerraformPlatform[] = ["aws-lambda", "cloudflare", "azure", "gcp"];

/** Options of {@linkcode terraform}. */
export interface TerraformOptions {
  /** The platforms to describe; all of {@linkcode TERRAFORM_PLATFORMS} by default. */
  platforms?: readonly TerraformPlatform[];
  /**
   * Where `slrs build` wrote its output, relative to the directory of the `*.tf.json` files (default `../dist`).
   * Lambda zips are read from `<dist>/aws-lambda/<fn>.zip` (or `aws-lambda-deno/` for `provided.al2023`), Worker
   * scripts from `<dist>/cloudflare/<fn>.js`, Azure and Google zips from `<dist>/azure/<fn>.zip` and
   * `<dist>/gcp/<fn>.zip`.
   */
  dist?: string;
}

/** What {@linkcode terraform} produces. */
export interface TerraformResult {
  /** File name → document: `main.tf.json`, and `aws.tf.json`, `cloudflare.tf.json`, `azure.tf.json`, `gcp.tf.json`. */
  files: Record<string, TerraformJson>;
  /** Overrides a platform cannot honour, and schedules it cannot express: nothing should be written. */
  errors: string[];
  /** Requirements a platform cannot meet, and parts of a function not described (they deploy without them). */
  warnings: string[];
}

/**
 * Describes every function of an `--info` document as Terraform JSON: `main.tf.json` (required providers, provider
 * settings, variables for the regions, accounts and projects) and one file per platform asked for: `aws.tf.json`,
 * `cloudflare.tf.json`, `azure.tf.json`, `gcp.tf.json`. Only the asked-for platforms' providers and variables are in
 * `main.tf.json`.
 *
 * @param doc The `--info` document, overrides applied.
 * @param options The platforms and where the build output is.
 * @returns The files, plus the errors (an override a platform cannot honour) and warnings found on the way.
 *
 * @example Describe the hello example for AWS
 * ```ts
 * import { describeFunction } from "../../src/info.ts";
 * import { terraform } from "./terraform.ts";
 * import hello from "../../examples/hello/main.ts";
 *
 * const doc = { slrs: "0", functions: [describeFunction({ fn: hello, entry: "main.ts", exportName: "default" })] };
 * const { files, errors } = terraform(doc, { platforms: ["aws-lambda"] });
 * console.assert(errors.length === 0);
 * console.assert(files["aws.tf.json"]?.resource?.aws_lambda_function?.hello !== undefined);
 * ```
 */
export function terraform(doc: InfoDocument, options: TerraformOptions = {}): TerraformResult {
  const platforms = options.platforms ?? TERRAFORM_PLATFORMS;
  const dist = (options.dist ?? "../dist").replace(/\/+$/, "");
  const errors: string[] = [];
  const warnings: string[] = [];
  const files: Record<string, TerraformJson> = {};
  const main = new TerraformFile();
  const providers: Record<string, unknown> = {};
  main.json.terraform = { required_version: ">= 1.6", required_providers: providers };
  main.json.locals = { dist: hcl`\${path.module}/${literal(dist)}` };

  if (platforms.includes("aws-lambda")) {
    providers.aws = { source: "hashicorp/aws", version: "~> 6.0" };
    const regions = doc.functions.flatMap((fn) => fn.requirements.regions ?? []);
    main.variable("aws_region", {
      type: "string",
      description: "The AWS region to deploy the Lambda functions to.",
      default: regions[0] ?? "us-east-1",
    });
    (main.json.provider ??= {}).aws = { region: hcl`\${var.aws_region}` };
    const aws = new TerraformFile();
    for (const fn of doc.functions) {
      const problems = platformProblems(fn, "aws-lambda");
      errors.push(...problems.errors);
      warnings.push(...problems.warnings);
      const result = awsFunction(aws, main, fn);
      errors.push(...result.errors);
      warnings.push(...result.warnings);
    }
    files["aws.tf.json"] = aws.json;
  }

  if (platforms.includes("cloudflare")) {
    providers.cloudflare = { source: "cloudflare/cloudflare", version: "~> 5.22" };
    main.variable("cloudflare_account_id", { type: "string", description: "The Cloudflare account id." });
    main.variable("cloudflare_zone_id", {
      type: "string",
      description: "The zone of the Workers routes (only needed when a function has `routes` set).",
      default: null,
    });
    main.variable("cloudflare_workers_subdomain", {
      type: "string",
      description: "The account's workers.dev subdomain, to print the Workers' URLs (optional).",
      default: null,
    });
    // The token comes from CLOUDFLARE_API_TOKEN, so it never lands in a file.
    (main.json.provider ??= {}).cloudflare = {};
    const cloudflare = new TerraformFile();
    for (const fn of doc.functions) {
      const problems = platformProblems(fn, "cloudflare");
      errors.push(...problems.errors);
      warnings.push(...problems.warnings);
      const result = cloudflareFunction(cloudflare, main, fn);
      warnings.push(...result.warnings);
    }
    files["cloudflare.tf.json"] = cloudflare.json;
  }

  for (const [platform, generate] of [["azure", azureFunctions], ["gcp", gcpFunctions]] as const) {
    if (!platforms.includes(platform)) continue;
    for (const fn of doc.functions) {
      const problems = platformProblems(fn, platform);
      errors.push(...problems.errors);
      warnings.push(...problems.warnings);
    }
    const file = new TerraformFile();
    const result = generate(file, main, doc.functions);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    files[`${platform}.tf.json`] = file.json;
  }
  return { files: { "main.tf.json": main.json, ...files }, errors, warnings };
}
