// Structural checks for generated Terraform JSON, one for every provider the generator writes (AWS, Cloudflare, azurerm,
// google): root keys; resource types, arguments and nested blocks (at any depth, `dynamic` ones included) against the
// providers' own documentation; required arguments present; every `${…}` reference pointing at something declared;
// and no name declared twice across the files of one module.
//
// `terraform validate` checks the AWS files for real where the provider mirror is (tests/terraform_validate_test.ts).
// No Cloudflare, azurerm or google provider is on the machines this is built on, and none can be downloaded, so for
// those these checks are what there is. The allow-lists were written from the providers' pages:
//   hashicorp/terraform-provider-aws website/docs/r/<name>.html.markdown (6.x)
//   cloudflare/terraform-provider-cloudflare docs/resources/<name>.md (v5)
//   hashicorp/terraform-provider-azurerm @ 69697b7fe6a923fc89e88f386bc95c3ed1ee2ec6 (5.2.0): website/docs/r/<name>.html.markdown
//   hashicorp/terraform-provider-google  @ e03b7622a26cf4e878f90bdccaca6aa3d03a7999 (7.45.0): website/docs/r/<name>.html.markdown

/** An argument list per resource type, with the page it was taken from. */
export interface Allowed {
  /** The documentation page. */
  source: string;
  /** Arguments the page marks Required. */
  required: string[];
  /** The Optional arguments the generator may write. */
  optional: string[];
  /** Nested blocks by path (`build_config.source.storage_source`): the keys each may hold. */
  nested?: Record<string, string[]>;
  /** Keys a nested block must hold when it is written. */
  nestedRequired?: Record<string, string[]>;
}

const AWS_DOCS = "hashicorp/terraform-provider-aws website/docs/r/";
const CF_DOCS = "cloudflare/terraform-provider-cloudflare docs/resources/ (v5.22.0 @a2efdc5)";
const AZ = "hashicorp/terraform-provider-azurerm@69697b7 website/docs/r/";
const GOOGLE = "hashicorp/terraform-provider-google@e03b762 website/docs/r/";

/**
 * Every resource type the generator may write, and every argument it may give it. Adding one here means reading the
 * provider's page first: the checks fail on anything outside this list.
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
    // invoke_mode: BUFFERED (default) or RESPONSE_STREAM, which a streamHandle entry needs.
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
  aws_iam_role_policy: {
    source: `${AWS_DOCS}iam_role_policy`,
    required: ["role", "policy"],
    optional: ["name"],
  },
  aws_dynamodb_table: {
    source: `${AWS_DOCS}dynamodb_table (hash_key and range_key need an attribute each; ttl.enabled)`,
    required: ["name", "attribute"],
    optional: ["billing_mode", "hash_key", "range_key", "ttl"],
    nested: { attribute: ["name", "type"], ttl: ["attribute_name", "enabled"] },
    nestedRequired: { attribute: ["name", "type"] },
  },
  aws_s3_bucket: { source: `${AWS_DOCS}s3_bucket`, required: [], optional: ["bucket_prefix"] },
  aws_s3_bucket_public_access_block: {
    source: `${AWS_DOCS}s3_bucket_public_access_block`,
    required: ["bucket"],
    optional: ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"],
  },
  aws_s3_bucket_lifecycle_configuration: {
    source: `${AWS_DOCS}s3_bucket_lifecycle_configuration (an empty filter applies a rule to every object)`,
    required: ["bucket", "rule"],
    optional: [],
    nested: {
      rule: ["id", "status", "filter", "abort_incomplete_multipart_upload"],
      "rule.filter": [],
      "rule.abort_incomplete_multipart_upload": ["days_after_initiation"],
    },
    nestedRequired: { rule: ["id", "status"] },
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
  cloudflare_r2_bucket: {
    source: `${CF_DOCS} r2_bucket (location, jurisdiction and storage_class are left to R2's defaults)`,
    required: ["account_id", "name"],
    optional: [],
  },
  cloudflare_d1_database: { source: `${CF_DOCS} d1_database`, required: ["account_id", "name"], optional: [] },
  cloudflare_workers_cron_trigger: {
    source: `${CF_DOCS} workers_cron_trigger`,
    required: ["account_id", "script_name", "schedules"],
    optional: [],
    nested: { schedules: ["cron"] },
    nestedRequired: { schedules: ["cron"] },
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
  // azurerm: the resources cli/iac/_azure.ts writes.
  azurerm_resource_group: {
    source: `${AZ}resource_group.html.markdown`,
    required: ["name", "location"],
    optional: [],
  },
  azurerm_storage_account: {
    source: `${AZ}storage_account.html.markdown`,
    required: ["name", "resource_group_name", "location", "account_tier", "account_replication_type"],
    optional: ["min_tls_version", "allow_nested_items_to_be_public"],
  },
  azurerm_storage_container: {
    source: `${AZ}storage_container.html.markdown (5.x: storage_account_id, not storage_account_name)`,
    required: ["name", "storage_account_id"],
    optional: ["container_access_type"],
  },
  azurerm_storage_table: {
    source: `${AZ}storage_table.html.markdown (5.x: storage_account_id)`,
    required: ["name", "storage_account_id"],
    optional: [],
  },
  azurerm_storage_queue: {
    source: `${AZ}storage_queue.html.markdown`,
    required: ["name", "storage_account_id"],
    optional: [],
  },
  azurerm_service_plan: {
    source: `${AZ}service_plan.html.markdown (sku_name FC1 = Flex Consumption, Y1 = Consumption, EP1 = Premium)`,
    required: ["name", "resource_group_name", "location", "os_type", "sku_name"],
    optional: [],
  },
  azurerm_function_app_flex_consumption: {
    source: `${AZ}function_app_flex_consumption.html.markdown`,
    required: [
      "name",
      "resource_group_name",
      "location",
      "service_plan_id",
      "site_config",
      "storage_container_type",
      "storage_container_endpoint",
      "storage_authentication_type",
      "runtime_name",
      "runtime_version",
    ],
    optional: [
      "storage_access_key",
      "instance_memory_in_mb",
      "maximum_instance_count",
      "app_settings",
      "https_only",
      "tags",
    ],
    // zip_deploy_file is documented but posts to /api/zipdeploy, which Flex does not serve (azurerm#29630).
    nested: { site_config: [] },
  },
  azurerm_linux_function_app: {
    source: `${AZ}linux_function_app.html.markdown`,
    required: ["name", "resource_group_name", "location", "service_plan_id", "site_config"],
    optional: [
      "storage_account_name",
      "storage_account_access_key",
      "functions_extension_version",
      "app_settings",
      "https_only",
      "zip_deploy_file",
      "tags",
    ],
    nested: {
      site_config: ["application_stack", "app_scale_limit"],
      "site_config.application_stack": ["node_version"],
    },
  },
  // google: the resources cli/iac/_gcp.ts writes.
  google_storage_bucket: {
    source: `${GOOGLE}storage_bucket.html.markdown`,
    required: ["name", "location"],
    optional: ["uniform_bucket_level_access", "public_access_prevention"],
  },
  google_storage_bucket_object: {
    source: `${GOOGLE}storage_bucket_object.html.markdown`,
    required: ["name", "bucket"],
    optional: ["source", "content_type"],
  },
  google_service_account: {
    source: `${GOOGLE}google_service_account.html.markdown`,
    required: ["account_id"],
    optional: ["display_name"],
  },
  google_project_iam_member: {
    source: `${GOOGLE}google_project_iam.html.markdown`,
    required: ["project", "role", "member"],
    optional: [],
  },
  google_cloudfunctions2_function: {
    source: `${GOOGLE}cloudfunctions2_function.html.markdown`,
    required: ["name", "location"],
    optional: ["description", "build_config", "service_config", "event_trigger"],
    nested: {
      build_config: ["runtime", "entry_point", "source"],
      "build_config.source": ["storage_source"],
      "build_config.source.storage_source": ["bucket", "object"],
      service_config: [
        "available_memory",
        "timeout_seconds",
        "max_instance_count",
        "environment_variables",
        "service_account_email",
      ],
      event_trigger: [
        "event_type",
        "pubsub_topic",
        "trigger_region",
        "service_account_email",
        "retry_policy",
        "event_filters",
      ],
      "event_trigger.event_filters": ["attribute", "value"],
    },
    nestedRequired: { event_trigger: ["event_type"], "event_trigger.event_filters": ["attribute", "value"] },
  },
  google_cloud_run_service_iam_member: {
    source: `${GOOGLE}cloud_run_service_iam.html.markdown (the cloudfunctions2_function page's Scheduler example ` +
      "grants roles/run.invoker this way)",
    required: ["service", "role", "member"],
    optional: ["location"],
  },
  google_cloud_scheduler_job: {
    source: `${GOOGLE}cloud_scheduler_job.html.markdown`,
    required: ["name"],
    optional: ["description", "schedule", "time_zone", "region", "http_target"],
    nested: {
      http_target: ["uri", "http_method", "body", "headers", "oidc_token"],
      "http_target.oidc_token": ["service_account_email", "audience"],
    },
    nestedRequired: { http_target: ["uri"], "http_target.oidc_token": ["service_account_email"] },
  },
  google_pubsub_topic: { source: `${GOOGLE}pubsub_topic.html.markdown`, required: ["name"], optional: [] },
  google_pubsub_topic_iam_member: {
    source: `${GOOGLE}pubsub_topic_iam.html.markdown`,
    required: ["topic", "role", "member"],
    optional: [],
  },
  google_storage_bucket_iam_member: {
    source: `${GOOGLE}storage_bucket_iam.html.markdown`,
    required: ["bucket", "role", "member"],
    optional: [],
  },
  google_firestore_field: {
    source: `${GOOGLE}firestore_field.html.markdown (an empty ttl_config turns the TTL policy on; an empty ` +
      "index_config disables the field's single-field indexes; database defaults to (default))",
    required: ["collection", "field"],
    optional: ["ttl_config", "index_config"],
    nested: { ttl_config: [], index_config: [] },
  },
};

/** Keys of each Worker binding, by binding type (the script's `bindings` list). */
const BINDING_KEYS: Record<string, string[]> = {
  kv_namespace: ["type", "name", "namespace_id"],
  d1: ["type", "name", "id"],
  // workers_script.md (v5): bindings[].bucket_name "R2 bucket to bind to", queue_name "Name of the Queue to bind to".
  r2_bucket: ["type", "name", "bucket_name"],
  queue: ["type", "name", "queue_name"],
  plain_text: ["type", "name", "text"],
  secret_text: ["type", "name", "text"],
};

const ROOT_KEYS = ["terraform", "provider", "variable", "locals", "resource", "data", "output", "module"];
/** The blocks whose names share one namespace per module: a name declared in two files is an error. */
const NAMESPACES = ["variable", "locals", "output"] as const;

/** Provider configuration arguments, from each provider's index page or provider reference. */
const PROVIDER_KEYS: Record<string, string[]> = {
  aws: ["region"], // hashicorp/terraform-provider-aws website/docs/index.html.markdown
  cloudflare: [], // the token comes from CLOUDFLARE_API_TOKEN

  azurerm: ["features", "subscription_id"], // website/docs/index.html.markdown: features is Required
  google: ["project", "region"], // website/docs/guides/provider_reference.html.markdown
};

const META_ARGUMENTS = ["depends_on", "count", "for_each", "provider", "lifecycle"];
/** Arguments whose value is a map of the user's keys, not a block. */
const MAPS = ["variables", "app_settings", "environment_variables", "headers", "tags"];

type Json = Record<string, unknown>;

/**
 * What a `variable` block takes (developer.hashicorp.com/terraform/language/block/variable), and `//`, the JSON
 * syntax's comment property (developer.hashicorp.com/terraform/language/syntax/json, "Comment Properties").
 */
const VARIABLE_KEYS = ["type", "description", "default", "sensitive", "nullable", "ephemeral", "validation", "//"];

/** Every problem found in a set of Terraform JSON files that make up one module. */
export function terraformProblems(files: Record<string, object>): string[] {
  const problems: string[] = [];
  const declared = { resources: new Set<string>(), variables: new Set<string>(), locals: new Set<string>() };
  const declaredIn = new Map<string, string>();
  const declare = (what: string, file: string) => {
    const first = declaredIn.get(what);
    if (first !== undefined) problems.push(`${file}: ${what} is declared in ${first} too`);
    else declaredIn.set(what, file);
  };
  for (const [file, doc] of Object.entries(files as Record<string, Json>)) {
    for (const key of Object.keys(doc)) {
      if (!ROOT_KEYS.includes(key)) problems.push(`${file}: root key "${key}" is not a Terraform block type`);
    }
    for (const [type, byName] of Object.entries((doc.resource ?? {}) as Record<string, Json>)) {
      for (const name of Object.keys(byName)) {
        declared.resources.add(`${type}.${name}`);
        declare(`resource ${type}.${name}`, file);
      }
    }
    for (const block of NAMESPACES) {
      for (const name of Object.keys((doc[block] ?? {}) as Json)) declare(`${block} ${name}`, file);
    }
    for (const name of Object.keys((doc.variable ?? {}) as Json)) declared.variables.add(name);
    for (const name of Object.keys((doc.locals ?? {}) as Json)) declared.locals.add(name);
  }
  for (const [file, doc] of Object.entries(files as Record<string, Json>)) {
    for (const [name, body] of Object.entries((doc.variable ?? {}) as Record<string, Json>)) {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) problems.push(`${file}: variable ${name}: not a valid name`);
      for (const key of Object.keys(body)) {
        if (!VARIABLE_KEYS.includes(key)) problems.push(`${file}: variable ${name} takes no "${key}"`);
      }
    }
    for (const [provider, body] of Object.entries((doc.provider ?? {}) as Record<string, Json>)) {
      const keys = PROVIDER_KEYS[provider];
      if (keys === undefined) continue;
      for (const key of Object.keys(body)) {
        if (!keys.includes(key)) problems.push(`${file}: provider ${provider} takes no "${key}"`);
      }
    }
    for (const [type, byName] of Object.entries((doc.resource ?? {}) as Record<string, Record<string, Json>>)) {
      const rule = ALLOWED[type];
      if (rule === undefined) {
        problems.push(`${file}: resource type ${type} is not in the allow-list`);
        continue;
      }
      for (const [name, body] of Object.entries(byName)) {
        const where = `${file}: ${type}.${name}`;
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) problems.push(`${where}: not a valid resource name`);
        for (const key of Object.keys(body)) {
          if (![...rule.required, ...rule.optional, ...META_ARGUMENTS].includes(key)) {
            problems.push(`${where}: argument "${key}" is not documented (${rule.source})`);
          }
        }
        for (const key of rule.required) {
          if (body[key] === undefined) problems.push(`${where}: required argument "${key}" is missing`);
        }
        for (const key of Object.keys(body)) {
          if (rule.nested?.[key] !== undefined) problems.push(...blockProblems(where, key, body[key], rule));
        }
        if (type === "cloudflare_workers_script") problems.push(...bindingProblems(where, body.bindings));
        for (const dependency of (body.depends_on ?? []) as string[]) {
          if (!declared.resources.has(dependency)) problems.push(`${where}: depends_on ${dependency}, not declared`);
        }
      }
    }
    problems.push(...referenceProblems(file, doc, declared));
  }
  return problems;
}

/** A Worker's bindings: each of a known type, with exactly that type's keys. */
function bindingProblems(where: string, bindings: unknown): string[] {
  const problems: string[] = [];
  for (const binding of (bindings ?? []) as Json[]) {
    const keys = BINDING_KEYS[String(binding.type)];
    if (keys === undefined) problems.push(`${where}: binding type ${binding.type} is not in the allow-list`);
    else if (Object.keys(binding).some((k) => !keys.includes(k)) || keys.some((k) => !(k in binding))) {
      problems.push(`${where}: binding ${JSON.stringify(binding)} must have exactly ${keys.join(", ")}`);
    }
  }
  return problems;
}

/** Checks one nested block (an object, or a list of them) and its own blocks, `dynamic` ones included. */
function blockProblems(where: string, path: string, value: unknown, rule: Allowed): string[] {
  const keys = rule.nested?.[path] ?? [];
  const problems: string[] = [];
  for (const block of Array.isArray(value) ? value : [value]) {
    if (typeof block !== "object" || block === null) {
      problems.push(`${where}: ${path} must be a block, got ${JSON.stringify(block)}`);
      continue;
    }
    for (const [key, inner] of Object.entries(block as Json)) {
      if (key === "dynamic") {
        for (const [label, generator] of Object.entries(inner as Record<string, Json>)) {
          if (!keys.includes(label)) problems.push(`${where}: dynamic ${path}.${label} is not documented`);
          problems.push(...blockProblems(where, `${path}.${label}`, generator.content, rule));
        }
      } else if (!keys.includes(key)) {
        problems.push(`${where}: ${path}.${key} is not documented (${rule.source})`);
      } else if (rule.nested?.[`${path}.${key}`] !== undefined) {
        problems.push(...blockProblems(where, `${path}.${key}`, inner, rule));
      } else if (typeof inner === "object" && inner !== null && !MAPS.includes(key) && !Array.isArray(inner)) {
        problems.push(`${where}: ${path}.${key} is a block the allow-list does not describe`);
      }
    }
    for (const key of rule.nestedRequired?.[path] ?? []) {
      if ((block as Json)[key] === undefined) problems.push(`${where}: ${path}.${key} is required`);
    }
  }
  return problems;
}

/**
 * Every `${…}` reference in a document that names nothing declared. `dynamic` blocks bring their iterator (the
 * block's label) into scope inside their content.
 */
function referenceProblems(
  file: string,
  doc: Json,
  declared: { resources: Set<string>; variables: Set<string>; locals: Set<string> },
): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, iterators: readonly string[]) => {
    if (typeof value === "string") {
      for (const expression of interpolations(value)) {
        for (const [, first, second] of expression.matchAll(/(?<![\w.-])([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)/g)) {
          if (first === "var" && declared.variables.has(second!)) continue;
          if (first === "local" && declared.locals.has(second!)) continue;
          if (first === "path" && second === "module") continue;
          if (iterators.includes(first!) && (second === "key" || second === "value")) continue;
          if (declared.resources.has(`${first}.${second}`)) continue;
          problems.push(`${file}: \${${expression}} names ${first}.${second}, which is not declared`);
        }
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, iterators);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, inner] of Object.entries(value as Json)) {
        if (key === "dynamic") {
          for (const [label, generator] of Object.entries(inner as Json)) visit(generator, [...iterators, label]);
        } else {
          visit(inner, iterators);
        }
      }
    }
  };
  visit(evaluated(doc), []);
  return problems;
}

/**
 * The parts of a document Terraform evaluates as templates: resources, providers, locals, variables' validations and
 * outputs' values. A variable's description and default, an output's description and the `terraform` block are read
 * literally, so a `${` there is text, not a reference.
 */
export function evaluated(doc: object): unknown[] {
  const { resource, provider, locals, variable, output } = doc as Json;
  const validations = Object.values((variable ?? {}) as Record<string, Json>).map((v) => v.validation ?? []);
  const values = Object.values((output ?? {}) as Record<string, Json>).map((o) => o.value);
  return [resource ?? {}, provider ?? {}, locals ?? {}, validations, values];
}

/** The expressions inside every `${…}` of every string in `value`, nested ones included. */
export function templates(value: unknown): string[] {
  if (typeof value === "string") return interpolations(value);
  if (Array.isArray(value)) return value.flatMap(templates);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(templates);
  return [];
}

/**
 * The expressions inside every `${…}` of a string, as Terraform reads its templates: `$${` is a literal `${`.
 * String literals inside an expression are dropped; their own `${…}` are found by the outer scan.
 */
export function interpolations(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("$${", i)) {
      i += 2;
      continue;
    }
    if (!text.startsWith("${", i)) continue;
    let depth = 0;
    for (let j = i + 2; j < text.length; j++) {
      if (text[j] === "{") depth++;
      else if (text[j] === "}" && depth-- === 0) {
        found.push(text.slice(i + 2, j).replace(/"(?:[^"\\]|\\.)*"/g, '""'));
        break;
      }
    }
    i += 1;
  }
  return found;
}

/** Every `${` or `%{` in a string that Terraform would evaluate (not written `$${` / `%%{`). */
export function liveTemplates(text: string): string[] {
  const live: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if ((text[i] === "$" || text[i] === "%") && text[i + 1] === text[i] && text[i + 2] === "{") {
      i += 2;
    } else if ((text[i] === "$" || text[i] === "%") && text[i + 1] === "{") {
      live.push(text.slice(i, i + 12));
    }
  }
  return live;
}
