/**
 * The queue corpus against Cloudflare Queues in workerd (Miniflare): the Worker's own producer binding sends, and its
 * `queue` handler, on Cloudflare's delivery path, receives. The test reaches both through the Worker's `fetch`, not
 * Miniflare's binding proxy, which turns a Uint8Array body into a plain object on the way in.
 */

import { Miniflare } from "npm:miniflare@^4";
import { queueCorpus } from "../bindings/_queue_corpus.ts";
import type { QueueProducer } from "../../src/bindings.ts";

// Bytes cannot cross JSON, so both sides tag them as { __bytes: [...] } and turn them back into a Uint8Array.
const CONSUMER = `
const received = [];
const revive = (body) => body && typeof body === "object" && "__bytes" in body ? new Uint8Array(body.__bytes) : body;
// The portable default content type (limit 15): bytes travel as "bytes", where Cloudflare's own default is "v8".
const portable = (m) => {
  const body = revive(m.body);
  return { ...m, body, contentType: m.contentType ?? (body instanceof Uint8Array ? "bytes" : undefined) };
};
export default {
  queue(batch) {
    for (const message of batch.messages) {
      const body = message.body;
      received.push(body instanceof ArrayBuffer || ArrayBuffer.isView(body)
        ? { __bytes: [...new Uint8Array(body.buffer ?? body, body.byteOffset ?? 0, body.byteLength)] }
        : body);
      message.ack();
    }
  },
  async fetch(request, env) {
    if (request.method === "GET") return Response.json(received.splice(0));
    const { op, body, options, messages } = await request.json();
    try {
      if (op === "send") {
        const message = portable({ body, ...options });
        await env.EMAILS.send(message.body, { ...options, contentType: message.contentType });
      } else await env.EMAILS.sendBatch(messages.map(portable));
      return new Response(null, { status: 204 });
    } catch (error) {
      return new Response(String(error), { status: 400 });
    }
  },
};
`;

Deno.test("Cloudflare Queues in workerd pass the queue corpus", async (t) => {
  const mf = new Miniflare({
    modules: true,
    script: CONSUMER,
    compatibilityDate: "2026-07-01",
    queueProducers: { EMAILS: { queueName: "emails" } },
    queueConsumers: { emails: { maxBatchSize: 100, maxBatchTimeout: 0 } },
  });
  try {
    const tag = (body: unknown) => body instanceof Uint8Array ? { __bytes: [...body] } : body;
    const call = async (payload: unknown) => {
      const response = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify(payload) });
      if (!response.ok) throw new Error(await response.text());
    };
    const queue: QueueProducer = {
      send: (body, options) => call({ op: "send", body: tag(body), options }),
      sendBatch: (messages) =>
        call({ op: "sendBatch", messages: [...messages].map((m) => ({ ...m, body: tag(m.body) })) }),
    };
    const revive = (body: unknown) =>
      typeof body === "object" && body !== null && "__bytes" in body
        ? new Uint8Array((body as { __bytes: number[] }).__bytes)
        : body;
    await queueCorpus(t, queue, {
      honoursDelay: true,
      async drain() {
        const bodies: unknown[] = [];
        for (let quiet = 0; quiet < 3; quiet++) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          const batch = await (await mf.dispatchFetch("http://localhost/")).json() as unknown[];
          if (batch.length > 0) quiet = 0;
          bodies.push(...batch.map(revive));
        }
        return bodies;
      },
    }, { maxDelaySeconds: undefined, refusal: Error, defaultContentType: "v8" });
  } finally {
    await mf.dispose();
  }
});
