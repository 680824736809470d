/**
 * A Lambda function's bindings as Terraform resources: one DynamoDB table per kv binding, one private S3 bucket per
 * bucket binding, one SQS queue per queue binding, the variables the backends read, and an inline role policy that
 * grants only what each backend calls, on exactly those resources.
 *
 * @module
 */

import type { FunctionInfo } from "../../src/info.ts";
import { dynamoDbTableVariable, s3BucketVariable, sqsQueueVariable } from "../../src/binding_variables.ts";
import { bindingsServedBy, outsideBindings } from "./_bindings.ts";
import type { Setting } from "./_environment.ts";
import { hcl, identifier, literal, quoted, type Template, type TerraformFile } from "./terraform_file.ts";

/**
 * The DynamoDB actions `bindings/dynamodb_kv.ts` sends: `get` is `GetItem`, `put` `PutItem`, `delete` `DeleteItem`,
 * `list` a `Query`.
 */
export const DYNAMODB_ACTIONS: readonly string[] = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
];
/**
 * The S3 object actions `bindings/s3_bucket.ts` needs: `GetObject` (also `HeadObject`), `PutObject` (also the
 * multipart upload's create, parts and completion), `DeleteObject` (also `DeleteObjects`), and
 * `AbortMultipartUpload` for an upload that fails.
 */
export const S3_OBJECT_ACTIONS: readonly string[] = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
];
/** The S3 bucket action of `list` (`ListObjectsV2`). */
export const S3_BUCKET_ACTIONS: readonly string[] = ["s3:ListBucket"];
/** The SQS action of `send`; `SendMessageBatch` is authorised by it. */
export const SQS_ACTIONS: readonly string[] = ["sqs:SendMessage"];

/** What {@linkcode awsBindings} adds to the function. */
export interface AwsBindings {
  /** Each backend variable and the expression of its value (no `${}`), e.g. `SLRS_COUNTER_TABLE` → `aws_dynamodb_table.c_COUNTER.name`. */
  variables: Setting[];
  /** The inline role policy, when the function has bindings on AWS's own services. */
  policy: Template | undefined;
  /** Things that make the description wrong. */
  errors: string[];
  /** What the deployment cannot give a binding's backend. */
  warnings: string[];
}

/** One statement of the role policy: actions on resources (`${…}` references). */
interface Statement {
  actions: readonly string[];
  resources: Template[];
}

/**
 * Adds the resources of a function's kv, bucket and queue bindings to `file`, and the inline policy on `role` that
 * lets the function use them: only for the bindings whose backend on Lambda is DynamoDB, S3 or SQS. A binding
 * overridden to another backend (`kvBackend: "redis"`) gets a required variable in `main` for each variable its
 * backend reads instead, and no AWS resource or grant.
 *
 * @param file The `aws.tf.json` being built.
 * @param main The `main.tf.json` being built (variables).
 * @param fn The function's entry of the `--info` document.
 * @param role The function's role, `aws_iam_role.<id>`.
 * @returns The variables to set and the policy's reference.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { awsBindings } from "./_aws_bindings.ts";
 * import { hcl, TerraformFile } from "./terraform_file.ts";
 *
 * const fn = serverless({ name: "c", requirements: { bindings: { kv: ["COUNTER"] } }, fetch: () => new Response() });
 * const file = new TerraformFile();
 * const { variables } = awsBindings(file, new TerraformFile(), describeFunction({ fn, entry: "c.ts", exportName: "default" }), hcl`aws_iam_role.c`);
 * console.assert(variables[0]![0] === "SLRS_COUNTER_TABLE");
 * ```
 */
export function awsBindings(file: TerraformFile, main: TerraformFile, fn: FunctionInfo, role: Template): AwsBindings {
  const served = (backend: string) => bindingsServedBy(fn, "aws-lambda", backend);
  const id = identifier(fn.name);
  const variables: Setting[] = [];
  const statements: Statement[] = [];

  for (const name of served("dynamodb")) {
    const table = file.resource("aws_dynamodb_table", `${id}_${identifier(name)}`, {
      name: literal(`${fn.name}-${name}`),
      billing_mode: hcl`PAY_PER_REQUEST`,
      // The key schema of bindings/dynamodb_kv.ts: one partition `kv`, the KV key as the sort key.
      hash_key: hcl`pk`,
      range_key: hcl`sk`,
      attribute: [{ name: hcl`pk`, type: hcl`S` }, { name: hcl`sk`, type: hcl`S` }],
      ttl: { attribute_name: hcl`ttl`, enabled: true },
    });
    variables.push([dynamoDbTableVariable(name), hcl`${table}.name`]);
    statements.push({ actions: DYNAMODB_ACTIONS, resources: [hcl`${table}.arn`] });
  }

  for (const name of served("s3")) {
    const local = `${id}_${identifier(name)}`;
    const bucket = file.resource("aws_s3_bucket", local, {
      // Bucket names are global: AWS appends a unique suffix to the prefix (at most 37 characters).
      bucket_prefix: literal(bucketPrefix(`${fn.name}-${name}`)),
    });
    file.resource("aws_s3_bucket_public_access_block", local, {
      bucket: hcl`\${${bucket}.id}`,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    file.resource("aws_s3_bucket_lifecycle_configuration", local, {
      bucket: hcl`\${${bucket}.id}`,
      rule: [{
        // The parts of a streamed upload whose function died before it could abort it are billed until removed.
        id: hcl`abort-incomplete-multipart-uploads`,
        status: hcl`Enabled`,
        filter: {},
        abort_incomplete_multipart_upload: { days_after_initiation: 1 },
      }],
    });
    variables.push([s3BucketVariable(name), hcl`${bucket}.bucket`]);
    statements.push({ actions: S3_OBJECT_ACTIONS, resources: [hcl`"\${${bucket}.arn}/*"`] });
    statements.push({ actions: S3_BUCKET_ACTIONS, resources: [hcl`${bucket}.arn`] });
  }

  for (const name of served("sqs")) {
    const queue = sqsQueue(file, name);
    variables.push([sqsQueueVariable(name), hcl`${queue}.url`]);
    statements.push({ actions: SQS_ACTIONS, resources: [hcl`${queue}.arn`] });
  }

  const outside = outsideBindings(main, fn, "aws-lambda", ["dynamodb", "s3", "sqs"]);
  variables.push(...outside.settings);
  const { errors, warnings } = outside;
  if (statements.length === 0) return { variables, policy: undefined, errors, warnings };
  const policy = file.resource("aws_iam_role_policy", `${id}_bindings`, {
    name: hcl`bindings`,
    role: hcl`\${${role}.name}`,
    policy: policyDocument(statements),
  });
  return { variables, policy, errors, warnings };
}

/**
 * Declares the SQS queue named `name` once, however many functions send to it or consume it, and gives it at least
 * `visibilityTimeout` seconds (a consumer's).
 *
 * @param file The `aws.tf.json` being built.
 * @param name The queue's name: a queue binding and a queue trigger of the same name are the same queue.
 * @param visibilityTimeout The visibility timeout a consumer needs, if any.
 * @returns The reference, `aws_sqs_queue.<name>`.
 *
 * @example Usage
 * ```ts
 * import { sqsQueue } from "./_aws_bindings.ts";
 * import { TerraformFile } from "./terraform_file.ts";
 * const file = new TerraformFile();
 * console.assert(sqsQueue(file, "orders") === sqsQueue(file, "orders", 60));
 * ```
 */
export function sqsQueue(file: TerraformFile, name: string, visibilityTimeout?: number): Template {
  const local = identifier(name);
  const declared = file.json.resource?.aws_sqs_queue?.[local];
  const reference = hcl`aws_sqs_queue.${local}`;
  if (declared === undefined) {
    file.resource("aws_sqs_queue", local, {
      name: literal(name),
      ...(visibilityTimeout !== undefined && { visibility_timeout_seconds: visibilityTimeout }),
    });
  } else if (visibilityTimeout !== undefined) {
    const current = declared.visibility_timeout_seconds;
    const raised = Math.max(typeof current === "number" ? current : 0, visibilityTimeout);
    file.json.resource!.aws_sqs_queue![local] = { ...declared, visibility_timeout_seconds: raised };
  }
  return reference;
}

/** The policy as a `jsonencode(…)` expression, so the ARNs are the resources' own. */
function policyDocument(statements: readonly Statement[]): Template {
  const list = statements.map(({ actions, resources }) =>
    `{ Effect = "Allow", Action = [${actions.map(quoted).join(", ")}], Resource = [${resources.join(", ")}] }`
  ).join(", ") as Template;
  return hcl`\${jsonencode({ Version = "2012-10-17", Statement = [${list}] })}`;
}

/** An S3 bucket name prefix: lowercase letters, digits and hyphens, at most 37 characters. */
function bucketPrefix(name: string): string {
  const prefix = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+/, "").slice(0, 36);
  return `${prefix.replace(/-+$/, "") || "slrs"}-`;
}
