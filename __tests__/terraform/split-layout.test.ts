import { loadConfig } from "../../src/app/load-config";
import { SUPPORTED_REGION_NAMES } from "../../src/network/regions";
import { describeIfTier, TERRAFORM_TIER } from "../tiers";
import { findProviderSource, PlanJson, ProviderSource, TerraformWorkdir, declaredAddress } from "../../scripts/terraform/workdir";

const TIMEOUT_MS = 600_000;

/** Init, validate (which provider each resource is bound to) and plan one stack of the app. */
async function planStack(stackName: string, provider: ProviderSource, remoteStateOutputs?: Record<string, unknown>): Promise<{ plan: PlanJson; bindings: Map<string, string>; stack: any }> {
  const workdir = TerraformWorkdir.synthesize(config, provider, { stackName, remoteStateOutputs });
  try {
    await workdir.init();
    const bindings = await workdir.validate();
    const plan = await workdir.plan();
    const stack = JSON.parse(require("fs").readFileSync(`${workdir.dir}/cdk.tf.json`, "utf8"));
    return { plan, bindings, stack };
  } finally {
    workdir.dispose();
  }
}

const config = loadConfig({}, { file: null });
const account = config.stacks[0];

// #19: the default deployment guards all 17 supported regions in the split layout: the account
// stack (the three workload regions) and six region stacks of at most three regions, each read
// with the real provider. A region stack's AWS Config delivers to the account stack's trail
// bucket through a cross-stack reference (terraform_remote_state); here its outputs are the
// account stack's own planned values, so the reference resolves as it would after that apply.
describeIfTier([TERRAFORM_TIER], "Terraform tier: every region guarded, split layout", () => {
  let main: { plan: PlanJson; stack: any };
  const regional = new Map<string, { plan: PlanJson; bindings: Map<string, string>; stack: any }>();

  beforeAll(async () => {
    const provider = findProviderSource();
    main = await planStack(account.stackName, provider);
    // What the account stack's state will hold: its outputs as planned.
    const outputs = Object.fromEntries(Object.entries(main.plan.output_changes).map(([name, change]) => [name, change.after]));
    for (const { stackName } of account.regionStacks) regional.set(stackName, await planStack(stackName, provider, outputs));
  }, TIMEOUT_MS);

  test("every supported region is guarded once: the workload regions by the account stack, the rest by region stacks of at most three", () => {
    const held = account.regionStacks.flatMap((stack) => stack.regions);
    expect([...account.regions.map((r) => r.region), ...held].sort()).toEqual([...SUPPORTED_REGION_NAMES].sort());
    expect(account.regionStacks.every((stack) => stack.regions.length <= 3)).toBe(true);
    const detectorsIn = (plan: PlanJson) => plan.resource_changes.filter((change) => change.type === "aws_guardduty_detector" && change.mode === "managed");
    expect(detectorsIn(main.plan)).toHaveLength(account.regions.length);
    for (const { stackName, regions } of account.regionStacks) expect(detectorsIn(regional.get(stackName)!.plan)).toHaveLength(regions.length);
  });

  test("each region stack binds its resources to its own regions' providers only, and plans every CIS all-regions control in each", () => {
    for (const { stackName, regions } of account.regionStacks) {
      const { plan, bindings } = regional.get(stackName)!;
      const aliases = new Set(bindings.values());
      expect([...aliases].sort()).toEqual([...regions].sort());
      for (const region of regions) {
        const inRegion = plan.resource_changes.filter((change) => change.mode === "managed" && bindings.get(declaredAddress(change.address)) === region);
        const of = (type: string) => inRegion.filter((change) => change.type === type).map((change) => change.change.after);
        expect(of("aws_ebs_encryption_by_default")).toEqual([expect.objectContaining({ enabled: true })]);
        expect(of("aws_accessanalyzer_analyzer")).toEqual([expect.objectContaining({ type: "ACCOUNT" })]);
        expect(of("aws_guardduty_detector")).toEqual([expect.objectContaining({ enable: true })]);
        expect(of("aws_securityhub_standards_subscription").map((after) => after?.standards_arn).sort()).toEqual([
          `arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
          `arn:aws:securityhub:${region}::standards/cis-aws-foundations-benchmark/v/5.0.0`,
        ]);
        expect(of("aws_config_configuration_recorder")).toEqual([
          expect.objectContaining({ recording_group: [expect.objectContaining({ all_supported: true, include_global_resource_types: false })] }),
        ]);
        expect(of("aws_config_configuration_recorder_status")).toEqual([expect.objectContaining({ is_enabled: true })]);
        // No key of its own there: the AWS-managed aws/ebs key encrypts by default.
        expect(of("aws_ebs_default_kms_key")).toEqual([]);
      }
    }
  });

  test("the cross-stack reference resolves: every region's Config delivers to the account stack's trail bucket", () => {
    const trailBucket = main.plan.resource_changes.find((change) => change.type === "aws_s3_bucket" && change.address.includes("audit-trail"))!.change.after.bucket;
    expect(trailBucket).toMatch(/^tap-dev-cloudtrail-\d{12}$/);
    for (const { stackName, regions } of account.regionStacks) {
      const { plan, stack } = regional.get(stackName)!;
      expect(stack.data.terraform_remote_state.account_stack).toMatchObject({ backend: "s3", config: { key: "tap/dev/terraform.tfstate" } });
      const channels = plan.resource_changes.filter((change) => change.type === "aws_config_delivery_channel");
      expect(channels.map((change) => change.change.after.s3_bucket_name)).toEqual(regions.map(() => trailBucket));
    }
  });

  test("only the account stack records IAM's global resources", () => {
    const globalIn = (plan: PlanJson) =>
      plan.resource_changes.filter((change) => change.type === "aws_config_configuration_recorder" && change.change.after.recording_group[0].include_global_resource_types).length;
    expect(globalIn(main.plan)).toBe(1);
    for (const { plan } of regional.values()) expect(globalIn(plan)).toBe(0);
  });
});
