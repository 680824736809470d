/**
 * One function on AWS Lambda as Terraform resources (provider `hashicorp/aws` 6.x).
 *
 * @module
 */

import type { FunctionInfo } from "../../src/info.ts";
import type { SettingValue } from "../../src/platforms.ts";
import { awsBindings, sqsQueue } from "./_aws_bindings.ts";
import { environmentValue } from "./_environment.ts";
import { artifact } from "./artifacts.ts";
import { eventBridgeCron } from "./cron.ts";
import { hcl, identifier, literal, quoted, quotedText, type Template, type TerraformFile } from "./terraform_file.ts";

const BASIC_EXECUTION = literal("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
const SQS_EXECUTION = literal("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole");
/** Who may assume the function's role: the Lambda service. */
const ASSUME_ROLE_POLICY = literal(JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } }],
}));

/** What describing one function found. */
export interface DescribeResult {
  /** Things that make the description wrong: nothing should be written. */
  errors: string[];
  /** Parts of the function that are not described. */
  warnings: string[];
}

const text = (value: SettingValue | undefined, fallback: string) => typeof value === "string" ? value : fallback;
const number = (value: SettingValue | undefined, fallback: number) => typeof value === "number" ? value : fallback;

/**
 * Adds one function's Lambda resources to `file`, and its environment variable (if it reads any) to `main`.
 *
 * @param file The `aws.tf.json` being built.
 * @param main The `main.tf.json` being built (variables).
 * @param fn The function's entry of the `--info` document.
 * @returns Errors and warnings.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { awsFunction } from "./_aws.ts";
 * import { TerraformFile } from "./terraform_file.ts";
 *
 * const fn = serverless({ name: "hi", fetch: () => new Response("hi") });
 * const file = new TerraformFile();
 * awsFunction(file, new TerraformFile(), describeFunction({ fn, entry: "hi.ts", exportName: "default" }));
 * console.assert(file.json.resource?.aws_lambda_function_url?.hi !== undefined);
 * ```
 */
export function awsFunction(file: TerraformFile, main: TerraformFile, fn: FunctionInfo): DescribeResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const id = identifier(fn.name);
  const name = literal(fn.name);
  const settings = fn.platforms["aws-lambda"].settings;
  const runtime = text(settings.runtime, "nodejs22.x");
  const timeout = number(settings.timeout, 3);
  const deno = runtime.startsWith("provided.");
  const zipPath = artifact("aws-lambda", fn).path;
  const zip = hcl`\${local.dist}/${literal(zipPath)}`;
  const queues = fn.triggers.flatMap((t) => t.type === "queue" ? [t.queue] : []);

  const role = file.resource("aws_iam_role", id, {
    name: hcl`${name}-lambda`,
    assume_role_policy: ASSUME_ROLE_POLICY,
  });
  const basic = file.resource("aws_iam_role_policy_attachment", `${id}_basic`, {
    role: hcl`\${${role}.name}`,
    policy_arn: BASIC_EXECUTION,
  });
  const policies = [basic];
  if (queues.length > 0) {
    policies.push(file.resource("aws_iam_role_policy_attachment", `${id}_sqs`, {
      role: hcl`\${${role}.name}`,
      policy_arn: SQS_EXECUTION,
    }));
  }
  const logs = file.resource("aws_cloudwatch_log_group", id, {
    name: hcl`/aws/lambda/${name}`,
    retention_in_days: number(settings.logRetentionDays, 14),
  });

  const variables = [...fn.requirements.env ?? [], ...fn.requirements.bindings?.secrets ?? []];
  const env = variables.length > 0 ? environmentVariable(main, id, fn.name, variables) : undefined;
  const bound = awsBindings(file, main, fn, role);
  errors.push(...bound.errors);
  warnings.push(...bound.warnings);
  if (bound.policy !== undefined) policies.push(bound.policy);
  const environment = environmentValue(env, bound.variables);
  const lambda = file.resource("aws_lambda_function", id, {
    function_name: name,
    ...(fn.description !== null && { description: literal(fn.description.slice(0, 256)) }),
    role: hcl`\${${role}.arn}`,
    runtime: literal(runtime),
    // provided.* runs the zip's `bootstrap`; Lambda ignores the handler there but the API wants one.
    handler: deno ? hcl`bootstrap` : hcl`index.handler`,
    filename: zip,
    source_code_hash: hcl`\${filebase64sha256("\${local.dist}/${quotedText(zipPath)}")}`,
    memory_size: number(settings.memory, 128),
    timeout,
    architectures: [literal(text(settings.architecture, "arm64"))],
    ...(typeof settings.reservedConcurrency === "number" &&
      { reserved_concurrent_executions: settings.reservedConcurrency }),
    ...(environment !== undefined && { environment: { variables: environment } }),
    // Text keeps the function's own JSON log lines as they are written.
    logging_config: { log_format: hcl`Text`, log_group: hcl`\${${logs}.name}` },
    depends_on: [...policies, logs],
  });
  const functionName = hcl`\${${lambda}.function_name}`;

  const http = fn.triggers.some((t) => t.type === "http");
  const exposure = text(settings.exposure, http ? "url" : "none");
  if (exposure === "url") {
    const url = file.resource("aws_lambda_function_url", id, {
      function_name: functionName,
      authorization_type: hcl`NONE`,
      // A streamHandle entry writes its response as it goes; the URL must be told, or Lambda buffers it.
      ...(settings.invokeMode === "RESPONSE_STREAM" && { invoke_mode: hcl`RESPONSE_STREAM` }),
    });
    // Since October 2025 a public function URL needs both permissions.
    file.resource("aws_lambda_permission", `${id}_url`, {
      statement_id: hcl`FunctionUrlAllowPublicAccess`,
      action: hcl`lambda:InvokeFunctionUrl`,
      function_name: functionName,
      principal: hcl`*`,
      function_url_auth_type: hcl`NONE`,
    });
    file.resource("aws_lambda_permission", `${id}_url_invoke`, {
      statement_id: hcl`FunctionUrlAllowInvokeAction`,
      action: hcl`lambda:InvokeFunction`,
      function_name: functionName,
      principal: hcl`*`,
      invoked_via_function_url: true,
    });
    file.output(`${id}_aws_url`, hcl`\${${url}.function_url}`, `The function URL of ${fn.name}.`);
  } else if (exposure === "http-api") {
    const api = file.resource("aws_apigatewayv2_api", id, { name, protocol_type: hcl`HTTP` });
    const integration = file.resource("aws_apigatewayv2_integration", id, {
      api_id: hcl`\${${api}.id}`,
      integration_type: hcl`AWS_PROXY`,
      integration_uri: hcl`\${${lambda}.invoke_arn}`,
      // The default is 1.0; the adapter reads both, but 2.0 is what an HTTP API means.
      payload_format_version: hcl`2.0`,
    });
    file.resource("aws_apigatewayv2_route", id, {
      api_id: hcl`\${${api}.id}`,
      route_key: hcl`$default`,
      target: hcl`integrations/\${${integration}.id}`,
    });
    file.resource("aws_apigatewayv2_stage", id, { api_id: hcl`\${${api}.id}`, name: hcl`$default`, auto_deploy: true });
    file.resource("aws_lambda_permission", `${id}_api`, {
      statement_id: hcl`AllowHttpApiInvoke`,
      action: hcl`lambda:InvokeFunction`,
      function_name: functionName,
      principal: hcl`apigateway.amazonaws.com`,
      source_arn: hcl`\${${api}.execution_arn}/*/*`,
    });
    file.output(`${id}_aws_url`, hcl`\${${api}.api_endpoint}`, `The HTTP API endpoint of ${fn.name}.`);
  } else if (http) {
    warnings.push(`${fn.name} on aws-lambda: exposure "none": its HTTP routes are not reachable from outside.`);
  }

  fn.triggers.filter((t) => t.type === "schedule").forEach((trigger, i) => {
    let expression: string;
    try {
      expression = eventBridgeCron(trigger.cron);
    } catch (error) {
      errors.push(`${fn.name} on aws-lambda: ${(error as Error).message}`);
      return;
    }
    const local = `${id}_schedule_${i}`;
    const rule = file.resource("aws_cloudwatch_event_rule", local, {
      name: hcl`${name}-schedule-${i}`,
      description: hcl`${name}: ${literal(trigger.cron)}`,
      schedule_expression: literal(expression),
    });
    file.resource("aws_cloudwatch_event_target", local, { rule: hcl`\${${rule}.name}`, arn: hcl`\${${lambda}.arn}` });
    file.resource("aws_lambda_permission", local, {
      statement_id: hcl`AllowSchedule${i}`,
      action: hcl`lambda:InvokeFunction`,
      function_name: functionName,
      principal: hcl`events.amazonaws.com`,
      source_arn: hcl`\${${rule}.arn}`,
    });
  });

  for (const queue of queues) {
    // Two functions may consume one queue, and one may send to the queue it consumes: it is declared once. AWS asks
    // for a visibility timeout of at least six times the function's timeout, so a retried batch is not delivered
    // twice at once.
    const sqs = sqsQueue(file, queue, Math.max(30, 6 * timeout));
    file.resource("aws_lambda_event_source_mapping", `${id}_${identifier(queue)}`, {
      event_source_arn: hcl`\${${sqs}.arn}`,
      function_name: hcl`\${${lambda}.arn}`,
      batch_size: 10,
      // The adapter reports per-message failures (batchItemFailures); without this Lambda ignores them.
      function_response_types: [hcl`ReportBatchItemFailures`],
    });
  }

  if (fn.triggers.some((t) => t.type === "event")) {
    warnings.push(`${fn.name} on aws-lambda: event triggers (S3, SNS, EventBridge) are not described; wire them up.`);
  }
  return { errors, warnings };
}

/**
 * Declares a `map(string)` variable for a function's environment, marked sensitive and validated to hold every name
 * the function reads.
 *
 * @param main The file that holds the variables.
 * @param id The function's Terraform identifier.
 * @param name The function's name, for the description.
 * @param names The variables the function reads.
 * @returns The reference, `var.<id>_env`.
 *
 * @example Usage
 * ```ts
 * import { environmentVariable } from "./_aws.ts";
 * import { identifier, TerraformFile } from "./terraform_file.ts";
 * const main = new TerraformFile();
 * console.assert(environmentVariable(main, identifier("shop"), "shop", ["DATABASE_URL"]) === "var.shop_env");
 * ```
 */
export function environmentVariable(main: TerraformFile, id: Template, name: string, names: string[]): Template {
  const list = names.map(quoted).join(", ") as Template;
  const variable = hcl`var.${id}_env`;
  return main.variable(`${id}_env`, {
    type: "map(string)",
    description: `Environment of ${name}; must set ${names.join(", ")}.`,
    sensitive: true,
    validation: [{
      condition: hcl`\${alltrue([for name in [${list}] : contains(keys(${variable}), name)])}`,
      error_message: literal(`The environment of ${name} must set ${names.join(", ")}.`),
    }],
  });
}
