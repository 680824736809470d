/**
 * AWS Signature Version 4 in the `Authorization` header, for exactly the requests the AWS backends send: the service
 * and region are given (never guessed from the URL), headers are one value each, S3 requests carry
 * `x-amz-content-sha256: UNSIGNED-PAYLOAD` (as aws4fetch and the AWS SDKs send over TLS) and other services the
 * body's SHA-256. Web Crypto only, so it runs unchanged on Node, Deno and workerd.
 *
 * It is written here rather than imported because of its size: the smallest well-kept signer on npm, aws4fetch's
 * `AwsV4Signer`, bundles to 6.2 KB minified, more than the whole DynamoDB backend may add (6 KB); `aws4` to 8.8 KB
 * (and needs Node's `crypto`), `@smithy/signature-v4` to 183 KB. AWS's published test vectors and a differential test
 * against aws4fetch for every request shape the backends send pin it (`tests/bindings/sigv4_test.ts`).
 *
 * @module
 */

/** The credentials a request is signed with. */
export interface SigV4Credentials {
  /** The access key id. */
  accessKeyId: string;
  /** Its secret key. */
  secretAccessKey: string;
  /** The session token of temporary credentials (Lambda's role), when there is one. */
  sessionToken?: string | undefined;
}

/** What is signed: the request as it will be sent. */
export interface SigV4Request {
  /** The method, in capitals. */
  method: string;
  /** The URL, its path and query already percent-encoded as they will be sent. */
  url: URL;
  /** The headers, one value each; `host` comes from the URL. */
  headers: Readonly<Record<string, string>>;
  /** The body, when there is one. */
  body?: Uint8Array<ArrayBuffer> | string | undefined;
}

/**
 * Signs a request: returns the headers to send (the ones given, lowercased, with `x-amz-date`, the session token,
 * S3's payload hash and `authorization` added). `datetime` (`YYYYMMDDTHHMMSSZ`) is now unless given.
 */
export type SigV4Signer = (request: SigV4Request, datetime?: string) => Promise<Record<string, string>>;

/** Headers a proxy or the runtime may change on the way, which SigV4 signers leave out (as aws4fetch does). */
const UNSIGNED = new Set([
  "authorization",
  "content-length",
  "user-agent",
  "presigned-expires",
  "expect",
  "x-amzn-trace-id",
  "range",
  "connection",
]);

const encoder = new TextEncoder();

/**
 * A signer for one service and region. It keeps the day's signing key, so a warm request costs two SHA-256 digests
 * and one HMAC.
 *
 * @param credentials The credentials.
 * @param service The service's signing name, e.g. `dynamodb`, `s3`, `sqs`.
 * @param region The region, e.g. `us-east-1`.
 * @returns The signer.
 *
 * @example Sign a DynamoDB GetItem
 * ```ts
 * import { sigV4Signer } from "./_sigv4.ts";
 *
 * const sign = sigV4Signer({ accessKeyId: "AKID", secretAccessKey: "secret" }, "dynamodb", "us-east-1");
 * const headers = await sign({
 *   method: "POST",
 *   url: new URL("https://dynamodb.us-east-1.amazonaws.com/"),
 *   headers: { "x-amz-target": "DynamoDB_20120810.GetItem" },
 *   body: "{}",
 * });
 * console.assert(headers.authorization!.startsWith("AWS4-HMAC-SHA256 Credential=AKID/"));
 * ```
 */
export function sigV4Signer(credentials: SigV4Credentials, service: string, region: string): SigV4Signer {
  let day = "";
  let key: Promise<CryptoKey> | undefined;
  return async (request, datetime = new Date().toISOString().replace(/[:-]|\.\d{3}/g, "")) => {
    const date = datetime.slice(0, 8);
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name.toLowerCase()] = value.trim().replace(/\s+/g, " ");
    }
    delete headers.host;
    if (service === "s3") headers["x-amz-content-sha256"] ??= "UNSIGNED-PAYLOAD";
    headers["x-amz-date"] = datetime;
    if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
    const names = ["host", ...Object.keys(headers).filter((name) => !UNSIGNED.has(name))].sort();
    const signedHeaders = names.join(";");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const canonical = [
      request.method,
      canonicalPath(request.url.pathname, service),
      canonicalQuery(request.url.searchParams),
      names.map((name) => `${name}:${name === "host" ? request.url.host : headers[name]}\n`).join(""),
      signedHeaders,
      headers["x-amz-content-sha256"] ?? await sha256(request.body ?? ""),
    ].join("\n");
    if (day !== date) {
      day = date;
      key = signingKey(credentials.secretAccessKey, date, region, service);
    }
    const signature = hex(
      await hmac(await key!, `AWS4-HMAC-SHA256\n${datetime}\n${scope}\n${await sha256(canonical)}`),
    );
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  };
}

/** S3 signs the path as sent; every other service signs it encoded once more, with repeated slashes merged. */
function canonicalPath(path: string, service: string): string {
  return service === "s3" ? path : encode(path.replace(/\/+/g, "/")).replace(/%2F/g, "/");
}

/**
 * The query's pairs, each part encoded, sorted by name then value; pairs without a name are left out. Joined by a
 * NUL while sorted, which sorts before any character of an encoded name, so `a` comes before `a0` as SigV4 wants.
 */
function canonicalQuery(params: URLSearchParams): string {
  return [...params].filter(([name]) => name).map(([name, value]) => `${encode(name)}\0${encode(value)}`).sort()
    .join("&").replaceAll("\0", "=");
}

/** RFC 3986 encoding: `encodeURIComponent` and also `!'()*`. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function signingKey(secret: string, date: string, region: string, service: string): Promise<CryptoKey> {
  let bytes: ArrayBuffer | Uint8Array<ArrayBuffer> = encoder.encode(`AWS4${secret}`);
  for (const part of [date, region, service, "aws4_request"]) bytes = await hmac(await hmacKey(bytes), part);
  return await hmacKey(bytes);
}

function hmacKey(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

function hmac(key: CryptoKey, text: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign("HMAC", key, encoder.encode(text));
}

async function sha256(data: Uint8Array<ArrayBuffer> | string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data));
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
