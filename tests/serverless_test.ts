import assert from "node:assert/strict";
import {
  createContext,
  DefinitionError,
  HttpError,
  isServerlessFunction,
  type LogRecord,
  Router,
  serverless,
  trackBatch,
} from "../mod.ts";

function definitionError(options: unknown): DefinitionError {
  try {
    serverless(options as Parameters<typeof serverless>[0]);
  } catch (error) {
    assert.ok(error instanceof DefinitionError, `expected a DefinitionError, got ${error}`);
    return error;
  }
  assert.fail("serverless() accepted a bad definition");
}

Deno.test("serverless() names the field, the value and what is accepted", async (t) => {
  const cases: [string, unknown, string, RegExp][] = [
    ["an upper-case name", { name: "Shop" }, "name", /name must be 1–63 lowercase letters.*got "Shop"/],
    ["a missing name", {}, "name", /got undefined/],
    ["a name ending with a hyphen", { name: "shop-" }, "name", /not ending with a hyphen/],
    ["a 64-character name", { name: "a".repeat(64) }, "name", /1–63/],
    [
      "memory below 128",
      { name: "s", requirements: { memory: 64 } },
      "requirements.memory",
      /from 128 to 10240 \(MB\); got 64/,
    ],
    ["memory above 10240", { name: "s", requirements: { memory: 20000 } }, "requirements.memory", /got 20000/],
    ["fractional memory", { name: "s", requirements: { memory: 256.5 } }, "requirements.memory", /integer/],
    [
      "a zero timeout",
      { name: "s", requirements: { timeout: 0 } },
      "requirements.timeout",
      /from 1 to 900 \(seconds\); got 0/,
    ],
    ["a timeout above 900", { name: "s", requirements: { timeout: 901 } }, "requirements.timeout", /got 901/],
    ["a timeout as a string", { name: "s", requirements: { timeout: "10" } }, "requirements.timeout", /got "10"/],
    [
      "an unknown architecture",
      { name: "s", requirements: { architecture: "arm" } },
      "requirements.architecture",
      /"x86_64" or "arm64"; got "arm"/,
    ],
    [
      "streaming as a string",
      { name: "s", requirements: { streaming: "yes" } },
      "requirements.streaming",
      /must be true or false; got "yes"/,
    ],
    [
      "an unknown requirement",
      { name: "s", requirements: { memmory: 256 } },
      "requirements.memmory",
      /did you mean "memory"/,
    ],
    ["an unknown option", { name: "s", fecth: () => new Response() }, "fecth", /did you mean "fetch"/],
    [
      "an unknown binding kind",
      { name: "s", requirements: { bindings: { kvs: ["A"] } } },
      "requirements.bindings.kvs",
      /did you mean "kv"/,
    ],
    [
      "a bad binding name",
      { name: "s", requirements: { bindings: { kv: ["my-cache"] } } },
      "requirements.bindings.kv[0]",
      /binding names like CACHE; got "my-cache"/,
    ],
    [
      "a binding name used twice",
      { name: "s", requirements: { bindings: { kv: ["A"], d1: ["A"] } } },
      "requirements.bindings.d1",
      /reuse/,
    ],
    ["a bad env name", { name: "s", requirements: { env: ["DATABASE-URL"] } }, "requirements.env[0]", /variable names/],
    [
      "a cron with four fields",
      { name: "s", scheduled: { cron: "* * * *", run() {} } },
      "scheduled.cron",
      /5 fields.*has 4/,
    ],
    [
      "an hour of 25",
      { name: "s", scheduled: { cron: "0 25 * * *", run() {} } },
      "scheduled.cron",
      /field 2 \(hour\) has "25"/,
    ],
    ["a zero step", { name: "s", scheduled: { cron: "*/0 * * * *", run() {} } }, "scheduled.cron", /bad step/],
    [
      "a backwards range",
      { name: "s", scheduled: { cron: "0 0 * * 5-1", run() {} } },
      "scheduled.cron",
      /runs backwards/,
    ],
    [
      "an unknown month name",
      { name: "s", scheduled: { cron: "0 0 1 JANUARY *", run() {} } },
      "scheduled.cron",
      /month/,
    ],
    [
      "a second schedule with a bad cron",
      { name: "s", scheduled: [{ cron: "* * * * *", run() {} }, { cron: "x", run() {} }] },
      "scheduled[1].cron",
      /5 fields/,
    ],
    ["a schedule without run", { name: "s", scheduled: { cron: "* * * * *" } }, "scheduled.run", /must be a function/],
    ["a queue without a name", { name: "s", queue: { run() {} } }, "queue.name", /letters, digits/],
    ["fetch that is neither Router nor function", { name: "s", fetch: {} }, "fetch", /a Router or a function/],
    [
      "event sources that are not strings",
      { name: "s", event: { sources: [1], run() {} } },
      "event.sources",
      /array of strings/,
    ],
  ];
  for (const [title, options, field, message] of cases) {
    await t.step(`rejects ${title}`, () => {
      const error = definitionError(options);
      assert.equal(error.field, field);
      assert.match(error.message, message);
    });
  }

  await t.step("accepts every documented requirement", () => {
    const fn = serverless({
      name: "orders-api",
      requirements: {
        memory: 10240,
        timeout: 900,
        architecture: "x86_64",
        concurrency: 10,
        env: ["DATABASE_URL"],
        bindings: { kv: ["CACHE"], d1: ["DB"], sql: ["PG"], queues: ["OUT"], buckets: ["FILES"], secrets: ["KEY"] },
        regions: ["eu-west-1"],
      },
      scheduled: { cron: "*/15 0-6,22 1 JAN-MAR mon-fri", run() {} },
    });
    assert.equal(fn.metadata.requirements.memory, 10240);
  });
});

Deno.test("serverless() metadata lists routes and triggers without running anything", () => {
  let ran = false;
  const fn = serverless({
    name: "shop",
    description: "Sells things",
    fetch: new Router().get("/a", () => new Response()).post("/b", () => new Response()),
    scheduled: [{ cron: "0 * * * *", run: () => void (ran = true) }, { cron: "0 0 * * *", run: () => {} }],
    queue: { name: "orders", run: () => {} },
    event: { sources: ["aws.s3"], run: () => {} },
  });
  assert.deepEqual(fn.metadata.routes, [{ method: "GET", path: "/a" }, { method: "POST", path: "/b" }]);
  assert.deepEqual(fn.metadata.triggers, [
    { type: "http" },
    { type: "schedule", cron: "0 * * * *" },
    { type: "schedule", cron: "0 0 * * *" },
    { type: "queue", queue: "orders" },
    { type: "event", sources: ["aws.s3"] },
  ]);
  assert.equal(fn.metadata.description, "Sells things");
  assert.equal(ran, false);
  assert.ok(isServerlessFunction(fn));
  assert.ok(!isServerlessFunction({ fetch: () => new Response() }));
});

Deno.test("A plain handler is listed as one catch-all route", () => {
  const fn = serverless({ name: "one", fetch: () => new Response("ok") });
  assert.deepEqual(fn.metadata.routes, [{ method: "ALL", path: "/*" }]);
});

Deno.test("Error policy", async (t) => {
  const records: LogRecord[] = [];
  const ctx = () => createContext({ platform: "fetch", requestId: "req-9", logSink: (r) => records.push(r) });

  await t.step("a thrown error answers 500 with the request id and no stack", async () => {
    records.length = 0;
    const fn = serverless({
      name: "boom",
      fetch: () => {
        throw new Error("database password is hunter2");
      },
    });
    const res = await fn.dispatch(new Request("http://localhost/"), ctx());
    const body = await res.text();
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(body), { error: "Internal Server Error", requestId: "req-9" });
    assert.ok(!body.includes("hunter2") && !body.includes(" at "));
    assert.equal(res.headers.get("x-request-id"), "req-9");
  });

  await t.step("the stack goes to the log with the request id", () => {
    assert.equal(records.length, 1);
    assert.equal(records[0]?.level, "error");
    assert.equal(records[0]?.requestId, "req-9");
    assert.match(String(records[0]?.error), /hunter2[\s\S]*at /);
  });

  await t.step("an async rejection is treated the same", async () => {
    const fn = serverless({ name: "boom", fetch: () => Promise.reject(new TypeError("nope")) });
    assert.equal((await fn.dispatch(new Request("http://localhost/"), ctx())).status, 500);
  });

  await t.step("an HttpError answers with its status and exposed message", async () => {
    const fn = serverless({
      name: "teapot",
      fetch: () => {
        throw new HttpError(418, "Short and stout", { headers: { "x-why": "tea" } });
      },
    });
    const res = await fn.dispatch(new Request("http://localhost/"), ctx());
    assert.equal(res.status, 418);
    assert.equal(res.headers.get("x-why"), "tea");
    assert.deepEqual(await res.json(), { error: "Short and stout", requestId: "req-9" });
  });

  await t.step("a 5xx HttpError hides its message unless exposed", async () => {
    const hidden = serverless({
      name: "hidden",
      fetch: () => {
        throw new HttpError(503, "replica db-7 is down");
      },
    });
    assert.deepEqual(await (await hidden.dispatch(new Request("http://l/"), ctx())).json(), {
      error: "Service Unavailable",
      requestId: "req-9",
    });
    const shown = serverless({
      name: "shown",
      fetch: () => {
        throw new HttpError(503, "Try again in a minute", { expose: true });
      },
    });
    assert.equal((await (await shown.dispatch(new Request("http://l/"), ctx())).json()).error, "Try again in a minute");
  });

  await t.step("HttpError keeps a cause for the log, and has none when given none", () => {
    const cause = new Error("connection reset");
    assert.equal(new HttpError(502, "Upstream failed", { cause }).cause, cause);
    assert.ok(!("cause" in new HttpError(404, "Missing", { expose: true })));
    assert.equal(new HttpError(404).message, "Not Found");
  });

  await t.step("HttpError refuses a status outside 400–599", () => {
    assert.throws(() => new HttpError(200), /400 to 599; got 200/);
  });

  await t.step("a function without fetch answers 500 and says why in the log", async () => {
    records.length = 0;
    const fn = serverless({ name: "cron-only", scheduled: { cron: "* * * * *", run() {} } });
    assert.equal((await fn.dispatch(new Request("http://l/"), ctx())).status, 500);
    assert.match(String(records[0]?.error), /no fetch handler/);
  });
});

Deno.test("Non-HTTP triggers", async (t) => {
  const ctx = createContext({ platform: "fetch", logSink: () => {} });

  await t.step("scheduled() runs the trigger whose cron fired", async () => {
    const ran: string[] = [];
    const fn = serverless({
      name: "jobs",
      scheduled: [
        { cron: "0 * * * *", run: (e) => void ran.push(`hourly ${e.cron}`) },
        { cron: "0 0 * * *", run: (e) => void ran.push(`daily ${e.cron}`) },
      ],
    });
    await fn.scheduled({ cron: "0 0 * * *", scheduledTime: 0 }, ctx);
    assert.deepEqual(ran, ["daily 0 0 * * *"]);
    await assert.rejects(
      fn.scheduled({ cron: "5 5 * * *", scheduledTime: 0 }, ctx),
      /no scheduled trigger for cron "5 5 \* \* \*"/,
    );
  });

  await t.step("queue() hands the batch over and ack/retry are recorded", async () => {
    const fn = serverless({
      name: "worker",
      queue: {
        name: "jobs",
        run: (batch) => {
          batch.messages[0]?.ack();
          batch.messages[1]?.retry({ delaySeconds: 30 });
        },
      },
    });
    const tracked = trackBatch(
      "jobs",
      ["a", "b", "c"].map((id) => ({ id, body: id, attempts: 1, timestamp: new Date(0) })),
    );
    await fn.queue(tracked.batch, ctx);
    assert.deepEqual([...tracked.outcomes], [["a", "ack"], ["b", "retry"], ["c", "unsettled"]]);
    assert.equal(tracked.retryDelays.get("b"), 30);
  });

  await t.step("a missing trigger is a clear error", async () => {
    const fn = serverless({ name: "web", fetch: () => new Response() });
    await assert.rejects(fn.queue(trackBatch("q", []).batch, ctx), /defines no `queue` trigger/);
    await assert.rejects(fn.event({ specversion: "1.0", id: "1", source: "s", type: "t" }, ctx), /no `event` trigger/);
  });

  await t.step("event() receives the CloudEvent", async () => {
    let seen = "";
    const fn = serverless({ name: "ev", event: { run: (e) => void (seen = e.type) } });
    await fn.event({ specversion: "1.0", id: "1", source: "s", type: "aws.s3.ObjectCreated:Put" }, ctx);
    assert.equal(seen, "aws.s3.ObjectCreated:Put");
  });
});

Deno.test("Context", async (t) => {
  await t.step("remainingMs counts down to the deadline and is Infinity without one", () => {
    const ctx = createContext({ platform: "fetch", deadline: Date.now() + 5000 });
    assert.ok(ctx.remainingMs() > 4000 && ctx.remainingMs() <= 5000);
    assert.equal(createContext({ platform: "fetch" }).remainingMs(), Infinity);
  });

  await t.step("waitUntil forwards the work and logs its failure", async () => {
    const records: LogRecord[] = [];
    const pending: Promise<unknown>[] = [];
    const ctx = createContext({
      platform: "fetch",
      requestId: "r",
      waitUntil: (p) => pending.push(p),
      logSink: (r) => records.push(r),
    });
    ctx.waitUntil(Promise.reject(new Error("audit failed")));
    await Promise.all(pending);
    assert.equal(records[0]?.msg, "waitUntil task failed");
    assert.match(String(records[0]?.error), /audit failed/);
  });

  await t.step("log writes JSON lines with the request id", () => {
    const lines: string[] = [];
    const original = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      createContext({ platform: "fetch", requestId: "r-42" }).log.info("hello", { n: 1 });
    } finally {
      console.log = original;
    }
    const record = JSON.parse(lines[0]!);
    assert.equal(record.requestId, "r-42");
    assert.equal(record.msg, "hello");
    assert.equal(record.n, 1);
  });
});
