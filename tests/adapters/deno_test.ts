import { startOnDeno } from "../support/child_server.ts";
import { selfHostedContract } from "./_self_hosted_contract.ts";

Deno.test("the Deno adapter under deno run", async (t) => {
  const server = await startOnDeno("tests/adapters/fixtures/deno_main.ts");
  try {
    await selfHostedContract(t, server, { platform: "deno", runtime: "deno 2", unreadBody: "closes" });
  } finally {
    await server.close();
  }
});
