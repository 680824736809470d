import assert from "node:assert/strict";
import { assertFetchMethod, BadTarget, isHost, requestUrl } from "../adapters/_request_url.ts";
import { DOT_SEGMENT_MESSAGE, hasDotSegment, pathOfUrl } from "../src/dot_segments.ts";

const own = () => "10.0.0.1:8080";

Deno.test("requestUrl: the path from the target, the host only when it is host[:port]", async (t) => {
  await t.step("accepts reg-names, IPv4 and bracketed IPv6, each with a port", () => {
    for (const host of ["example.com", "a-b.example.com:443", "127.0.0.1:8080", "[::1]", "[2001:db8::1]:8443", "x_y"]) {
      assert.ok(isHost(host), host);
    }
  });

  await t.step("refuses anything that could end the authority or is no host", () => {
    for (const host of ["x/admin?", "x?a", "x#y", "user@evil", "[::1", "::1", "a b", "x\\y", "", "x:99999", "x:8a"]) {
      assert.ok(!isHost(host), host);
    }
  });

  await t.step("replaces an invalid Host by the fallback and keeps the path", () => {
    assert.equal(requestUrl("http", "/public?q=1", "x/admin?", own), "http://10.0.0.1:8080/public?q=1");
    assert.equal(requestUrl("https", "/public", "1.2.3.999", own), "https://10.0.0.1:8080/public");
    assert.equal(requestUrl("https", "/p", "api.example.com", own), "https://api.example.com/p");
  });

  await t.step("uses localhost when the fallback is no host either", () => {
    assert.equal(
      requestUrl("https", "/p", undefined, () => "<url-id>.lambda-url.us-west-2.on.aws"),
      "https://localhost/p",
    );
    assert.equal(requestUrl("https", "/p", "[::1", () => undefined), "https://localhost/p");
  });

  await t.step("keeps //evil.example/admin as a path on the request's host", () => {
    assert.equal(
      requestUrl("http", "//evil.example/admin", "api.example.com", own),
      "http://api.example.com//evil.example/admin",
    );
  });

  await t.step("takes an absolute-form target's host first, and refuses any other form", () => {
    assert.equal(requestUrl("http", "http://other.example/a?b", "api.example.com", own), "http://other.example/a?b");
    assert.equal(requestUrl("http", "HTTPS://other.example", "api.example.com", own), "https://other.example/");
    assert.equal(requestUrl("http", "http://user@evil/a", "api.example.com", own), "http://api.example.com/a");
    for (const target of ["*", "file:///etc/passwd", "javascript:alert(1)", "admin"]) {
      assert.throws(() => requestUrl("http", target, "x", own), BadTarget, target);
    }
  });

  await t.step("refuses a dot segment in the path but not in the query", () => {
    for (const target of ["/a/../b", "/a/./b", "/a/%2e%2E/b", "/a/.%2e", "/a\\..\\b", "/..", "http://h/a/../b"]) {
      assert.throws(
        () => requestUrl("http", target, "x", own),
        (e: Error) => e.message === DOT_SEGMENT_MESSAGE,
        target,
      );
    }
    assert.equal(
      requestUrl("http", "/a/v1.2/.well-known/..x?next=/../b", "x", own),
      "http://x/a/v1.2/.well-known/..x?next=/../b",
    );
  });

  await t.step("serializes every URL exactly as the URL parser does, with or without parsing it", () => {
    // Hosts and targets made of the characters where the parser rewrites something (case, ports, IPv4 forms,
    // punycode, the percent-encode sets, `\`, dot segments), plus the usual Lambda ones.
    const hostParts = ["a", "Z", "0", "9", "-", ".", "xn--", "0x", ":", "443", ":80", "é", "_", "%41"];
    const targetParts = [
      ..."aZ09-._~!$&()*+,;=:@/%?'\"<>`{}[]^|# \t\u007fé\\",
      "/.",
      "/..",
      "%2e",
      "%2E",
      "%41",
      "/hello",
    ];
    const pick = (parts: string[], n: number) =>
      Array.from({ length: n }, () => parts[Math.floor(Math.random() * parts.length)]).join("");
    const hosts = ["api.example.com", "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com", "1.2.3.4", "a.0x7f", "xn--a.b"];
    const targets = ["/", "/hello", "/a?b=c&d=%20", "/a/.b", "/a?x='y'", "/%zz", "/a^b", "/a|b", "/[x]"];
    for (let i = 0; i < 3000; i++) {
      hosts.push(pick(hostParts, 1 + (i % 6)));
      targets.push("/" + pick(targetParts, i % 9));
    }
    for (const host of hosts) {
      for (const target of targets.slice(0, 40)) check(host, target);
    }
    for (let i = 0; i < targets.length; i++) check(hosts[i % hosts.length]!, targets[i]!);

    function check(host: string, target: string): void {
      for (const scheme of ["https", "http"]) {
        let got: string;
        try {
          got = requestUrl(scheme, target, host, () => undefined);
        } catch (error) {
          assert.ok(error instanceof BadTarget, `${host} ${target}`);
          continue;
        }
        let expected = `${scheme}://localhost`;
        try {
          if (isHost(host)) expected = new URL(`${scheme}://${host}${target}`).href;
          else expected = new URL(`${scheme}://localhost${target}`).href;
        } catch {
          expected = new URL(`${scheme}://localhost${target}`).href;
        }
        assert.equal(got, expected, `${scheme} ${JSON.stringify(host)} ${JSON.stringify(target)}`);
      }
    }
  });

  await t.step("refuses the methods Fetch forbids, in any case, with a reason", () => {
    for (const method of ["TRACE", "trace", "CONNECT", "TRACK"]) {
      assert.throws(() => assertFetchMethod(method), /cannot be used in a Fetch Request/, method);
    }
    assertFetchMethod("PROPFIND");
  });
});

Deno.test("hasDotSegment and pathOfUrl read paths as the URL parser does", () => {
  assert.ok(hasDotSegment("../../etc") && hasDotSegment("a/%2E") && hasDotSegment("."));
  assert.ok(!hasDotSegment("a/...") && !hasDotSegment("%2e%2e%2e") && !hasDotSegment("a.b/c") && !hasDotSegment(""));
  assert.equal(pathOfUrl("http://h/a/../b?c=/../d#e"), "/a/../b");
  assert.equal(pathOfUrl("http://h"), "/");
  assert.equal(pathOfUrl("http://h/a#b?c"), "/a");
});
