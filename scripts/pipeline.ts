/**
 * `npm run pipeline [-- --output .github/workflows/tap.yml]`: after synth, a GitHub Actions
 * workflow that runs `npm run plan` and `npm run apply` per stack, in the order of the stack
 * dependencies cdktf writes into cdktf.out/manifest.json (#28 item 3). Per stack:
 *
 *   plan-<stack>   npm run plan -- <stack>; the saved plan, its JSON, review and record (and the
 *                  cdk.tf.json, lock file and manifest they were made from) uploaded as the
 *                  artifact plan-<stack>; output `changes` from the exit code (0 none, 2 changes,
 *                  anything else fails the job); the review on the run's summary page
 *   apply-<stack>  only when the plan has changes ("no changes, no approval"); in a GitHub
 *                  environment per account, whose required reviewers approve it; downloads its
 *                  own plan-<stack> and runs npm run apply -- <stack>, which applies that plan
 *                  and nothing else (and refuses it if the stack's state moved since)
 *
 * A stack's plan waits for the applies of the stacks it depends on, not their plans: it reads
 * their outputs from their state (terraform_remote_state: a region stack reads its account
 * stack's, management reads the log archive's, security reads management's), so a plan made
 * before they are applied would be made against outputs about to change. A dependency whose
 * apply was skipped because its plan had no changes counts as done; one that failed (or was
 * rejected) stops everything after it. Credentials come from OIDC: each job assumes the role a
 * repository variable names for its account (`TAP_ROLE_<account id>`, else `TAP_ROLE`); no keys.
 *
 * The bootstrap stack is not in the workflow: its state is local to the machine that applied it
 * (cdktf.out/stacks/bootstrap/terraform.tfstate), and a runner starts without it.
 *
 * workflowFor is plain data in and out; toYaml writes the fixed shape it returns (strings,
 * numbers, booleans, lists and maps) without a YAML library.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { dirname, isAbsolute, relative, resolve } from "path";
import type { TapConfig } from "../src/config/model";
import { KNOWN_VARIABLES, TOOL_VARIABLES } from "../src/config/settings";
import { loadConfig } from "../src/app/load-config";
import { refuseUnnamedStateBuckets, synthesizedStacks } from "./cdktf-run";
import { IN_SYNC_RECORD, ManifestStacks } from "./plan-review";
import { PLAN_FILE, PLAN_JSON, PLAN_RECORD, readManifest, STACK_REVIEW } from "./plan";
import { projectRoot } from "./terraform/emulator";

/** Where a stack runs: what the workflow needs to give its jobs credentials and an environment. */
export interface PipelineStack {
  /** The AWS account the stack's providers act in; absent when the configuration names none (ambient credentials). */
  readonly account?: string;
  /** The account stack the stack belongs to (itself, for an account stack): names the environment when `account` is unknown. */
  readonly accountStack: string;
  /** The region credentials are asked for: the state bucket's, else the home region. */
  readonly region: string;
}

export interface PipelineOptions {
  /** actions/setup-node's node-version. */
  readonly nodeVersion: string;
  /** hashicorp/setup-terraform's terraform_version. */
  readonly terraformVersion?: string;
  /** Configuration variables the workflow sets for every job, so its synth is the one the workflow was made from. */
  readonly env?: Readonly<Record<string, string>>;
  /** The branch whose pushes run the workflow. @default main */
  readonly branch?: string;
  /** The workflow's name. @default tap */
  readonly name?: string;
}

/**
 * The Terraform the jobs install: a release that meets the stacks' required_version (>= 1.11.0,
 * REQUIRED_TERRAFORM_VERSION in src/app/stack-parts.ts) and the one tap's own tests run against.
 */
export const PIPELINE_TERRAFORM_VERSION = "1.11.4";

/** Pinned major versions of the actions the jobs use. */
export const ACTIONS = {
  checkout: "actions/checkout@v4",
  setupNode: "actions/setup-node@v4",
  setupTerraform: "hashicorp/setup-terraform@v3",
  credentials: "aws-actions/configure-aws-credentials@v4",
  upload: "actions/upload-artifact@v4",
  download: "actions/download-artifact@v4",
  restoreCache: "actions/cache/restore@v4",
  saveCache: "actions/cache/save@v4",
} as const;

/**
 * The cache key prefix of a stack's in-sync record (cdktf.out/stacks/<stack>/in-sync.json), which
 * lets npm run plan skip a stack whose inputs have not changed since it was last in step. Runners
 * start empty, so each job restores the records of its stack and of the stacks it reads, and saves
 * its own under a new key. A restored record is only trusted while the state's lineage and serial
 * match it, so an old or lost one only costs a full plan.
 */
export function inSyncCacheKey(stack: string): string {
  return `tap-in-sync-${stack}-`;
}

function restoreInSyncSteps(stacks: readonly string[]): Step[] {
  return stacks.map((stack) => ({
    name: `Restore the in-sync record of ${stack}`,
    uses: ACTIONS.restoreCache,
    with: { path: `${OUTDIR}/stacks/${stack}/${IN_SYNC_RECORD}`, key: `${inSyncCacheKey(stack)}\${{ github.run_id }}`, "restore-keys": inSyncCacheKey(stack) },
  }));
}

function saveInSyncStep(stack: string, job: "plan" | "apply"): Step {
  return {
    name: `Save the in-sync record of ${stack}`,
    if: `\${{ success() && hashFiles('${OUTDIR}/stacks/${stack}/${IN_SYNC_RECORD}') != '' }}`,
    uses: ACTIONS.saveCache,
    with: { path: `${OUTDIR}/stacks/${stack}/${IN_SYNC_RECORD}`, key: `${inSyncCacheKey(stack)}\${{ github.run_id }}-\${{ github.run_attempt }}-${job}` },
  };
}

/** Days a plan artifact is kept: a saved plan holds the stack's values in clear text, and goes stale anyway. */
export const PLAN_RETENTION_DAYS = 7;

/** The synthesized folder the jobs use (npm run plan's and npm run apply's default). */
const OUTDIR = "cdktf.out";

export const planJob = (stack: string) => `plan-${stack}`;
export const applyJob = (stack: string) => `apply-${stack}`;
export const planArtifact = (stack: string) => `plan-${stack}`;

/** The repository variable naming the role a stack's jobs assume: `TAP_ROLE_<account>`, else `TAP_ROLE`. */
export function roleExpression(stack: PipelineStack): string {
  return stack.account ? `\${{ vars.TAP_ROLE_${stack.account} || vars.TAP_ROLE }}` : "${{ vars.TAP_ROLE }}";
}

/** The GitHub environment a stack's apply runs in (its required reviewers approve it): one per account. */
export function environmentOf(stack: PipelineStack): string {
  return stack.account ? `aws-${stack.account}` : stack.accountStack;
}

/** The files of a stack's plan artifact: what npm run apply needs to apply exactly that plan. */
export function planFiles(stack: string): string[] {
  const dir = `${OUTDIR}/stacks/${stack}`;
  return [`${OUTDIR}/manifest.json`, ...["cdk.tf.json", ".terraform.lock.hcl", PLAN_FILE, PLAN_JSON, STACK_REVIEW, PLAN_RECORD].map((file) => `${dir}/${file}`)];
}

/** Where each stack of the configuration runs; the bootstrap stack is left out (see above). */
export function pipelineStacks(config: TapConfig): Record<string, PipelineStack> {
  const regionOf = (backend: TapConfig["stacks"][number]["backend"], home: string) => (backend.type === "s3" ? backend.region : home);
  const stacks: Record<string, PipelineStack> = {};
  const organization = config.organization;
  if (organization) {
    const home = organization.homeRegion;
    stacks[organization.logArchive.name] = { account: organization.logArchive.id, accountStack: organization.logArchive.name, region: regionOf(organization.logArchive.backend, home) };
    stacks[organization.management.stackName] = { account: organization.management.id, accountStack: organization.management.stackName, region: regionOf(organization.management.backend, home) };
    stacks[organization.security.name] = { account: organization.security.id, accountStack: organization.security.name, region: regionOf(organization.security.backend, home) };
  }
  for (const stack of config.stacks) {
    const where = { account: stack.accountId, accountStack: stack.stackName, region: regionOf(stack.backend, stack.homeRegion.region) };
    stacks[stack.stackName] = where;
    for (const regionStack of stack.regionStacks) stacks[regionStack.stackName] = where;
  }
  return stacks;
}

type Step = Record<string, unknown>;
type Job = Record<string, unknown>;

/** What every job runs first: the repository, Node.js, Terraform (without setup-terraform's wrapper, which adds lines to terraform's stdout), npm ci. */
function setupSteps(options: PipelineOptions): Step[] {
  return [
    { uses: ACTIONS.checkout },
    { uses: ACTIONS.setupNode, with: { "node-version": options.nodeVersion, cache: "npm" } },
    { uses: ACTIONS.setupTerraform, with: { terraform_version: options.terraformVersion ?? PIPELINE_TERRAFORM_VERSION, terraform_wrapper: false } },
    { run: "npm ci --no-audit --no-fund" },
  ];
}

function credentialsStep(stack: PipelineStack, session: string): Step {
  return {
    name: "AWS credentials (OIDC, no stored keys)",
    uses: ACTIONS.credentials,
    with: { "role-to-assume": roleExpression(stack), "aws-region": stack.region, "role-session-name": session.replace(/[^\w+=,.@-]/g, "-").slice(0, 64) },
  };
}

/** Each job may ask GitHub for an OIDC token (to assume its role) and read the repository; nothing else. */
const JOB_PERMISSIONS = { "id-token": "write", contents: "read" } as const;

/**
 * The condition under which `stack`'s plan runs: every dependency planned, and applied or found
 * with nothing to apply. `!cancelled()` replaces the implicit success(), which is false when any
 * job upstream, not only those needed directly, was skipped (actions/runner#2205): a skipped
 * apply (no changes) would skip everything after it.
 */
function planCondition(dependencies: readonly string[]): string | undefined {
  if (dependencies.length === 0) return undefined;
  const parts = dependencies.flatMap((dep) => [
    `needs.${planJob(dep)}.result == 'success'`,
    `(needs.${applyJob(dep)}.result == 'success' || needs.${applyJob(dep)}.result == 'skipped')`,
  ]);
  return `\${{ !cancelled() && ${parts.join(" && ")} }}`;
}

/**
 * The workflow for `manifest`'s stacks that `stacks` places (the others, the bootstrap stack,
 * are left out, and so are dependencies on them). Jobs in the manifest's dependency order.
 */
export function workflowFor(manifest: ManifestStacks, stacks: Readonly<Record<string, PipelineStack>>, options: PipelineOptions): Record<string, unknown> {
  const names = Object.keys(manifest.stacks).filter((name) => name in stacks);
  const missing = Object.keys(stacks).filter((name) => !(name in manifest.stacks));
  if (missing.length > 0) throw new Error(`the configuration has stack ${missing.join(", ")}, which the manifest lacks: npm run synth`);
  const ordered = orderOf(manifest, names);
  const jobs: Record<string, Job> = {};
  for (const name of ordered) {
    const where = stacks[name];
    const dependencies = (manifest.stacks[name].dependencies ?? []).filter((dep) => names.includes(dep));
    const env = { STACK: name };
    const condition = planCondition(dependencies);
    jobs[planJob(name)] = {
      name: `plan ${name}`,
      ...(dependencies.length > 0 ? { needs: dependencies.flatMap((dep) => [planJob(dep), applyJob(dep)]) } : {}),
      ...(condition ? { if: condition } : {}),
      "runs-on": "ubuntu-latest",
      permissions: JOB_PERMISSIONS,
      outputs: { changes: "${{ steps.plan.outputs.changes }}" },
      env,
      steps: [
        ...setupSteps(options),
        ...restoreInSyncSteps([name, ...dependencies]),
        credentialsStep(where, `tap-plan-${name}`),
        {
          id: "plan",
          name: `npm run plan -- ${name}`,
          shell: "bash",
          // 0: no changes, 2: changes; anything else fails the job.
          run: [
            'npm run plan -- "$STACK" && code=0 || code=$?',
            'case "$code" in',
            '  0) echo "changes=false" >> "$GITHUB_OUTPUT" ;;',
            '  2) echo "changes=true" >> "$GITHUB_OUTPUT" ;;',
            '  *) exit "$code" ;;',
            "esac",
            "",
          ].join("\n"),
        },
        {
          name: "Review on the run's summary page",
          if: "${{ always() }}",
          shell: "bash",
          run: `review="${OUTDIR}/stacks/$STACK/${STACK_REVIEW}"\nif [ -f "$review" ]; then cat "$review" >> "$GITHUB_STEP_SUMMARY"; fi\n`,
        },
        saveInSyncStep(name, "plan"),
        {
          name: "Upload the saved plan",
          uses: ACTIONS.upload,
          with: {
            name: planArtifact(name),
            path: `${planFiles(name).join("\n")}\n`,
            "if-no-files-found": "error",
            "include-hidden-files": true,
            "retention-days": PLAN_RETENTION_DAYS,
            overwrite: true,
          },
        },
      ],
    };
    jobs[applyJob(name)] = {
      name: `apply ${name}`,
      needs: [planJob(name)],
      // Its own plan succeeded with changes. Not the implicit success(): that looks at every job
      // upstream (actions/runner#2205), so a dependency's apply skipped for having no changes
      // would skip this one too.
      if: `\${{ !cancelled() && needs.${planJob(name)}.result == 'success' && needs.${planJob(name)}.outputs.changes == 'true' }}`,
      "runs-on": "ubuntu-latest",
      environment: environmentOf(where),
      permissions: JOB_PERMISSIONS,
      env,
      steps: [
        ...setupSteps(options),
        { name: "Download this stack's saved plan", uses: ACTIONS.download, with: { name: planArtifact(name), path: OUTDIR } },
        credentialsStep(where, `tap-apply-${name}`),
        { name: `npm run apply -- ${name}`, shell: "bash", run: 'npm run apply -- "$STACK"\n' },
        saveInSyncStep(name, "apply"),
      ],
    };
  }
  return {
    name: options.name ?? "tap",
    on: { push: { branches: [options.branch ?? "main"] }, workflow_dispatch: {} },
    permissions: { contents: "read" },
    // One run at a time: a second run's plans would be made against state the first is changing.
    concurrency: { group: options.name ?? "tap", "cancel-in-progress": false },
    ...(options.env && Object.keys(options.env).length > 0 ? { env: { ...options.env } } : {}),
    jobs,
  };
}

/** `names` with each stack after its dependencies (manifest order otherwise). Throws on a cycle. */
function orderOf(manifest: ManifestStacks, names: readonly string[]): string[] {
  const done: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (done.includes(name)) return;
    if (visiting.has(name)) throw new Error(`the manifest's stack dependencies have a cycle through ${name}`);
    visiting.add(name);
    for (const dep of manifest.stacks[name].dependencies ?? []) if (names.includes(dep)) visit(dep);
    visiting.delete(name);
    done.push(name);
  };
  names.forEach(visit);
  return done;
}

/** Node.js's major version from package.json's engines (">=20" gives "20"). */
export function nodeVersionOf(engines: string | undefined): string {
  const major = /(\d+)/.exec(engines ?? "")?.[1];
  if (!major) throw new Error(`package.json's engines.node (${engines}) names no Node.js version`);
  return major;
}

/**
 * The configuration variables set now (TAP_CONFIG relative to the repository), which the
 * workflow sets for every job: its synth must be the one it was generated from.
 */
export function configVariables(env: NodeJS.ProcessEnv, root: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const name of KNOWN_VARIABLES) {
    const value = env[name];
    if (value === undefined || (TOOL_VARIABLES.includes(name) && name !== "TAP_CONFIG")) continue;
    if (name === "TAP_CONFIG") {
      const path = relative(root, resolve(root, value));
      if (path.startsWith("..") || isAbsolute(path)) throw new Error(`TAP_CONFIG (${value}) is outside the repository, where the workflow's jobs cannot read it`);
      variables[name] = path.split("\\").join("/");
    } else variables[name] = value;
  }
  return variables;
}

/**
 * The state key the workflow's jobs must name: synth learns it from the bootstrap stack's local
 * state (cdktf.out/stacks/bootstrap/terraform.tfstate), which a CI runner's fresh checkout does
 * not have, and without it every job's deploy is refused (the state bucket requires the key). So
 * the key the synthesized backends carry now is written into the workflow's variables, unless
 * TERRAFORM_STATE_KMS_KEY_ID is set already. A key ARN is not a secret.
 */
export function stateKeyVariable(backendKeys: readonly (string | undefined)[], variables: Readonly<Record<string, string>>): Record<string, string> {
  if (variables.TERRAFORM_STATE_KMS_KEY_ID !== undefined) return {};
  const keys = [...new Set(backendKeys.filter((key): key is string => key !== undefined))];
  if (keys.length > 1) throw new Error(`the stacks' S3 backends name ${keys.length} state keys (${keys.join(", ")}): one workflow variable cannot give them all; set TERRAFORM_STATE_KMS_KEY_ID or backend.kmsKeyId per stack in the configuration`);
  return keys.length === 1 ? { TERRAFORM_STATE_KMS_KEY_ID: keys[0] } : {};
}

/** The state key (kms_key_id) each synthesized stack's S3 backend names, if any. */
function backendStateKeys(outdir: string, names: readonly string[]): (string | undefined)[] {
  return names.map((name) => JSON.parse(readFileSync(resolve(outdir, "stacks", name, "cdk.tf.json"), "utf8")).terraform?.backend?.s3?.kms_key_id);
}

// ---- YAML for the workflow's shape: maps, lists, strings, numbers, booleans ----

const PLAIN = /^[A-Za-z0-9_./@][A-Za-z0-9_./@ -]*$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

function inline(value: unknown): string {
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") {
    const plain = PLAIN.test(value) && !value.endsWith(" ") && !RESERVED.test(value) && Number.isNaN(Number(value));
    return plain ? value : JSON.stringify(value);
  }
  if (Array.isArray(value) && value.length === 0) return "[]";
  if (isMap(value) && Object.keys(value).length === 0) return "{}";
  throw new Error(`toYaml: cannot write ${JSON.stringify(value)} inline`);
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A string as a literal block (`|`, or `|-` without a final newline), when it is one. */
function literal(value: unknown): { header: string; lines: string[] } | undefined {
  if (typeof value !== "string" || !value.includes("\n") || /^[ \n]/.test(value) || value.endsWith("\n\n") || /[ \t]\n|\r|\t/.test(value)) return undefined;
  const body = value.endsWith("\n") ? value.slice(0, -1) : value;
  return { header: value.endsWith("\n") ? "|" : "|-", lines: body.split("\n") };
}

function blockLines(value: unknown, indent: number): string[] {
  const pad = " ".repeat(indent);
  const entry = (prefix: string, item: unknown): string[] => {
    const text = literal(item);
    if (text) return [`${prefix} ${text.header}`, ...text.lines.map((line) => (line === "" ? "" : `${pad}  ${line}`))];
    const nested = (Array.isArray(item) && item.length > 0) || (isMap(item) && Object.keys(item).length > 0);
    return nested ? [prefix, ...blockLines(item, indent + 2)] : [`${prefix} ${inline(item)}`];
  };
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isMap(item) && Object.keys(item).length > 0) {
        const lines = blockLines(item, indent + 2);
        return [`${pad}- ${lines[0].trimStart()}`, ...lines.slice(1)];
      }
      return entry(`${pad}-`, item);
    });
  }
  if (isMap(value)) return Object.entries(value).flatMap(([key, item]) => entry(`${pad}${inline(key)}:`, item));
  return [`${pad}${inline(value)}`];
}

/** `value` as YAML (block style; strings that could read as anything else double-quoted). */
export function toYaml(value: unknown): string {
  return `${blockLines(value, 0).join("\n")}\n`;
}

const HEADER = [
  "# Written by `npm run pipeline` from cdktf.out/manifest.json (the stacks and their dependencies).",
  "# Run it again after the stacks change. Set up: docs/deploying.md: Running tap from a pipeline.",
  "",
].join("\n");

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    let output = ".github/workflows/tap.yml";
    for (let i = 0; i < args.length; i++) {
      if (args[i] === "--output" || args[i] === "-o") output = args[++i];
      else throw new Error(`unknown argument ${args[i]}; npm run pipeline takes --output FILE (default .github/workflows/tap.yml)`);
      if (!output) throw new Error("--output takes the workflow file: npm run pipeline -- --output .github/workflows/tap.yml");
    }
    const root = projectRoot();
    const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));
    const config = loadConfig();
    const stacks = pipelineStacks(config);
    const variables = configVariables(process.env, root);
    const env = { ...variables, ...stateKeyVariable(backendStateKeys(resolve(root, OUTDIR), Object.keys(stacks)), variables) };
    const workflow = workflowFor(readManifest(resolve(root, OUTDIR)), stacks, { nodeVersion: nodeVersionOf(pkg.engines?.node), env });
    const file = resolve(root, output);
    mkdirSync(dirname(file), { recursive: true });
    refuseUnnamedStateBuckets(Object.keys(stacks), synthesizedStacks(resolve(root, OUTDIR)));
    const existed = existsSync(file);
    writeFileSync(file, HEADER + toYaml(workflow));
    const environments = [...new Set(Object.values(stacks).map(environmentOf))];
    console.log(`pipeline: ${existed ? "rewrote" : "wrote"} ${relative(root, file).startsWith("..") ? file : relative(root, file)}: a plan and an apply job for each of ${Object.keys(stacks).length} stacks`);
    console.log(`pipeline: create the environments ${environments.join(", ")} with required reviewers, and the role variables (docs/deploying.md: Running tap from a pipeline)`);
  } catch (error) {
    console.error(`tap: pipeline: ${(error as Error).message}`);
    process.exit(1);
  }
}
