/**
 * The GitHub Actions workflows `init` writes: `test.yml` on every push and pull request, and one deploy workflow per
 * chosen target that builds on every pull request and deploys from the main branch.
 *
 * Each action's inputs are the ones its own `action.yml` documents (checked against it, not written from memory):
 *
 * - `actions/checkout@v4`: https://github.com/actions/checkout (no inputs needed);
 * - `denoland/setup-deno@v2`: `deno-version` (https://github.com/denoland/setup-deno/blob/main/action.yml);
 * - `actions/setup-node@v4`: `node-version` (https://github.com/actions/setup-node/blob/main/action.yml);
 * - `hashicorp/setup-terraform@v3`: `terraform_version`
 *   (https://github.com/hashicorp/setup-terraform/blob/main/action.yml);
 * - `aws-actions/configure-aws-credentials@v4`: `role-to-assume`, `aws-region`, and the job's
 *   `permissions: id-token: write` for OIDC (https://github.com/aws-actions/configure-aws-credentials#oidc);
 * - `cloudflare/wrangler-action@v3`: `apiToken`, `accountId`, `wranglerVersion`, `command`
 *   (https://github.com/cloudflare/wrangler-action/blob/main/action.yml);
 * - `azure/login@v2`: `client-id`, `tenant-id`, `subscription-id` with `id-token: write`
 *   (https://github.com/Azure/login#login-with-openid-connect-oidc-recommended); the zip goes up with
 *   `az functionapp deployment source config-zip --build-remote true`
 *   (https://learn.microsoft.com/azure/azure-functions/deployment-zip-push);
 * - `google-github-actions/auth@v2`: `workload_identity_provider`, `service_account`
 *   (https://github.com/google-github-actions/auth/blob/main/action.yml), then `google-github-actions/setup-gcloud@v2`
 *   and `gcloud functions deploy --gen2 --source --entry-point --trigger-http`
 *   (https://cloud.google.com/functions/docs/deploy);
 * - Vercel: `vercel pull`, then `vercel deploy --prebuilt [--prod]` with a token
 *   (https://vercel.com/guides/how-can-i-use-github-actions-with-vercel).
 *
 * Terraform keeps its state in S3 through a partial backend configuration
 * (https://developer.hashicorp.com/terraform/language/backend#partial-configuration, `use_lockfile` from
 * https://developer.hashicorp.com/terraform/language/backend/s3), because a runner's disk is gone after each run.
 *
 * @module
 */

/** The runtime a project is made for. */
export type InitRuntime = "deno" | "node";

/** The platforms `init --targets` writes a deploy workflow for, in the order `--help` lists them. */
export const DEPLOY_TARGETS = ["aws-lambda", "cloudflare", "vercel", "azure", "gcp"] as const;

/** One of {@linkcode DEPLOY_TARGETS}. */
export type DeployTarget = typeof DEPLOY_TARGETS[number];

/** What the workflows need to know about the project. */
export interface WorkflowProject {
  /** The function's name (also the Lambda, Worker, app and Cloud Function name). */
  name: string;
  /** Deno or Node. */
  runtime: InitRuntime;
}

/** `${{ expression }}`, written so that no template literal here reads it as an interpolation. */
const gha = (expression: string) => "${{ " + expression + " }}";

const ON_MAIN = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'";
const ON_PULL_REQUEST = "github.event_name == 'pull_request'";

/** The CLI as a user runs it in the project: `deno task …` or `npx slrs …`. */
function cli(runtime: InitRuntime, args: string): string {
  return runtime === "deno" ? `deno task ${args}` : `npx slrs ${args}`;
}

function setupSteps(runtime: InitRuntime): string {
  if (runtime === "deno") {
    return `      - uses: actions/checkout@v4
      - uses: denoland/setup-deno@v2
        with:
          deno-version: v2.x
`;
  }
  return `      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - run: npm install
`;
}

function header(title: string, permissions: string): string {
  return `# ${title}
# Written by \`slrs init\`.
name: ${title}

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
${permissions}
`;
}

/** test.yml: the project's test task on every push and pull request. */
function testWorkflow(project: WorkflowProject): string {
  const test = project.runtime === "deno" ? "deno task test" : "npm test";
  return `# Runs the tests on every push and pull request.
# Written by \`slrs init\`.
name: Test

on:
  push:
  pull_request:

permissions:
  contents: read

jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
${setupSteps(project.runtime)}      - run: ${test}
`;
}

function awsWorkflow({ name, runtime }: WorkflowProject): string {
  return `${
    header(
      "Deploy to AWS Lambda",
      "  contents: read\n  id-token: write # the OIDC token configure-aws-credentials exchanges for the role",
    )
  }
# Repository secrets: AWS_ROLE_ARN (a role that trusts token.actions.githubusercontent.com for this repository) and
# TF_STATE_BUCKET (an S3 bucket for the Terraform state). The region is set here.
env:
  AWS_REGION: us-east-1
  TF_STATE_BUCKET: ${gha("secrets.TF_STATE_BUCKET")}

concurrency:
  group: deploy-aws-lambda
  cancel-in-progress: false

jobs:
  terraform:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
${setupSteps(runtime)}      - run: ${cli(runtime, "build --target aws-lambda")}
      - run: ${cli(runtime, "iac terraform --platform aws-lambda")}
      - uses: hashicorp/setup-terraform@v3
        with:
          terraform_version: "~1.11"
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${gha("secrets.AWS_ROLE_ARN")}
          aws-region: ${gha("env.AWS_REGION")}
      - name: terraform init (state in S3)
        working-directory: infra
        run: |
          echo '{"terraform":{"backend":{"s3":{}}}}' > backend.tf.json
          terraform init -input=false \\
            -backend-config="bucket=$TF_STATE_BUCKET" \\
            -backend-config="key=${name}/aws-lambda.tfstate" \\
            -backend-config="region=$AWS_REGION" \\
            -backend-config="use_lockfile=true"
      - name: terraform plan
        if: ${ON_PULL_REQUEST}
        working-directory: infra
        run: terraform plan -input=false -var "aws_region=$AWS_REGION"
      - name: terraform apply
        if: ${ON_MAIN}
        working-directory: infra
        run: terraform apply -input=false -auto-approve -var "aws_region=$AWS_REGION"
`;
}

function cloudflareWorkflow({ name, runtime }: WorkflowProject): string {
  const config = `infra/wrangler/${name}/wrangler.jsonc`;
  return `${header("Deploy to Cloudflare Workers", "  contents: read")}
# Repository secrets: CLOUDFLARE_API_TOKEN (a token with "Edit Cloudflare Workers") and CLOUDFLARE_ACCOUNT_ID.
# One wrangler step per function: add one for each function you add.
concurrency:
  group: deploy-cloudflare
  cancel-in-progress: false

jobs:
  deploy:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
${setupSteps(runtime)}      - run: ${cli(runtime, "build --target cloudflare")}
      - run: ${cli(runtime, "iac wrangler")}
      - name: wrangler deploy --dry-run (checks the Worker and its config, needs no token)
        if: ${ON_PULL_REQUEST}
        run: npx -y wrangler@4 deploy --dry-run -c ${config}
      - name: wrangler deploy
        if: ${ON_MAIN}
        uses: cloudflare/wrangler-action@v3
        with:
          apiToken: ${gha("secrets.CLOUDFLARE_API_TOKEN")}
          accountId: ${gha("secrets.CLOUDFLARE_ACCOUNT_ID")}
          wranglerVersion: "4"
          command: deploy -c ${config}
`;
}

function vercelWorkflow({ runtime }: WorkflowProject): string {
  return `${header("Deploy to Vercel", "  contents: read")}
# Repository secrets: VERCEL_TOKEN, VERCEL_ORG_ID and VERCEL_PROJECT_ID (from .vercel/project.json after \`vercel link\`).
# Pull requests get a preview deployment, the main branch the production one.
env:
  VERCEL_ORG_ID: ${gha("secrets.VERCEL_ORG_ID")}
  VERCEL_PROJECT_ID: ${gha("secrets.VERCEL_PROJECT_ID")}
  VERCEL_TOKEN: ${gha("secrets.VERCEL_TOKEN")}
  VERCEL_ENVIRONMENT: ${gha("github.event_name == 'pull_request' && 'preview' || 'production'")}

concurrency:
  group: deploy-vercel-${gha("github.ref")}
  cancel-in-progress: true

jobs:
  deploy:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
${setupSteps(runtime)}      - run: npm install --global vercel@latest
      - run: vercel pull --yes --environment="$VERCEL_ENVIRONMENT" --token="$VERCEL_TOKEN"
      - run: ${cli(runtime, "build --target vercel")}
      # build writes the Build Output API folder to dist/vercel/.vercel/output; the project comes from the env above.
      - name: vercel deploy --prebuilt (preview)
        if: ${ON_PULL_REQUEST}
        working-directory: dist/vercel
        run: vercel deploy --prebuilt --token="$VERCEL_TOKEN"
      - name: vercel deploy --prebuilt --prod
        if: ${ON_MAIN}
        working-directory: dist/vercel
        run: vercel deploy --prebuilt --prod --token="$VERCEL_TOKEN"
`;
}

function azureWorkflow({ name, runtime }: WorkflowProject): string {
  return `${
    header("Deploy to Azure Functions", "  contents: read\n  id-token: write # the OIDC token azure/login uses")
  }
# Repository secrets: AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_SUBSCRIPTION_ID (an app registration with a federated
# credential for this repository) and AZURE_RESOURCE_GROUP, the group of the function app "${name}".
concurrency:
  group: deploy-azure
  cancel-in-progress: false

jobs:
  deploy:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
${setupSteps(runtime)}      - run: ${cli(runtime, "build --target azure")}
      - uses: azure/login@v2
        if: ${ON_MAIN}
        with:
          client-id: ${gha("secrets.AZURE_CLIENT_ID")}
          tenant-id: ${gha("secrets.AZURE_TENANT_ID")}
          subscription-id: ${gha("secrets.AZURE_SUBSCRIPTION_ID")}
      - name: az functionapp deployment source config-zip
        if: ${ON_MAIN}
        env:
          AZURE_RESOURCE_GROUP: ${gha("secrets.AZURE_RESOURCE_GROUP")}
        run: >-
          az functionapp deployment source config-zip --resource-group "$AZURE_RESOURCE_GROUP" --name ${name}
          --src dist/azure/${name}.zip --build-remote true
`;
}

function gcpWorkflow({ name, runtime }: WorkflowProject): string {
  return `${
    header(
      "Deploy to Google Cloud Functions",
      "  contents: read\n  id-token: write # the OIDC token google-github-actions/auth exchanges",
    )
  }
# Repository secrets: GCP_WORKLOAD_IDENTITY_PROVIDER (projects/<number>/locations/global/workloadIdentityPools/<pool>/
# providers/<provider>), GCP_SERVICE_ACCOUNT and GCP_PROJECT. The region is set here.
env:
  GCP_REGION: us-central1
  GCP_PROJECT: ${gha("secrets.GCP_PROJECT")}

concurrency:
  group: deploy-gcp
  cancel-in-progress: false

jobs:
  deploy:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
${setupSteps(runtime)}      - run: ${cli(runtime, "build --target gcp")}
      - uses: google-github-actions/auth@v2
        if: ${ON_MAIN}
        with:
          workload_identity_provider: ${gha("secrets.GCP_WORKLOAD_IDENTITY_PROVIDER")}
          service_account: ${gha("secrets.GCP_SERVICE_ACCOUNT")}
      - uses: google-github-actions/setup-gcloud@v2
        if: ${ON_MAIN}
      - name: gcloud functions deploy
        if: ${ON_MAIN}
        run: |
          unzip -o dist/gcp/${name}.zip -d dist/gcp/${name}-source
          gcloud functions deploy ${name} --gen2 --project="$GCP_PROJECT" --region="$GCP_REGION" \\
            --runtime=nodejs22 --source=dist/gcp/${name}-source --entry-point=${name} \\
            --trigger-http --allow-unauthenticated
`;
}

const DEPLOY_WORKFLOWS: Record<DeployTarget, (project: WorkflowProject) => string> = {
  "aws-lambda": awsWorkflow,
  cloudflare: cloudflareWorkflow,
  vercel: vercelWorkflow,
  azure: azureWorkflow,
  gcp: gcpWorkflow,
};

/**
 * The workflow files for a project: `.github/workflows/test.yml` and `deploy-<target>.yml` per target.
 *
 * @param project The function's name and the runtime.
 * @param targets The platforms to deploy to.
 * @returns Path (relative to the project) → contents.
 *
 * @example Usage
 * ```ts
 * import { workflowFiles } from "./init_workflows.ts";
 * const files = workflowFiles({ name: "shop", runtime: "deno" }, ["cloudflare"]);
 * console.assert(Object.keys(files).join() === ".github/workflows/test.yml,.github/workflows/deploy-cloudflare.yml");
 * ```
 */
export function workflowFiles(project: WorkflowProject, targets: readonly DeployTarget[]): Record<string, string> {
  const files: Record<string, string> = { ".github/workflows/test.yml": testWorkflow(project) };
  for (const target of targets) files[`.github/workflows/deploy-${target}.yml`] = DEPLOY_WORKFLOWS[target](project);
  return files;
}
