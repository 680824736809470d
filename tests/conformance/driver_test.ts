import assert from "node:assert/strict";
import { CORPUS } from "./corpus.ts";
import { differences, judge, type Limit, normalize, observedFrom, requestParts } from "./driver.ts";

const byName = (name: string) => CORPUS.find((c) => c.name === name)!;

Deno.test("the conformance comparison", async (t) => {
  const reference = observedFrom(200, [["Content-Type", "text/plain"], ["x-multi", "one, two"], ["set-cookie", "a=1"], [
    "set-cookie",
    "b=2",
  ], ["date", "Fri, 27 Nov 2026 00:00:00 GMT"]], "hello");

  await t.step("ignores transport headers, header case and joined-or-separate repeated headers", () => {
    const same = observedFrom(200, [
      ["x-multi", "one"],
      ["content-type", "text/plain"],
      ["x-multi", "two"],
      [
        "set-cookie",
        "a=1",
      ],
      ["set-cookie", "b=2"],
      ["content-length", "5"],
      ["connection", "keep-alive"],
    ], "hello");
    assert.deepEqual(differences(reference, same), []);
  });

  await t.step("finds a different status, a lost Set-Cookie and a different body", () => {
    const other = observedFrom(201, [["content-type", "text/plain"], ["x-multi", "one, two"], [
      "set-cookie",
      "a=1, b=2",
    ]], "hellO");
    assert.deepEqual(differences(reference, other).map((d) => d.aspect), ["status", "headers", "body"]);
  });

  await t.step("replaces the request id in the header and the body", () => {
    const a = normalize(observedFrom(500, [["x-request-id", "r-1"]], '{"requestId":"r-1"}'));
    const b = normalize(observedFrom(500, [["x-request-id", "aws-2"]], '{"requestId":"aws-2"}'));
    assert.deepEqual(a, b);
  });

  await t.step("passes a difference only when a limit for that case and aspect covers it", () => {
    const big = byName("post-binary-5mb");
    const limit: Limit = { id: "x-1mb", applies: (c) => c.tags.includes("over-1mb"), aspects: ["status"], reason: "r" };
    const refused = observedFrom(413, [], "");
    const expected = observedFrom(200, [], "");
    assert.deepEqual(judge(big, expected, refused, [limit]), { kind: "limit", ids: ["x-1mb"] });
    assert.equal(judge(byName("get"), expected, refused, [limit]).kind, "fail");
    assert.equal(judge(big, expected, observedFrom(200, [], "x"), [limit]).kind, "fail");
  });

  await t.step("fails a framing case whose answer carries the function's framing headers, whatever the limits", () => {
    const framing = byName("framing-headers-from-proxy");
    const everything: Limit = { id: "all", applies: () => true, reason: "r" };
    const safe = observedFrom(200, [["content-type", "text/plain"], ["content-length", "2"], ["x-kept", "yes"]], "ok");
    assert.equal(judge(framing, safe, safe, [everything]).kind, "ok");
    const leaks: [string, string][][] = [
      [["x-hop", "secret"]],
      [["connection", "keep-alive, x-hop"]],
      [["keep-alive", "timeout=77"]],
      [["upgrade", "h2c"]],
      [["content-length", "7"]],
      [["content-encoding", "gzip"]],
    ];
    for (const leak of leaks) {
      const verdict = judge(framing, safe, observedFrom(200, [["content-type", "text/plain"], ...leak], "ok"), [
        everything,
      ]);
      assert.equal(verdict.kind, "fail", JSON.stringify(leak));
    }
  });

  await t.step("takes a request apart for event-building drivers", () => {
    const parts = requestParts(byName("query-repeated-keys"));
    assert.equal(parts.path, "/echo/q");
    assert.equal(parts.rawQuery, "a=1&a=2&a=3&b=x");
    assert.deepEqual(parts.query, [["a", "1"], ["a", "2"], ["a", "3"], ["b", "x"]]);
    const repeated = requestParts(byName("repeated-header"));
    assert.deepEqual(repeated.headers.filter(([n]) => n === "x-c-multi"), [["x-c-multi", "one"], ["x-c-multi", "two"]]);
    const binary = requestParts(byName("post-binary-all-bytes"));
    assert.equal(binary.bodyText, undefined);
    assert.equal(atob(binary.bodyBase64!).length, 1024);
    assert.equal(requestParts(byName("post-unicode-text")).bodyText, "héllo ✓ 日本語 😀");
  });
});
