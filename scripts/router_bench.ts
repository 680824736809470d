/**
 * The router against Hono's default router (SmartRouter over RegExpRouter and TrieRouter, what `new Hono()` uses) on
 * GitHub's REST route table. Each side finds the handler and builds the decoded params object a handler reads.
 *
 *     deno bench -A scripts/router_bench.ts
 *
 * @module
 */

import { RegExpRouter } from "npm:hono@^4.13.19/router/reg-exp-router";
import { SmartRouter } from "npm:hono@^4.13.19/router/smart-router";
import { TrieRouter } from "npm:hono@^4.13.19/router/trie-router";
import { Router } from "../mod.ts";
import { GITHUB_ROUTES } from "./github_routes.ts";

type HonoHandler = () => string;
type HonoResult = [[HonoHandler, Record<string, number | string>][], string[]?];

const slrs = new Router();
const hono = new SmartRouter<HonoHandler>({ routers: [new RegExpRouter(), new TrieRouter()] });
// Hono's fastest router refuses some of GitHub's routes (SmartRouter then falls back to TrieRouter for the whole
// table); it is measured too, on the routes it accepts, which only flatters it.
const regexp = new RegExpRouter<HonoHandler>();
let refused = 0;
for (const [method, path] of GITHUB_ROUTES) {
  slrs[method.toLowerCase() as "get"](path, () => new Response(path));
  hono.add(method, path, () => path);
  try {
    regexp.add(method, path, () => path);
  } catch {
    refused++;
  }
}

const STATIC: [string, string][] = [
  ["GET", "/user"],
  ["GET", "/user/repos"],
  ["GET", "/emojis"],
  ["GET", "/search/code"],
  ["GET", "/rate_limit"],
  ["POST", "/markdown/raw"],
  ["GET", "/gists/public"],
  ["GET", "/app/installations"],
];

const PARAMETRIC: [string, string][] = [
  ["GET", "/users/octocat"],
  ["GET", "/users/octocat/repos"],
  ["GET", "/repos/denoland/deno/issues/28150/comments"],
  ["PATCH", "/repos/honojs/hono/pulls/4000"],
  ["GET", "/repos/a/b/git/ref/heads/main"],
  ["DELETE", "/gists/aa5a315d61ae9438b18d/comments/12"],
  ["GET", "/repos/denoland/std/releases/tags/v1.0.0"],
  ["GET", "/orgs/deno%20land/teams/core/members"],
];

// What a handler needs from Hono's result: the handler and a decoded params object (as `c.req.param()` gives).
function honoMatch(
  method: string,
  path: string,
  router: { match(method: string, path: string): unknown } = hono,
): [HonoHandler, Record<string, string>] | undefined {
  const [handlers, stash] = router.match(method, path) as HonoResult;
  const first = handlers[0];
  if (first === undefined) return undefined;
  const params: Record<string, string> = {};
  for (const [key, slot] of Object.entries(first[1])) {
    const value = stash ? stash[slot as number]! : slot as string;
    params[key] = value.includes("%") ? decodeURIComponent(value) : value;
  }
  return [first[0], params];
}

function check(paths: [string, string][]): void {
  for (const [method, path] of paths) {
    const ours = slrs.match(method, path);
    const theirs = honoMatch(method, path);
    if (!ours || !theirs || ours.route.path !== theirs[0]()) {
      throw new Error(`Routers disagree on ${method} ${path}: ${ours?.route.path} vs ${theirs?.[0]()}`);
    }
    // Hono has no value for a trailing wildcard; compare the named parameters.
    const { "*": _rest, ...named } = ours.params;
    if (JSON.stringify(named) !== JSON.stringify(theirs[1])) {
      throw new Error(
        `Params differ on ${method} ${path}: ${JSON.stringify(ours.params)} vs ${JSON.stringify(theirs[1])}`,
      );
    }
  }
}
check(STATIC);
check(PARAMETRIC);
hono.match("GET", "/");
console.log(
  `Hono's SmartRouter chose ${hono.activeRouter.name}; RegExpRouter refused ${refused} of ${GITHUB_ROUTES.length} routes.`,
);

for (const [group, paths] of [["static", STATIC], ["parametric", PARAMETRIC]] as const) {
  Deno.bench(`slrs Router: ${paths.length} ${group} paths`, { group, baseline: true }, () => {
    for (const [method, path] of paths) slrs.match(method, path);
  });
  Deno.bench(`Hono SmartRouter: ${paths.length} ${group} paths`, { group }, () => {
    for (const [method, path] of paths) honoMatch(method, path);
  });
  Deno.bench(`Hono RegExpRouter (accepted routes only): ${paths.length} ${group} paths`, { group }, () => {
    for (const [method, path] of paths) honoMatch(method, path, regexp);
  });
}
