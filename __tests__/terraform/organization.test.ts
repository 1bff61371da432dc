import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { APPLY_TIER, describeIfTier, TERRAFORM_TIER } from "../tiers";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";
import { OrganizationGuardrails } from "../../src/organization/organization-guardrails";
import { OrganizationManagement } from "../../src/organization/organization-management";
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
      logArchive: { accountId: "100000000003", buckets: ["acme-org-cloudtrail-100000000003"] },
    });
    const stackJson = JSON.stringify(stack.toTerraform());
    workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(tmpdir(), "tap-org-tf-")), stackJson, findProviderSource());
    await workdir.init();
    await workdir.validate();
    plan = await workdir.plan();
  }, TIMEOUT_MS);
  afterAll(() => workdir?.dispose());

  test("plans each SCP with its content and one attachment per target, and the log archive's RCP on its account", () => {
    const policies = plan.resource_changes.filter((change) => change.type === "aws_organizations_policy");
    const scps = policies.filter((change) => change.change.after.type === "SERVICE_CONTROL_POLICY");
    const rcps = policies.filter((change) => change.change.after.type === "RESOURCE_CONTROL_POLICY");
    expect(scps.map((change) => JSON.parse(change.change.after.content))).toEqual(guardrails.documents);
    // hashicorp/aws 5.100 takes RESOURCE_CONTROL_POLICY as a policy's type.
    expect(rcps.map((change) => JSON.parse(change.change.after.content))).toEqual(guardrails.resourceDocuments);
    expect(rcps).toHaveLength(1);
    const attachments = plan.resource_changes.filter((change) => change.type === "aws_organizations_policy_attachment");
    expect(attachments).toHaveLength(2 * scps.length + 1);
    expect(attachments.filter((change) => change.change.after.target_id === "100000000003")).toHaveLength(1);
  });
});

// #26 item 5, Terraform's own checks with the real provider and mocked AWS: an organization of all
// features with the units to adopt and use plans; consolidated billing only is refused by the
// organization's precondition, a missing unit by the lookup's postcondition, both at plan.
describeIfTier([TERRAFORM_TIER], "Terraform tier: the organization as it exists, checked at plan", () => {
  let workdir: TerraformWorkdir;
  let output: string;

  beforeAll(async () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "tap-org-existing-")) });
    const stack = new TerraformStack(app, "management");
    const provider = new AwsProvider(stack, "aws-us-east-1", { alias: "us-east-1", region: "us-east-1" });
    const member = (id: string) => ({ id, name: `account-${id}`, email: `aws-${id}@acme.example` });
    new OrganizationManagement(stack, "organization", {
      provider,
      regionProviders: new Map([["us-east-1", provider]]),
      organizationId: "o-a1b2c3d4e5",
      securityAccountId: "100000000002",
      units: [
        { name: "Security", mode: "adopt", accounts: [member("100000000002")] },
        { name: "Sandbox", mode: "external", accounts: [member("100000000004")] },
        { name: "Workloads", accounts: [member("100000000005")] },
      ],
    });
    const json = stack.toTerraform() as any;
    // Imports read AWS; the plans here are of the checks, with mocked providers.
    delete json.import;
    const address = (type: string, data = false) => `${data ? "data." : ""}${type}.${Object.keys((data ? json.data : json.resource)[type])[0]}`;
    const organizationData = address("aws_organizations_organization", true);
    const unitsData = address("aws_organizations_organizational_units", true);
    const root = { id: "r-ab12", name: "Root", arn: "arn:aws:organizations::100000000001:root/o-a1b2c3d4e5/r-ab12", policy_types: [] };
    const unit = (name: string, id: string) => ({ id, name, arn: `arn:aws:organizations::100000000001:ou/o-a1b2c3d4e5/${id}` });
    const overrides = (featureSet: string, units: object[]) =>
      `  override_data {\n    target = ${organizationData}\n    values = ${JSON.stringify({ feature_set: featureSet, roots: [root] })}\n  }\n  override_data {\n    target = ${unitsData}\n    values = ${JSON.stringify({ children: units })}\n  }`;
    const existing = [unit("Security", "ou-ab12-11111111"), unit("Sandbox", "ou-ab12-22222222")];
    const sandboxAccount = `aws_organizations_account.${Object.entries<any>(json.resource.aws_organizations_account).find(([, account]) => account.email === "aws-100000000004@acme.example")![0]}`;
    const testFile = [
      `mock_provider "aws" {\n  alias = "us-east-1"\n  mock_resource "aws_organizations_organization" {\n    defaults = ${JSON.stringify({ roots: [root] })}\n  }\n}`,
      `run "all_features" {\n  command = plan\n${overrides("ALL", existing)}\n  assert {\n    condition     = ${sandboxAccount}.parent_id == "ou-ab12-22222222"\n    error_message = "the external unit's account is not moved into the unit found by name"\n  }\n}`,
      `run "consolidated_billing" {\n  command = plan\n${overrides("CONSOLIDATED_BILLING", existing)}\n  expect_failures = [${address("aws_organizations_organization")}]\n}`,
      `run "missing_unit" {\n  command = plan\n${overrides("ALL", [existing[1]])}\n  expect_failures = [${unitsData}]\n}`,
    ].join("\n\n");
    workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(tmpdir(), "tap-org-existing-tf-")), JSON.stringify(json), findProviderSource(), testFile);
    await workdir.init();
    ({ stdout: output } = await workdir.run(["test", "-no-color"]));
  }, TIMEOUT_MS);
  afterAll(() => workdir?.dispose());

  test("all features and the units in place plan; consolidated billing and a missing unit fail at plan, on their checks", () => {
    expect(output).toMatch(/run "all_features"\.\.\. pass/);
    expect(output).toMatch(/run "consolidated_billing"\.\.\. pass/);
    expect(output).toMatch(/run "missing_unit"\.\.\. pass/);
    expect(output).toMatch(/3 passed, 0 failed/);
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
// standing in. The management stack imports the existing organization and its accounts, the
// security stack its detectors: their import blocks pass validate, and their plans are made
// without them (an import reads AWS, and no organization exists here; the apply tier imports on the emulator).
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
    // The log archive deploys before trusted access for AWS Config: its baseline creates AWSServiceRoleForConfig, no import.
    await planOf(organization.logArchive.name, undefined, (stack) => expect(stack.import).toBeUndefined());
    await planOf(organization.management.stackName, { ...outputsOf(organization.logArchive.name), archive_key_arn: ARCHIVE_KEY_ARN }, (stack) => {
      expect(stack.import.length).toBeGreaterThan(0);
      delete stack.import;
    });
    await planOf(organization.security.name, { ...outputsOf(organization.management.stackName), root_id: ROOT_ID, guardrail_target_ids: [ROOT_ID] }, (stack) => {
      // The detectors delegation enabled are adopted (docs/organizations.md: What tap adopts in the security account): the
      // lookups and imports pass validate, and the plan is made without them (no delegation was applied here; the apply tier adopts).
      expect(Object.values<any>(stack.data.aws_guardduty_detector).map((lookup) => lookup.provider).sort()).toEqual(organization.allowedRegions.map((region) => `aws.${region}`).sort());
      expect(stack.import.map((block: any) => block.to.split(".")[0]).sort()).toEqual([...organization.allowedRegions.map(() => "aws_guardduty_detector"), "aws_iam_service_linked_role"]);
      delete stack.import;
      delete stack.data.aws_guardduty_detector;
    });
    const members = config.stacks.flatMap((stack) => [stack.stackName, ...stack.regionStacks.map((regionStack) => regionStack.stackName)]);
    // Two at a time: the machine's two cores, and each plan's providers within the memory budget.
    // A member adopts AWSServiceRoleForConfig, which AWS creates with AWS Config's trusted access (no organization here): planned without the import, like management's.
    const withoutImports = (stack: any) => delete stack.import;
    for (let index = 0; index < members.length; index += 2) await Promise.all(members.slice(index, index + 2).map((name) => planOf(name, undefined, withoutImports)));
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
      // AWS Config's service-linked role is adopted (imported by its ARN), never created a second time.
      expect(JSON.parse(readFileSync(join(root, "stacks", stack.stackName, "cdk.tf.json"), "utf8")).import).toContainEqual(expect.objectContaining({ id: expect.stringMatching(/:role\/aws-service-role\/config\.amazonaws\.com\/AWSServiceRoleForConfig$/) }));
      expect(managed(stack.stackName, "aws_config_configuration_recorder").length).toBe(stack.regions.length);
    }
  });
});
