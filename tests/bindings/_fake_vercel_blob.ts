/**
 * A fake of the Vercel Blob REST API as `@vercel/blob` speaks it (packages/blob/src of github.com/vercel/storage):
 * `PUT /api/blob/?pathname=…` with the `x-*` option headers, `GET /api/blob?url=…` for an object's metadata,
 * `GET /api/blob?limit&prefix&cursor&mode` to list, `POST /api/blob/delete`, and the blobs themselves under `/blobs/`,
 * read with the token and `Range`. Not the real service.
 *
 * @module
 */

import { expect, expectKeys, type FakeRequest, type RestFake, startRestFake } from "./_rest_fake.ts";

interface StoredBlob {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  cacheControl: string;
  uploadedAt: string;
  etag: string;
  access: string;
}

/** The fake, with its blobs by pathname. */
export interface FakeVercelBlob extends RestFake {
  /** The blobs, by pathname. */
  blobs: Map<string, StoredBlob>;
  /** The API's base URL, for `VERCEL_BLOB_API_URL`. */
  api: string;
  /** Where blobs are read, for `SLRS_VERCEL_BLOB_URL`. */
  blobHost: string;
}

function byBytes(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function blobError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

/**
 * Starts the fake.
 *
 * @param token The read-write token requests must carry.
 * @returns The fake.
 */
export function startFakeVercelBlob(token: string): FakeVercelBlob {
  const blobs = new Map<string, StoredBlob>();
  let version = 0;
  const fake = startRestFake((request) => {
    const path = request.url.pathname;
    const query = request.url.searchParams;
    const authorised = request.headers.get("authorization") === `Bearer ${token}`;
    if (path.startsWith("/blobs/")) {
      const name = path.slice("/blobs/".length).split("/").map(decodeURIComponent).join("/");
      const blob = blobs.get(name);
      expect(request.method === "GET", "blobs are read with GET");
      if (!blob) return new Response("not found", { status: 404 });
      if (blob.access === "private" && !authorised) return new Response("forbidden", { status: 403 });
      return read(request, blob);
    }
    expect(request.headers.get("x-api-version") === "12", "x-api-version is missing");
    if (!authorised) return blobError(403, "forbidden", "Access denied");
    const url = (name: string) => `${fake.url}/blobs/${name.split("/").map(encodeURIComponent).join("/")}`;
    if (request.method === "PUT") {
      expect(path === "/api/blob/", "a put goes to /api/blob/");
      const name = query.get("pathname");
      expect(name && [...query.keys()].length === 1, "a put names only its pathname");
      expect(request.headers.get("x-add-random-suffix") === "0", "x-add-random-suffix: 0 keeps the key as given");
      const access = request.headers.get("x-vercel-blob-access") ?? "";
      expect(access === "private" || access === "public", "x-vercel-blob-access is private or public");
      if (blobs.has(name) && request.headers.get("x-allow-overwrite") !== "1") {
        return blobError(400, "bad_request", "This blob already exists");
      }
      const maxAge = request.headers.get("x-cache-control-max-age");
      expect(maxAge === null || /^\d+$/.test(maxAge), "x-cache-control-max-age is seconds");
      version++;
      const blob = {
        bytes: request.body,
        contentType: request.headers.get("x-content-type") ?? "application/octet-stream",
        cacheControl: `public, max-age=${maxAge ?? 2592000}`,
        uploadedAt: new Date().toISOString(),
        etag: `"v${version}"`,
        access,
      };
      blobs.set(name, blob);
      return Response.json({
        url: url(name),
        downloadUrl: `${url(name)}?download=1`,
        pathname: name,
        contentType: blob.contentType,
        contentDisposition: `attachment; filename="${name.split("/").pop()}"`,
      });
    }
    if (request.method === "POST") {
      expect(path === "/api/blob/delete", "deletes go to /api/blob/delete");
      expect(request.headers.get("content-type") === "application/json", "delete takes JSON");
      const body = request.json<{ urls: string[] }>();
      expectKeys(body, ["urls"], ["urls"], "the delete request");
      for (const target of body.urls) {
        expect(target.startsWith(`${fake.url}/blobs/`), `${target} is not a blob URL of the store`);
        blobs.delete(new URL(target).pathname.slice("/blobs/".length).split("/").map(decodeURIComponent).join("/"));
      }
      return Response.json(null);
    }
    expect(request.method === "GET" && path === "/api/blob", "metadata and lists are GET /api/blob");
    if (query.has("url")) {
      expect([...query.keys()].length === 1, "a metadata read names only the url");
      const target = new URL(query.get("url")!);
      const name = target.pathname.slice("/blobs/".length).split("/").map(decodeURIComponent).join("/");
      const blob = blobs.get(name);
      if (!blob) return blobError(404, "not_found", "The requested blob does not exist");
      return Response.json({
        url: target.href,
        downloadUrl: `${target.href}?download=1`,
        pathname: name,
        size: blob.bytes.byteLength,
        uploadedAt: blob.uploadedAt,
        contentType: blob.contentType,
        contentDisposition: `attachment; filename="${name.split("/").pop()}"`,
        cacheControl: blob.cacheControl,
        etag: blob.etag,
      });
    }
    for (const key of query.keys()) expect(["limit", "prefix", "cursor", "mode"].includes(key), `unknown ${key}`);
    return list(query, blobs, url);
  });
  return Object.assign(fake, { blobs, api: `${fake.url}/api/blob`, blobHost: `${fake.url}/blobs` });
}

function read(request: FakeRequest, blob: StoredBlob): Response {
  const headers = new Headers({ "content-type": blob.contentType, etag: blob.etag });
  const range = request.headers.get("range");
  const size = blob.bytes.byteLength;
  if (!range) return new Response(blob.bytes, { headers });
  const match = range.match(/^bytes=(\d*)-(\d*)$/);
  expect(match && (match[1] || match[2]), `Range ${range} is malformed`);
  const first = match[1] === "" ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const last = match[1] === "" || match[2] === "" ? size - 1 : Math.min(size - 1, Number(match[2]));
  headers.set("content-range", `bytes ${first}-${last}/${size}`);
  return new Response(blob.bytes.slice(first, last + 1), { status: 206, headers });
}

function list(query: URLSearchParams, blobs: Map<string, StoredBlob>, url: (name: string) => string): Response {
  const limit = Number(query.get("limit") ?? 1000);
  expect(Number.isInteger(limit) && limit >= 1 && limit <= 1000, "limit is 1 to 1000");
  const prefix = query.get("prefix") ?? "";
  const folded = query.get("mode") === "folded";
  expect(!query.has("mode") || folded || query.get("mode") === "expanded", "mode is folded or expanded");
  const entries: { blob?: string; folder?: string }[] = [];
  const seen = new Set<string>();
  for (const name of [...blobs.keys()].filter((n) => n.startsWith(prefix)).sort(byBytes)) {
    const cut = folded ? name.indexOf("/", prefix.length) : -1;
    if (cut < 0) entries.push({ blob: name });
    else if (!seen.has(name.slice(0, cut + 1))) {
      seen.add(name.slice(0, cut + 1));
      entries.push({ folder: name.slice(0, cut + 1) });
    }
  }
  const start = query.has("cursor") ? Number(atob(query.get("cursor")!)) : 0;
  const page = entries.slice(start, start + limit);
  const hasMore = start + limit < entries.length;
  return Response.json({
    blobs: page.flatMap((e) => {
      if (!e.blob) return [];
      const blob = blobs.get(e.blob)!;
      return [{
        url: url(e.blob),
        downloadUrl: `${url(e.blob)}?download=1`,
        pathname: e.blob,
        size: blob.bytes.byteLength,
        uploadedAt: blob.uploadedAt,
        etag: blob.etag,
      }];
    }),
    ...(folded ? { folders: page.flatMap((e) => e.folder ? [e.folder] : []) } : {}),
    hasMore,
    ...(hasMore ? { cursor: btoa(String(start + limit)) } : {}),
  });
}
