/**
 * One function on Cloudflare Workers as Terraform resources (provider `cloudflare/cloudflare` 5.x).
 *
 * @module
 */

import type { FunctionInfo } from "../../src/info.ts";
import type { SettingValue } from "../../src/platforms.ts";
import { environmentVariable } from "./_aws.ts";
import { bindingsServedBy } from "./_bindings.ts";
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

const ACCOUNT = hcl`\${var.cloudflare_account_id}`;

/** The settings a Worker deployment reads from the `--info` document. */
export interface WorkerSettings {
  /** `compatibility_date`. */
  compatibilityDate: string;
  /** `compatibility_flags`. */
  compatibilityFlags: string[];
  /** `limits.cpu_ms`. */
  cpuMs: number;
  /** Route patterns such as `example.com/api/*`. */
  routes: string[];
}

/**
 * The Worker settings of a function, with the defaults `--info` would give.
 *
 * @param fn The function's entry of the `--info` document.
 * @returns The settings.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { workerSettings } from "./_cloudflare.ts";
 *
 * const fn = serverless({ name: "hi", requirements: { timeout: 10 }, fetch: () => new Response("hi") });
 * console.assert(workerSettings(describeFunction({ fn, entry: "hi.ts", exportName: "default" })).cpuMs === 10000);
 * ```
 */
export function workerSettings(fn: FunctionInfo): WorkerSettings {
  const settings = fn.platforms.cloudflare.settings;
  const list = (value: SettingValue | undefined) =>
    Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  return {
    compatibilityDate: typeof settings.compatibilityDate === "string" ? settings.compatibilityDate : "2026-11-01",
    compatibilityFlags: list(settings.compatibilityFlags),
    cpuMs: typeof settings.cpuMs === "number" ? settings.cpuMs : 30_000,
    routes: list(settings.routes),
  };
}

/**
 * Adds one function's Worker resources to `file`: the script with its KV, D1 and environment bindings, the KV
 * namespaces and D1 databases it binds, its cron triggers, queue consumer, routes and workers.dev subdomain.
 *
 * @param file The `cloudflare.tf.json` being built.
 * @param main The `main.tf.json` being built (variables).
 * @param fn The function's entry of the `--info` document.
 * @returns Warnings for the parts not described.
 *
 * @example Usage
 * ```ts
 * import { describeFunction } from "../../src/info.ts";
 * import { cloudflareFunction } from "./_cloudflare.ts";
 * import { TerraformFile } from "./terraform_file.ts";
 * import hello from "../../examples/hello/main.ts";
 *
 * const file = new TerraformFile();
 * cloudflareFunction(file, new TerraformFile(), describeFunction({ fn: hello, entry: "main.ts", exportName: "default" }));
 * console.assert(file.json.resource?.cloudflare_workers_kv_namespace?.hello_COUNTER !== undefined);
 * ```
 */
export function cloudflareFunction(file: TerraformFile, main: TerraformFile, fn: FunctionInfo): { warnings: string[] } {
  const warnings: string[] = [];
  const id = identifier(fn.name);
  const fnName = literal(fn.name);
  const worker = workerSettings(fn);
  const bindings = fn.requirements.bindings ?? {};
  const scriptPath = artifact("cloudflare", fn).path;

  const bound: Arguments[] = [];
  for (const name of bindingsServedBy(fn, "cloudflare", "workers-kv")) {
    const kv = file.resource("cloudflare_workers_kv_namespace", `${id}_${identifier(name)}`, {
      account_id: ACCOUNT,
      title: literal(`${fn.name}-${name}`),
    });
    bound.push({ type: hcl`kv_namespace`, name: literal(name), namespace_id: hcl`\${${kv}.id}` });
  }
  for (const name of bindings.d1 ?? []) {
    const d1 = file.resource("cloudflare_d1_database", `${id}_${identifier(name)}`, {
      account_id: ACCOUNT,
      name: literal(`${fn.name}-${name.toLowerCase()}`),
    });
    bound.push({ type: hcl`d1`, name: literal(name), id: hcl`\${${d1}.id}` });
  }
  const secrets = new Set(bindings.secrets ?? []);
  const names = [...fn.requirements.env ?? [], ...secrets];
  if (names.length > 0) {
    const env = environmentVariable(main, id, fn.name, names);
    for (const name of names) {
      bound.push({
        type: secrets.has(name) ? hcl`secret_text` : hcl`plain_text`,
        name: literal(name),
        text: hcl`\${${env}[${quoted(name)}]}`,
      });
    }
  }
  for (const name of bindingsServedBy(fn, "cloudflare", "r2")) {
    const r2 = file.resource("cloudflare_r2_bucket", `${id}_${identifier(name)}`, {
      account_id: ACCOUNT,
      name: literal(r2BucketName(fn.name, name)),
    });
    bound.push({ type: hcl`r2_bucket`, name: literal(name), bucket_name: hcl`\${${r2}.name}` });
  }
  for (const name of bindingsServedBy(fn, "cloudflare", "cloudflare-queues")) {
    // A queue binding and a queue trigger of the same name are the same queue.
    const queue = cloudflareQueue(file, name);
    bound.push({ type: hcl`queue`, name: literal(name), queue_name: hcl`\${${queue}.queue_name}` });
  }
  for (const kind of ["sql"] as const) {
    if (bindings[kind]?.length) {
      warnings.push(`${fn.name} on cloudflare: ${kind} bindings (${bindings[kind].join(", ")}) are not described.`);
    }
  }

  const workerScript = file.resource("cloudflare_workers_script", id, {
    account_id: ACCOUNT,
    script_name: fnName,
    content_file: hcl`\${local.dist}/${literal(scriptPath)}`,
    content_sha256: hcl`\${filesha256("\${local.dist}/${quotedText(scriptPath)}")}`,
    main_module: hcl`${fnName}.js`,
    compatibility_date: literal(worker.compatibilityDate),
    ...(worker.compatibilityFlags.length > 0 && { compatibility_flags: worker.compatibilityFlags.map(literal) }),
    ...(bound.length > 0 && { bindings: bound }),
    limits: { cpu_ms: worker.cpuMs },
  });
  const scriptName = hcl`\${${workerScript}.script_name}`;

  const crons = fn.triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
  if (crons.length > 0) {
    file.resource("cloudflare_workers_cron_trigger", id, {
      account_id: ACCOUNT,
      script_name: scriptName,
      schedules: crons.map((cron) => ({ cron: literal(cron) })),
    });
  }
  for (const trigger of fn.triggers) {
    if (trigger.type !== "queue") continue;
    const queue = cloudflareQueue(file, trigger.queue);
    file.resource("cloudflare_queue_consumer", `${id}_${identifier(trigger.queue)}`, {
      account_id: ACCOUNT,
      queue_id: hcl`\${${queue}.queue_id}`,
      script_name: scriptName,
      type: hcl`worker`,
      settings: { batch_size: 10, max_retries: 3 },
    });
  }
  if (fn.triggers.some((t) => t.type === "event")) {
    warnings.push(`${fn.name} on cloudflare: event triggers have no Workers equivalent and are not described.`);
  }

  if (fn.triggers.some((t) => t.type === "http")) {
    file.resource("cloudflare_workers_script_subdomain", id, {
      account_id: ACCOUNT,
      script_name: scriptName,
      enabled: true,
    });
    const subdomain = hcl`var.cloudflare_workers_subdomain`;
    file.output(
      `${id}_cloudflare_url`,
      hcl`\${${subdomain} == null ? null : "https://${quotedText(fn.name)}.\${${subdomain}}.workers.dev"}`,
      `The workers.dev URL of ${fn.name} (set cloudflare_workers_subdomain to see it).`,
    );
    worker.routes.forEach((pattern, i) => {
      file.resource("cloudflare_workers_route", `${id}_${i}`, {
        zone_id: hcl`\${var.cloudflare_zone_id}`,
        pattern: literal(pattern),
        script: scriptName,
      });
    });
    if (worker.routes.length > 0) {
      const urls = worker.routes.map((pattern) => quoted(`https://${pattern}`)).join(", ") as Template;
      file.output(`${id}_cloudflare_routes`, hcl`\${[${urls}]}`, `The routes of ${fn.name}.`);
    }
  }
  return { warnings };
}

/** Declares the queue named `name` once, however many Workers send to it or consume it. */
function cloudflareQueue(file: TerraformFile, name: string): Template {
  const local = identifier(name);
  if (file.json.resource?.cloudflare_queue?.[local] === undefined) {
    return file.resource("cloudflare_queue", local, { account_id: ACCOUNT, queue_name: literal(name) });
  }
  return hcl`cloudflare_queue.${local}`;
}

/**
 * The R2 bucket of a Worker's bucket binding: `<worker>-<binding>` in the letters R2 takes (lowercase letters,
 * digits and hyphens, 3–63 of them).
 *
 * @param worker The Worker's name.
 * @param binding The binding's name.
 * @returns The bucket's name.
 *
 * @example Usage
 * ```ts
 * import { r2BucketName } from "./_cloudflare.ts";
 * console.assert(r2BucketName("hello", "UPLOADS") === "hello-uploads");
 * ```
 */
export function r2BucketName(worker: string, binding: string): string {
  const name = `${worker}-${binding}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+/, "").slice(0, 63);
  return name.replace(/-+$/, "").padEnd(3, "0");
}
