/**
 * A keep-alive HTTP/1.1 client on a raw `node:net` socket, reading each response by its own framing exactly as a
 * pooling proxy would: a `Content-Length` is trusted, chunked bodies are decoded, and whatever a response left on
 * the wire becomes the start of the next one. A server that mis-frames a response shows up here as a garbled or
 * missing second response, which `fetch` (a new connection, lenient parsing) would hide.
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import { Buffer } from "node:buffer";

/** One response as read off the wire. */
export interface WireResponse {
  /** The status line, e.g. `HTTP/1.1 200 OK`. */
  statusLine: string;
  /** The status code. */
  status: number;
  /** Header pairs, names lowercase, in the order sent. */
  headers: [string, string][];
  /** The body bytes, as the framing delimits them. */
  body: Uint8Array;
}

/** A connection that sends requests one after another and reads their responses. */
export interface WireConnection {
  /**
   * Sends `head` (the request line and headers, without the empty line) and `body`, then reads one response.
   *
   * @param head E.g. `GET / HTTP/1.1\r\nHost: x`.
   * @param body Request body bytes, sent after the head; give the framing header in `head`.
   * @param method The method, so a HEAD response is read without a body.
   */
  exchange(head: string, body?: Uint8Array, method?: string): Promise<WireResponse>;
  /** Resolves when the server closes the connection (`"end"` for a FIN, `"reset"` for a RST). */
  readonly closed: Promise<"end" | "reset">;
  /** Closes the socket. */
  close(): void;
  /** The socket itself. */
  readonly socket: Socket;
}

const NO_BODY = new Set([204, 304]);

/**
 * Opens a connection to `127.0.0.1:port`.
 *
 * @param port The server's port.
 * @returns The connection, once connected.
 */
export async function openWire(port: number): Promise<WireConnection> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let buffered = Buffer.alloc(0);
  let ended = false;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  const closed = new Promise<"end" | "reset">((resolve) => {
    socket.on("error", (error: NodeJS.ErrnoException) => {
      ended = true;
      resolve(error.code === "ECONNRESET" ? "reset" : "end");
      wake();
    });
    socket.on("end", () => {
      ended = true;
      resolve("end");
      wake();
    });
    socket.on("close", () => {
      ended = true;
      resolve("end");
      wake();
    });
  });
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake();
  });
  const more = async (what: string) => {
    if (ended) throw new Error(`the connection closed while reading ${what}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve, reject) => {
      waiter = resolve;
      timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
    }).finally(() => clearTimeout(timer));
  };
  const take = async (n: number, what: string) => {
    while (buffered.length < n) await more(what);
    const out = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return new Uint8Array(out);
  };
  const line = async (what: string) => {
    for (;;) {
      const at = buffered.indexOf("\r\n");
      if (at >= 0) {
        const text = buffered.subarray(0, at).toString("latin1");
        buffered = buffered.subarray(at + 2);
        return text;
      }
      await more(what);
    }
  };
  const read = async (method: string): Promise<WireResponse> => {
    const statusLine = await line("a status line");
    const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
    if (!match) throw new Error(`not a status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const status = Number(match[1]);
    const headers: [string, string][] = [];
    for (let h = await line("a header"); h !== ""; h = await line("a header")) {
      const colon = h.indexOf(":");
      headers.push([h.slice(0, colon).trim().toLowerCase(), h.slice(colon + 1).trim()]);
    }
    if (status < 200 && status !== 101) return await read(method);
    const get = (name: string) => headers.find(([n]) => n === name)?.[1];
    if (method === "HEAD" || NO_BODY.has(status)) return { statusLine, status, headers, body: new Uint8Array(0) };
    const te = get("transfer-encoding");
    if (te !== undefined && /chunked\s*$/i.test(te)) {
      const parts: Uint8Array[] = [];
      for (;;) {
        const size = parseInt(await line("a chunk size"), 16);
        if (!Number.isFinite(size)) throw new Error("a chunk size that is not hex");
        if (size === 0) {
          while ((await line("a trailer")) !== "");
          break;
        }
        parts.push(await take(size, "a chunk"));
        await take(2, "a chunk end");
      }
      return { statusLine, status, headers, body: new Uint8Array(Buffer.concat(parts)) };
    }
    const length = get("content-length");
    if (length !== undefined) return { statusLine, status, headers, body: await take(Number(length), "the body") };
    while (!ended) await more("the body").catch(() => {});
    const body = new Uint8Array(buffered);
    buffered = Buffer.alloc(0);
    return { statusLine, status, headers, body };
  };
  return {
    socket,
    closed,
    async exchange(head, body, method = head.slice(0, head.indexOf(" "))) {
      socket.write(`${head}\r\n\r\n`);
      if (body) socket.write(body);
      return await read(method);
    },
    close: () => socket.destroy(),
  };
}

/**
 * A response's header value.
 *
 * @param response The response.
 * @param name The name, lowercase.
 * @returns Its first value, or `undefined`.
 */
export function wireHeader(response: WireResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1];
}
