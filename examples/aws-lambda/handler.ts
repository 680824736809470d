// The Lambda entry for the Node.js runtime (`handler: handler.handler`). In your project, import from
// "@slrs/core/aws-lambda"; `cli.ts build --target aws-lambda` generates these two lines.
import { handle } from "../../adapters/aws_lambda.ts";
import fn from "./main.ts";

export const handler = handle(fn);
