// The entry for Deno itself on Lambda (runtime provided.al2023): the `bootstrap` executable runs
// `deno run -A bootstrap.ts`. Loading the function inside runtime() reports a failing import as an init error.
import { runtime } from "../../adapters/aws_lambda.ts";

await runtime(() => import("./main.ts").then((module) => module.default));
