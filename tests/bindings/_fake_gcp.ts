/**
 * Google Cloud fakes written from the documented protocols: the metadata server's token and project endpoints
 * (https://cloud.google.com/compute/docs/access/authenticate-workloads#applications), and Firestore's REST API v1
 * (https://cloud.google.com/firestore/docs/reference/rest) as far as the KV backend uses it. Not the real services.
 *
 * @module
 */

import { expect, expectKeys, type FakeRequest, type RestFake, startRestFake } from "./_rest_fake.ts";

/** A fake metadata server that hands out numbered tokens. */
export interface FakeMetadata extends RestFake {
  /** How many tokens it has handed out. */
  readonly issued: number;
  /** The token it handed out last, `token-<n>`. */
  readonly current: string;
}

/**
 * Starts a fake metadata server.
 *
 * @param project The project id it reports.
 * @param expiresIn The lifetime of each token, in seconds.
 * @returns The server.
 */
export function startFakeMetadata(project: string, expiresIn = 3599): FakeMetadata {
  let issued = 0;
  const fake = startRestFake((request) => {
    expect(request.method === "GET", "the metadata server takes GET");
    expect(request.headers.get("metadata-flavor") === "Google", "Metadata-Flavor: Google is missing");
    expect(request.url.search === "", "no query was expected");
    if (request.url.pathname === "/computeMetadata/v1/instance/service-accounts/default/token") {
      issued++;
      return Response.json({ access_token: `token-${issued}`, expires_in: expiresIn, token_type: "Bearer" });
    }
    expect(request.url.pathname === "/computeMetadata/v1/project/project-id", "unknown metadata path");
    return new Response(project, { headers: { "content-type": "application/text" } });
  });
  // Getters, not Object.assign, which would copy their values once.
  return Object.defineProperties(fake, {
    issued: { get: () => issued },
    current: { get: () => `token-${issued}` },
  }) as FakeMetadata;
}

/**
 * Checks the Authorization header: the metadata server's current token, or the emulator's `owner`.
 *
 * @param request The request.
 * @param token The token expected.
 */
export function expectBearer(request: FakeRequest, token: () => string): void {
  expect(request.headers.get("authorization") === `Bearer ${token()}`, `expected Bearer ${token()}`);
}

type Fields = Record<string, Record<string, unknown>>;

interface StoredDocument {
  fields: Fields;
  createTime: string;
  updateTime: string;
}

const VALUE_TYPES = ["bytesValue", "stringValue", "timestampValue"];

/** A fake Firestore: one database's documents by full name. */
export interface FakeFirestore extends RestFake {
  /** The documents, by `projects/…/documents/<collection>/<id>`. */
  documents: Map<string, StoredDocument>;
}

/**
 * Starts a fake Firestore for one project and database.
 *
 * @param project The project id.
 * @param token The token requests must carry.
 * @returns The fake.
 */
export function startFakeFirestore(project: string, token: () => string): FakeFirestore {
  const documents = new Map<string, StoredDocument>();
  const root = `projects/${project}/databases/(default)/documents`;
  const fake = startRestFake((request) => {
    expectBearer(request, token);
    const path = decodeURIComponent(request.url.pathname);
    expect(request.url.search === "", "no query parameters were expected");
    if (path === `/v1/${root}:runQuery`) return runQuery(request, root, documents);
    expect(path.startsWith(`/v1/${root}/`), `the path is not under /v1/${root}/`);
    const name = path.slice("/v1/".length);
    const segments = name.slice(root.length + 1).split("/");
    expect(segments.length === 2, "a document path is <collection>/<id>");
    const id = segments[1]!;
    expect(/^[^/]{1,1500}$/.test(id) && id !== "." && id !== ".." && !/^__.*__$/.test(id), `invalid id ${id}`);
    if (request.method === "GET") {
      expect(request.body.byteLength === 0, "GET has no body");
      const document = documents.get(name);
      if (!document) return notFound(name);
      return Response.json({ name, ...document });
    }
    if (request.method === "DELETE") {
      documents.delete(name);
      return Response.json({});
    }
    expect(request.method === "PATCH", `unexpected method ${request.method}`);
    expect(request.headers.get("content-type")?.startsWith("application/json"), "PATCH needs a JSON body");
    const body = request.json<{ fields: Fields }>();
    expectKeys(body, ["fields"], ["fields"], "the document");
    for (const [field, value] of Object.entries(body.fields)) {
      expectKeys(value, VALUE_TYPES, [], `field ${field}`);
      expect(Object.keys(value).length === 1, `field ${field} holds one value`);
      if ("bytesValue" in value) expect(/^[A-Za-z0-9+/]*={0,2}$/.test(String(value.bytesValue)), "bytes not base64");
      if ("timestampValue" in value) expect(!Number.isNaN(Date.parse(String(value.timestampValue))), "bad timestamp");
    }
    const size = new TextEncoder().encode(JSON.stringify(body.fields)).byteLength;
    if (size > 1024 * 1024 * 1.4) {
      return Response.json({ error: { code: 400, status: "INVALID_ARGUMENT", message: "too big" } }, { status: 400 });
    }
    const now = new Date().toISOString();
    const document = { fields: body.fields, createTime: documents.get(name)?.createTime ?? now, updateTime: now };
    documents.set(name, document);
    return Response.json({ name, ...document });
  });
  return Object.assign(fake, { documents });
}

function notFound(name: string): Response {
  return Response.json(
    { error: { code: 404, message: `Document "${name}" not found.`, status: "NOT_FOUND" } },
    { status: 404 },
  );
}

interface Cursor {
  values: { referenceValue: string }[];
  before?: boolean;
}

function runQuery(request: FakeRequest, root: string, documents: Map<string, StoredDocument>): Response {
  expect(request.method === "POST", "runQuery is a POST");
  expect(request.headers.get("content-type")?.startsWith("application/json"), "runQuery needs a JSON body");
  const body = request.json<{ structuredQuery: Record<string, unknown> }>();
  expectKeys(body, ["structuredQuery"], ["structuredQuery"], "the request");
  const query = body.structuredQuery as {
    from: { collectionId: string }[];
    select?: { fields: { fieldPath: string }[] };
    orderBy?: { field: { fieldPath: string }; direction: string }[];
    startAt?: Cursor;
    endAt?: Cursor;
    limit?: number;
  };
  expectKeys(query, ["from", "select", "orderBy", "startAt", "endAt", "limit"], ["from"], "structuredQuery");
  expect(query.from.length === 1 && typeof query.from[0]?.collectionId === "string", "from names one collection");
  const collection = `${root}/${query.from[0]!.collectionId}/`;
  expect(
    query.orderBy?.length === 1 && query.orderBy[0]!.field.fieldPath === "__name__" &&
      query.orderBy[0]!.direction === "ASCENDING",
    "the backend orders by __name__ ascending",
  );
  for (const cursor of [query.startAt, query.endAt]) {
    if (!cursor) continue;
    expectKeys(cursor, ["values", "before"], ["values"], "a cursor");
    expect(cursor.values.length === 1, "a cursor on __name__ has one value");
    expect(cursor.values[0]!.referenceValue.startsWith(collection), "a cursor names a document of the collection");
  }
  expect(query.limit === undefined || (Number.isInteger(query.limit) && query.limit > 0), "limit is a positive int");
  const start = query.startAt;
  const end = query.endAt;
  const selected = query.select?.fields.map((f) => f.fieldPath);
  const names = [...documents.keys()].filter((name) => name.startsWith(collection)).sort(byBytes)
    .filter((name) => {
      if (start) {
        const c = byBytes(name, start.values[0]!.referenceValue);
        if (start.before ? c < 0 : c <= 0) return false;
      }
      if (end) {
        const c = byBytes(name, end.values[0]!.referenceValue);
        if (end.before ? c >= 0 : c > 0) return false;
      }
      return true;
    })
    .slice(0, query.limit ?? Infinity);
  const readTime = new Date().toISOString();
  if (names.length === 0) return Response.json([{ readTime }]);
  return Response.json(names.map((name) => {
    const stored = documents.get(name)!;
    const fields = selected
      ? Object.fromEntries(Object.entries(stored.fields).filter(([field]) => selected.includes(field)))
      : stored.fields;
    return { document: { name, fields, createTime: stored.createTime, updateTime: stored.updateTime }, readTime };
  }));
}

function byBytes(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

interface StoredObject {
  resource: Record<string, unknown>;
  media: Uint8Array<ArrayBuffer>;
}

/** A fake Cloud Storage: one bucket, with uploads open by id. */
export interface FakeStorage extends RestFake {
  /** The objects, by name. */
  objects: Map<string, StoredObject>;
  /** Resumable uploads that were opened, by id: how many bytes each received, and whether it finished. */
  sessions: Map<string, { received: number; done: boolean }>;
}

const HTTP_RESOURCE_FIELDS = [
  "contentType",
  "contentLanguage",
  "contentDisposition",
  "contentEncoding",
  "cacheControl",
];

/**
 * Starts a fake of the Cloud Storage JSON API (https://cloud.google.com/storage/docs/json_api) for one bucket:
 * objects get, media download with Range, multipart and resumable uploads, list and delete.
 *
 * @param bucket The bucket's name.
 * @param token The token requests must carry.
 * @returns The fake.
 */
export function startFakeStorage(bucket: string, token: () => string): FakeStorage {
  const objects = new Map<string, StoredObject>();
  const sessions = new Map<
    string,
    { received: number; done: boolean; resource: Record<string, unknown>; chunks: Uint8Array[] }
  >();
  let generation = 1000;
  const store = (resource: Record<string, unknown>, media: Uint8Array<ArrayBuffer>) => {
    generation++;
    const digest = [...media.slice(0, 8)].map((b) => b.toString(16)).join("") + media.byteLength;
    const stored = {
      resource: {
        kind: "storage#object",
        ...resource,
        bucket,
        size: String(media.byteLength),
        generation: String(generation),
        etag: `C${generation}${digest}E=`,
        timeCreated: new Date().toISOString(),
        updated: new Date().toISOString(),
      },
      media,
    };
    objects.set(String(resource.name), stored);
    return Response.json(stored.resource);
  };
  const fake: RestFake = startRestFake((request) => {
    expectBearer(request, token);
    const path = request.url.pathname;
    const query = request.url.searchParams;
    const objectsPath = `/storage/v1/b/${bucket}/o`;
    const uploadPath = `/upload/storage/v1/b/${bucket}/o`;
    const allowOnly = (...names: string[]) => {
      for (const name of query.keys()) expect(names.includes(name), `unexpected query parameter ${name}`);
    };
    if (path === uploadPath) {
      const type = query.get("uploadType");
      if (request.method === "PUT") {
        allowOnly("uploadType", "upload_id");
        return resumablePart(request, sessions, store);
      }
      expect(request.method === "POST", "uploads are POSTs");
      allowOnly("uploadType");
      if (type === "multipart") return multipart(request, store);
      expect(type === "resumable", `unknown uploadType ${type}`);
      expect(request.headers.get("content-type")?.startsWith("application/json"), "resumable metadata is JSON");
      const resource = request.json<Record<string, unknown>>();
      checkResource(resource);
      const id = crypto.randomUUID();
      sessions.set(id, { received: 0, done: false, resource, chunks: [] });
      const location = `${fake.url}${uploadPath}?uploadType=resumable&upload_id=${id}`;
      return new Response(null, { headers: { location } });
    }
    if (path === objectsPath) {
      expect(request.method === "GET", "listing is a GET");
      allowOnly("maxResults", "prefix", "delimiter", "pageToken");
      return listObjects(objects, query);
    }
    expect(path.startsWith(`${objectsPath}/`), `unknown path ${path}`);
    const name = decodeURIComponent(path.slice(objectsPath.length + 1));
    expect(!path.slice(objectsPath.length + 1).includes("/"), "an object name in a path is percent-encoded whole");
    const stored = objects.get(name);
    if (request.method === "DELETE") {
      allowOnly();
      if (!stored) return storageError(404, "No such object");
      objects.delete(name);
      return new Response(null, { status: 204 });
    }
    expect(request.method === "GET", `unexpected method ${request.method}`);
    if (query.get("alt") === "media") {
      allowOnly("alt", "generation");
      if (!stored || (query.has("generation") && query.get("generation") !== stored.resource.generation)) {
        return storageError(404, "No such object");
      }
      return media(request, stored);
    }
    allowOnly();
    if (!stored) return storageError(404, "No such object");
    return Response.json(stored.resource);
  });
  return Object.assign(fake, { objects, sessions: sessions as FakeStorage["sessions"] });
}

function storageError(code: number, message: string): Response {
  return Response.json({ error: { code, message, errors: [{ message }] } }, { status: code });
}

function checkResource(resource: Record<string, unknown>): void {
  expectKeys(resource, ["name", "metadata", ...HTTP_RESOURCE_FIELDS], ["name"], "the object resource");
  expect(typeof resource.name === "string" && resource.name !== "", "the name is a non-empty string");
  if (resource.metadata !== undefined) {
    for (const value of Object.values(resource.metadata as object)) {
      expect(typeof value === "string", "metadata values");
    }
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function multipart(
  request: FakeRequest,
  store: (resource: Record<string, unknown>, media: Uint8Array<ArrayBuffer>) => Response,
): Response {
  const boundary = request.headers.get("content-type")?.match(/^multipart\/related; boundary=(.+)$/)?.[1];
  expect(boundary, "a multipart upload is multipart/related with a boundary");
  const encoder = new TextEncoder();
  const body = request.body;
  const delimiter = encoder.encode(`--${boundary}\r\n`);
  expect(indexOf(body, delimiter, 0) === 0, "the body starts with the boundary");
  const metaStart = delimiter.length;
  const headersEnd = indexOf(body, encoder.encode("\r\n\r\n"), metaStart);
  const metaHeaders = new TextDecoder().decode(body.subarray(metaStart, headersEnd)).toLowerCase();
  expect(metaHeaders === "content-type: application/json; charset=utf-8", "the first part is the JSON metadata");
  const second = indexOf(body, encoder.encode(`\r\n--${boundary}\r\n`), headersEnd);
  const resource = JSON.parse(new TextDecoder().decode(body.subarray(headersEnd + 4, second)));
  checkResource(resource);
  const mediaHeadersStart = second + boundary.length + 6;
  const mediaHeadersEnd = indexOf(body, encoder.encode("\r\n\r\n"), mediaHeadersStart);
  const mediaHeaders = new TextDecoder().decode(body.subarray(mediaHeadersStart, mediaHeadersEnd));
  expect(/^content-type: .+$/i.test(mediaHeaders), "the media part has its content type");
  const closing = encoder.encode(`\r\n--${boundary}--\r\n`);
  const end = body.length - closing.length;
  expect(indexOf(body, closing, end) === end, "the body ends with the closing boundary");
  return store(resource, body.slice(mediaHeadersEnd + 4, end));
}

function resumablePart(
  request: FakeRequest,
  sessions: Map<string, { received: number; done: boolean; resource: Record<string, unknown>; chunks: Uint8Array[] }>,
  store: (resource: Record<string, unknown>, media: Uint8Array<ArrayBuffer>) => Response,
): Response {
  const session = sessions.get(request.url.searchParams.get("upload_id") ?? "");
  expect(session && !session.done, "a PUT goes to an open upload session");
  const range = request.headers.get("content-range") ?? "";
  const match = range.match(/^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/);
  expect(match, `Content-Range ${range} is not bytes first-last/total`);
  const length = request.body.byteLength;
  if (match[1] !== undefined) {
    expect(Number(match[1]) === session.received, `the part starts at ${match[1]}, not ${session.received}`);
    expect(Number(match[2]) - Number(match[1]) + 1 === length, "the range and the body differ in length");
  } else expect(length === 0, "bytes */total carries no body");
  const final = match[3] !== "*";
  expect(final || length % (256 * 1024) === 0, "a part that is not the last is a multiple of 256 KiB");
  session.chunks.push(request.body);
  session.received += length;
  if (!final) {
    return new Response(null, { status: 308, headers: { range: `bytes=0-${session.received - 1}` } });
  }
  expect(Number(match[3]) === session.received, "the total is what was sent");
  session.done = true;
  const whole = new Uint8Array(session.received);
  let offset = 0;
  for (const chunk of session.chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return store(session.resource, whole);
}

function media(request: FakeRequest, stored: StoredObject): Response {
  const headers = new Headers({ "content-type": String(stored.resource.contentType ?? "application/octet-stream") });
  const range = request.headers.get("range");
  const size = stored.media.byteLength;
  if (!range) return new Response(stored.media, { headers });
  const match = range.match(/^bytes=(\d*)-(\d*)$/);
  expect(match && (match[1] || match[2]), `Range ${range} is not bytes=first-last, first- or -suffix`);
  let first: number;
  let last: number;
  if (match[1] === "") {
    first = Math.max(0, size - Number(match[2]));
    last = size - 1;
  } else {
    first = Number(match[1]);
    last = match[2] === "" ? size - 1 : Math.min(size - 1, Number(match[2]));
  }
  headers.set("content-range", `bytes ${first}-${last}/${size}`);
  return new Response(stored.media.slice(first, last + 1), { status: 206, headers });
}

function listObjects(objects: Map<string, StoredObject>, query: URLSearchParams): Response {
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const max = Number(query.get("maxResults") ?? 1000);
  expect(Number.isInteger(max) && max >= 1 && max <= 1000, "maxResults is 1 to 1000");
  const entries: { item?: Record<string, unknown>; prefix?: string }[] = [];
  const seen = new Set<string>();
  for (const name of [...objects.keys()].filter((n) => n.startsWith(prefix)).sort(byBytes)) {
    const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const folded = name.slice(0, cut + delimiter.length);
      if (!seen.has(folded)) entries.push({ prefix: folded });
      seen.add(folded);
    } else entries.push({ item: objects.get(name)!.resource });
  }
  const start = query.has("pageToken") ? Number(atob(query.get("pageToken")!)) : 0;
  expect(Number.isInteger(start), "the pageToken is one the server gave");
  const page = entries.slice(start, start + max);
  const body: Record<string, unknown> = { kind: "storage#objects" };
  const items = page.flatMap((e) => e.item ? [e.item] : []);
  const prefixes = page.flatMap((e) => e.prefix ? [e.prefix] : []);
  if (items.length) body.items = items;
  if (prefixes.length) body.prefixes = prefixes;
  if (start + max < entries.length) body.nextPageToken = btoa(String(start + max));
  return Response.json(body);
}

/** A fake Pub/Sub: the messages published to each topic, by full topic name. */
export interface FakePubSub extends RestFake {
  /** Published messages, as a subscriber would receive them. */
  topics: Map<string, { data: string; attributes: Record<string, string>; messageId: string }[]>;
}

/**
 * Starts a fake of Pub/Sub's publish method (https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish).
 *
 * @param topics The full names of the topics that exist.
 * @param token The token requests must carry.
 * @returns The fake.
 */
export function startFakePubSub(topics: string[], token: () => string): FakePubSub {
  const published: FakePubSub["topics"] = new Map(topics.map((topic) => [topic, []]));
  let id = 0;
  const fake = startRestFake((request) => {
    expectBearer(request, token);
    const match = decodeURIComponent(request.url.pathname).match(/^\/v1\/(projects\/[^/]+\/topics\/[^/:]+):publish$/);
    expect(match, "publish is POST /v1/projects/<p>/topics/<t>:publish");
    expect(request.method === "POST", "publish is a POST");
    expect(request.url.search === "", "no query parameters were expected");
    expect(request.headers.get("content-type")?.startsWith("application/json"), "publish takes JSON");
    const queue = published.get(match[1]!);
    if (!queue) {
      return Response.json({ error: { code: 404, status: "NOT_FOUND", message: "Topic not found" } }, { status: 404 });
    }
    const body = request.json<{ messages: { data: string; attributes: Record<string, string> }[] }>();
    expectKeys(body, ["messages"], ["messages"], "the request");
    expect(body.messages.length >= 1 && body.messages.length <= 1000, "1 to 1000 messages per publish");
    expect(request.body.byteLength <= 10_000_000, "a publish request holds at most 10 MB");
    const ids: string[] = [];
    for (const message of body.messages) {
      expectKeys(message, ["data", "attributes", "orderingKey"], [], "a message");
      expect(message.data === undefined || /^[A-Za-z0-9+/]*={0,2}$/.test(message.data), "data is base64");
      for (const key of Object.keys(message.attributes ?? {})) {
        expect(!key.startsWith("goog") && key.length <= 256, `attribute ${key} is not allowed`);
      }
      ids.push(String(++id));
      queue.push({ data: message.data, attributes: message.attributes ?? {}, messageId: String(id) });
    }
    return Response.json({ messageIds: ids });
  });
  return Object.assign(fake, { topics: published });
}
