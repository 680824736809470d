/**
 * Conformance driver: a Lambda Function URL (payload 2.0, `InvokeMode: BUFFERED`), through the AWS Lambda adapter's
 * `handle(fn)`. The event is the HTTP API one (see aws_v2.ts) with what a Function URL does differently
 * (awsdocs/aws-lambda-developer-guide `doc_source/urls-invocation.md` @16bead9, tests/fixtures/aws/function-url.json):
 * `rawPath` stays percent-encoded, and the raw `cookie` header is kept next to `cookies[]`. The result is read as for
 * HTTP API.
 *
 * @module
 */

import { joinedHeadersLimit, payloadLimit } from "./_aws_limits.ts";
import { overPayload, v2Driver } from "./aws_v2.ts";

export default v2Driver("aws-url", {
  host: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws",
  decodesPath: false,
  keepsCookieHeader: true,
}, [
  payloadLimit("aws-payload-6mb", overPayload),
  joinedHeadersLimit("aws-v2-joined-headers"),
]);
