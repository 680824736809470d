/**
 * A fake of Upstash's Redis REST API (https://upstash.com/docs/redis/features/restapi): `POST /pipeline` and
 * `POST /multi-exec` with a JSON array of commands, `Authorization: Bearer <token>`, answered with one
 * `{ result }` or `{ error }` per command. It runs the commands the KV backend sends on an in-memory Redis of hashes
 * and sorted sets, with Redis's own ordering (byte order, for BYLEX) and expiry. Not the real service.
 *
 * @module
 */

import { expect, type RestFake, startRestFake } from "./_rest_fake.ts";

/** The fake, with its data. */
export interface FakeUpstash extends RestFake {
  /** Hashes by key. */
  hashes: Map<string, Map<string, string>>;
  /** Expiries by key, in epoch milliseconds. */
  expiries: Map<string, number>;
  /** Sorted sets by key (every member scored 0, as the backend writes them). */
  sets: Map<string, Set<string>>;
}

function byBytes(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Starts the fake.
 *
 * @param token The token requests must carry.
 * @returns The fake.
 */
export function startFakeUpstash(token: string): FakeUpstash {
  const hashes = new Map<string, Map<string, string>>();
  const expiries = new Map<string, number>();
  const sets = new Map<string, Set<string>>();
  const live = (key: string) => {
    const at = expiries.get(key);
    if (at !== undefined && at <= Date.now()) {
      hashes.delete(key);
      expiries.delete(key);
    }
    return hashes.get(key);
  };
  const run = (command: string[]): unknown => {
    const [name, ...args] = command;
    switch (name?.toUpperCase()) {
      case "DEL": {
        let removed = 0;
        for (const key of args) {
          if (live(key)) removed++;
          hashes.delete(key);
          expiries.delete(key);
        }
        return removed;
      }
      case "HSET": {
        const [key, ...pairs] = args;
        expect(key && pairs.length >= 2 && pairs.length % 2 === 0, "HSET key field value [field value …]");
        const hash = live(key) ?? new Map<string, string>();
        hashes.set(key, hash);
        let added = 0;
        for (let i = 0; i < pairs.length; i += 2) {
          if (!hash.has(pairs[i]!)) added++;
          hash.set(pairs[i]!, pairs[i + 1]!);
        }
        return added;
      }
      case "HMGET": {
        const [key, ...fields] = args;
        expect(key && fields.length >= 1, "HMGET key field [field …]");
        const hash = live(key);
        return fields.map((field) => hash?.get(field) ?? null);
      }
      case "EXISTS":
        return args.filter((key) => live(key)).length;
      case "EXPIREAT": {
        expect(args.length === 2 && /^\d+$/.test(args[1]!), "EXPIREAT key unix-seconds");
        if (!live(args[0]!)) return 0;
        expiries.set(args[0]!, Number(args[1]) * 1000);
        return 1;
      }
      case "ZADD": {
        const [key, ...pairs] = args;
        expect(key && pairs.length >= 2 && pairs.length % 2 === 0, "ZADD key score member [score member …]");
        const set = sets.get(key) ?? new Set<string>();
        sets.set(key, set);
        let added = 0;
        for (let i = 0; i < pairs.length; i += 2) {
          expect(pairs[i] === "0", "the backend scores every member 0");
          if (!set.has(pairs[i + 1]!)) added++;
          set.add(pairs[i + 1]!);
        }
        return added;
      }
      case "ZREM": {
        const [key, ...members] = args;
        const set = sets.get(key!);
        return members.filter((member) => set?.delete(member)).length;
      }
      case "ZRANGE": {
        const [key, min, max, bylex, limit, offset, count, ...rest] = args;
        expect(bylex === "BYLEX" && limit === "LIMIT" && rest.length === 0, "ZRANGE key min max BYLEX LIMIT o c");
        expect(min === "-" || /^[[(]/.test(min!), "a BYLEX min is -, [value or (value");
        expect(max === "+", "the backend reads to the end (+)");
        const members = [...(sets.get(key!) ?? [])].sort(byBytes)
          .filter((member) => {
            if (min === "-") return true;
            const c = byBytes(member, min!.slice(1));
            return min!.startsWith("[") ? c >= 0 : c > 0;
          });
        return members.slice(Number(offset), Number(offset) + Number(count));
      }
      default:
        return { error: `ERR unknown command '${name}'` };
    }
  };
  const fake = startRestFake((request) => {
    expect(request.method === "POST", "commands are POSTed");
    expect(request.url.pathname === "/pipeline" || request.url.pathname === "/multi-exec", "unknown endpoint");
    expect(request.url.search === "", "no query parameters were expected");
    if (request.headers.get("authorization") !== `Bearer ${token}`) {
      return Response.json({ error: "Unauthorized" }, { status: 401 });
    }
    const commands = request.json<unknown>();
    expect(Array.isArray(commands) && commands.length > 0, "the body is a non-empty array of commands");
    for (const command of commands) {
      expect(Array.isArray(command) && command.every((arg) => typeof arg === "string"), "a command is strings");
    }
    return Response.json((commands as string[][]).map((command) => {
      const result = run(command);
      return result && typeof result === "object" && "error" in result ? result : { result };
    }));
  });
  return Object.assign(fake, { hashes, expiries, sets });
}
