/**
 * The resources `slrs iac` writes for a function's kv, bucket and queue bindings, on each platform: that they exist,
 * that the function's environment points each backend at its own resource, that the permissions are exactly the
 * actions the backend calls on exactly those resources, and that the one allow-list passes.
 */

import assert from "node:assert/strict";
import { describeFunction, type InfoDocument } from "../src/info.ts";
import { terraform } from "../cli/iac/terraform.ts";
import { wranglerConfig } from "../cli/iac/wrangler.ts";
import { wiredBindings } from "../cli/binding_entry.ts";
import { serverless } from "../mod.ts";
import { evaluated, liveTemplates, terraformProblems } from "./support/iac_checks.ts";

type Json = Record<string, unknown>;

const stateful = describeFunction({
  fn: serverless({
    name: "shop",
    requirements: { env: ["MODE"], bindings: { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ["jobs"] } },
    fetch: () => new Response("ok"),
    queue: { name: "jobs", run() {} },
  }),
  entry: "functions/shop.ts",
  exportName: "default",
});
const doc: InfoDocument = { slrs: "test", functions: [stateful] };

Deno.test("AWS Terraform creates each binding and grants only what its backend calls", async (t) => {
  const { files, errors } = terraform(doc, { platforms: ["aws-lambda"] });
  const aws = files["aws.tf.json"]!.resource! as Record<string, Record<string, Json>>;

  await t.step("a kv binding is an on-demand DynamoDB table with the backend's keys and TTL", () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(aws.aws_dynamodb_table!.shop_COUNTER, {
      name: "shop-COUNTER",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "pk",
      range_key: "sk",
      attribute: [{ name: "pk", type: "S" }, { name: "sk", type: "S" }],
      ttl: { attribute_name: "ttl", enabled: true },
    });
  });

  await t.step("a bucket binding is an S3 bucket with every public access blocked", () => {
    assert.equal(aws.aws_s3_bucket!.shop_UPLOADS!.bucket_prefix, "shop-uploads-");
    assert.deepEqual(aws.aws_s3_bucket_public_access_block!.shop_UPLOADS, {
      bucket: "${aws_s3_bucket.shop_UPLOADS.id}",
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const rule = (aws.aws_s3_bucket_lifecycle_configuration!.shop_UPLOADS!.rule as Json[])[0]!;
    assert.deepEqual(rule.abort_incomplete_multipart_upload, { days_after_initiation: 1 });
  });

  await t.step("a queue binding the function also consumes is one SQS queue, mapped to the function", () => {
    assert.deepEqual(Object.keys(aws.aws_sqs_queue!), ["jobs"]);
    assert.equal(aws.aws_sqs_queue!.jobs!.visibility_timeout_seconds, 30);
    assert.equal(aws.aws_lambda_event_source_mapping!.shop_jobs!.event_source_arn, "${aws_sqs_queue.jobs.arn}");
  });

  await t.step("the environment sets each backend's variable to its resource, merged with the user's", () => {
    assert.deepEqual(aws.aws_lambda_function!.shop!.environment, {
      variables: '${merge(var.shop_env, { "SLRS_COUNTER_TABLE" = aws_dynamodb_table.shop_COUNTER.name, ' +
        '"SLRS_UPLOADS_BUCKET" = aws_s3_bucket.shop_UPLOADS.bucket, "SLRS_jobs_QUEUE_URL" = aws_sqs_queue.jobs.url })}',
    });
  });

  await t.step("without variables of its own the environment is the bindings' alone", () => {
    const bare = describeFunction({
      fn: serverless({ name: "c", requirements: { bindings: { kv: ["COUNTER"] } }, fetch: () => new Response() }),
      entry: "c.ts",
      exportName: "default",
    });
    const lambda = terraform({ slrs: "test", functions: [bare] }, { platforms: ["aws-lambda"] })
      .files["aws.tf.json"]!.resource!.aws_lambda_function!.c!;
    assert.deepEqual(lambda.environment, { variables: { SLRS_COUNTER_TABLE: "${aws_dynamodb_table.c_COUNTER.name}" } });
  });

  await t.step("the role's inline policy lists exactly the backends' actions on exactly those ARNs", () => {
    const policy = aws.aws_iam_role_policy!.shop_bindings!;
    assert.equal(policy.role, "${aws_iam_role.shop.name}");
    assert.equal(
      policy.policy,
      '${jsonencode({ Version = "2012-10-17", Statement = [' +
        '{ Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", ' +
        '"dynamodb:Query"], Resource = [aws_dynamodb_table.shop_COUNTER.arn] }, ' +
        '{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", ' +
        '"s3:AbortMultipartUpload"], Resource = ["${aws_s3_bucket.shop_UPLOADS.arn}/*"] }, ' +
        '{ Effect = "Allow", Action = ["s3:ListBucket"], Resource = [aws_s3_bucket.shop_UPLOADS.arn] }, ' +
        '{ Effect = "Allow", Action = ["sqs:SendMessage"], Resource = [aws_sqs_queue.jobs.arn] }] })}',
    );
    assert.ok((aws.aws_lambda_function!.shop!.depends_on as string[]).includes("aws_iam_role_policy.shop_bindings"));
  });

  await t.step("a consumer declared after a producer of the same queue still gets its visibility timeout", () => {
    const producer = describeFunction({
      fn: serverless({ name: "a", requirements: { bindings: { queues: ["jobs"] } }, fetch: () => new Response() }),
      entry: "a.ts",
      exportName: "default",
    });
    const consumer = describeFunction({
      fn: serverless({ name: "b", requirements: { timeout: 20 }, queue: { name: "jobs", run() {} } }),
      entry: "b.ts",
      exportName: "default",
    });
    const queues = terraform({ slrs: "test", functions: [producer, consumer] }, { platforms: ["aws-lambda"] })
      .files["aws.tf.json"]!.resource!.aws_sqs_queue!;
    assert.deepEqual(queues, { jobs: { name: "jobs", visibility_timeout_seconds: 120 } });
  });

  await t.step("passes the one allow-list", () => {
    assert.deepEqual(terraformProblems(files), []);
  });
});

Deno.test("Cloudflare Terraform and wrangler create and bind each KV namespace, R2 bucket and queue", async (t) => {
  const { files, errors } = terraform(doc, { platforms: ["cloudflare"] });
  const cf = files["cloudflare.tf.json"]!.resource! as Record<string, Record<string, Json>>;
  const bindings = cf.cloudflare_workers_script!.shop!.bindings as Json[];

  await t.step("creates a namespace, a bucket and one queue, and binds each under its name", () => {
    assert.deepEqual(errors, []);
    assert.equal(cf.cloudflare_workers_kv_namespace!.shop_COUNTER!.title, "shop-COUNTER");
    assert.equal(cf.cloudflare_r2_bucket!.shop_UPLOADS!.name, "shop-uploads");
    assert.deepEqual(Object.keys(cf.cloudflare_queue!), ["jobs"]);
    assert.deepEqual(bindings, [
      { type: "kv_namespace", name: "COUNTER", namespace_id: "${cloudflare_workers_kv_namespace.shop_COUNTER.id}" },
      { type: "plain_text", name: "MODE", text: '${var.shop_env["MODE"]}' },
      { type: "r2_bucket", name: "UPLOADS", bucket_name: "${cloudflare_r2_bucket.shop_UPLOADS.name}" },
      { type: "queue", name: "jobs", queue_name: "${cloudflare_queue.jobs.queue_name}" },
    ]);
  });

  await t.step("the Worker consumes the queue it sends to", () => {
    assert.equal(cf.cloudflare_queue_consumer!.shop_jobs!.queue_id, "${cloudflare_queue.jobs.queue_id}");
  });

  await t.step("passes the one allow-list", () => {
    assert.deepEqual(terraformProblems(files), []);
  });

  await t.step("wrangler.jsonc binds the same namespace, bucket, producer and consumer", () => {
    const config = JSON.parse(wranglerConfig(stateful).replace(/^\s*\/\/.*$/gm, ""));
    assert.deepEqual(config.kv_namespaces, [{ binding: "COUNTER", id: "<id of shop-COUNTER>" }]);
    assert.deepEqual(config.r2_buckets, [{ binding: "UPLOADS", bucket_name: "shop-uploads" }]);
    assert.deepEqual(config.queues, {
      producers: [{ binding: "jobs", queue: "jobs" }],
      consumers: [{ queue: "jobs", max_batch_size: 10, max_retries: 3 }],
    });
    assert.match(wranglerConfig(stateful), /npx wrangler r2 bucket create shop-uploads/);
    assert.match(wranglerConfig(stateful), /npx wrangler queues create jobs/);
  });
});

Deno.test("Azure Terraform creates each binding in the app's storage account and sets its app settings", async (t) => {
  const { files, errors, warnings } = terraform(doc, { platforms: ["azure"] });
  const az = files["azure.tf.json"]!.resource! as Record<string, Record<string, Json>>;

  await t.step("a table, a private container and one queue the app also consumes", () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(az.azurerm_storage_table!.shop_COUNTER, {
      name: "shopCOUNTER",
      storage_account_id: "${azurerm_storage_account.slrs.id}",
    });
    assert.deepEqual(az.azurerm_storage_container!.shop_UPLOADS, {
      name: "shop-uploads",
      storage_account_id: "${azurerm_storage_account.slrs.id}",
      container_access_type: "private",
    });
    assert.deepEqual(Object.keys(az.azurerm_storage_queue!), ["jobs"]);
  });

  await t.step("the app settings point each backend at its resource, merged with the user's", () => {
    assert.equal(
      az.azurerm_function_app_flex_consumption!.shop!.app_settings,
      '${merge(var.shop_env, { "SLRS_COUNTER_TABLE" = azurerm_storage_table.shop_COUNTER.name, ' +
        '"SLRS_UPLOADS_CONTAINER" = azurerm_storage_container.shop_UPLOADS.name, ' +
        '"SLRS_jobs_QUEUE" = azurerm_storage_queue.jobs.name })}',
    );
  });

  await t.step("no binding is reported as not described, and the one allow-list passes", () => {
    assert.deepEqual(warnings.filter((w) => /not described/.test(w)), []);
    assert.deepEqual(terraformProblems(files), []);
  });

  await t.step("a queue binding that gives no storage queue name is an error naming it", () => {
    const bad = describeFunction({
      fn: serverless({ name: "q", requirements: { bindings: { queues: ["Q"] } }, fetch: () => new Response() }),
      entry: "q.ts",
      exportName: "default",
    });
    const result = terraform({ slrs: "test", functions: [bad] }, { platforms: ["azure"] });
    assert.match(result.errors.join("\n"), /queue binding "Q" gives no Azure Storage queue name/);
  });
});

Deno.test("Google Cloud Terraform creates each binding and a service account limited to them", async (t) => {
  const { files, errors, warnings } = terraform(doc, { platforms: ["gcp"] });
  const gcp = files["gcp.tf.json"]!.resource! as Record<string, Record<string, Json>>;
  const member = "serviceAccount:${google_service_account.shop_bindings.email}";

  await t.step("a kv binding is a collection with a TTL policy on the backend's expiry field", () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(gcp.google_firestore_field!.shop_COUNTER_ttl, {
      collection: "shop-COUNTER",
      field: "expireAt",
      ttl_config: {},
      index_config: {},
    });
  });

  await t.step("a bucket binding is a bucket with uniform access and public access prevented", () => {
    assert.deepEqual(gcp.google_storage_bucket!.shop_UPLOADS, {
      name: "${var.gcp_project}-shop-uploads",
      location: "${var.gcp_region}",
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
    });
  });

  await t.step("a queue binding the function also consumes is one topic, its trigger's", () => {
    assert.deepEqual(Object.keys(gcp.google_pubsub_topic!), ["jobs"]);
    const events = gcp.google_cloudfunctions2_function!.shop_events!.event_trigger as Json;
    assert.equal(events.pubsub_topic, "${google_pubsub_topic.jobs.id}");
  });

  await t.step("both functions run as the function's own account, with each backend's variable set", () => {
    for (const name of ["shop", "shop_events"]) {
      const service = gcp.google_cloudfunctions2_function![name]!.service_config as Json;
      assert.equal(service.service_account_email, "${google_service_account.shop_bindings.email}");
      assert.equal(
        service.environment_variables,
        '${merge(var.shop_env, { "SLRS_COUNTER_COLLECTION" = "shop-COUNTER", ' +
          '"SLRS_UPLOADS_BUCKET" = google_storage_bucket.shop_UPLOADS.name, ' +
          '"SLRS_jobs_TOPIC" = google_pubsub_topic.jobs.name })}',
      );
    }
  });

  await t.step("the account holds exactly one role per binding kind, on exactly those resources", () => {
    const grants = [
      ...Object.values(gcp.google_project_iam_member!).filter((m) => m.member === member)
        .map((m) => ["project", m.project, m.role]),
      ...Object.values(gcp.google_storage_bucket_iam_member!).map((m) => [m.member, m.bucket, m.role]),
      ...Object.values(gcp.google_pubsub_topic_iam_member!).map((m) => [m.member, m.topic, m.role]),
    ];
    assert.deepEqual(grants, [
      ["project", "${var.gcp_project}", "roles/datastore.user"],
      [member, "${google_storage_bucket.shop_UPLOADS.name}", "roles/storage.objectUser"],
      [member, "${google_pubsub_topic.jobs.name}", "roles/pubsub.publisher"],
    ]);
  });

  await t.step("no binding is reported as not described, and the one allow-list passes", () => {
    assert.deepEqual(warnings.filter((w) => /not described/.test(w) && /bindings/.test(w)), []);
    assert.deepEqual(terraformProblems(files), []);
  });
});

Deno.test("binding names reach every platform's Terraform literally, never as an expression", async (t) => {
  // serverless() takes only identifier-like binding names; an --info document read from elsewhere is not checked,
  // so the generators must not depend on it.
  const hostile = "X${var.x}%{if true}Y";
  const fn = describeFunction({
    fn: serverless({ name: "h", fetch: () => new Response() }),
    entry: "h.ts",
    exportName: "default",
  });
  fn.requirements.bindings = { kv: [hostile], buckets: [hostile], queues: [`q${hostile}`] };
  for (const platform of ["aws-lambda", "cloudflare", "azure", "gcp"] as const) {
    await t.step(`${platform}: every \${ and %{ of the name is escaped, and nothing undeclared is named`, () => {
      const { files } = terraform({ slrs: "test", functions: [fn] }, { platforms: [platform] });
      const text = JSON.stringify(files);
      assert.ok(text.includes("X$${var.x}%%{if true}Y"), "the name is written escaped");
      assert.deepEqual(liveTemplates(text).filter((live) => live.includes("{var.x}") || live.includes("{if")), []);
      assert.deepEqual(terraformProblems(files).filter((p) => !/queue binding|not a valid/.test(p)), []);
    });
  }
});

Deno.test("an override that picks another backend gets none of the platform's own resources, only variables", async (t) => {
  const overridden = (overrides: Record<string, Record<string, string>>) =>
    describeFunction(
      {
        fn: serverless({
          name: "shop",
          requirements: { env: ["MODE"], bindings: { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ["jobs"] } },
          fetch: () => new Response("ok"),
          queue: { name: "jobs", run() {} },
        }),
        entry: "functions/shop.ts",
        exportName: "default",
      },
      overrides,
    );
  const redisOnLambda = overridden({ "aws-lambda": { kvBackend: "redis" } });
  const { files, errors } = terraform({ slrs: "test", functions: [redisOnLambda] }, { platforms: ["aws-lambda"] });
  const aws = files["aws.tf.json"]!.resource! as Record<string, Record<string, Json>>;
  const variables = files["main.tf.json"]!.variable! as unknown as Record<string, Json>;

  await t.step("kvBackend redis on Lambda: no DynamoDB table and no DynamoDB grant", () => {
    assert.deepEqual(errors, []);
    assert.equal(aws.aws_dynamodb_table, undefined);
    const policy = String(aws.aws_iam_role_policy!.shop_bindings!.policy);
    assert.doesNotMatch(policy, /dynamodb/);
    assert.match(policy, /s3:GetObject/);
    assert.match(policy, /sqs:SendMessage/);
  });

  await t.step("its variable is a required, sensitive Terraform variable that says what to set", () => {
    assert.deepEqual(aws.aws_lambda_function!.shop!.environment, {
      variables: '${merge(var.shop_env, { "SLRS_UPLOADS_BUCKET" = aws_s3_bucket.shop_UPLOADS.bucket, ' +
        '"SLRS_jobs_QUEUE_URL" = aws_sqs_queue.jobs.url, ' +
        '"SLRS_COUNTER_REDIS_URL" = var.shop_aws_SLRS_COUNTER_REDIS_URL })}',
    });
    const variable = variables.shop_aws_SLRS_COUNTER_REDIS_URL!;
    assert.equal(variable.type, "string");
    assert.equal(variable.sensitive, true);
    assert.equal("default" in variable, false, "required: no default");
    assert.match(String(variable["//"]), /set SLRS_COUNTER_REDIS_URL for the redis backend of COUNTER/);
    assert.match(String(variable.description), /URL of its Redis server.*kv binding COUNTER \(backend redis/);
    assert.equal(
      (variable.validation as Json[])[0]!.condition,
      "${length(var.shop_aws_SLRS_COUNTER_REDIS_URL) > 0}",
    );
    assert.deepEqual(terraformProblems(files), []);
  });

  await t.step("the environment holds the variables --info lists, and build wires the same backend", () => {
    const environment = String((aws.aws_lambda_function!.shop!.environment as Json).variables);
    for (const [name, binding] of Object.entries(redisOnLambda.platforms["aws-lambda"].bindings)) {
      assert.ok(environment.includes(`"${binding.variable}" = `), `${name}: ${binding.variable}`);
      assert.equal(wiredBindings(redisOnLambda, "aws-lambda")[name]?.backend, binding.backend);
    }
  });

  await t.step("every binding elsewhere: no binding policy at all, the consumer's queue stays", () => {
    const elsewhere = overridden({
      "aws-lambda": { kvBackend: "upstash", bucketBackend: "vercel-blob", queueBackend: "redis-queue" },
    });
    const result = terraform({ slrs: "test", functions: [elsewhere] }, { platforms: ["aws-lambda"] });
    const resources = result.files["aws.tf.json"]!.resource! as Record<string, Record<string, Json>>;
    assert.deepEqual(result.errors, []);
    for (const type of ["aws_dynamodb_table", "aws_s3_bucket", "aws_iam_role_policy"]) {
      assert.equal(resources[type], undefined, type);
    }
    // The queue trigger is still SQS's delivery path, and the function is told it will not get what it sends.
    assert.deepEqual(Object.keys(resources.aws_sqs_queue!), ["jobs"]);
    assert.match(
      result.warnings.join("\n"),
      /shop on aws-lambda: queue binding jobs sends to redis-queue, but its queue trigger jobs reads/,
    );
    assert.deepEqual(Object.keys(result.files["main.tf.json"]!.variable!).filter((v) => v.startsWith("shop_aws_")), [
      "shop_aws_KV_REST_API_URL",
      "shop_aws_KV_REST_API_TOKEN",
      "shop_aws_BLOB_READ_WRITE_TOKEN",
      "shop_aws_SLRS_jobs_REDIS_URL",
    ]);
    assert.deepEqual(terraformProblems(result.files), []);
  });

  await t.step("kvBackend upstash on Azure: no table, and the app settings come from the variables", () => {
    const fn = overridden({ azure: { kvBackend: "upstash" } });
    const result = terraform({ slrs: "test", functions: [fn] }, { platforms: ["azure"] });
    const az = result.files["azure.tf.json"]!.resource! as Record<string, Record<string, Json>>;
    assert.deepEqual(result.errors, []);
    assert.equal(az.azurerm_storage_table, undefined);
    assert.equal(
      az.azurerm_function_app_flex_consumption!.shop!.app_settings,
      '${merge(var.shop_env, { "SLRS_UPLOADS_CONTAINER" = azurerm_storage_container.shop_UPLOADS.name, ' +
        '"SLRS_jobs_QUEUE" = azurerm_storage_queue.jobs.name, "KV_REST_API_URL" = var.shop_azure_KV_REST_API_URL, ' +
        '"KV_REST_API_TOKEN" = var.shop_azure_KV_REST_API_TOKEN })}',
    );
    assert.deepEqual(terraformProblems(result.files), []);
  });

  await t.step("kvBackend redis on Google Cloud: no TTL field and no Datastore role; all elsewhere, no account", () => {
    const fn = overridden({ gcp: { kvBackend: "redis" } });
    const result = terraform({ slrs: "test", functions: [fn] }, { platforms: ["gcp"] });
    const gcp = result.files["gcp.tf.json"]!.resource! as Record<string, Record<string, Json>>;
    assert.deepEqual(result.errors, []);
    assert.equal(gcp.google_firestore_field, undefined);
    assert.deepEqual(
      Object.values(gcp.google_project_iam_member ?? {}).filter((m) => m.role === "roles/datastore.user"),
      [],
    );
    const service = gcp.google_cloudfunctions2_function!.shop!.service_config as Json;
    assert.match(
      String(service.environment_variables),
      /"SLRS_COUNTER_REDIS_URL" = var\.shop_gcp_SLRS_COUNTER_REDIS_URL/,
    );
    assert.deepEqual(terraformProblems(result.files), []);

    const all = overridden({ gcp: { kvBackend: "redis", bucketBackend: "s3", queueBackend: "sqs" } });
    const bare = terraform({ slrs: "test", functions: [all] }, { platforms: ["gcp"] });
    const none = bare.files["gcp.tf.json"]!.resource! as Record<string, Record<string, Json>>;
    assert.equal(none.google_service_account?.shop_bindings, undefined);
    assert.equal(none.google_storage_bucket?.shop_UPLOADS, undefined);
    assert.deepEqual(Object.keys(none.google_pubsub_topic!), ["jobs"], "the consumer's topic only");
    assert.equal(none.google_pubsub_topic_iam_member, undefined);
    const s3 = Object.keys(bare.files["main.tf.json"]!.variable!).filter((v) => v.startsWith("shop_gcp_"));
    assert.deepEqual(s3, [
      "shop_gcp_SLRS_COUNTER_REDIS_URL",
      "shop_gcp_SLRS_UPLOADS_BUCKET",
      "shop_gcp_AWS_REGION",
      "shop_gcp_AWS_ACCESS_KEY_ID",
      "shop_gcp_AWS_SECRET_ACCESS_KEY",
      "shop_gcp_SLRS_jobs_QUEUE_URL",
    ], "the AWS credentials once for both AWS backends");
    assert.deepEqual(terraformProblems(bare.files), []);
  });
});

Deno.test("binding names with ${, %{ and quotes stay text in the variables an override declares", async (t) => {
  const hostile = 'X${var.x}%{if true}"Y\\';
  const fn = describeFunction(
    { fn: serverless({ name: "h", fetch: () => new Response() }), entry: "h.ts", exportName: "default" },
    { "aws-lambda": { kvBackend: "redis" }, azure: { kvBackend: "redis" }, gcp: { kvBackend: "redis" } },
  );
  // serverless() takes only identifier-like names; an --info document read from elsewhere is not checked.
  fn.requirements.bindings = { kv: [hostile] };
  for (const platform of ["aws-lambda", "azure", "gcp"] as const) {
    await t.step(`${platform}: the name is escaped everywhere and nothing undeclared is named`, () => {
      const { files } = terraform({ slrs: "test", functions: [fn] }, { platforms: [platform] });
      const text = JSON.stringify(files);
      assert.ok(!text.includes("aws_dynamodb_table") && !text.includes("azurerm_storage_table"));
      assert.ok(!text.includes("google_firestore_field"));
      assert.ok(text.includes("SLRS_X$${var.x}%%{if true}"), "the variable's name is written escaped");
      // Descriptions and comments are read literally: there the name is as written; everywhere else, escaped.
      const live = liveTemplates(JSON.stringify(Object.values(files).map(evaluated)));
      assert.deepEqual(live.filter((l) => l.includes("{var.x}") || l.includes("{if")), []);
      const variable = Object.values(files["main.tf.json"]!.variable!).find((v) => v.sensitive)!;
      assert.ok(variable.description.includes(`SLRS_${hostile}_REDIS_URL`));
      assert.deepEqual(terraformProblems(files), []);
    });
  }
});
