/**
 * Functions on Google Cloud Functions (2nd gen) as Terraform resources (provider `hashicorp/google` 7.x).
 *
 * Every resource and argument is one the provider documents in hashicorp/terraform-provider-google
 * `website/docs/r/<name>.html.markdown` at commit e03b7622a26cf4e878f90bdccaca6aa3d03a7999 (7.45.0, August 2026);
 * `tests/support/iac_checks.ts` keeps the allow-list taken from those pages.
 *
 * The shape follows `register()` in `adapters/gcp/cloud_event.ts`: Google deploys one signature per function, so a
 * function with routes becomes an HTTP function named after it, and one with schedules, a queue or events becomes a
 * CloudEvent function named after it (or `<name>-events` when it has both). Both run the same source zip with a
 * different entry point.
 *
 * @module
 */

import { firestoreCollectionVariable, gcsBucketVariable, pubSubTopicVariable } from "../../src/binding_variables.ts";
import type { FunctionInfo } from "../../src/info.ts";
import type { SettingValue } from "../../src/platforms.ts";
import { environmentVariable } from "./_aws.ts";
import { bindingsServedBy, outsideBindings } from "./_bindings.ts";
import { FIRESTORE_KV_FIELDS } from "../../bindings/firestore_kv.ts";
import { environmentValue, type Setting } from "./_environment.ts";
import { artifact } from "./artifacts.ts";
import {
  type Arguments,
  hcl,
  identifier,
  literal,
  quoted,
  quotedText,
  type Template,
  type TerraformFile,
} from "./terraform_file.ts";

/** What describing the functions found. */
export interface GcpResult {
  /** Things that make the description wrong: nothing should be written. */
  errors: string[];
  /** Parts of a function that are not described. */
  warnings: string[];
}

/** The `required_providers` entry for the Google provider. */
export const GOOGLE_PROVIDER: { source: string; version: string } = { source: "hashicorp/google", version: "~> 7.0" };

const PUBSUB = hcl`google.cloud.pubsub.topic.v1.messagePublished`;
/** The CloudEvent type `handleCloudEvent` hands to `scheduled` (adapters/gcp/cloud_event.ts). */
const SCHEDULER = hcl`google.cloud.scheduler.job.v1.executed`;
const INVOKER = hcl`google_service_account.slrs_invoker`;
const BUCKET = hcl`google_storage_bucket.slrs_source`;

const number = (value: SettingValue | undefined, fallback: number) => typeof value === "number" ? value : fallback;
const base64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

/**
 * Describes every function on Google Cloud Functions: the provider, project and region variables in `main`, and in
 * `file` a source bucket, each function's zip, its HTTP and CloudEvent functions, Cloud Scheduler jobs, Pub/Sub topics,
 * Eventarc triggers and the invoker IAM.
 *
 * @param file The `gcp.tf.json` being built.
 * @param main The `main.tf.json` being built (provider, variables); its `terraform.required_providers` gains `google`.
 * @param functions The functions of the `--info` document.
 * @returns Errors and warnings.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { gcpFunctions } from "./_gcp.ts";
 * import { TerraformFile } from "./terraform_file.ts";
 *
 * const fn = serverless({ name: "hi", fetch: () => new Response("hi") });
 * const file = new TerraformFile();
 * gcpFunctions(file, new TerraformFile(), [describeFunction({ fn, entry: "hi.ts", exportName: "default" })]);
 * console.assert(file.json.resource?.google_cloudfunctions2_function?.hi !== undefined);
 * ```
 */
export function gcpFunctions(file: TerraformFile, main: TerraformFile, functions: readonly FunctionInfo[]): GcpResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  declareProvider(main, functions);
  if (functions.length === 0) return { errors, warnings };
  file.resource("google_storage_bucket", "slrs_source", {
    // Bucket names are global; the project id makes this one unique.
    name: hcl`\${var.gcp_project}-slrs-source`,
    location: hcl`\${var.gcp_region}`,
    uniform_bucket_level_access: true,
    public_access_prevention: hcl`enforced`,
  });
  const needsInvoker = functions.some((fn) => fn.triggers.some((t) => t.type !== "http"));
  if (needsInvoker) {
    // Cloud Scheduler's OIDC tokens and the Eventarc triggers act as this account; it may invoke nothing but the
    // CloudEvent functions.
    file.resource("google_service_account", "slrs_invoker", {
      account_id: hcl`slrs-invoker`,
      display_name: hcl`slrs: invokes the CloudEvent functions`,
    });
  }
  if (functions.some((fn) => fn.triggers.some((t) => t.type === "event"))) {
    file.resource("google_project_iam_member", "slrs_invoker_event_receiver", {
      project: hcl`\${var.gcp_project}`,
      role: hcl`roles/eventarc.eventReceiver`,
      member: hcl`serviceAccount:\${${INVOKER}.email}`,
    });
  }
  for (const fn of functions) {
    const result = gcpFunction(file, main, fn);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
  }
  return { errors, warnings };
}

function declareProvider(main: TerraformFile, functions: readonly FunctionInfo[]): void {
  const terraform = main.json.terraform ??= {};
  ((terraform.required_providers ??= {}) as Record<string, unknown>).google = GOOGLE_PROVIDER;
  const region = functions.map((fn) => fn.platforms.gcp.settings.region).find((r) => typeof r === "string");
  main.variable("gcp_project", { type: "string", description: "The Google Cloud project to deploy the functions to." });
  main.variable("gcp_region", {
    type: "string",
    description: "The region of the functions, their source bucket and their Cloud Scheduler jobs.",
    // A default is read literally: the region goes in as written.
    default: typeof region === "string" ? region : "us-central1",
  });
  (main.json.provider ??= {}).google = { project: hcl`\${var.gcp_project}`, region: hcl`\${var.gcp_region}` };
}

function gcpFunction(file: TerraformFile, main: TerraformFile, fn: FunctionInfo): GcpResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const id = identifier(fn.name);
  const name = literal(fn.name);
  const settings = fn.platforms.gcp.settings;
  const location = typeof settings.region === "string" ? literal(settings.region) : hcl`\${var.gcp_region}`;
  const zipPath = artifact("gcp", fn).path;
  const zip = hcl`\${local.dist}/${literal(zipPath)}`;
  const names = [...fn.requirements.env ?? [], ...fn.requirements.bindings?.secrets ?? []];
  const env = names.length > 0 ? environmentVariable(main, id, fn.name, names) : undefined;
  const bound = gcpBindings(file, fn);
  const outside = outsideBindings(main, fn, "gcp", ["firestore", "gcs", "pubsub"]);
  errors.push(...outside.errors);
  warnings.push(...outside.warnings);
  const environment = environmentValue(env, [...bound.settings, ...outside.settings]);

  const source = file.resource("google_storage_bucket_object", id, {
    // The hash in the name changes the functions' storage_source when the zip changes, so they are rebuilt.
    name: hcl`${name}-\${filemd5("\${local.dist}/${quotedText(zipPath)}")}.zip`,
    bucket: hcl`\${${BUCKET}.name}`,
    source: zip,
    content_type: hcl`application/zip`,
  });
  const body = (entryPoint: Template): Arguments => ({
    name: entryPoint,
    location,
    ...(fn.description !== null && { description: literal(fn.description) }),
    build_config: {
      runtime: hcl`nodejs22`,
      entry_point: entryPoint,
      source: { storage_source: { bucket: hcl`\${${BUCKET}.name}`, object: hcl`\${${source}.name}` } },
    },
    service_config: {
      available_memory: memory(number(settings.memory, 256)),
      timeout_seconds: number(settings.timeout, 60),
      ...(typeof settings.maxInstances === "number" && { max_instance_count: settings.maxInstances }),
      ...(environment !== undefined && { environment_variables: environment }),
      ...(bound.account !== undefined && { service_account_email: hcl`\${${bound.account}.email}` }),
    },
  });

  for (const kind of ["d1", "sql"] as const) {
    if (fn.requirements.bindings?.[kind]?.length) {
      warnings.push(`${fn.name} on gcp: ${kind} bindings have no Google Cloud backend; pass a client through env.`);
    }
  }
  const kinds = new Set(fn.triggers.map((t) => t.type));
  if (kinds.has("http")) {
    const http = file.resource("google_cloudfunctions2_function", id, body(name));
    // HTTP functions answer anyone, like the Lambda function URL and the Worker: the router does the rest.
    file.resource("google_cloud_run_service_iam_member", `${id}_public`, {
      location: hcl`\${${http}.location}`,
      service: hcl`\${${http}.name}`,
      role: hcl`roles/run.invoker`,
      member: hcl`allUsers`,
    });
    file.output(`${id}_gcp_url`, hcl`\${${http}.url}`, `The URL of ${fn.name}.`);
  }
  if (!(kinds.has("schedule") || kinds.has("queue") || kinds.has("event"))) return { errors, warnings };

  const eventsName = kinds.has("http") ? `${fn.name}-events` : fn.name;
  if (eventsName.length > 63) {
    errors.push(
      `${fn.name} on gcp: its CloudEvent function would be named "${eventsName}", longer than the 63 characters ` +
        "Cloud Functions takes; shorten the function's name to 56 characters or fewer.",
    );
    return { errors, warnings };
  }
  const eventsId = kinds.has("http") ? hcl`${id}_events` : id;
  const events = hcl`google_cloudfunctions2_function.${eventsId}`;
  const queue = fn.triggers.find((t) => t.type === "queue");
  const event = fn.triggers.find((t) => t.type === "event");
  const trigger = queue !== undefined
    ? pubsubTrigger(file, queue.queue)
    : event !== undefined
    ? eventarcTrigger(main, id, fn.name, event.sources)
    : undefined;
  if (queue !== undefined && event !== undefined) {
    warnings.push(
      `${fn.name} on gcp: a Cloud Function takes one event trigger, given to its queue; its event trigger ` +
        `(${event.sources.join(", ") || "no sources"}) is not described: add a google_eventarc_trigger for it.`,
    );
  }
  file.resource("google_cloudfunctions2_function", eventsId, {
    ...body(literal(eventsName)),
    ...(trigger !== undefined && {
      event_trigger: {
        ...trigger,
        trigger_region: location,
        service_account_email: hcl`\${${INVOKER}.email}`,
        // A thrown error or retry() fails the delivery; this makes Eventarc deliver it again.
        retry_policy: hcl`RETRY_POLICY_RETRY`,
      },
    }),
  });
  // Scheduler's tokens and Eventarc's pushes both act as the invoker account.
  file.resource("google_cloud_run_service_iam_member", `${eventsId}_invoker`, {
    location: hcl`\${${events}.location}`,
    service: hcl`\${${events}.name}`,
    role: hcl`roles/run.invoker`,
    member: hcl`serviceAccount:\${${INVOKER}.email}`,
  });

  fn.triggers.filter((t) => t.type === "schedule").forEach((schedule, i) => {
    const job = hcl`${name}-schedule-${i}`;
    const cron = literal(schedule.cron);
    file.resource("google_cloud_scheduler_job", `${id}_schedule_${i}`, {
      name: job,
      description: hcl`${name}: ${cron}`,
      // Cloud Scheduler takes unix-cron, the five fields `scheduled.cron` has; slrs crons are UTC.
      schedule: cron,
      time_zone: hcl`Etc/UTC`,
      region: location,
      http_target: {
        uri: hcl`\${${events}.service_config[0].uri}`,
        http_method: hcl`POST`,
        // A binary-mode CloudEvent, so the framework's cloudEvent signature takes it and `handleCloudEvent` runs the
        // cron the body names.
        headers: {
          "Content-Type": hcl`application/json`,
          "ce-specversion": hcl`1.0`,
          "ce-type": SCHEDULER,
          "ce-source":
            hcl`//cloudscheduler.googleapis.com/projects/\${var.gcp_project}/locations/${location}/jobs/${job}`,
          "ce-id": job,
        },
        body: literal(base64(JSON.stringify({ customData: base64(schedule.cron) }))),
        oidc_token: {
          service_account_email: hcl`\${${INVOKER}.email}`,
          audience: hcl`\${${events}.service_config[0].uri}`,
        },
      },
    });
  });
  return { errors, warnings };
}

/**
 * `available_memory` in binary units: Cloud Run's sizes are MiB, and `256M` would be 244 MiB. The CPU is left to the
 * provider, which derives it from the memory (the cloudfunctions2_function page, `available_cpu`).
 */
function memory(mb: number): Template {
  return mb % 1024 === 0 ? hcl`${mb / 1024}Gi` : hcl`${mb}Mi`;
}

/** The event trigger of a queue consumer: its topic. */
function pubsubTrigger(file: TerraformFile, queue: string): Arguments {
  return { event_type: PUBSUB, pubsub_topic: hcl`\${${pubsubTopic(file, queue)}.id}` };
}

/** Declares the topic `name` once, however many functions publish to it or consume it. */
function pubsubTopic(file: TerraformFile, name: string): Template {
  const local = identifier(name);
  if (file.json.resource?.google_pubsub_topic?.[local] === undefined) {
    return file.resource("google_pubsub_topic", local, { name: literal(name) });
  }
  return hcl`google_pubsub_topic.${local}`;
}

/** What {@linkcode gcpBindings} gives the function. */
interface GcpBindings {
  /** The variables the backends read, and their values' expressions. */
  settings: Setting[];
  /** The function's own service account, when it has bindings: it holds only their roles. */
  account: Template | undefined;
}

/**
 * Creates the function's bindings on Firestore, Cloud Storage and Pub/Sub and a service account of its own that may use exactly them: per kv binding a
 * Firestore collection in the `(default)` database with a TTL policy on its expiry field (Firestore creates the
 * collection with its first document) and `roles/datastore.user`, which Firestore grants per project, not per
 * collection; per bucket binding a private Cloud Storage bucket and `roles/storage.objectUser` on it; per queue
 * binding a Pub/Sub topic and `roles/pubsub.publisher` on it.
 */
function gcpBindings(file: TerraformFile, fn: FunctionInfo): GcpBindings {
  const id = identifier(fn.name);
  const settings: Setting[] = [];
  const kv = bindingsServedBy(fn, "gcp", "firestore");
  const buckets = bindingsServedBy(fn, "gcp", "gcs");
  const queues = bindingsServedBy(fn, "gcp", "pubsub");
  if (kv.length + buckets.length + queues.length === 0) return { settings, account: undefined };
  const account = file.resource("google_service_account", `${id}_bindings`, {
    account_id: literal(serviceAccountId(fn.name)),
    display_name: literal(`slrs: ${fn.name} and its bindings`.slice(0, 100)),
  });
  const member = hcl`serviceAccount:\${${account}.email}`;

  for (const name of kv) {
    const collection = `${fn.name}-${name}`;
    file.resource("google_firestore_field", `${id}_${identifier(name)}_ttl`, {
      collection: literal(collection),
      field: literal(FIRESTORE_KV_FIELDS.expiry),
      // An empty ttl_config turns the TTL policy on; an empty index_config keeps the expiry out of the indexes.
      ttl_config: {},
      index_config: {},
    });
    settings.push([firestoreCollectionVariable(name), quoted(collection)]);
  }
  if (kv.length > 0) {
    file.resource("google_project_iam_member", `${id}_datastore_user`, {
      project: hcl`\${var.gcp_project}`,
      role: hcl`roles/datastore.user`,
      member,
    });
  }
  for (const name of buckets) {
    const local = `${id}_${identifier(name)}`;
    const bucket = file.resource("google_storage_bucket", local, {
      // Bucket names are global; the project id makes this one unique.
      name: hcl`\${var.gcp_project}-${literal(bucketSuffix(`${fn.name}-${name}`))}`,
      location: hcl`\${var.gcp_region}`,
      uniform_bucket_level_access: true,
      public_access_prevention: hcl`enforced`,
    });
    file.resource("google_storage_bucket_iam_member", local, {
      bucket: hcl`\${${bucket}.name}`,
      role: hcl`roles/storage.objectUser`,
      member,
    });
    settings.push([gcsBucketVariable(name), hcl`${bucket}.name`]);
  }
  for (const name of queues) {
    const topic = pubsubTopic(file, name);
    file.resource("google_pubsub_topic_iam_member", `${id}_${identifier(name)}_publisher`, {
      topic: hcl`\${${topic}.name}`,
      role: hcl`roles/pubsub.publisher`,
      member,
    });
    settings.push([pubSubTopicVariable(name), hcl`${topic}.name`]);
  }
  return { settings, account };
}

/** A service account id: `slrs-` and the function's name, 6–30 lowercase letters, digits and hyphens. */
function serviceAccountId(name: string): string {
  const id = `slrs-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`.slice(0, 30).replace(/-+$/, "");
  return id.padEnd(6, "0");
}

/** The part of a bucket name after the project id: lowercase letters, digits and hyphens, at most 32. */
function bucketSuffix(name: string): string {
  const suffix = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 32).replace(/-+$/, "");
  return suffix || "bucket";
}

/**
 * The event trigger of an `event` consumer. Its sources (`google.cloud.storage`) do not say which event or which
 * bucket, so a variable holds the event type and the filters, one `event_filters` block per entry. The variable's
 * description is read literally, so the sources go in as written.
 */
function eventarcTrigger(main: TerraformFile, id: Template, name: string, sources: readonly string[]): Arguments {
  const variable = main.variable(`${id}_event`, {
    type: "object({ event_type = string, filters = optional(map(string), {}) })",
    description: `The Eventarc event ${name} receives (sources: ${sources.join(", ") || "none given"}), e.g. ` +
      '{ event_type = "google.cloud.storage.object.v1.finalized", filters = { bucket = "my-bucket" } }.',
  });
  return {
    event_type: hcl`\${${variable}.event_type}`,
    dynamic: {
      event_filters: {
        for_each: hcl`\${${variable}.filters}`,
        content: { attribute: hcl`\${event_filters.key}`, value: hcl`\${event_filters.value}` },
      },
    },
  };
}
