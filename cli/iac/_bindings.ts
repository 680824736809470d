/**
 * Which of a function's bindings a platform's IaC creates, and what it asks for instead. The backend of each binding
 * comes from `bindingBackends` (`src/binding_backends.ts`) with the platform's settings, overrides applied: the one
 * function `--info` lists and `build` wires with, so the IaC never creates a table for a binding that the built
 * function sends to Redis. A backend the platform's Terraform cannot create (a Redis server,
 * an Upstash database, another cloud's service) gets each variable it needs as a required, sensitive Terraform
 * variable whose description says what to set.
 *
 * @module
 */

import { azureConnectionVariable } from "../../src/binding_variables.ts";
import { type BackendName, BACKENDS, type BindingBackend, bindingBackends } from "../../src/binding_backends.ts";
import type { FunctionInfo } from "../../src/info.ts";
import type { PlatformName } from "../../src/platforms.ts";
import type { Setting } from "./_environment.ts";
import { hcl, identifier, literal, type TerraformFile } from "./terraform_file.ts";

/**
 * The names of a function's bindings that `backend` serves on `platform`, in the order they are declared.
 *
 * @param fn The function's entry of the `--info` document.
 * @param platform The platform whose IaC is written.
 * @param backend The backend the platform's Terraform creates resources for, e.g. `dynamodb`.
 * @returns The binding names.
 *
 * @example A kv binding overridden to Redis is not DynamoDB's on Lambda
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { bindingsServedBy } from "./_bindings.ts";
 *
 * const fn = serverless({ name: "c", requirements: { bindings: { kv: ["COUNTER"] } }, fetch: () => new Response() });
 * const info = describeFunction({ fn, entry: "c.ts", exportName: "default" }, { "aws-lambda": { kvBackend: "redis" } });
 * console.assert(bindingsServedBy(info, "aws-lambda", "dynamodb").length === 0);
 * console.assert(bindingsServedBy(info, "aws-lambda", "redis")[0] === "COUNTER");
 * ```
 */
export function bindingsServedBy(fn: FunctionInfo, platform: PlatformName, backend: string): string[] {
  return Object.entries(platformBindings(fn, platform)).flatMap(([name, binding]) =>
    binding.backend === backend ? [name] : []
  );
}

/** What a backend outside the platform's Terraform needs set, per variable: what the variable holds. */
const OUTSIDE: Readonly<Record<BackendName, (binding: string) => readonly (readonly [string, string])[]>> = {
  dynamodb: (b) => [[primary("dynamodb", b), "the name of its DynamoDB table"], ...AWS_CREDENTIALS],
  s3: (b) => [[primary("s3", b), "the name of its S3 bucket"], ...AWS_CREDENTIALS],
  sqs: (b) => [[primary("sqs", b), "the URL of its SQS queue"], ...AWS_CREDENTIALS],
  "azure-table": (b) => [[primary("azure-table", b), "its Table Storage table"], azureConnection(b)],
  "azure-blob": (b) => [[primary("azure-blob", b), "its Blob Storage container"], azureConnection(b)],
  "azure-queue": (b) => [[primary("azure-queue", b), "its Queue Storage queue"], azureConnection(b)],
  firestore: (b) => [[primary("firestore", b), "its Firestore collection"], GOOGLE_PROJECT],
  gcs: (b) => [[primary("gcs", b), "the name of its Cloud Storage bucket"]],
  pubsub: (b) => [[primary("pubsub", b), "its Pub/Sub topic"], GOOGLE_PROJECT],
  upstash: () => [
    ["KV_REST_API_URL", "the REST URL of its Upstash Redis database, https://<db>.upstash.io"],
    ["KV_REST_API_TOKEN", "the REST token of that database"],
  ],
  "vercel-blob": () => [["BLOB_READ_WRITE_TOKEN", "the read-write token of its Vercel Blob store"]],
  redis: (b) => [[primary("redis", b), "the URL of its Redis server, e.g. rediss://user:password@host:6379/0"]],
  "redis-queue": (
    b,
  ) => [[primary("redis-queue", b), "the URL of its Redis server, e.g. rediss://user:password@host:6379/0"]],
  local: (b) => [[primary("local", b), "the path of its JSON file on the function's file system"]],
  "local-bucket": (b) => [[primary("local-bucket", b), "the path of its directory on the function's file system"]],
};
const AWS_CREDENTIALS = [
  ["AWS_REGION", "the AWS region of its resource"],
  ["AWS_ACCESS_KEY_ID", "the access key id of an IAM user allowed to use it"],
  ["AWS_SECRET_ACCESS_KEY", "that access key's secret"],
] as const;
const GOOGLE_PROJECT = ["GOOGLE_CLOUD_PROJECT", "the Google Cloud project that holds it"] as const;
const azureConnection = (b: string) =>
  [azureConnectionVariable(b), "the connection string of its storage account"] as const;
/** The variable that names the binding's resource: the one `--info` lists first. */
const primary = (backend: BackendName, binding: string) => BACKENDS[backend].variables(binding)[0]!;

/** Backends that reach their service only through a cloud's own credentials, which no variable can give elsewhere. */
const GOOGLE_ONLY = new Set<string>(["firestore", "gcs", "pubsub"]);

/** What {@linkcode outsideBindings} gives the function. */
export interface OutsideBindings {
  /** Each variable the backends read and its value, a reference to the Terraform variable that holds it. */
  settings: Setting[];
  /** Things that make the description wrong (two variables that would share a Terraform name). */
  errors: string[];
  /** What the deployment cannot give such a backend. */
  warnings: string[];
}

/**
 * Declares, in `main`, a required and sensitive Terraform variable for each variable that the function's bindings
 * whose backend is not one of `created` read on `platform`, and gives the function's environment its value.
 *
 * @param main The `main.tf.json` being built (variables).
 * @param fn The function's entry of the `--info` document.
 * @param platform The platform whose IaC is written.
 * @param created The backends the platform's Terraform creates resources for.
 * @returns The settings, errors and warnings.
 *
 * @example The counter on Lambda with Redis
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { outsideBindings } from "./_bindings.ts";
 * import { TerraformFile } from "./terraform_file.ts";
 *
 * const fn = serverless({ name: "c", requirements: { bindings: { kv: ["COUNTER"] } }, fetch: () => new Response() });
 * const info = describeFunction({ fn, entry: "c.ts", exportName: "default" }, { "aws-lambda": { kvBackend: "redis" } });
 * const main = new TerraformFile();
 * const { settings } = outsideBindings(main, info, "aws-lambda", ["dynamodb", "s3", "sqs"]);
 * console.assert(settings[0]![0] === "SLRS_COUNTER_REDIS_URL" && settings[0]![1] === "var.c_aws_SLRS_COUNTER_REDIS_URL");
 * console.assert(main.json.variable?.c_aws_SLRS_COUNTER_REDIS_URL?.sensitive === true);
 * ```
 */
export function outsideBindings(
  main: TerraformFile,
  fn: FunctionInfo,
  platform: PlatformName,
  created: readonly BackendName[],
): OutsideBindings {
  const result: OutsideBindings = { settings: [], errors: [], warnings: [] };
  // Two bindings on AWS credentials read the same AWS_REGION: one variable for both.
  const declared = new Map<string, string>();
  for (const [name, { kind, backend }] of Object.entries(platformBindings(fn, platform))) {
    if (!(backend in OUTSIDE) || created.includes(backend as BackendName)) continue;
    if (kind === "queue" && fn.triggers.some((t) => t.type === "queue" && t.queue === name)) {
      result.warnings.push(
        `${fn.name} on ${platform}: queue binding ${name} sends to ${backend}, but its queue trigger ${name} reads ` +
          `${platform}'s own queue: it will not receive these messages; remove the queueBackend override, or ` +
          "consume the messages from that backend.",
      );
    }
    if (GOOGLE_ONLY.has(backend)) {
      result.warnings.push(
        `${fn.name} on ${platform}: ${kind} binding ${name} uses ${backend}, which authenticates through Google ` +
          "Cloud's metadata server; off Google Cloud it cannot get a token.",
      );
    }
    for (const [variable, holds] of OUTSIDE[backend as BackendName](name)) {
      const terraformName = `${identifier(fn.name)}_${platform.split("-")[0]}_${identifier(variable)}`;
      const taken = declared.get(terraformName);
      if (taken === variable) continue;
      if (taken !== undefined || main.json.variable?.[terraformName] !== undefined) {
        result.errors.push(
          `${fn.name} on ${platform}: ${variable} and another variable would both be the Terraform variable ` +
            `${terraformName}; rename the binding ${name}.`,
        );
        continue;
      }
      declared.set(terraformName, variable);
      const what = `${variable} of ${fn.name} on ${platform}: ${holds}, for its ${kind} binding ${name} (backend ` +
        `${backend}, which this Terraform does not create)`;
      const reference = main.variable(terraformName, {
        "//": `Required: set ${variable} for the ${backend} backend of ${name}.`,
        type: "string",
        description: `${what}. Required.`,
        sensitive: true,
        validation: [{
          condition: hcl`\${length(var.${identifier(terraformName)}) > 0}`,
          error_message: literal(`Set ${terraformName} to ${holds}.`),
        }],
      });
      result.settings.push([variable, reference]);
    }
  }
  return result;
}

/**
 * Each binding's backend on the platform, from the function's requirements and its settings there: worked out again
 * rather than read from `platforms[…].bindings`, since an --info document read from elsewhere is not checked and the
 * resources are named from the requirements.
 */
function platformBindings(fn: FunctionInfo, platform: PlatformName): Record<string, BindingBackend> {
  return bindingBackends(fn.requirements.bindings ?? {}, platform, fn.platforms[platform].settings);
}
