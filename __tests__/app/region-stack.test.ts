import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { buildApp } from "../../src/app/app";
import { IAccountStack, RegionStack } from "../../src/app/region-stack";
import { ACCOUNT_WIDE_RULE_IDS, TAP_REGION_STACK_RULES, TAP_RULE_PACK } from "../../src/app/rule-pack";
import { TapStack } from "../../src/app/tap-stack";
import { auditStack } from "../../src/compliance/audit";
import { ConfigError } from "../../src/config/load";
import { loadConfig } from "../../src/app/load-config";
import type { RegionStackConfig, StackConfig } from "../../src/config/model";
import { regionGroups, SUPPORTED_REGION_NAMES } from "../../src/network/regions";
import { configFrom, resourcesOf, synthStack, synthWithMetadata } from "../helpers";
import { intendedGuardrailCounts } from "../intended-resources";
import { SECURITY_CONTACT } from "../settings-fixtures";

const WORKLOAD = ["us-east-1", "us-west-2", "eu-central-1"];
/** A region stack beside its account stack in one app. */
function regionStackOf(account: StackConfig, stack: RegionStackConfig = account.regionStacks[0], accountStack?: (main: TapStack) => IAccountStack): RegionStack {
  const app = Testing.app();
  const main = new TapStack(app, account.stackName, account);
  return new RegionStack(app, "r", { account, stack, accountStack: accountStack ? accountStack(main) : main });
}
/** What a guarded region without workload holds with the defaults, by type (from the specification). */
const GUARDRAIL_TYPES = Object.keys(intendedGuardrailCounts(configFrom(), { regionKey: false })).sort();

/** Resource types bound to `region`'s provider. */
function typesIn(json: ReturnType<typeof synthStack>, region: string): string[] {
  return Object.entries(json.resource ?? {})
    .filter(([, byName]) => Object.values(byName).some((body: any) => body.provider === `aws.${region}`))
    .map(([type]) => type)
    .sort();
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, { file: null });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("guarded regions and the split layout (#19)", () => {
  test("regions are grouped in the supported list's fixed order, whatever the workload regions", () => {
    expect(regionGroups(3)).toHaveLength(6);
    expect(regionGroups(3).flat()).toEqual(SUPPORTED_REGION_NAMES);
    expect(regionGroups(17)).toEqual([SUPPORTED_REGION_NAMES]);
    expect(() => regionGroups(0)).toThrow("regionGroups: size must be a positive integer. Received: 0");
    // Moving a workload region changes only the stack of its own group.
    const stacksOf = (regions: string) => Object.fromEntries(configFrom({ TAP_REGIONS: regions }).regionStacks.map((stack) => [stack.stackName, stack.regions]));
    const before = stacksOf("us-east-1,us-west-2,eu-central-1");
    const after = stacksOf("us-east-1,us-west-2,eu-central-1,ap-south-1");
    expect(after).toEqual({ ...before, "tap-guardrails-4": ["eu-west-3", "eu-north-1"] });
  });

  test("the account stack holds the workload regions only; each region stack its group, with every guardrail and no workload", () => {
    const { stacks, regionStacks } = buildApp(loadConfig({}, { file: null }), mkdtempSync(join(tmpdir(), "tap-split-")));
    const main = synthWithMetadata(stacks[0]);
    expect(main.provider?.aws.map((provider: any) => provider.alias)).toEqual(WORKLOAD);
    expect(regionStacks.map((stack) => [stack.node.id, stack.regions])).toEqual(configFrom().regionStacks.map((stack) => [stack.stackName, stack.regions]));
    for (const stack of regionStacks) {
      const json = synthWithMetadata(stack);
      expect(json.provider?.aws.map((provider: any) => provider.alias)).toEqual(stack.regions);
      for (const region of stack.regions) expect({ region, types: typesIn(json, region) }).toEqual({ region, types: GUARDRAIL_TYPES });
      // EBS encryption by default with the AWS-managed key: no key of the stack's own to manage there.
      expect(resourcesOf(json, "aws_ebs_default_kms_key")).toEqual([]);
      expect(resourcesOf(json, "aws_config_configuration_recorder").every(([, recorder]) => recorder.recording_group.include_global_resource_types === false)).toBe(true);
      // AWS Config's service-linked role, by its fixed ARN: the account stack creates it.
      expect(resourcesOf(json, "aws_config_configuration_recorder").map(([, recorder]) => recorder.role_arn)).toEqual(
        stack.regions.map(() => "arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.caller_identity.account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
      );
    }
  });

  test("a region stack reads the trail bucket from the account stack's state, and deploys after it", () => {
    const outdir = mkdtempSync(join(tmpdir(), "tap-split-"));
    buildApp(loadConfig({ TAP_ACCOUNT_ID: "111122223333" }, { file: null }), outdir).app.synth();
    const read = (stack: string) => JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
    const main = read("tap");
    const regional = read("tap-guardrails-1");
    // The account stack's documented output, read from its state with its own backend settings.
    expect(main.output.trail_bucket_name.value).toMatch(/^\$\{aws_s3_bucket\.audit-trail_bucket_[A-F0-9]+\.bucket\}$/);
    expect(Object.keys(main.output).filter((name) => name.startsWith("cross-stack"))).toEqual([]);
    expect(regional.data.terraform_remote_state).toEqual({
      account_stack: {
        backend: "s3",
        config: { bucket: "tap-tfstate-111122223333-us-east-1", key: "tap/dev/terraform.tfstate", region: "us-east-1", encrypt: true },
        workspace: "${terraform.workspace}",
      },
    });
    const channels = Object.values(regional.resource.aws_config_delivery_channel) as any[];
    expect(channels.map((channel) => channel.s3_bucket_name)).toEqual(channels.map(() => "${data.terraform_remote_state.account_stack.outputs.trail_bucket_name}"));
    // Its own state object beside the account stack's, in the same bucket.
    expect(regional.terraform.backend.s3).toMatchObject({ bucket: "tap-tfstate-111122223333-us-east-1", key: "tap/dev/guardrails-1/terraform.tfstate", use_lockfile: true, encrypt: true });
    // cdktf deploys (and destroys in reverse) by the manifest's dependencies.
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    for (const n of [1, 2, 3, 4, 5, 6]) expect(manifest.stacks[`tap-guardrails-${n}`].dependencies).toEqual(["tap"]);
    expect(manifest.stacks.tap.dependencies).toEqual([]);
    rmSync(outdir, { recursive: true, force: true });
  });

  test("without AWS Config the region stacks still deploy after the account stack, with nothing to read from it", () => {
    const outdir = mkdtempSync(join(tmpdir(), "tap-split-"));
    const env = { TAP_AWS_CONFIG: "false", TAP_SECURITY_HUB: "false", TAP_ACCEPT_RISKS: "Config.Recorder=recorded by the organization;SecurityHub.CisStandard=checked by the organization" };
    buildApp(loadConfig(env, { file: null }), outdir).app.synth();
    const regional = JSON.parse(readFileSync(join(outdir, "stacks", "tap-guardrails-1", "cdk.tf.json"), "utf8"));
    expect(regional.data.terraform_remote_state).toBeUndefined();
    expect(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks["tap-guardrails-1"].dependencies).toEqual(["tap"]);
    rmSync(outdir, { recursive: true, force: true });
  });

  test("the single layout holds every guarded region in the account stack, with guardrails only where there is no workload", () => {
    const config = configFrom({ TAP_LAYOUT: "single" });
    expect(config.regionStacks).toEqual([]);
    const json = synthStack({ TAP_LAYOUT: "single" });
    expect(json.provider?.aws.map((provider: any) => provider.alias)).toEqual(config.guardrailRegions);
    for (const region of SUPPORTED_REGION_NAMES.filter((r) => !WORKLOAD.includes(r))) expect({ region, types: typesIn(json, region) }).toEqual({ region, types: GUARDRAIL_TYPES });
    // One recorder records global resources: the home region's.
    const global = resourcesOf(json, "aws_config_configuration_recorder").filter(([, recorder]) => recorder.recording_group.include_global_resource_types);
    expect(global.map(([, recorder]) => recorder.provider)).toEqual(["aws.us-east-1"]);
  });

  test("guarded regions that are all workload regions give today's single stack, byte for byte, in either layout", () => {
    const env = { TAP_GUARDRAIL_REGIONS: WORKLOAD.join(",") };
    expect(configFrom(env).regionStacks).toEqual([]);
    expect(JSON.stringify(synthStack(env))).toBe(JSON.stringify(synthStack({ ...env, TAP_LAYOUT: "single" })));
  });

  test("a retiring region that stays guarded keeps its provider once, now with the guardrails (single layout)", () => {
    const json = synthStack({ TAP_LAYOUT: "single", TAP_REGIONS: "us-east-1", TAP_RETIRING_REGIONS: "us-west-2", TAP_GUARDRAIL_REGIONS: "us-east-1,us-west-2" });
    expect(json.provider?.aws.map((provider: any) => provider.alias)).toEqual(["us-east-1", "us-west-2"]);
    expect(typesIn(json, "us-west-2")).toEqual(GUARDRAIL_TYPES);
  });

  test("a region stack is judged by the pack without the account-wide rules, which the account stack passes", () => {
    expect(TAP_REGION_STACK_RULES.map((rule) => rule.id)).toEqual(TAP_RULE_PACK.filter((rule) => !ACCOUNT_WIDE_RULE_IDS.includes(rule.id)).map((rule) => rule.id));
    // Every rule about the stack as a whole is classified: account-wide, or one a region stack passes too.
    const stackRules = TAP_RULE_PACK.filter((rule) => rule.appliesTo.includes("stack")).map((rule) => rule.id);
    expect(stackRules.filter((id) => !ACCOUNT_WIDE_RULE_IDS.includes(id))).toEqual(["Account.OneOwnerPerSingleton"]);
    expect(ACCOUNT_WIDE_RULE_IDS.every((id) => stackRules.includes(id))).toBe(true);
    // Its regional rules bite: a region whose guardrails lack an analyzer fails synth.
    const config = configFrom({ TAP_SINGLETONS: "accessAnalyzer=external" });
    const stack = regionStackOf({ ...config, acceptedRisks: config.acceptedRisks.filter((risk) => risk.ruleId !== "IAM.AccessAnalyzer") });
    expect(() => synthWithMetadata(stack)).toThrow(/\[IAM\.AccessAnalyzer\][\s\S]*us-east-2/);
  });

  test.each([
    ["the defaults", {}],
    ["paid guardrails off", { TAP_GUARDDUTY: "false", TAP_SECURITY_HUB: "false", TAP_AWS_CONFIG: "false", TAP_ACCEPT_RISKS: "GuardDuty.Enabled=the SOC runs its own;SecurityHub.CisStandard=checked elsewhere;Config.Recorder=recorded elsewhere" }],
    ["the paid guardrails external", { TAP_SINGLETONS: "guardDuty=external;securityHub=external;awsConfig=external;configServiceRole=external" }],
    ["one region, a short retention", { TAP_REGIONS: "eu-west-1", TAP_LOG_RETENTION_DAYS: "30", TAP_ACCEPT_RISKS: "Logs.Retention=debug logs are kept 30 days by policy" }],
  ])("%s: every region stack passes its rules, and brings no acceptance it does not use (synth warns of each)", (_name, env) => {
    const { regionStacks } = buildApp(loadConfig(env, { file: null }));
    expect(regionStacks.length).toBeGreaterThan(0);
    for (const stack of regionStacks) {
      const report = auditStack(stack, TAP_REGION_STACK_RULES);
      expect({ stack: stack.node.id, failures: report.failures.map((f) => f.rule.id), warnings: report.warnings.length, unused: report.unusedSuppressions.map((s) => s.ruleId) }).toEqual({
        stack: stack.node.id,
        failures: [],
        warnings: 0,
        unused: [],
      });
    }
  });

  test("with every regional singleton left to others, tap still guards every region with its own controls (the sharing blocks, the default VPC lockdown); guardrailRegions narrows it", () => {
    const env = { TAP_SINGLETONS: "ebsEncryption=external;accessAnalyzer=external;guardDuty=external;securityHub=external;awsConfig=external;configServiceRole=external" };
    expect(configFrom(env).guardrailRegions).toHaveLength(17);
    const { regionStacks } = buildApp(loadConfig(env, { file: null }), mkdtempSync(join(tmpdir(), "tap-split-")));
    expect(regionStacks).toHaveLength(6);
    const json = synthWithMetadata(regionStacks[0]);
    expect(typesIn(json, regionStacks[0].regions[0])).toEqual(["aws_default_security_group", "aws_ebs_snapshot_block_public_access", "aws_ec2_image_block_public_access", "aws_ssm_service_setting"]);
    // No region beyond the workload ones: no region stacks, no empty providers.
    const narrowed = { ...env, TAP_GUARDRAIL_REGIONS: WORKLOAD.join(",") };
    expect(configFrom(narrowed).guardrailRegions).toEqual(WORKLOAD);
    expect(configFrom(narrowed).regionStacks).toEqual([]);
  });

  test("a region stack refuses an account that does not own its settings, an empty group, and AWS Config with nowhere to deliver", () => {
    const config = configFrom();
    expect(() => regionStackOf({ ...config, manageAccountSettings: false }, config.regionStacks[0])).toThrow(
      "r: a region stack holds the account's guardrails, which only the deployment that owns the account's settings builds. Received: manageAccountSettings false",
    );
    expect(() => regionStackOf(config, { ...config.regionStacks[0], regions: [] })).toThrow("r: 'stack.regions' is empty");
    const withoutConfig = (main: TapStack): IAccountStack => ({ node: main.node, stateBackend: main.stateBackend });
    expect(() => regionStackOf(config, config.regionStacks[0], withoutConfig)).toThrow(
      "r: AWS Config is on (account.guardrails.awsConfig, not external) but 'accountStack.configDeliveryOutput' is unset: the account stack (TapStack) must run AWS Config of its own",
    );
    expect(() => regionStackOf({ ...config, singletons: { ...config.singletons, awsConfig: "external", securityHub: "external" } }, config.regionStacks[0], withoutConfig)).not.toThrow();
  });

  test("an HCP Terraform user gets one workspace per stack", () => {
    const config = configFrom({ TAP_BACKEND: "hcp", TAP_HCP_ORGANIZATION: "acme" });
    expect(config.regionStacks.map((stack) => stack.backend.type === "hcp" && stack.backend.workspace)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `tap-dev-guardrails-${n}`));
    // Each reads the account stack's workspace.
    const json = synthWithMetadata(regionStackOf(config));
    expect(json.data?.terraform_remote_state.account_stack).toMatchObject({ backend: "remote", config: { organization: "acme", hostname: "app.terraform.io", workspaces: { name: "tap-dev" } } });
    expect(json.terraform?.cloud).toMatchObject({ organization: "acme", workspaces: { name: "tap-dev-guardrails-1" } });
  });

  test("settings: refused where they would leave a workload region unguarded, name a stack twice or belong to another deployment; warned where they do nothing", () => {
    expect(problemsOf({ TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2" })).toEqual([
      'TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2" leaves out "us-west-2", "eu-central-1" of TAP_REGIONS; every workload region gets the guardrails, so add them',
    ]);
    expect(problemsOf({ TAP_GUARDRAIL_REGIONS: "us-east-1,mars-north-1" })[0]).toMatch(/^TAP_GUARDRAIL_REGIONS: .*"mars-north-1" is not a supported region/);
    expect(problemsOf({ TAP_LAYOUT: "many" })[0]).toMatch(/^TAP_LAYOUT: "many" .*split, single/);
    expect(problemsOf({ TAP_REGIONS_PER_STACK: "0" })[0]).toMatch(/^TAP_REGIONS_PER_STACK: 0 /);
    expect(loadConfig({ TAP_LAYOUT: "single", TAP_REGIONS_PER_STACK: "2", TAP_SECURITY_CONTACT: SECURITY_CONTACT }, { file: null }).warnings).toEqual([
      "TAP_REGIONS_PER_STACK: has no effect: TAP_LAYOUT is single, so one stack holds every region",
    ]);
    expect(problemsOf({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: WORKLOAD.join(","), TAP_GUARDRAIL_REGIONS: "us-east-1" })).toEqual([
      "TAP_GUARDRAIL_REGIONS: is set while TAP_ACCOUNT_SETTINGS is skip; the deployment that owns the account's settings decides what happens to the account's singletons and which regions it guards",
    ]);
    // A fleet account named like another account's region stack would share its folder and state.
    const dir = mkdtempSync(join(tmpdir(), "tap-split-"));
    const file = join(dir, "tap.config.json");
    const account = (id: string, name: string, octet: number) => ({ id, name, environment: "prod", role: "TapDeploy", vpcCidrs: { "us-east-1": `10.${octet}.0.0/16`, "us-west-2": `10.${octet + 1}.0.0/16`, "eu-central-1": `10.${octet + 2}.0.0/16` } });
    writeFileSync(file, JSON.stringify({ fleet: { accounts: [account("111111111111", "prod", 100), account("222222222222", "prod-guardrails-1", 110)] } }));
    try {
      loadConfig({}, { file });
      throw new Error("expected a refusal");
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        `${file.startsWith(process.cwd()) ? file.slice(process.cwd().length + 1) : file} $.fleet.accounts[1].name: "prod-guardrails-1" is the name of a region stack of account "prod" (layout split); choose another name`,
      ]);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("TapStack alone (no split) is unchanged by the layout: the workload regions' guardrails carry their region's key", () => {
    const stack = new TapStack(Testing.app(), "tap", configFrom());
    expect(stack.configDeliveryOutput).toEqual({ bucketOutput: "trail_bucket_name", keyPrefix: "config" });
    const json = synthWithMetadata(stack);
    expect(resourcesOf(json, "aws_ebs_default_kms_key").map(([, key]) => key.provider)).toEqual(WORKLOAD.map((region) => `aws.${region}`));
  });
});
