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
