/**
 * Runs the synthesized stack through the real Terraform CLI and the real hashicorp/aws
 * provider from a local mirror, with no network (or, where there is none, from the registry
 * through a plugin cache): init, validate (which also reports the
 * provider each resource is bound to) and a plan (`terraform test` with override_data); or,
 * pointed at a local AWS emulator, a real plan, apply and destroy. Used by the Terraform and
 * apply tiers, `npm run scan` and the benchmark.
 */
import { spawn, spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { homedir, tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import type { TapConfig } from "../../src/config/model";
import { EMULATED_SERVICES } from "./emulator";
import { ACCOUNT_ZONES, defaultVpcId, executeApiZoneIds } from "./zones";

/** The provider version `@cdktf/provider-aws` 20.1.0 targets; the mirror must hold exactly this. */
export const AWS_PROVIDER_VERSION = "5.100.0";
export const MIRROR_ENV = "TAP_TERRAFORM_PROVIDER_MIRROR";
export const SKIP_ENV = "TAP_SKIP_TERRAFORM_TESTS";
export const TEST_ACCOUNT_ID = "123456789012";
const PROVIDER_PATH = ["registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION];

/** Terraform's name for this machine's platform (`linux_amd64`, `darwin_arm64`, ...). */
export function terraformPlatform(): string {
  const arch: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

function holdsAwsProvider(root: string): boolean {
  const dir = join(root, ...PROVIDER_PATH, terraformPlatform());
  return existsSync(dir) && readdirSync(dir).some((file) => file.startsWith("terraform-provider-aws"));
}

/** Where Terraform installs hashicorp/aws from: a local mirror (offline), or the registry through a plugin cache. */
export type ProviderSource = { readonly kind: "mirror"; readonly path: string } | { readonly kind: "registry"; readonly pluginCache: string };

/** Terraform's own variable for the plugin cache; tap uses it too. */
export const PLUGIN_CACHE_ENV = "TF_PLUGIN_CACHE_DIR";

/** Terraform's implied local mirror directories, and the folders directly under /opt. */
function mirrorCandidates(env: NodeJS.ProcessEnv): string[] {
  const dataDirs = (env.XDG_DATA_DIRS ?? "/usr/local/share:/usr/share").split(":").filter(Boolean);
  return [
    join(homedir(), ".terraform.d", "plugins"),
    join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "terraform", "plugins"),
    ...dataDirs.map((dir) => join(dir, "terraform", "plugins")),
    ...(existsSync("/opt") ? readdirSync("/opt").map((entry) => join("/opt", entry)) : []),
  ];
}

/**
 * Where the tiers, the scan and the bench get hashicorp/aws 5.100.0 for this platform: the mirror
 * `$TAP_TERRAFORM_PROVIDER_MIRROR` (an error when it does not hold the provider), else the first
 * of `candidates` that holds it, else Terraform's registry through the plugin cache
 * (`$TF_PLUGIN_CACHE_DIR`, default ~/.terraform.d/plugin-cache), so a second run downloads nothing.
 */
export function findProviderSource(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = mirrorCandidates(env)): ProviderSource {
  const given = env[MIRROR_ENV];
  if (given) {
    if (holdsAwsProvider(given)) return { kind: "mirror", path: given };
    throw new Error(`${MIRROR_ENV}="${given}" does not hold the AWS provider; expected ${given}/${PROVIDER_PATH.join("/")}/${terraformPlatform()}/terraform-provider-aws_*`);
  }
  const found = candidates.find(holdsAwsProvider);
  if (found) return { kind: "mirror", path: found };
  return { kind: "registry", pluginCache: env[PLUGIN_CACHE_ENV] || join(homedir(), ".terraform.d", "plugin-cache") };
}

/**
 * Why hashicorp/aws cannot be had from `source`, or undefined when it can: a mirror always has it;
 * from the registry it is fetched once into the plugin cache (a `terraform init` of a configuration
 * that only requires it), and a failure says, once, what to set instead.
 */
export function providerUnavailable(source: ProviderSource, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (source.kind === "mirror" || holdsAwsProvider(source.pluginCache)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "tap-provider-"));
  try {
    mkdirSync(source.pluginCache, { recursive: true });
    writeFileSync(join(dir, "terraform.rc"), cliConfig(source));
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } } } }));
    const init = spawnSync("terraform", ["init", "-input=false", "-no-color", "-backend=false"], {
      cwd: dir,
      env: { ...env, TF_CLI_CONFIG_FILE: join(dir, "terraform.rc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" },
      encoding: "utf8",
      timeout: 600_000,
    });
    if (init.status === 0) return undefined;
    const output = `${init.stdout ?? ""}\n${init.stderr ?? ""}`;
    const why = init.error ? init.error.message : (output.split("\n").find((line) => /Error:/.test(line)) ?? `terraform init exited with ${init.status}`).trim();
    return (
      `hashicorp/aws ${AWS_PROVIDER_VERSION} is not available: there is no local mirror, and fetching it from the Terraform registry into the plugin cache ${source.pluginCache} failed (${why}). ` +
      `Set ${MIRROR_ENV} to a mirror that holds ${PROVIDER_PATH.join("/")}/${terraformPlatform()}, fill ${source.pluginCache} (${PLUGIN_CACHE_ENV}) on a machine with network, or set ${SKIP_ENV}=1 to skip the Terraform tier`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TerraformRun {
  readonly stdout: string;
  readonly stderr: string;
}

/** A copy of the synthesized stack with Terraform's test scaffolding around it. */
export class TerraformWorkdir {
  /**
   * Synthesizes `config` into a fresh temporary directory (never the user's cdktf.out) and
   * wraps its first stack (or the stack named `stackName`).
   */
  static synthesize(config: TapConfig, provider: ProviderSource, options: WorkdirOptions & { stackName?: string } = {}): TerraformWorkdir {
    const root = mkdtempSync(join(tmpdir(), "tap-terraform-"));
    const outdir = join(root, "cdktf.out");
    buildApp(config, outdir).app.synth();
    const stackDir = join(outdir, "stacks", options.stackName ?? config.stacks[0].stackName);
    const stackJson = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
    const workdir = TerraformWorkdir.fromStackJson(root, stackJson, provider, options.testFile ?? planTestFile(JSON.parse(stackJson), options.remoteStateOutputs), options);
    // The committed lock file synth places there: init then verifies the mirror's provider against it.
    copyFileSync(join(stackDir, ".terraform.lock.hcl"), join(workdir.dir, ".terraform.lock.hcl"));
    return workdir;
  }

  /**
   * Wraps an already synthesized stack document (for tests that break it on purpose). The test
   * file defaults to one plan run with override_data for every lookup that would call AWS.
   */
  static fromStackJson(root: string, stackJson: string, provider: ProviderSource, testFile: string = planTestFile(JSON.parse(stackJson)), options: WorkdirOptions = {}): TerraformWorkdir {
    const dir = join(root, "stack");
    mkdirSync(join(dir, "tests"), { recursive: true });
    writeFileSync(join(dir, "cdk.tf.json"), stackJson);
    const stack = JSON.parse(stackJson);
    const aliases: string[] = stack.provider.aws.map((provider: { alias: string }) => provider.alias);
    const override = options.emulatorUrl
      ? emulatorOverride(aliases, options.emulatorUrl, options.stateBackend === "s3" ? stack.terraform?.backend?.s3 : undefined, stack.data?.terraform_remote_state)
      : offlineOverride(aliases, { unpinned: true, remoteStates: stack.data?.terraform_remote_state });
    writeFileSync(join(dir, "tap_override.tf.json"), JSON.stringify(override, null, 2));
    writeFileSync(join(dir, "tests", "plan.tftest.hcl"), testFile);
    writeFileSync(join(root, "terraform.rc"), cliConfig(provider));
    return new TerraformWorkdir(root, dir);
  }

  private constructor(
    /** Temporary root; removed by `dispose`. */
    public readonly root: string,
    /** The Terraform working directory. */
    public readonly dir: string,
  ) {}

  /** Runs `terraform <args>`; a non-zero exit throws with Terraform's complete output. */
  run(args: string[], extraEnv: Record<string, string> = {}): Promise<TerraformRun> {
    return new Promise((resolve, reject) => {
      const child = spawn("terraform", args, {
        cwd: this.dir,
        env: {
          ...process.env,
          TF_CLI_CONFIG_FILE: join(this.root, "terraform.rc"),
          TF_IN_AUTOMATION: "1",
          TF_INPUT: "0",
          CHECKPOINT_DISABLE: "1",
          // Never let a developer's real credentials or profile reach the provider: fake keys, from the
          // environment so that no key is written into the configuration (a scanner would rightly flag it).
          ...FAKE_AWS_ENV,
          ...extraEnv,
        },
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (error) => reject(new Error(`could not run terraform (is it on PATH?): ${error.message}`)));
      child.on("close", (code) => {
        const run = { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
        if (code === 0) resolve(run);
        else reject(new Error(`terraform ${args.join(" ")} exited with ${code}\n${readableOutput(run)}`));
      });
    });
  }

  /** `terraform init` from the mirror (or the plugin cache), with the local-backend override: no state bucket. */
  init(): Promise<TerraformRun> {
    return this.run(["init", "-input=false", "-no-color"]);
  }

  /**
   * `terraform validate`, returning which provider configuration (alias) Terraform binds each
   * resource and data source to. The binding is read from Terraform's trace log because the
   * plan JSON of `terraform test` omits it and `terraform graph` prunes implied edges.
   */
  async validate(): Promise<Map<string, string>> {
    const traceLog = join(this.root, "validate-trace.log");
    await this.run(["validate", "-no-color"], { TF_LOG: "trace", TF_LOG_PATH: traceLog });
    const bindings = bindingsFromTrace(readFileSync(traceLog, "utf8"));
    if (bindings.size === 0) throw new Error(`no provider bindings in ${traceLog}: has Terraform's trace format changed?`);
    return bindings;
  }

  /** Plans through `terraform test` (for override_data) and returns the plan JSON. */
  async plan(): Promise<PlanJson> {
    const { stdout } = await this.run(["test", "-json", "-verbose", "-no-color"]);
    return planFromTestOutput(stdout);
  }

  /** `terraform plan -out` and the full plan JSON (`terraform show -json`, configuration included): needs the emulator. */
  async planToJson(extraArgs: string[] = []): Promise<{ json: FullPlanJson; file: string }> {
    const file = join(this.dir, "tfplan");
    await this.run(["plan", "-input=false", "-no-color", "-lock=false", `-out=${file}`, ...extraArgs]);
    const { stdout } = await this.run(["show", "-json", "-no-color", file]);
    return { json: JSON.parse(stdout), file };
  }

  /** `terraform apply` of a saved plan, or of the configuration when none is given. */
  apply(planFile?: string): Promise<TerraformRun> {
    return this.run(["apply", "-input=false", "-no-color", "-auto-approve", ...(planFile ? [planFile] : [])]);
  }

  /** `terraform destroy`; rejects with Terraform's output when it fails (a prevent_destroy, for one). */
  destroy(): Promise<TerraformRun> {
    return this.run(["destroy", "-input=false", "-no-color", "-auto-approve"]);
  }

  /** Addresses in state. */
  async stateList(): Promise<string[]> {
    const { stdout } = await this.run(["state", "list", "-no-color"]).catch((error: Error) => {
      if (/No state file was found/.test(error.message)) return { stdout: "", stderr: "" };
      throw error;
    });
    return stdout.split("\n").filter(Boolean);
  }

  /** Replaces the stack under test (the same state and override stay): the next plan is a change to a deployment. */
  replaceStack(stackJson: string): void {
    writeFileSync(join(this.dir, "cdk.tf.json"), stackJson);
    const aliases: string[] = JSON.parse(stackJson).provider.aws.map((provider: { alias: string }) => provider.alias);
    const override = JSON.parse(readFileSync(join(this.dir, "tap_override.tf.json"), "utf8"));
    const template = override.provider.aws[0];
    override.provider.aws = aliases.map((alias) => ({ ...template, alias }));
    writeFileSync(join(this.dir, "tap_override.tf.json"), JSON.stringify(override, null, 2));
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface WorkdirOptions {
  /** The `terraform test` file; defaults to one offline plan with every lookup overridden. */
  readonly testFile?: string;
  /** Point every provider at this AWS emulator instead of planning offline only. */
  readonly emulatorUrl?: string;
  /**
   * With an emulator: keep state where the stack's own S3 backend says (its bucket, key and lock
   * file), in the emulator's S3, instead of a local file.
   * @default "local"
   */
  readonly stateBackend?: "local" | "s3";
  /**
   * Offline, the outputs every `terraform_remote_state` of the stack reads (a region stack's
   * reference to the account stack), by output name: the producer's values, e.g. from its plan.
   * @default - none; a stack with a remote state then cannot plan offline
   */
  readonly remoteStateOutputs?: Record<string, unknown>;
}

/** `terraform show -json` of a saved plan. */
export interface FullPlanJson {
  resource_changes?: ResourceChange[];
  planned_values?: unknown;
  configuration?: unknown;
  [key: string]: unknown;
}

/** What `terraform test -json -verbose` prints of a plan (Terraform's renderer format). */
export interface PlanJson {
  resource_changes: ResourceChange[];
  output_changes: Record<string, { actions: string[]; after?: unknown }>;
}

export interface ResourceChange {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  change: { actions: string[]; after: any; after_unknown: any };
}

export function planFromTestOutput(stdout: string): PlanJson {
  for (const line of stdout.split("\n")) {
    if (!line.includes('"test_plan"')) continue;
    const message = JSON.parse(line);
    if (message.type === "test_plan") return message.test_plan;
  }
  throw new Error(`terraform test printed no plan\n${readableOutput({ stdout, stderr: "" })}`);
}

/**
 * A planned instance's address as the configuration declares it: without its for_each key or
 * count index (`aws_x.y["k"]` is `aws_x.y`), which is what the provider bindings name.
 */
export function declaredAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, "");
}

/** Parses ProviderTransformer's "exact match for provider[...].<alias> serving <address>" trace lines. */
export function bindingsFromTrace(trace: string): Map<string, string> {
  const bindings = new Map<string, string>();
  const line = /ProviderTransformer: exact match for provider\["[^"]+"\]\.([\w-]+) serving ((?:data\.)?[\w-]+\.[\w-]+)$/gm;
  for (const match of trace.matchAll(line)) bindings.set(match[2], match[1]);
  return bindings;
}

/**
 * The region a resource belongs to, from its address: regional resources carry the region in
 * their construct path (`network-<region>_`, `storage-<region>_`, `guardrails-<region>_`,
 * `replication_from-<region>_` and the region's replication role, `identity_api-gateway-account-<region>_`); account-wide
 * resources live in the home region, which the caller passes.
 */
export function regionOfAddress(address: string, homeRegion: string): string {
  const match = /^(?:data\.)?[\w]+\.(?:network|storage|guardrails|replication_(?:from|role|policy|permissions)|identity_api-gateway-account)-([a-z]{2}-[a-z]+-\d)_/.exec(address);
  return match ? match[1] : homeRegion;
}

/** The organization root the offline plans' organization lookup finds. */
export const TEST_ROOT_ID = "r-ab12";
export const TEST_ACCOUNT_ARN = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/tap-terraform-test`;

/**
 * `override_data` blocks for the data sources that call AWS at plan time: the caller's account,
 * and per region the zones, the zones that offer execute-api and the default VPC (test data in zones.ts),
 * and the policies already on each guardrail target.
 */
export function overrideDataBlocks(stack: { data?: Record<string, Record<string, { provider?: string }>> }, remoteStateOutputs?: Record<string, unknown>): string {
  const blocks: string[] = [];
  const each = (type: string, values: (region: string) => Record<string, unknown>) => {
    for (const [name, body] of Object.entries(stack.data?.[type] ?? {})) {
      const region = (body.provider ?? "").replace(/^aws\./, "");
      blocks.push(`override_data {\n  target = data.${type}.${name}\n  values = ${JSON.stringify(values(region))}\n}`);
    }
  };
  each("aws_caller_identity", () => ({ account_id: TEST_ACCOUNT_ID, arn: TEST_ACCOUNT_ARN, user_id: "AIDATAPTERRAFORMTEST" }));
  each("aws_availability_zones", (region) => ({ names: ACCOUNT_ZONES[region].map(([name]) => name), zone_ids: ACCOUNT_ZONES[region].map(([, id]) => id) }));
  each("aws_vpc_endpoint_service", (region) => ({
    availability_zones: ACCOUNT_ZONES[region].filter(([, id]) => executeApiZoneIds(region).includes(id)).map(([name]) => name),
  }));
  // The only aws_vpcs lookup tap makes finds the region's default VPC (DefaultVpcLockdown).
  each("aws_vpcs", (region) => ({ ids: [defaultVpcId(region)] }));
  // The management stack reads the organization it adopts (its feature set, its root): an organization of all features.
  each("aws_organizations_organization", () => ({ feature_set: "ALL", roots: [{ id: TEST_ROOT_ID, name: "Root", arn: `arn:aws:organizations::${TEST_ACCOUNT_ID}:root/o-tapterraform/${TEST_ROOT_ID}`, policy_types: [] }] }));
  // The policies already on a guardrail target: AWS's own full-access policy of the type, as on a fresh organization.
  for (const [name, body] of Object.entries<any>(stack.data?.aws_organizations_policies_for_target ?? {})) {
    const ids = body.filter === "RESOURCE_CONTROL_POLICY" ? ["p-RCPFullAWSAccess"] : ["p-FullAWSAccess"];
    blocks.push(`override_data {\n  target = data.aws_organizations_policies_for_target.${name}\n  values = ${JSON.stringify({ ids })}\n}`);
  }
  if (remoteStateOutputs) each("terraform_remote_state", () => ({ outputs: remoteStateOutputs }));
  return blocks.join("\n\n");
}

/** One plan of the stack with every AWS lookup overridden. */
export function planTestFile(stack: Parameters<typeof overrideDataBlocks>[0], remoteStateOutputs?: Record<string, unknown>): string {
  return `# Generated by scripts/terraform/workdir.ts: plans the stack offline; lookups that would call AWS are overridden.\n\n${overrideDataBlocks(stack, remoteStateOutputs)}\n\nrun "plan" {\n  command = plan\n}\n`;
}

/**
 * The provider's skip flags for every alias (fake keys come from the environment), plus a local
 * backend. `unpinned` lifts allowed_account_ids: offline the provider asks no account id, so a
 * pinned provider would refuse to plan; against the emulator the pin stays and is checked.
 */
function offlineOverride(aliases: string[], options: { unpinned?: boolean; remoteStates?: Record<string, unknown> } = {}) {
  // Another stack's state is local too (its outputs come from override_data in the plan).
  const remoteStates = Object.keys(options.remoteStates ?? {});
  return {
    terraform: { backend: { local: { path: "terraform.tfstate" } } },
    ...(remoteStates.length > 0 ? { data: { terraform_remote_state: Object.fromEntries(remoteStates.map((name) => [name, { backend: "local", config: { path: `${name}.tfstate` } }])) } } : {}),
    provider: {
      aws: aliases.map((alias) => ({
        alias,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        ...(options.unpinned ? { allowed_account_ids: null } : {}),
      })),
    },
  };
}

/**
 * Every provider pointed at the emulator: its endpoints for each service the stack calls, fake
 * keys, path-style S3, the skip flags, few retries (an emulator's 500 is not worth 25 tries),
 * and a local backend, or the stack's own S3 backend (`s3Backend`) in the emulator's S3.
 */
export function emulatorOverride(aliases: string[], url: string, s3Backend?: Record<string, unknown>, remoteStates: Record<string, { backend: string; config: Record<string, unknown> }> = {}) {
  const offline = offlineOverride(aliases);
  const inEmulator = (config: Record<string, unknown>) => s3BackendInEmulator(config, url);
  const backend = s3Backend ? { s3: inEmulator(s3Backend) } : offline.terraform.backend;
  // Another stack's state (a cross-stack reference) is read where that stack's S3 backend keeps it: the emulator's S3.
  const s3RemoteStates = Object.entries(remoteStates).filter(([, remote]) => remote.backend === "s3");
  return {
    ...offline,
    terraform: { backend },
    ...(s3Backend && s3RemoteStates.length > 0 ? { data: { terraform_remote_state: Object.fromEntries(s3RemoteStates.map(([name, remote]) => [name, { config: inEmulator(remote.config) }])) } } : {}),
    provider: {
      aws: offline.provider.aws.map((provider) => ({
        ...provider,
        // The emulator answers STS: the provider then knows its account, as against AWS (ARNs it builds need it).
        skip_requesting_account_id: false,
        s3_use_path_style: true,
        max_retries: 2,
        endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, url]))],
      })),
    },
  };
}

/** An S3 backend's settings (or a terraform_remote_state's) pointed at the emulator's S3 at `url`. */
export function s3BackendInEmulator(config: Record<string, unknown>, url: string): Record<string, unknown> {
  return { ...config, endpoints: { s3: url }, use_path_style: true, skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true };
}

/** The fake keys every Terraform run against the offline plan or the emulator gets: never a developer's real credentials. */
export const FAKE_AWS_ENV: Readonly<Record<string, string>> = {
  AWS_PROFILE: "",
  AWS_ACCESS_KEY_ID: "AKIAFAKEFORTESTS0000",
  AWS_SECRET_ACCESS_KEY: "fake-secret-for-offline-plans",
  AWS_SESSION_TOKEN: "",
};

/**
 * Terraform's CLI configuration: hashicorp/aws only from the mirror (Terraform symlinks it: nothing
 * is copied), or from the registry with a plugin cache (downloaded once, then linked from there).
 */
export function cliConfig(provider: ProviderSource): string {
  if (provider.kind === "registry") return `plugin_cache_dir = ${JSON.stringify(provider.pluginCache)}\n`;
  return `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(provider.path)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
`;
}

/** Terraform's diagnostics in full: JSON lines (from -json) rendered as text, anything else as is. */
function readableOutput(run: TerraformRun): string {
  const lines = run.stdout.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return line ? [line] : [];
    try {
      const message = JSON.parse(line);
      if (message.type === "test_plan") return [];
      const d = message.diagnostic;
      if (d) {
        const where = d.range ? ` (${d.range.filename}:${d.range.start.line})` : "";
        return [`${d.severity}: ${d.summary}${where}${d.address ? ` [${d.address}]` : ""}\n  ${d.detail ?? ""}`];
      }
      return message["@level"] === "error" ? [message["@message"]] : [];
    } catch {
      return [line];
    }
  });
  return [...lines, run.stderr].filter(Boolean).join("\n");
}
