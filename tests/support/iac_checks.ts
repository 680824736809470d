// Structural checks for generated Terraform JSON: root keys, resource types and attributes against the providers'
// documentation, references that point at something declared, required attributes present.

/** An attribute list per resource type, with the page it was taken from. Nested blocks list their own keys. */
interface Allowed {
  source: string;
  required: string[];
  optional: string[];
  nested?: Record<string, string[]>;
}

const AWS_DOCS = "hashicorp/terraform-provider-aws website/docs/r/";
const CF_DOCS = "cloudflare/terraform-provider-cloudflare docs/resources/ (v5.22.0 @a2efdc5)";

/**
 * Every resource type the generator may write, and every argument it may give it. Adding one here means reading the
 * provider's page first: the test fails on anything outside this list.
 */
export const ALLOWED: Record<string, Allowed> = {
  aws_iam_role: { source: `${AWS_DOCS}iam_role`, required: ["assume_role_policy"], optional: ["name"] },
  aws_iam_role_policy_attachment: {
    source: `${AWS_DOCS}iam_role_policy_attachment`,
    required: ["role", "policy_arn"],
    optional: [],
  },
  aws_cloudwatch_log_group: {
    source: `${AWS_DOCS}cloudwatch_log_group`,
    required: [],
    optional: ["name", "retention_in_days"],
  },
  aws_lambda_function: {
    source: `${AWS_DOCS}lambda_function (runtime and handler are required for Zip packages)`,
    required: ["function_name", "role", "runtime", "handler", "filename"],
    optional: [
      "description",
      "source_code_hash",
      "memory_size",
      "timeout",
      "architectures",
      "reserved_concurrent_executions",
      "environment",
      "logging_config",
    ],
    nested: { environment: ["variables"], logging_config: ["log_format", "log_group"] },
  },
  aws_lambda_function_url: {
    source: `${AWS_DOCS}lambda_function_url`,
    required: ["function_name", "authorization_type"],
    optional: ["invoke_mode", "qualifier", "cors"],
  },
  aws_lambda_permission: {
    source: `${AWS_DOCS}lambda_permission (invoked_via_function_url: provider 6.x, for the October 2025 rule that ` +
      "public function URLs also need lambda:InvokeFunction)",
    required: ["action", "function_name", "principal"],
    optional: ["statement_id", "source_arn", "function_url_auth_type", "invoked_via_function_url"],
  },
  aws_apigatewayv2_api: {
    source: `${AWS_DOCS}apigatewayv2_api`,
    required: ["name", "protocol_type"],
    optional: [],
  },
  aws_apigatewayv2_integration: {
    source: `${AWS_DOCS}apigatewayv2_integration`,
    required: ["api_id", "integration_type", "integration_uri", "payload_format_version"],
    optional: [],
  },
  aws_apigatewayv2_route: {
    source: `${AWS_DOCS}apigatewayv2_route`,
    required: ["api_id", "route_key"],
    optional: ["target"],
  },
  aws_apigatewayv2_stage: {
    source: `${AWS_DOCS}apigatewayv2_stage`,
    required: ["api_id", "name"],
    optional: ["auto_deploy"],
  },
  aws_cloudwatch_event_rule: {
    source: `${AWS_DOCS}cloudwatch_event_rule`,
    required: ["schedule_expression"],
    optional: ["name", "description"],
  },
  aws_cloudwatch_event_target: {
    source: `${AWS_DOCS}cloudwatch_event_target`,
    required: ["rule", "arn"],
    optional: [],
  },
  aws_sqs_queue: { source: `${AWS_DOCS}sqs_queue`, required: [], optional: ["name", "visibility_timeout_seconds"] },
  aws_lambda_event_source_mapping: {
    source: `${AWS_DOCS}lambda_event_source_mapping`,
    required: ["function_name", "event_source_arn", "function_response_types"],
    optional: ["batch_size"],
  },
  cloudflare_workers_script: {
    source: `${CF_DOCS} workers_script`,
    required: ["account_id", "script_name", "main_module", "compatibility_date"],
    optional: ["content_file", "content_sha256", "compatibility_flags", "bindings", "limits"],
    nested: { limits: ["cpu_ms"] },
  },
  cloudflare_workers_kv_namespace: {
    source: `${CF_DOCS} workers_kv_namespace`,
    required: ["account_id", "title"],
    optional: [],
  },
  cloudflare_d1_database: { source: `${CF_DOCS} d1_database`, required: ["account_id", "name"], optional: [] },
  cloudflare_workers_cron_trigger: {
    source: `${CF_DOCS} workers_cron_trigger`,
    required: ["account_id", "script_name", "schedules"],
    optional: [],
  },
  cloudflare_workers_route: {
    source: `${CF_DOCS} workers_route`,
    required: ["zone_id", "pattern"],
    optional: ["script"],
  },
  cloudflare_workers_script_subdomain: {
    source: `${CF_DOCS} workers_script_subdomain`,
    required: ["account_id", "script_name", "enabled"],
    optional: [],
  },
  cloudflare_queue: { source: `${CF_DOCS} queue`, required: ["queue_name"], optional: ["account_id"] },
  cloudflare_queue_consumer: {
    source: `${CF_DOCS} queue_consumer`,
    required: ["account_id", "queue_id"],
    optional: ["script_name", "type", "settings"],
    nested: { settings: ["batch_size", "max_retries"] },
  },
};

/** Keys of each Worker binding, by binding type (the script's `bindings` list). */
const BINDING_KEYS: Record<string, string[]> = {
  kv_namespace: ["type", "name", "namespace_id"],
  d1: ["type", "name", "id"],
  plain_text: ["type", "name", "text"],
  secret_text: ["type", "name", "text"],
};

const META_ARGUMENTS = ["depends_on", "count", "for_each", "provider", "lifecycle"];
const ROOT_KEYS = ["terraform", "provider", "variable", "locals", "resource", "data", "output", "module"];

type Json = Record<string, unknown>;

/** Every problem found in a set of Terraform JSON files that make up one module. */
export function terraformProblems(files: Record<string, object>): string[] {
  const problems: string[] = [];
  const resources = new Set<string>();
  const variables = new Set<string>();
  const locals = new Set<string>();
  for (const [file, doc] of Object.entries(files as Record<string, Json>)) {
    for (const key of Object.keys(doc)) {
      if (!ROOT_KEYS.includes(key)) problems.push(`${file}: root key "${key}" is not a Terraform block type`);
    }
    for (const [type, byName] of Object.entries((doc.resource ?? {}) as Record<string, Json>)) {
      for (const name of Object.keys(byName)) {
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) problems.push(`${file}: "${type}.${name}" is not a valid name`);
        resources.add(`${type}.${name}`);
      }
    }
    for (const name of Object.keys((doc.variable ?? {}) as Json)) variables.add(name);
    for (const name of Object.keys((doc.locals ?? {}) as Json)) locals.add(name);
  }

  for (const [file, doc] of Object.entries(files as Record<string, Json>)) {
    for (const [type, byName] of Object.entries((doc.resource ?? {}) as Record<string, Record<string, Json>>)) {
      const allowed = ALLOWED[type];
      if (allowed === undefined) {
        problems.push(`${file}: resource type ${type} is not in the allow-list`);
        continue;
      }
      for (const [name, body] of Object.entries(byName)) {
        const where = `${file}: ${type}.${name}`;
        for (const key of Object.keys(body)) {
          if (![...allowed.required, ...allowed.optional, ...META_ARGUMENTS].includes(key)) {
            problems.push(`${where}: argument "${key}" is not documented (${allowed.source})`);
          }
        }
        for (const key of allowed.required) {
          if (body[key] === undefined) problems.push(`${where}: required argument "${key}" is missing`);
        }
        for (const [block, keys] of Object.entries(allowed.nested ?? {})) {
          for (const key of Object.keys((body[block] ?? {}) as Json)) {
            if (!keys.includes(key)) problems.push(`${where}: ${block}.${key} is not documented`);
          }
        }
        if (type === "cloudflare_workers_script") {
          for (const binding of (body.bindings ?? []) as Json[]) {
            const keys = BINDING_KEYS[String(binding.type)];
            if (keys === undefined) problems.push(`${where}: binding type ${binding.type} is not in the allow-list`);
            else if (Object.keys(binding).some((k) => !keys.includes(k)) || keys.some((k) => !(k in binding))) {
              problems.push(`${where}: binding ${JSON.stringify(binding)} must have exactly ${keys.join(", ")}`);
            }
          }
        }
        if (type === "cloudflare_workers_cron_trigger") {
          for (const schedule of body.schedules as Json[]) {
            if (Object.keys(schedule).join() !== "cron") problems.push(`${where}: schedules take {cron} only`);
          }
        }
        for (const dependency of (body.depends_on ?? []) as string[]) {
          if (!resources.has(dependency)) problems.push(`${where}: depends_on ${dependency}, which is not declared`);
        }
      }
    }
    for (const expression of templates(doc)) {
      for (const [, first, second] of expression.matchAll(/(?<![\w.-])([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)/g)) {
        if (first === "var") {
          if (!variables.has(second!)) problems.push(`${file}: \${${expression}} uses undeclared var.${second}`);
        } else if (first === "local") {
          if (!locals.has(second!)) problems.push(`${file}: \${${expression}} uses undeclared local.${second}`);
        } else if (first === "path") {
          if (second !== "module") problems.push(`${file}: \${${expression}}: unknown path.${second}`);
        } else if (!resources.has(`${first}.${second}`)) {
          problems.push(`${file}: \${${expression}} points at ${first}.${second}, which is not declared`);
        }
      }
    }
  }
  return problems;
}

/** The expressions inside every `${…}` of every string in `value`, nested ones included. */
export function templates(value: unknown): string[] {
  if (typeof value === "string") return interpolations(value);
  if (Array.isArray(value)) return value.flatMap(templates);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(templates);
  return [];
}

function interpolations(text: string): string[] {
  const found: string[] = [];
  for (let i = text.indexOf("${"); i !== -1; i = text.indexOf("${", i + 2)) {
    if (text[i - 1] === "$") continue; // $${ is a literal.
    let depth = 0;
    for (let j = i + 2; j < text.length; j++) {
      if (text[j] === "{") depth++;
      else if (text[j] === "}" && depth-- === 0) {
        // String literals inside are dropped: their own ${…} are found on their own by the outer loop.
        found.push(text.slice(i + 2, j).replace(/"(?:[^"\\]|\\.)*"/g, '""'));
        break;
      }
    }
  }
  return found;
}
