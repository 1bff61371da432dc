/**
 * The apply tier's deployment: a stack applied for real by Terraform and the real provider to
 * its own local AWS emulator, then re-planned, checked and destroyed. Each test owns one
 * emulator on its own port and stops it by its process group, also when the test fails.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { bootstrapOutputs } from "../../src/app/bootstrap-stack";
import { loadConfig } from "../../src/app/load-config";
import { BOOTSTRAP_STATE_PATH } from "../../src/storage/storage-settings";
import type { StackConfig } from "../../src/config/model";
import {
  destroyOnEmulator,
  EMULATOR_DEVIATIONS,
  EMULATOR_UNDELETABLE,
  emulatorS3,
  findEmulator,
  isRunning,
  liftStateBucketPolicy,
  normalizeDeviations,
  RunningEmulator,
  signedBy,
  startEmulator,
  withoutUnsupported,
} from "../../scripts/terraform/emulator";
import { differences, DriftFinding } from "../../src/compliance/drift";
import { stackDrift } from "../../scripts/drift";
import { findProviderSource, FullPlanJson, regionOfAddress, ResourceChange, TerraformWorkdir } from "../../scripts/terraform/workdir";

/** Applies wait on the provider (S3 lifecycle settles for about a minute): generous for two cores. */
export const APPLY_TIMEOUT_MS = 15 * 60_000;

/**
 * Gives the test file an emulated deployment: a fresh emulator before its tests (deployed with
 * `env` when given), stopped after them, with a check that its process is gone. Read
 * `deployment` and `deployed` inside tests and hooks, once beforeAll has run.
 */
export function useEmulatedDeployment(
  env?: Record<string, string>,
  options: { bootstrap?: boolean } = {},
): { readonly deployment: EmulatedDeployment; readonly deployed: Deployed; readonly bootstrapped: Bootstrapped } {
  const handle = {} as { deployment: EmulatedDeployment; deployed: Deployed; bootstrapped: Bootstrapped };
  beforeAll(async () => {
    handle.deployment = await EmulatedDeployment.start();
    console.log(`apply tier: moto ${handle.deployment.emulator.version} from ${findEmulator()!.source}`);
    if (env && options.bootstrap) handle.bootstrapped = await handle.deployment.bootstrap(env);
    if (env) handle.deployed = await handle.deployment.deploy(env);
  }, APPLY_TIMEOUT_MS);
  afterAll(async () => {
    const pid = handle.deployment?.emulator.pid;
    await handle.deployment?.stop();
    if (pid) expect(isRunning(pid)).toBe(false);
  });
  return handle;
}

/** One resource as Terraform's state JSON shows it. */
export interface StateResource {
  address: string;
  type: string;
  values: Record<string, any>;
}

/** A re-planned change, with every attribute that differs (path, before, after). */
export interface ReplannedChange {
  address: string;
  actions: string[];
  differences: { path: string; before: unknown; after: unknown }[];
  /** Set when the only differences are a known emulator deviation. */
  deviation?: string;
}

/** What one `deploy` planned and applied. */
export interface Deployed {
  config: StackConfig;
  /** The plan of the whole stack, the types the emulator cannot handle included. */
  fullPlan: FullPlanJson;
  /** The plan that was applied (without those types). */
  appliedPlan: FullPlanJson;
  /** Resources planned but left out of the apply (emulator-unsupported types). */
  planOnly: string[];
}

/** What `bootstrap` applied: the state bucket, and the workdir of the bootstrap stack (its local state). */
export interface Bootstrapped {
  readonly bucket: string;
  readonly region: string;
  /** The state key's ARN (its state_kms_key_arn output), which later deploys' backends name. */
  readonly stateKeyArn: string;
  readonly workdir: TerraformWorkdir;
}

/** AWS's answers to a create or attach of something that already exists or is already attached. */
const DUPLICATE_OF_ITSELF = /AlreadyExists|AlreadyAssociated|AlreadyOwnedByYou|\.Duplicate\b|already exists|already associated/;
/** Security group rule types whose orphan a failed create can leave, and the EC2 call that removes one. */
const ORPHANABLE_RULES: Readonly<Record<string, string>> = {
  aws_vpc_security_group_ingress_rule: "RevokeSecurityGroupIngress",
  aws_vpc_security_group_egress_rule: "RevokeSecurityGroupEgress",
};

/** The addresses Terraform names in an apply's errors ("with aws_x.name,"). */
export function failedAddresses(message: string): string[] {
  return [...message.matchAll(/^\s*with ([\w-]+\.[\w-]+),$/gm)].map((match) => match[1]);
}

export class EmulatedDeployment {
  static async start(): Promise<EmulatedDeployment> {
    const root = mkdtempSync(join(tmpdir(), "tap-apply-"));
    const emulator = await startEmulator(findEmulator()!, { logFile: join(root, "emulator.log") });
    return new EmulatedDeployment(root, emulator);
  }

  /** One working directory per stack deployed, in the order deployed; the first is the default of every method. */
  private readonly workdirs = new Map<string, TerraformWorkdir>();
  /** Set by bootstrap: later deploys keep state in the stack's own S3 backend, in the emulator. */
  private stateBackend: "local" | "s3" = "local";
  /** Set by bootstrap: the output folder holding its local state where synth looks for it (main.ts). */
  private bootstrapOutdir?: string;

  private constructor(
    private readonly root: string,
    public readonly emulator: RunningEmulator,
  ) {}

  /**
   * `npm run bootstrap` on the emulator: synthesizes `env` (which must set accountId) and applies
   * its bootstrap stack with its own local state; deploys after it keep their state in that bucket.
   */
  async bootstrap(env: Record<string, string>, file: string | null = null): Promise<Bootstrapped> {
    const config = loadConfig(env, { file });
    if (!config.bootstrap) throw new Error("bootstrap needs TAP_ACCOUNT_ID and the S3 backend");
    const outdir = mkdtempSync(join(this.root, "out-"));
    buildApp(config, outdir).app.synth();
    const stackJson = withoutUnsupported(readFileSync(join(outdir, "stacks", config.bootstrap.stackName, "cdk.tf.json"), "utf8")).stackJson;
    const workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(this.root, "bootstrap-")), stackJson, findProviderSource(), "", { emulatorUrl: this.emulator.url });
    await workdir.init();
    await this.withEmulatorLog(() => workdir.apply());
    await liftStateBucketPolicy(this.emulator.url, config.bootstrap.bucket);
    this.stateBackend = "s3";
    // Its local state where npm run bootstrap leaves it (cdktf.out/stacks/bootstrap), for later synths to read the state key from.
    this.bootstrapOutdir = mkdtempSync(join(this.root, "bootstrapped-"));
    mkdirSync(join(this.bootstrapOutdir, BOOTSTRAP_STATE_PATH, ".."), { recursive: true });
    copyFileSync(join(workdir.dir, "terraform.tfstate"), join(this.bootstrapOutdir, BOOTSTRAP_STATE_PATH));
    const stateKeyArn = bootstrapOutputs(this.bootstrapOutdir)?.state_kms_key_arn;
    if (!stateKeyArn) throw new Error(`bootstrap's state has no state_kms_key_arn output (${join(workdir.dir, "terraform.tfstate")})`);
    return { bucket: config.bootstrap.bucket, region: config.bootstrap.region, stateKeyArn, workdir };
  }

  /**
   * Keeps the state of later deploys where the stacks' own S3 backend says, in `bucket` created
   * directly in the emulator: what `bootstrap` gives them, without applying the bootstrap stack
   * (for a test about the stacks' state, not about the state bucket).
   */
  async useStateBucket(bucket: string): Promise<void> {
    expectStatus(await this.s3("PUT", bucket), 200, `CreateBucket ${bucket}`);
    this.stateBackend = "s3";
  }

  /** The Terraform working directory of a deployed stack (the first deployed by default). */
  get stackWorkdir(): TerraformWorkdir {
    return this.workdirOf();
  }

  /** The Terraform working directory of the deployed stack `stackName` (the first deployed by default). */
  workdirOf(stackName?: string): TerraformWorkdir {
    const workdir = stackName === undefined ? this.workdirs.values().next().value : this.workdirs.get(stackName);
    if (!workdir) throw new Error(`no stack ${stackName ?? ""} deployed yet; deployed: ${[...this.workdirs.keys()].join(", ") || "none"}`);
    return workdir;
  }

  /**
   * Synthesizes `env` and applies its account stack, or the stack named `stackName` (a region
   * stack of the split layout, an organization's stack), on top of whatever this deployment
   * applied to it before; `file` is the configuration file, if any.
   */
  async deploy(env: Record<string, string>, stackName?: string, configFile: string | null = null): Promise<Deployed> {
    // As main.ts synthesizes: the state key from bootstrap's local state, once bootstrapped.
    const bootstrapped = this.bootstrapOutdir;
    const config = loadConfig(env, { file: configFile, bootstrapOutputs: bootstrapped ? () => bootstrapOutputs(bootstrapped) : undefined });
    const outdir = mkdtempSync(join(this.root, "out-"));
    buildApp(config, outdir).app.synth();
    const name = stackName ?? config.stacks[0].stackName;
    const stackJson = readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8");
    let workdir = this.workdirs.get(name);
    if (!workdir) {
      workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(this.root, "tf-")), stackJson, findProviderSource(), "", {
        emulatorUrl: this.emulator.url,
        stateBackend: this.stateBackend,
      });
      await workdir.init();
      this.workdirs.set(name, workdir);
    }
    workdir.replaceStack(stackJson);
    const { json: fullPlan } = await workdir.planToJson();
    const trimmed = withoutUnsupported(stackJson);
    workdir.replaceStack(trimmed.stackJson);
    let { json: appliedPlan, file } = await workdir.planToJson();
    // What the emulator cannot delete leaves state instead (a retired region's API Gateway settings).
    const undeletable = (appliedPlan.resource_changes ?? []).filter((c) => c.change.actions.includes("delete") && c.type in EMULATOR_UNDELETABLE).map((c) => c.address);
    if (undeletable.length > 0) {
      await workdir.run(["state", "rm", "-no-color", ...undeletable]);
      ({ json: appliedPlan, file } = await workdir.planToJson());
    }
    await this.withEmulatorLog(() => this.applyRetryingOwnDuplicates(workdir, file));
    return { config: config.stacks[0], fullPlan, appliedPlan, planOnly: trimmed.removed };
  }

  /**
   * Synthesizes `env` and points the working directory of `stackName` at it (created, and
   * initialized on the stack's state, when this deployment has none for it), without planning or
   * applying: a re-plan then shows what the stack would change (after a state migration, say).
   * The emulator-unsupported types are left out, as in `deploy`'s apply.
   */
  async prepare(env: Record<string, string>, stackName: string): Promise<TerraformWorkdir> {
    const outdir = mkdtempSync(join(this.root, "out-"));
    buildApp(loadConfig(env, { file: null }), outdir).app.synth();
    const stackJson = withoutUnsupported(readFileSync(join(outdir, "stacks", stackName, "cdk.tf.json"), "utf8")).stackJson;
    let workdir = this.workdirs.get(stackName);
    if (!workdir) {
      workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(this.root, "tf-")), stackJson, findProviderSource(), "", { emulatorUrl: this.emulator.url, stateBackend: this.stateBackend });
      await workdir.init();
      this.workdirs.set(stackName, workdir);
    }
    workdir.replaceStack(stackJson);
    return workdir;
  }

  /**
   * With two configurations applying side by side, the provider sometimes meets the effect of its
   * own earlier attempt: a create or attach fails as a duplicate though the stack declares it once
   * (seen twice in the lifecycle test: "NetworkAclEntryAlreadyExists ... 210 already exists" in the
   * region it had just added, and "Resource.AlreadyAssociated" attaching a new internet gateway;
   * moto logged no error either time). Such a failure is printed and applied once more from a fresh
   * plan, which converges when the first attempt did the work; a duplicate the stack itself
   * declares fails the second apply too, and any other failure is not retried.
   */
  private async applyRetryingOwnDuplicates(workdir: TerraformWorkdir, planFile: string): Promise<void> {
    try {
      await workdir.apply(planFile);
    } catch (error) {
      const message = (error as Error).message;
      if (!DUPLICATE_OF_ITSELF.test(message)) throw error;
      console.warn(`apply tier: the apply failed on a duplicate of its own create or attach; applied once more from a fresh plan:\n${message.split("\n").filter((line) => line.includes("Error:")).join("\n")}`);
      const { json, file } = await workdir.planToJson();
      const revoked = await this.revokeOrphanedRules(json, failedAddresses(message));
      await workdir.apply(revoked ? (await workdir.planToJson()).file : file);
    }
  }

  /**
   * A security group rule whose create failed as a duplicate of itself exists in the emulator but
   * not in state (the provider's own retry of a create the emulator had done), so the fresh plan
   * creates it again and fails the same way. Seen once in the custom configuration's first apply
   * ("InvalidPermission.Duplicate" for the endpoint's HTTPS rule, twice in a row). The orphan is
   * revoked, so the retry creates the rule Terraform knows. A rule the stack declares twice is not
   * hidden by this: the revoked twin then reads as missing and the clean re-plan fails.
   * Returns whether anything was revoked.
   */
  private async revokeOrphanedRules(plan: FullPlanJson, addresses: readonly string[]): Promise<boolean> {
    const configured = ((plan.configuration as any)?.root_module?.resources ?? []) as { address: string; provider_config_key?: string }[];
    let revoked = false;
    for (const change of plan.resource_changes ?? []) {
      const direction = ORPHANABLE_RULES[change.type];
      if (!direction || !addresses.includes(change.address) || !change.change.actions.includes("create")) continue;
      const rule = change.change.after;
      const region = /^aws\.([\w-]+)$/.exec(configured.find((resource) => resource.address === change.address)?.provider_config_key ?? "")?.[1] ?? regionOfAddress(change.address, "us-east-1");
      const permission: Record<string, string> = { "IpPermissions.1.IpProtocol": String(rule.ip_protocol) };
      if (rule.from_port !== null && rule.from_port !== undefined) permission["IpPermissions.1.FromPort"] = String(rule.from_port);
      if (rule.to_port !== null && rule.to_port !== undefined) permission["IpPermissions.1.ToPort"] = String(rule.to_port);
      if (rule.cidr_ipv4) permission["IpPermissions.1.IpRanges.1.CidrIp"] = rule.cidr_ipv4;
      if (rule.cidr_ipv6) permission["IpPermissions.1.Ipv6Ranges.1.CidrIpv6"] = rule.cidr_ipv6;
      if (rule.referenced_security_group_id) permission["IpPermissions.1.Groups.1.GroupId"] = rule.referenced_security_group_id;
      if (rule.prefix_list_id) permission["IpPermissions.1.PrefixListIds.1.PrefixListId"] = rule.prefix_list_id;
      await this.awsQuery("ec2", "2016-11-15", { Action: direction, GroupId: rule.security_group_id, ...permission }, region);
      console.warn(`apply tier: revoked the emulator's orphan of ${change.address} (${region}), left by the failed attempt`);
      revoked = true;
    }
    return revoked;
  }

  /** Runs a Terraform step; when it fails, the error ends with the emulator's log (its tracebacks explain its 500s). */
  private async withEmulatorLog<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- emulator log (last lines) ---\n${this.emulatorLog()}`);
    }
  }

  /** Plans again with nothing changed: every change it shows, each with its differences. */
  async replan(stackName?: string): Promise<ReplannedChange[]> {
    const { json } = await this.workdirOf(stackName).planToJson();
    return (json.resource_changes ?? [])
      .filter((change) => change.mode === "managed" && change.change.actions.join() !== "no-op")
      .map((change) => describeChange(change as ResourceChange & { change: { before?: any } }));
  }

  /** The resources in state, as the provider read them back from the emulator. */
  async state(stackName?: string): Promise<StateResource[]> {
    const { stdout } = await this.workdirOf(stackName).run(["show", "-json", "-no-color"]);
    const shown = JSON.parse(stdout);
    return (shown.values?.root_module?.resources ?? []).filter((r: any) => r.mode === "managed");
  }

  stateList(stackName?: string): Promise<string[]> {
    return this.workdirOf(stackName).stateList();
  }

  /**
   * What `npm run drift` reports for this deployment: the same refresh-only plan and controls,
   * against the emulator, with its named deviations (EMULATOR_DEVIATIONS) rewritten away.
   */
  drift(stackName: string): Promise<DriftFinding[]> {
    return stackDrift(stackName, async (args) => (await this.workdirOf(stackName).run(args)).stdout, { normalize: normalizeDeviations });
  }

  /** `terraform destroy`, after removing from state what the emulator cannot delete (returned). */
  async destroy(stackName?: string): Promise<string[]> {
    const workdir = this.workdirOf(stackName);
    return this.withEmulatorLog(() => destroyOnEmulator((args) => workdir.run(args), (line) => console.warn(`apply tier: ${line}`)));
  }

  /** A destroy expected to fail (prevent_destroy): its error. */
  async destroyRefused(stackName?: string): Promise<Error> {
    return this.workdirOf(stackName).destroy().then(
      () => {
        throw new Error("destroy succeeded but was expected to be refused");
      },
      (error: Error) => error,
    );
  }

  /**
   * An S3 request to the emulator, as a signed-in caller: moto does not verify signatures but
   * treats requests without one as anonymous.
   */
  s3(method: string, path: string, body?: string): Promise<Response> {
    return emulatorS3(this.emulator.url, method, path, body);
  }

  /**
   * A call to an AWS JSON API (AWS Config, for example) of `region`, as a signed-in caller; the
   * emulator routes it by the service in the credential scope. Fails on anything but 200.
   */
  async awsJson(service: string, target: string, body: object, region = "us-east-1"): Promise<any> {
    const response = await fetch(`${this.emulator.url}/`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { ...signedBy(service, region), "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1" },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${target}: the emulator answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  }

  /**
   * A call to an AWS REST JSON API (GuardDuty, for example) of `region`, as a signed-in caller
   * (the emulator's account, or the one whose access key `accessKeyId` is: see `accessKeyOf`). Fails on anything but 200.
   */
  async awsRest(service: string, method: string, path: string, body?: object, region = "us-east-1", accessKeyId?: string): Promise<any> {
    const response = await fetch(`${this.emulator.url}${path}`, {
      method,
      body: body ? JSON.stringify(body) : undefined,
      headers: { ...signedBy(service, region, accessKeyId), "Content-Type": "application/json" },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${method} ${path}: the emulator answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  }

  /** The access key of a session of `roleArn` (sts:AssumeRole), with which the emulator takes calls as the role's account. */
  async accessKeyOf(roleArn: string): Promise<string> {
    const answer = await this.awsQuery("sts", "2011-06-15", { Action: "AssumeRole", RoleArn: roleArn, RoleSessionName: "apply-tier" });
    const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answer)?.[1];
    if (!key) throw new Error(`AssumeRole ${roleArn} gave no access key: ${answer}`);
    return key;
  }

  /** A call to an AWS query API (IAM, for example), as a signed-in caller. Fails on anything but 200. */
  async awsQuery(service: string, version: string, parameters: Record<string, string>, region = "us-east-1", account?: string): Promise<string> {
    const response = await fetch(`${this.emulator.url}/`, {
      method: "POST",
      body: new URLSearchParams({ ...parameters, Version: version }).toString(),
      // The emulator answers as the account named (moto's x-moto-account-id), the emulator's own by default.
      headers: { ...signedBy(service, region), "Content-Type": "application/x-www-form-urlencoded", ...(account ? { "x-moto-account-id": account } : {}) },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${parameters.Action}: the emulator answered ${response.status}: ${text}`);
    return text;
  }

  /**
   * Runs `work` on a bucket with its policy lifted, then puts the policy back (EMULATOR_PLAIN_HTTP):
   * AWS itself would accept these requests over TLS.
   */
  async withBucketPolicyLifted<T>(bucket: string, work: () => Promise<T>): Promise<T> {
    const saved = await this.s3("GET", `${bucket}?policy`);
    if (saved.status !== 200) throw new Error(`GetBucketPolicy ${bucket}: ${saved.status}`);
    const policy = await saved.text();
    expectStatus(await this.s3("DELETE", `${bucket}?policy`), 204, `DeleteBucketPolicy ${bucket}`);
    try {
      return await work();
    } finally {
      expectStatus(await this.s3("PUT", `${bucket}?policy`, policy), [200, 204], `PutBucketPolicy ${bucket}`);
    }
  }

  /** The emulator's log, for failure messages. */
  emulatorLog(): string {
    try {
      const lines = readFileSync(join(this.root, "emulator.log"), "utf8").split("\n");
      const failed = lines.findIndex((line) => /Traceback|Error on request/.test(line));
      return (failed >= 0 ? lines.slice(failed, failed + 60) : lines.slice(-40)).join("\n");
    } catch {
      return "";
    }
  }

  async stop(): Promise<void> {
    await this.emulator.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

function expectStatus(response: Response, expected: number | number[], what: string): void {
  if (![expected].flat().includes(response.status)) throw new Error(`${what}: the emulator answered ${response.status}, expected ${expected}`);
}

function describeChange(change: ResourceChange & { change: { before?: any } }): ReplannedChange {
  const { before, after } = change.change;
  const found = differences(before, after);
  const deviation = EMULATOR_DEVIATIONS[change.type];
  const onlyDeviation = deviation && change.change.actions.join() === "update" && differences(deviation.normalize(before ?? {}), deviation.normalize(after ?? {})).length === 0;
  return { address: change.address, actions: change.change.actions, differences: found, deviation: onlyDeviation ? deviation.reason : undefined };
}

/** A readable list of re-planned changes: every attribute that differs, before and after. */
export function describeReplan(changes: readonly ReplannedChange[]): string {
  return changes
    .map((change) => [`${change.actions.join("/")} ${change.address}`, ...change.differences.map((d) => `    ${d.path}: ${JSON.stringify(d.before)} -> ${JSON.stringify(d.after)}`)].join("\n"))
    .join("\n");
}

/** Managed resource count per type for one region, from addresses. */
export function countsByRegion(addresses: readonly { address: string; type: string }[], region: string, homeRegion: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { address, type } of addresses) {
    if (regionOfAddress(address, homeRegion) === region) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}
