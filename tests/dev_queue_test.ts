/**
 * What a `queues` binding sends in `cli.ts dev` reaches the served function's own queue trigger as the body that was
 * sent, through the real dev server (`cli.ts dev` in a child process, its in-process queue, cli/dev_queue.ts), with
 * `contentType` meaning what Cloudflare Queues make it mean: `json` (the JSON value), `text` (a string), `bytes` (the
 * bytes) and `v8` (a structured clone); without one, bytes travel as bytes and anything else as JSON.
 */

import assert from "node:assert/strict";
import { MOD_URL, startCli } from "./support/process.ts";

/** A function that sends what `POST /send/<case>` names and records each body its queue trigger receives. */
const FUNCTION = `import { Router, serverless } from ${JSON.stringify(MOD_URL)};
const seen = [];
const bodies = {
  uint8array: () => [new Uint8Array([0, 255, 1, 254])],
  subarray: () => [new Uint8Array([9, 0, 255, 7]).subarray(1, 3)],
  arraybuffer: () => [new Uint8Array([0, 128, 255]).buffer],
  "bytes-batch": () => [new Uint8Array([5, 6]), "as text"],
  "json-date": () => [{ at: new Date("2026-01-02T03:04:05.000Z") }, { contentType: "json" }],
  "text": () => ["plain ünïcode", { contentType: "text" }],
  "text-not-string": () => [42, { contentType: "text" }],
  "bytes-not-bytes": () => ["no", { contentType: "bytes" }],
  "json-not-json": () => [undefined, { contentType: "json" }],
  "v8-map": () => [new Map([["a", new Date(0)]]), { contentType: "v8" }],
  "v8-bytes": () => [new Uint8Array([3, 4]), { contentType: "v8" }],
  "unknown-type": () => ["x", { contentType: "yaml" }],
};
function describe(body) {
  if (body instanceof Uint8Array) return { type: "Uint8Array", value: [...body] };
  if (body instanceof ArrayBuffer) return { type: "ArrayBuffer", value: [...new Uint8Array(body)] };
  if (body instanceof Map) return { type: "Map", value: [...body].map(([k, v]) => [k, v instanceof Date ? "Date " + v.toISOString() : v]) };
  return { type: typeof body, value: body };
}
export default serverless({
  name: "jobs",
  requirements: { bindings: { queues: ["JOBS"] } },
  fetch: new Router()
    .post("/send/:case", async (_req, ctx) => {
      const [body, options] = bodies[ctx.params.case]();
      try {
        if (ctx.params.case === "bytes-batch") {
          await ctx.env.JOBS.sendBatch([{ body }, { body: options, contentType: "text" }]);
        } else {
          await ctx.env.JOBS.send(body, options);
        }
      } catch (error) {
        return Response.json({ refused: error.message }, { status: 400 });
      }
      return new Response(null, { status: 202 });
    })
    .get("/seen", () => Response.json(seen)),
  queue: { name: "JOBS", run: (batch) => { for (const message of batch.messages) seen.push(describe(message.body)); } },
});
`;

Deno.test("dev's queue delivers the body that was sent, as each content type defines it", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_dev_queue_" });
  await Deno.writeTextFile(`${dir}/jobs.js`, FUNCTION);
  const dev = startCli(["dev", "jobs.js", "--port", "0"], dir);
  try {
    const base = (await dev.waitFor(/serving .* on (http:\/\/localhost:\d+)/))[1]!;
    let count = 0;
    /** Sends one case and waits for what the trigger received. */
    const deliver = async (name: string, messages = 1) => {
      const response = await fetch(`${base}/send/${name}`, { method: "POST" });
      assert.equal(response.status, 202, await response.text());
      count += messages;
      for (let i = 0; i < 100; i++) {
        const seen = await (await fetch(`${base}/seen`)).json() as unknown[];
        if (seen.length >= count) return seen.slice(count - messages);
        await new Promise((done) => setTimeout(done, 50));
      }
      throw new Error(`${name}: nothing was delivered`);
    };
    const refused = async (name: string) => {
      const response = await fetch(`${base}/send/${name}`, { method: "POST" });
      assert.equal(response.status, 400, `${name} was not refused at send`);
      return (await response.json()).refused as string;
    };

    await t.step("a Uint8Array reaches the consumer as the same bytes", async () => {
      assert.deepEqual(await deliver("uint8array"), [{ type: "Uint8Array", value: [0, 255, 1, 254] }]);
    });
    await t.step("a view of part of a buffer sends only its own bytes", async () => {
      assert.deepEqual(await deliver("subarray"), [{ type: "Uint8Array", value: [0, 255] }]);
    });
    await t.step("an ArrayBuffer reaches it as its bytes", async () => {
      assert.deepEqual(await deliver("arraybuffer"), [{ type: "Uint8Array", value: [0, 128, 255] }]);
    });
    await t.step("sendBatch keeps each message's bytes and content type", async () => {
      const seen = await deliver("bytes-batch", 2);
      assert.deepEqual(seen, [{ type: "Uint8Array", value: [5, 6] }, { type: "string", value: "as text" }]);
    });
    await t.step("json delivers the JSON value (a Date becomes its text), text the string", async () => {
      assert.deepEqual(await deliver("json-date"), [{ type: "object", value: { at: "2026-01-02T03:04:05.000Z" } }]);
      assert.deepEqual(await deliver("text"), [{ type: "string", value: "plain ünïcode" }]);
    });
    await t.step("v8 delivers a structured clone: a Map of Dates, bytes as bytes", async () => {
      assert.deepEqual(await deliver("v8-map"), [{ type: "Map", value: [["a", "Date 1970-01-01T00:00:00.000Z"]] }]);
      assert.deepEqual(await deliver("v8-bytes"), [{ type: "Uint8Array", value: [3, 4] }]);
    });
    await t.step("a body its content type cannot carry is refused at send, naming why", async () => {
      assert.match(await refused("text-not-string"), /cannot be sent as text/);
      assert.match(await refused("bytes-not-bytes"), /cannot be sent as bytes/);
      assert.match(await refused("json-not-json"), /cannot be sent as json/);
      assert.match(await refused("unknown-type"), /"yaml" is not one of json, text, bytes, v8/);
    });
  } finally {
    await dev.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
