import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { APPLY_TIER, describeIfTier, TERRAFORM_TIER } from "../tiers";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";
import { OrganizationGuardrails } from "../../src/organization/organization-guardrails";
import { findEmulator, projectRoot, RunningEmulator, startEmulator } from "../../scripts/terraform/emulator";
import { findProviderSource, PlanJson, planTestFile, TerraformWorkdir } from "../../scripts/terraform/workdir";

const TIMEOUT_MS = 300_000;

// The guardrail SCPs with the real provider: the arguments validate, and the plan holds each
// policy's content as written.
describeIfTier([TERRAFORM_TIER], "Terraform tier: the organization's guardrail policies", () => {
  let workdir: TerraformWorkdir;
  let plan: PlanJson;
  let guardrails: OrganizationGuardrails;

  beforeAll(async () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "tap-org-")) });
    const stack = new TerraformStack(app, "management");
    const provider = new AwsProvider(stack, "aws-us-east-1", { alias: "us-east-1", region: "us-east-1" });
    guardrails = new OrganizationGuardrails(stack, "guardrails", {
      provider,
      project: "acme",
      allowedRegions: ["eu-west-1", "eu-central-1"],
      deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy"],
      targets: ["r-ab12", "ou-ab12-34cd56ef"],
    });
    const stackJson = JSON.stringify(stack.toTerraform());
    workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(tmpdir(), "tap-org-tf-")), stackJson, findProviderSource());
    await workdir.init();
    await workdir.validate();
    plan = await workdir.plan();
  }, TIMEOUT_MS);
  afterAll(() => workdir?.dispose());

  test("plans each SCP with its content and one attachment per target", () => {
    const policies = plan.resource_changes.filter((change) => change.type === "aws_organizations_policy");
    expect(policies.map((change) => JSON.parse(change.change.after.content))).toEqual(guardrails.documents);
    expect(policies.every((change) => change.change.after.type === "SERVICE_CONTROL_POLICY")).toBe(true);
    expect(plan.resource_changes.filter((change) => change.type === "aws_organizations_policy_attachment")).toHaveLength(2 * policies.length);
  });
});

const ORGANIZATION_FILE = join(projectRoot(), "examples", "organization.tap.config.json");
/** Stands in for the log archive key's ARN, which only its apply makes known. */
const ARCHIVE_KEY_ARN = "arn:aws:kms:eu-west-1:100000000003:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d";
/** Stands in for the root's id, which the management stack's import reads. */
const ROOT_ID = "r-ab12";

// #18: every stack of the example organization (3 OUs, 6 members) with the real provider, each
// planned against the emulator so the providers' assumed roles resolve to their accounts. A
// later stack reads an earlier one's outputs (terraform_remote_state); here they are the earlier
// plan's values, with the few known only after apply (the archive key's ARN, the root's id)
// standing in. The management stack imports the existing organization and its accounts: its
// import blocks pass validate, and its plan is made without them (an import reads AWS, and no
// organization exists here; the apply tier imports on the emulator).
describeIfTier([TERRAFORM_TIER, APPLY_TIER], "Terraform tier: the example organization, every stack", () => {
  const config = loadConfig({}, { file: ORGANIZATION_FILE });
  const organization = config.organization!;
  const plans = new Map<string, { plan: PlanJson; stack: any; bindings: Map<string, string> }>();
  let emulator: RunningEmulator;
  let root: string;

  async function planOf(name: string, remoteStateOutputs?: Record<string, unknown>, prepare?: (stack: any) => void): Promise<void> {
    const stack = JSON.parse(readFileSync(join(root, "stacks", name, "cdk.tf.json"), "utf8"));
    const workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(tmpdir(), `tap-org-${name}-`)), JSON.stringify(stack), findProviderSource(), planTestFile(stack, remoteStateOutputs), {
      emulatorUrl: emulator.url,
    });
    try {
      copyFileSync(join(root, "stacks", name, ".terraform.lock.hcl"), join(workdir.dir, ".terraform.lock.hcl"));
      await workdir.init();
      const bindings = await workdir.validate();
      if (prepare) {
        prepare(stack);
        writeFileSync(join(workdir.dir, "cdk.tf.json"), JSON.stringify(stack));
      }
      plans.set(name, { plan: await workdir.plan(), stack, bindings });
    } finally {
      workdir.dispose();
    }
  }
  const outputsOf = (name: string) => Object.fromEntries(Object.entries(plans.get(name)!.plan.output_changes).map(([output, change]) => [output, change.after]));
  const managed = (name: string, type: string) => plans.get(name)!.plan.resource_changes.filter((change) => change.mode === "managed" && change.type === type);

  beforeAll(async () => {
    emulator = await startEmulator(findEmulator()!);
    root = mkdtempSync(join(tmpdir(), "tap-org-app-"));
    buildApp(config, root).app.synth();
    await planOf(organization.logArchive.name);
    await planOf(organization.management.stackName, { ...outputsOf(organization.logArchive.name), archive_key_arn: ARCHIVE_KEY_ARN }, (stack) => {
      expect(stack.import.length).toBeGreaterThan(0);
      delete stack.import;
    });
    await planOf(organization.security.name, { ...outputsOf(organization.management.stackName), root_id: ROOT_ID, guardrail_target_ids: [ROOT_ID] });
    const members = config.stacks.flatMap((stack) => [stack.stackName, ...stack.regionStacks.map((regionStack) => regionStack.stackName)]);
    // Two at a time: the machine's two cores, and each plan's providers within the memory budget.
    for (let index = 0; index < members.length; index += 2) await Promise.all(members.slice(index, index + 2).map((name) => planOf(name)));
  }, 15 * TIMEOUT_MS);
  afterAll(async () => emulator?.stop());

  test("the example synthesizes the log-archive, management, security and six member stacks, and every one plans", () => {
    expect(config.stacks).toHaveLength(6);
    expect(organization.units.map((unit) => [unit.name, unit.accounts.length])).toEqual([["Security", 2], ["Production", 3], ["Development", 3]]);
    const expected = ["log-archive", "management", "security", ...config.stacks.flatMap((stack) => [stack.stackName, ...stack.regionStacks.map((regionStack) => regionStack.stackName)])];
    expect([...plans.keys()].sort()).toEqual(expected.sort());
    for (const [name, { plan }] of plans) expect({ name, creates: plan.resource_changes.some((change) => change.change.actions.includes("create")) }).toEqual({ name, creates: true });
  });

  test("the log archive accepts only the organization trail and AWS Config of this organization's accounts", () => {
    // The policy document is computed at apply (it names the bucket's ARN); its statements are read as written.
    // Two bucket policies: the archive's and its access-log bucket's.
    expect(managed("log-archive", "aws_s3_bucket_policy")).toHaveLength(2);
    const statements = Object.values<any>(plans.get("log-archive")!.stack.data.aws_iam_policy_document).flatMap((document) => document.statement);
    const trailArn = "arn:${data.aws_partition.partition.partition}:cloudtrail:eu-west-1:100000000001:trail/acme-org-trail";
    expect(statements.find((statement: any) => statement.sid === "OrganizationTrailWrite").condition).toContainEqual({ test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] });
    expect(statements.find((statement: any) => statement.sid === "ConfigDelivery").condition).toContainEqual({ test: "StringEquals", variable: "aws:SourceOrgID", values: [organization.id] });
    expect(managed("log-archive", "aws_s3_bucket_lifecycle_configuration").some((change) => change.change.after.rule.some((rule: any) => rule.transition?.length === 2))).toBe(true);
  });

  test("management: the organization trail delivers to the archive with its key; the security account administers every service; the SCPs attach to the root", () => {
    const [trail] = managed("management", "aws_cloudtrail");
    expect(trail.change.after).toMatchObject({ is_organization_trail: true, is_multi_region_trail: true, enable_log_file_validation: true, s3_bucket_name: "acme-org-cloudtrail-100000000003", kms_key_id: ARCHIVE_KEY_ARN });
    expect(managed("management", "aws_organizations_delegated_administrator").map((change) => change.change.after.service_principal).sort()).toEqual([
      "access-analyzer.amazonaws.com",
      "config-multiaccountsetup.amazonaws.com",
      "config.amazonaws.com",
    ]);
    expect(managed("management", "aws_guardduty_organization_admin_account")).toHaveLength(organization.allowedRegions.length);
    expect(managed("management", "aws_securityhub_organization_admin_account").map((change) => change.change.after.admin_account_id)).toEqual([organization.security.id]);
    expect(managed("management", "aws_organizations_account").map((change) => change.change.after.email).sort()).toEqual(organization.units.flatMap((unit) => unit.accounts.map((account) => account.email)).sort());
    expect(managed("management", "aws_organizations_policy_attachment").length).toBe(managed("management", "aws_organizations_policy").length);
    expect(managed("management", "aws_cloudwatch_metric_alarm").length).toBeGreaterThanOrEqual(14);
  });

  test("management: centralized root access is planned, after trusted access for IAM", () => {
    const [organizationChange] = managed("management", "aws_organizations_organization");
    expect(organizationChange.change.after.aws_service_access_principals).toContain("iam.amazonaws.com");
    expect(managed("management", "aws_iam_organizations_features").map((change) => change.change.after.enabled_features)).toEqual([["RootCredentialsManagement", "RootSessions"]]);
  });

  test("security: the aggregated HIGH and CRITICAL findings go by EventBridge to an encrypted topic of the security account", () => {
    const [rule] = managed("security", "aws_cloudwatch_event_rule");
    expect(rule.change.after.name).toBe("acme-org-security-findings");
    expect(JSON.parse(rule.change.after.event_pattern).detail.findings.Severity.Label).toEqual(["CRITICAL", "HIGH"]);
    expect(managed("security", "aws_cloudwatch_event_target").map((change) => change.change.after.target_id)).toEqual(["security-topic"]);
    expect(managed("security", "aws_sns_topic").map((change) => [change.change.after.name, change.change.after_unknown.kms_master_key_id])).toEqual([["acme-org-security-findings", true]]);
  });

  test("security: GuardDuty for every member in every region, Security Hub's FSBP and CIS v5.0.0 policy on the root, an organization aggregator and analyzers", () => {
    expect(managed("security", "aws_guardduty_organization_configuration").map((change) => change.change.after.auto_enable_organization_members)).toEqual(organization.allowedRegions.map(() => "ALL"));
    const [policy] = managed("security", "aws_securityhub_configuration_policy");
    expect(policy.change.after.configuration_policy[0]).toMatchObject({ service_enabled: true, enabled_standard_arns: [
        "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
      ] });
    expect(managed("security", "aws_securityhub_configuration_policy_association").map((change) => change.change.after.target_id)).toEqual([ROOT_ID]);
    expect(managed("security", "aws_securityhub_organization_configuration")[0].change.after.organization_configuration).toEqual([{ configuration_type: "CENTRAL" }]);
    expect(managed("security", "aws_config_configuration_aggregator")[0].change.after.organization_aggregation_source[0]).toMatchObject({ all_regions: false, regions: [...organization.allowedRegions] });
    expect(managed("security", "aws_accessanalyzer_analyzer").map((change) => change.change.after.type)).toEqual(organization.allowedRegions.map(() => "ORGANIZATION"));
  });

  test("the management, security and log-archive accounts plan their baselines: recording to the archive and the members' guardrails in every allowed region", () => {
    for (const name of ["log-archive", "management", "security"]) {
      const recorders = managed(name, "aws_config_configuration_recorder").map((change) => change.change.after);
      expect({ name, recorders: recorders.map((recorder) => recorder.recording_group[0].include_global_resource_types).sort() }).toEqual({ name, recorders: [false, true] });
      expect({ name, channels: managed(name, "aws_config_delivery_channel").map((change) => change.change.after.s3_bucket_name) }).toEqual({ name, channels: ["acme-org-cloudtrail-100000000003", "acme-org-cloudtrail-100000000003"] });
      expect({ name, recording: managed(name, "aws_config_configuration_recorder_status").map((change) => change.change.after.is_enabled) }).toEqual({ name, recording: [true, true] });
      for (const [type, count] of [["aws_ebs_encryption_by_default", 2], ["aws_iam_account_password_policy", 1], ["aws_s3_account_public_access_block", 1], ["aws_account_alternate_contact", 1]] as const) {
        expect({ name, type, planned: managed(name, type).length }).toEqual({ name, type, planned: count });
      }
    }
  });

  test("members leave the organization's services to it, and their AWS Config delivers to the archive", () => {
    for (const stack of config.stacks) {
      for (const name of [stack.stackName, ...stack.regionStacks.map((regionStack) => regionStack.stackName)]) {
        for (const type of ["aws_cloudtrail", "aws_guardduty_detector", "aws_securityhub_account", "aws_accessanalyzer_analyzer"]) expect({ name, type, planned: managed(name, type).length }).toEqual({ name, type, planned: 0 });
        expect(managed(name, "aws_config_delivery_channel").map((change) => change.change.after.s3_bucket_name)).toEqual(managed(name, "aws_config_configuration_recorder").map(() => "acme-org-cloudtrail-100000000003"));
      }
      expect(managed(stack.stackName, "aws_config_configuration_recorder").length).toBe(stack.regions.length);
    }
  });
});
