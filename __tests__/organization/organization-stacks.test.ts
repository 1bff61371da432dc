import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { buildApp } from "../../src/app/app";
import { AuditTrail } from "../../src/audit/audit-trail";
import { loadConfig } from "../../src/app/load-config";
import { describeStacks } from "../../src/app/summary";
import type { TapConfig } from "../../src/config/model";
import { LogArchive, LogArchiveProps } from "../../src/organization/log-archive";
import { planFailureHints } from "../../src/organization/organization-facts";
import { reviewPlan } from "../../scripts/plan-review";
import { projectRoot } from "../../scripts/terraform/emulator";
import { resourcesOf, synthConstruct } from "../helpers";

const EXAMPLE = join(projectRoot(), "examples", "organization.tap.config.json");

/** Every stack of a configuration as synthesized, and cdktf's manifest. */
function synthAll(config: TapConfig): { stacks: Record<string, any>; manifest: any } {
  const outdir = mkdtempSync(join(tmpdir(), "tap-org-synth-"));
  buildApp(config, outdir).app.synth();
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  const stacks = Object.fromEntries(Object.keys(manifest.stacks).map((name) => [name, JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"))]));
  return { stacks, manifest };
}

const config = loadConfig({}, { file: EXAMPLE });
const organization = config.organization!;
const { stacks, manifest } = synthAll(config);
const of = (stack: string, type: string): any[] => Object.values(stacks[stack].resource?.[type] ?? {});

describe("the organization's stacks", () => {
  test("deploy in the order AWS requires: log archive, management, security, then the members", () => {
    const dependencies = (name: string) => manifest.stacks[name].dependencies;
    expect(dependencies("log-archive")).toEqual([]);
    expect(dependencies("management")).toEqual(["log-archive"]);
    expect(dependencies("security")).toEqual(["management"]);
    for (const stack of config.stacks) {
      expect(dependencies(stack.stackName)).toEqual(["security"]);
      for (const regionStack of stack.regionStacks) expect(dependencies(regionStack.stackName)).toEqual([stack.stackName]);
    }
  });

  test("the example's archive is protected from its first deploy, though no account of it is named prod", () => {
    expect(of("log-archive", "aws_s3_bucket").map((bucket) => [bucket.force_destroy, bucket.lifecycle?.prevent_destroy])).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(of("log-archive", "aws_s3_bucket_object_lock_configuration").map((lock) => lock.object_lock_enabled)).toEqual(["Enabled"]);
  });

  test("each has its own state, and reaches its own account only", () => {
    for (const [name, account] of [["log-archive", organization.logArchive], ["management", organization.management], ["security", organization.security]] as const) {
      expect(stacks[name].terraform.backend.s3.key).toBe(`tap/${name}/terraform.tfstate`);
      for (const provider of stacks[name].provider.aws) {
        expect(provider.allowed_account_ids).toEqual([account.id]);
        expect(provider.assume_role[0].role_arn).toBe(`arn:aws:iam::${account.id}:role/TapDeploy`);
      }
    }
  });

  test("management adopts the organization and its accounts, never deletes them, and leaves the accounts' names, e-mails and tags alone", () => {
    const management = stacks.management;
    const organizationResource = of("management", "aws_organizations_organization")[0];
    expect(organizationResource).toMatchObject({ feature_set: "ALL", enabled_policy_types: ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"], lifecycle: { prevent_destroy: true } });
    expect(management.import.map((block: any) => block.id).sort()).toEqual([organization.id, ...organization.units.flatMap((unit) => unit.accounts.map((account) => account.id))].sort());
    const accounts = of("management", "aws_organizations_account");
    expect(accounts).toHaveLength(8);
    for (const account of accounts) {
      expect(account.provider).toBe("aws.untagged");
      expect(account.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["name", "email", "role_name", "iam_user_access_to_billing", "tags", "tags_all"] });
      expect(account.parent_id).toMatch(/^\$\{aws_organizations_organizational_unit\./);
    }
    expect(management.provider.aws.find((provider: any) => provider.alias === "untagged").default_tags).toBeUndefined();
    // The organization trail waits for trusted access; it writes to the archive with the archive's key.
    const trail = of("management", "aws_cloudtrail")[0];
    expect(trail.depends_on).toContain(`aws_organizations_organization.${Object.keys(management.resource.aws_organizations_organization)[0]}`);
    expect(trail).toMatchObject({ is_organization_trail: true, s3_bucket_name: "acme-org-cloudtrail-100000000003", kms_key_id: "${data.terraform_remote_state.log_archive_stack.outputs.archive_key_arn}" });
    expect(of("management", "aws_s3_bucket")).toEqual([]);
    // The SCPs on the root; the log archive's RCP on the log-archive account, once the organization has RCPs enabled.
    const attachments = of("management", "aws_organizations_policy_attachment");
    expect(attachments.filter((attachment) => !attachment.policy_id.includes("resource-policy")).every((attachment) => attachment.target_id.includes(".roots[0].id"))).toBe(true);
    const rcpAttachments = attachments.filter((attachment) => attachment.policy_id.includes("resource-policy"));
    expect(rcpAttachments.map((attachment) => attachment.target_id)).toEqual(["100000000003"]);
    expect(rcpAttachments[0].depends_on).toEqual([expect.stringMatching(/^aws_organizations_organization\./)]);
  });

  test("management turns on centralized root access after the organization trusts IAM", () => {
    const organizationResource = of("management", "aws_organizations_organization")[0];
    expect(organizationResource.aws_service_access_principals).toContain("iam.amazonaws.com");
    const [features] = Object.values<any>(stacks.management.resource.aws_iam_organizations_features);
    expect(features.enabled_features).toEqual(["RootCredentialsManagement", "RootSessions"]);
    expect(features.depends_on).toEqual([`aws_organizations_organization.${Object.keys(stacks.management.resource.aws_organizations_organization)[0]}`]);
  });

  test("security: the aggregated HIGH and CRITICAL findings go to an encrypted topic of the security account, in the home Region", () => {
    const [rule] = of("security", "aws_cloudwatch_event_rule");
    expect(rule.provider).toBe("aws.eu-west-1");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.securityhub"],
      "detail-type": ["Security Hub Findings - Imported"],
      detail: { findings: { Severity: { Label: ["CRITICAL", "HIGH"] }, Workflow: { Status: ["NEW"] }, RecordState: ["ACTIVE"] } },
    });
    const [topicName] = Object.keys(stacks.security.resource.aws_sns_topic);
    expect(of("security", "aws_cloudwatch_event_target")).toEqual([expect.objectContaining({ arn: `\${aws_sns_topic.${topicName}.arn}` })]);
    expect(of("security", "aws_sns_topic")[0]).toMatchObject({ name: "acme-org-security-findings", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\./) });
    expect(of("security", "aws_kms_key")[0]).toMatchObject({ enable_key_rotation: true });
    expect(of("management", "aws_cloudwatch_event_rule")).toEqual([]);
  });

  test("the management key serves the trail's log group and alarms only; the archive key serves the organization trail", () => {
    const managementKeyPolicy = Object.values<any>(stacks.management.data.aws_iam_policy_document).find((document) => document.statement.some((s: any) => s.sid === "CloudWatchLogsForTheTrailLogGroup"));
    expect(managementKeyPolicy.statement.map((statement: any) => statement.sid)).not.toContain("CloudTrailEncryptsThisTrail");
    const archiveKeyPolicy = Object.values<any>(stacks["log-archive"].data.aws_iam_policy_document).find((document) => document.statement.some((s: any) => s.sid === "OrganizationTrailEncrypts"));
    // The trail the archive names, written out: the management account's acme-org-trail in the home Region.
    const trailArn = "arn:${data.aws_partition.partition.partition}:cloudtrail:eu-west-1:100000000001:trail/acme-org-trail";
    expect(archiveKeyPolicy.statement.find((s: any) => s.sid === "OrganizationTrailEncrypts").condition).toEqual(
      expect.arrayContaining([{ test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] }]),
    );
    expect(archiveKeyPolicy.statement.find((s: any) => s.sid === "OrganizationConfigEncrypts").condition).toEqual([{ test: "StringEquals", variable: "aws:SourceOrgID", values: [organization.id] }]);
    // The trail the archive names is the trail management creates.
    expect(trailArn).toMatch(new RegExp(`:trail/${of("management", "aws_cloudtrail")[0].name}$`));
  });

  test("security: Security Hub's central configuration after the aggregator, its CIS policy after that, on the management stack's targets", () => {
    const [central] = Object.entries<any>(stacks.security.resource.aws_securityhub_organization_configuration);
    expect(central[1].depends_on).toEqual([`aws_securityhub_finding_aggregator.${Object.keys(stacks.security.resource.aws_securityhub_finding_aggregator)[0]}`]);
    const policy = of("security", "aws_securityhub_configuration_policy")[0];
    expect(policy.depends_on).toEqual([`aws_securityhub_organization_configuration.${central[0]}`]);
    expect(of("security", "aws_securityhub_configuration_policy_association")[0].target_id).toBe("${element(data.terraform_remote_state.management_stack.outputs.guardrail_target_ids, 0)}");
    expect(of("security", "aws_securityhub_finding_aggregator")[0]).toMatchObject({ linking_mode: "SPECIFIED_REGIONS", specified_regions: ["eu-central-1"] });
    // The designation switches Security Hub on in the administrator's home region: creating it here would fail.
    expect(of("security", "aws_securityhub_account")).toEqual([]);
  });

  test("security: the aggregator's role trusts AWS Config as AWS documents that role, with no aws:SourceAccount it may not send, and says why", () => {
    const role = of("security", "aws_iam_role").find((r) => String(r.name).endsWith("-config-aggregator"));
    const trustId = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(role.assume_role_policy)![1];
    const trust = stacks.security.data.aws_iam_policy_document[trustId];
    expect(trust.statement).toEqual([{ sid: "TrustService", effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }] }]);
    // Synth ran the rule pack: IAM.TrustNamesServicePrincipal holds AWS Config to aws:SourceAccount elsewhere, and is suppressed here with the reason.
  });

  test("security: the policy enables the top level's securityHubStandards, FSBP and CIS v5.0.0 by default, in the home region's ARNs", () => {
    expect(of("security", "aws_securityhub_configuration_policy")[0].configuration_policy.enabled_standard_arns).toEqual([
      "arn:${data.aws_partition.partition.partition}:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
      "arn:${data.aws_partition.partition.partition}:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
    ]);
    const kept = synthAll(loadConfig({ TAP_SECURITY_HUB_STANDARDS: "fsbp,cis-v5,cis-v3" }, { file: EXAMPLE })).stacks;
    expect(Object.values<any>(kept.security.resource.aws_securityhub_configuration_policy)[0].configuration_policy.enabled_standard_arns.map((arn: string) => arn.split("::")[1])).toEqual([
      "standards/aws-foundational-security-best-practices/v/1.0.0",
      "standards/cis-aws-foundations-benchmark/v/5.0.0",
      "standards/cis-aws-foundations-benchmark/v/3.0.0",
    ]);
  });

  test("security: GuardDuty in every allowed Region switched on for ALL members, the existing ones too, not only NEW ones", () => {
    const configurations = of("security", "aws_guardduty_organization_configuration");
    expect(configurations.map((configuration) => configuration.provider).sort()).toEqual(["aws.eu-central-1", "aws.eu-west-1"]);
    for (const configuration of configurations) expect(configuration.auto_enable_organization_members).toBe("ALL");
  });

  test("security: every protection plan on the administrator's detectors and auto-enabled for ALL members, in every allowed Region (FSBP GuardDuty.5-13)", () => {
    const byRegion = (type: string, status: string) => {
      const found: Record<string, string[]> = {};
      for (const feature of of("security", type)) {
        const agents = (feature.additional_configuration ?? []).map((agent: any) => `${agent.name}=${agent[status]}`);
        (found[feature.provider] ??= []).push([feature.name, feature[status], ...agents].join(" "));
        if (type.includes("organization")) expect(feature.depends_on).toEqual([expect.stringMatching(/^aws_guardduty_organization_configuration\./)]);
      }
      return Object.fromEntries(Object.entries(found).map(([region, features]) => [region, features.sort()]));
    };
    const expected = (on: string) => [
      `EBS_MALWARE_PROTECTION ${on}`,
      `EKS_AUDIT_LOGS ${on}`,
      `LAMBDA_NETWORK_LOGS ${on}`,
      `RDS_LOGIN_EVENTS ${on}`,
      `RUNTIME_MONITORING ${on} EKS_ADDON_MANAGEMENT=${on} ECS_FARGATE_AGENT_MANAGEMENT=${on} EC2_AGENT_MANAGEMENT=${on}`,
      `S3_DATA_EVENTS ${on}`,
    ];
    expect(byRegion("aws_guardduty_detector_feature", "status")).toEqual({ "aws.eu-central-1": expected("ENABLED"), "aws.eu-west-1": expected("ENABLED") });
    expect(byRegion("aws_guardduty_organization_configuration_feature", "auto_enable")).toEqual({ "aws.eu-central-1": expected("ALL"), "aws.eu-west-1": expected("ALL") });
    // Members leave GuardDuty, its plans with it, to the organization.
    for (const stack of config.stacks) expect(of(stack.stackName, "aws_guardduty_detector_feature")).toEqual([]);
  });

  test("security: by default each Region's detector is the one delegation enabled, found at plan and imported, never a second one created", () => {
    const detectors = stacks.security.resource.aws_guardduty_detector;
    const lookups = stacks.security.data.aws_guardduty_detector;
    expect(Object.values<any>(lookups).map((lookup) => lookup.provider).sort()).toEqual(["aws.eu-central-1", "aws.eu-west-1"]);
    const imports = stacks.security.import.filter((block: any) => block.to.startsWith("aws_guardduty_detector."));
    expect(imports.map((block: any) => [block.to.split(".")[1], block.provider, block.id.replace(/\.id\}$/, "}")]).sort()).toEqual(
      Object.entries<any>(detectors)
        .map(([name, detector]) => {
          const lookup = Object.entries<any>(lookups).find(([, found]) => found.provider === detector.provider)![0];
          return [name, detector.provider, `\${data.aws_guardduty_detector.${lookup}}`];
        })
        .sort(),
    );
  });

  test("security: a plan that finds no detector to adopt says what to set for that Region; other failures get no hint", () => {
    const lookup = Object.keys(stacks.security.data.aws_guardduty_detector).find((name) => name.includes("eu-central-1"))!;
    // Terraform's error as the provider words it (internal/service/guardduty/detector_data_source.go).
    const output = `Error: reading this account's single GuardDuty Detector: empty result\n\n  with data.aws_guardduty_detector.${lookup},\n  on cdk.tf.json line 120, in data.aws_guardduty_detector.${lookup}:`;
    const review = reviewPlan("security", 1, undefined, stacks.security, undefined, output);
    expect(review.error).toContain(output);
    expect(review.error).toContain('set organization.securityServices "guardDuty/eu-central-1" to create, or to external');
    expect(planFailureHints("Error: creating GuardDuty Detector: BadRequestException: a detector already exists")).toEqual([]);
  });

  test("members: no trail, detector, hub or analyzer of their own; AWS Config delivers to the archive", () => {
    for (const stack of config.stacks) {
      for (const type of ["aws_cloudtrail", "aws_guardduty_detector", "aws_securityhub_account", "aws_accessanalyzer_analyzer"]) expect({ stack: stack.stackName, type, count: of(stack.stackName, type).length }).toEqual({ stack: stack.stackName, type, count: 0 });
      expect(of(stack.stackName, "aws_config_delivery_channel").map((channel) => channel.s3_bucket_name)).toEqual(stack.regions.map(() => "acme-org-cloudtrail-100000000003"));
      for (const regionStack of stack.regionStacks) {
        expect(stacks[regionStack.stackName].data?.terraform_remote_state).toBeUndefined();
        expect(of(regionStack.stackName, "aws_config_delivery_channel").map((channel) => channel.s3_bucket_name)).toEqual(["acme-org-cloudtrail-100000000003"]);
      }
    }
  });
});

describe("the organization's stacks with the security account's services chosen per Region", () => {
  const json = JSON.parse(readFileSync(EXAMPLE, "utf8"));
  delete json.$schema;
  json.organization.securityServices = { guardDuty: "create", "guardDuty/eu-central-1": "external", securityHub: "external" };
  const file = join(mkdtempSync(join(tmpdir(), "tap-org-services-")), "tap.config.json");
  writeFileSync(file, JSON.stringify(json));
  const chosen = synthAll(loadConfig({}, { file })).stacks.security;
  const types = (prefix: string) => Object.keys(chosen.resource).filter((type) => type.startsWith(prefix));

  test("create: a detector and no lookup or import; external: no detector, organization configuration or plan in that Region", () => {
    for (const type of types("aws_guardduty_")) {
      expect({ type, providers: Object.values<any>(chosen.resource[type]).map((resource) => resource.provider).filter((provider, index, all) => all.indexOf(provider) === index) }).toEqual({ type, providers: ["aws.eu-west-1"] });
    }
    expect(chosen.data.aws_guardduty_detector).toBeUndefined();
    expect((chosen.import ?? []).filter((block: any) => block.to.startsWith("aws_guardduty_"))).toEqual([]);
    expect(Object.keys(chosen.output.guardduty_detector_ids.value)).toEqual(["eu-west-1"]);
  });

  test("Security Hub external: none of its organization configuration, and no policy output", () => {
    expect(types("aws_securityhub_")).toEqual([]);
    expect(chosen.output.securityhub_policy_id).toBeUndefined();
  });
});

describe("every account of the organization is baselined", () => {
  // Written out from examples/organization.tap.config.json: its nine accounts, and its guarded
  // regions (no allowedRegions: the regions its accounts use), the home region first.
  const ACCOUNTS = ["100000000001", "100000000002", "100000000003", "200000000001", "200000000002", "200000000003", "300000000001", "300000000002", "300000000003"];
  const REGIONS = ["eu-west-1", "eu-central-1"];
  const ARCHIVE = "acme-org-cloudtrail-100000000003";

  /** Each synthesized resource of `type` with the account and region its provider acts in. */
  function placed(type: string): { stack: string; account: string; region: string; body: any; key: string }[] {
    return Object.entries(stacks).flatMap(([stack, json]) =>
      Object.entries<any>(json.resource?.[type] ?? {}).map(([key, body]) => {
        const alias = /^aws\.(.+)$/.exec(body.provider ?? "")?.[1];
        const provider = (json.provider?.aws ?? []).find((candidate: any) => candidate.alias === alias);
        return { stack, account: provider?.allowed_account_ids?.[0], region: provider?.region, body, key };
      }),
    );
  }
  const everywhere = (accounts: readonly string[]) => accounts.flatMap((account) => REGIONS.map((region) => `${account} ${region}`)).sort();
  const where = (found: { account: string; region: string }[]) => found.map(({ account, region }) => `${account} ${region}`).sort();

  test("every account, the management, security and log-archive accounts too, records with AWS Config in every guarded region, delivering to the archive", () => {
    const recording = placed("aws_config_configuration_recorder_status").filter(({ body }) => body.is_enabled === true);
    expect(where(recording)).toEqual(everywhere(ACCOUNTS));
    const channels = placed("aws_config_delivery_channel");
    expect(where(channels)).toEqual(everywhere(ACCOUNTS));
    for (const { body } of channels) expect(body).toMatchObject({ s3_bucket_name: ARCHIVE, s3_key_prefix: "config" });
    // Each records every supported type, IAM's global ones in the home region only (once per account).
    const recorders = placed("aws_config_configuration_recorder");
    expect(where(recorders)).toEqual(everywhere(ACCOUNTS));
    for (const { body } of recorders) expect(body.recording_group.all_supported).toBe(true);
    expect(where(recorders.filter(({ body }) => body.recording_group.include_global_resource_types))).toEqual(ACCOUNTS.map((account) => `${account} eu-west-1`).sort());
  });

  test("AWSServiceRoleForConfig: created where the stack deploys before trusted access makes it (log archive) or outside the members (management); adopted in the security account and the members", () => {
    const imported = (name: string) => (stacks[name].import ?? []).filter((block: any) => block.to.startsWith("aws_iam_service_linked_role.")).length;
    expect(["log-archive", "management", "security"].map((name) => [name, imported(name), Object.keys(stacks[name].resource.aws_iam_service_linked_role ?? {}).length])).toEqual([
      ["log-archive", 0, 1],
      ["management", 0, 1],
      ["security", 1, 1],
    ]);
  });

  test("the management, security and log-archive accounts get the members' account and regional guardrails", () => {
    const roleAccounts = ["100000000001", "100000000002", "100000000003"];
    const inRoleAccounts = (type: string) => where(placed(type).filter(({ account }) => roleAccounts.includes(account)));
    for (const type of ["aws_ebs_encryption_by_default", "aws_ebs_snapshot_block_public_access", "aws_ec2_image_block_public_access", "aws_default_security_group"]) {
      expect({ type, found: inRoleAccounts(type) }).toEqual({ type, found: everywhere(roleAccounts) });
    }
    for (const type of ["aws_s3_account_public_access_block", "aws_iam_account_password_policy", "aws_account_alternate_contact", "aws_iam_service_linked_role"]) {
      expect({ type, found: inRoleAccounts(type) }).toEqual({ type, found: roleAccounts.map((account) => `${account} eu-west-1`) });
    }
    for (const { body } of placed("aws_iam_account_password_policy")) expect(body).toMatchObject({ minimum_password_length: 14, require_symbols: true });
    // An account analyzer where the organization's is not: the security account holds the organization's (type ORGANIZATION).
    const analyzers = placed("aws_accessanalyzer_analyzer").filter(({ account }) => roleAccounts.includes(account));
    expect(where(analyzers.filter(({ body }) => body.type === "ACCOUNT"))).toEqual(everywhere(["100000000001", "100000000003"]));
    expect(where(analyzers.filter(({ body }) => body.type === "ORGANIZATION"))).toEqual(everywhere(["100000000002"]));
    // GuardDuty in the security account is the organization's administrator's: one detector per region, no second.
    expect(where(placed("aws_guardduty_detector").filter(({ account }) => roleAccounts.includes(account)))).toEqual(everywhere(["100000000002"]));
    expect(inRoleAccounts("aws_securityhub_account")).toEqual([]);
  });
});

describe("the organization's stacks with centralized root access off", () => {
  const json = JSON.parse(readFileSync(EXAMPLE, "utf8"));
  delete json.$schema;
  json.organization.centralizeRootAccess = false;
  const file = join(mkdtempSync(join(tmpdir(), "tap-org-root-")), "tap.config.json");
  writeFileSync(file, JSON.stringify(json));
  const off = synthAll(loadConfig({}, { file })).stacks;

  test("management neither turns the feature on nor trusts IAM for it", () => {
    expect(off.management.resource.aws_iam_organizations_features).toBeUndefined();
    expect(Object.values<any>(off.management.resource.aws_organizations_organization)[0].aws_service_access_principals).not.toContain("iam.amazonaws.com");
  });
});

describe("the organization's stacks with two guardrail targets", () => {
  // The example guards the root only; here two organizational units, so a stack that attached the
  // policies to its first target only would leave Development unguarded.
  const json = JSON.parse(readFileSync(EXAMPLE, "utf8"));
  delete json.$schema;
  json.organization.guardrailTargets = ["Production", "Development"];
  const file = join(mkdtempSync(join(tmpdir(), "tap-org-targets-")), "tap.config.json");
  writeFileSync(file, JSON.stringify(json, null, 2));
  const two = synthAll(loadConfig({}, { file })).stacks;
  const unitId = (name: string) => {
    const [key] = Object.entries<any>(two.management.resource.aws_organizations_organizational_unit).find(([, unit]) => unit.name === name)!;
    return `\${aws_organizations_organizational_unit.${key}.id}`;
  };

  test("every guardrail policy is attached to Production and to Development", () => {
    const ofType = (type: string) =>
      Object.entries<any>(two.management.resource.aws_organizations_policy)
        .filter(([, policy]) => policy.type === type)
        .map(([key]) => `\${aws_organizations_policy.${key}.id}`);
    const policies = ofType("SERVICE_CONTROL_POLICY");
    expect(policies.length).toBeGreaterThanOrEqual(1);
    const attached = Object.values<any>(two.management.resource.aws_organizations_policy_attachment).map((attachment) => `${attachment.target_id} ${attachment.policy_id}`).sort();
    // The SCPs on both units; the log archive's RCP on the log-archive account only.
    const logArchive = json.organization.logArchiveAccount.id;
    expect(attached).toEqual([...[unitId("Production"), unitId("Development")].flatMap((target) => policies.map((policy) => `${target} ${policy}`)), ...ofType("RESOURCE_CONTROL_POLICY").map((policy) => `${logArchive} ${policy}`)].sort());
    expect(two.management.output.guardrail_target_ids.value).toEqual([unitId("Production"), unitId("Development")]);
  });

  test("Security Hub's configuration policy reaches both targets", () => {
    expect(Object.values<any>(two.security.resource.aws_securityhub_configuration_policy_association).map((association) => association.target_id)).toEqual([
      "${element(data.terraform_remote_state.management_stack.outputs.guardrail_target_ids, 0)}",
      "${element(data.terraform_remote_state.management_stack.outputs.guardrail_target_ids, 1)}",
    ]);
  });
});

describe("LogArchive", () => {
  const props: Omit<LogArchiveProps, "provider"> = {
    naming: { project: "acme", environment: "org", region: "eu-west-1" },
    accountId: "100000000003",
    partition: "aws",
    organizationId: "o-a1b2c3d4e5",
    trailArn: "arn:aws:cloudtrail:eu-west-1:100000000001:trail/acme-org-trail",
    managementAccountId: "100000000001",
  };
  const synth = (extra: Partial<LogArchiveProps> = {}) => synthConstruct("eu-west-1", (scope, provider) => new LogArchive(scope, "archive", { ...props, ...extra, provider }));

  test("by default the archive is locked against deletion for a year, switched on in place, and kept on destroy", () => {
    const locked = synth();
    const lock = resourcesOf(locked, "aws_s3_bucket_object_lock_configuration").map(([, body]) => body);
    expect(lock.map((body) => [body.object_lock_enabled, body.rule.default_retention])).toEqual([["Enabled", { mode: "GOVERNANCE", days: 365 }]]);
    const buckets = resourcesOf(locked, "aws_s3_bucket").map(([, body]) => body);
    const archive = buckets.find((bucket) => bucket.bucket === "acme-org-cloudtrail-100000000003");
    expect(archive).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    // Not on the bucket: object_lock_enabled there forces a new bucket, replacing an archive that gains protection later.
    expect(archive).not.toHaveProperty("object_lock_enabled");
    expect(buckets.every((bucket) => bucket.force_destroy === false && bucket.lifecycle?.prevent_destroy === true)).toBe(true);
    expect(resourcesOf(locked, "aws_kms_key").map(([, body]) => body.lifecycle)).toEqual([{ prevent_destroy: true }]);
  });

  test("a disposable archive (protect false) has no Object Lock, no prevent_destroy, and is emptied on destroy", () => {
    const disposable = synth({ protect: false });
    expect(resourcesOf(disposable, "aws_s3_bucket_object_lock_configuration")).toEqual([]);
    expect(resourcesOf(disposable, "aws_s3_bucket").map(([, body]) => [body.force_destroy, body.lifecycle])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
  });

  test("log files move to Standard-IA at 90 days and Glacier Instant Retrieval at 180, and expire with the retention", () => {
    const lifecycle = resourcesOf(synth(), "aws_s3_bucket_lifecycle_configuration").map(([, body]) => body.rule).find((rules) => rules.some((rule: any) => rule.transition));
    expect(lifecycle.find((rule: any) => rule.id === "transition-objects").transition).toEqual([
      { days: 90, storage_class: "STANDARD_IA" },
      { days: 180, storage_class: "GLACIER_IR" },
    ]);
    expect(lifecycle.find((rule: any) => rule.id === "expire-objects").expiration).toEqual([{ days: 365 }]);
  });

  test("refuses what would break it, naming the prop and value", () => {
    expect(() => synth({ organizationId: "org-1", accountId: "100000000001" })).toThrow(/'organizationId' "org-1" is not an organization id.*'accountId' "100000000001" is the management account/);
  });
});

describe("AuditTrail as the organization trail", () => {
  test("needs either its own access-logged bucket or the organization's archive, not both", () => {
    const build = (extra: object) => () =>
      Testing.synthScope((scope) => {
        const provider = new (require("@cdktf/provider-aws/lib/provider").AwsProvider)(scope, "aws", { region: "eu-west-1" });
        new AuditTrail(scope, "trail", { provider, naming: { project: "acme", environment: "org", region: "eu-west-1" }, accountId: "100000000001", partition: "aws", ...extra });
      });
    expect(build({})).toThrow(/'accessLogs' is required: the trail bucket's access logs must go somewhere \(CIS 3\.4\), unless 'organizationArchive' holds the logs/);
    const archive = { bucketName: "acme-org-cloudtrail-100000000003", keyArn: "arn:aws:kms:eu-west-1:100000000003:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d" };
    expect(build({ organizationArchive: archive, accessLogs: { grantServerAccessLogs: () => ({ targetBucket: "x", targetPrefix: "y" }) } })).toThrow(/'accessLogs' has no effect with 'organizationArchive'/);
  });
});

describe("a Control Tower-shaped organization (#26 item 5)", () => {
  // Control Tower made the Security unit and runs the organization trail and every enrolled
  // account's AWS Config; Development exists too and stays its owner's, guarded by tap.
  const json = JSON.parse(readFileSync(EXAMPLE, "utf8"));
  delete json.$schema;
  json.organization.organizationalUnits[0].mode = "adopt";
  json.organization.organizationalUnits[2].mode = "external";
  json.organization.guardrailTargets = ["root", "Development"];
  json.organization.trail = "external";
  json.fleet.accounts[0].singletons = { awsConfig: "external" };
  const file = join(mkdtempSync(join(tmpdir(), "tap-org-ct-")), "tap.config.json");
  writeFileSync(file, JSON.stringify(json));
  const ctConfig = loadConfig({}, { file });
  const shaped = synthAll(ctConfig).stacks;
  const management = shaped.management;
  const resources = (type: string): [string, any][] => Object.entries<any>(management.resource[type] ?? {});
  const [[unitsKey, unitsLookup]] = Object.entries<any>(management.data.aws_organizations_organizational_units);
  const [[organizationKey]] = Object.entries<any>(management.data.aws_organizations_organization);
  const idOf = (name: string) => `\${lookup(zipmap(data.aws_organizations_organizational_units.${unitsKey}.children[*].name, data.aws_organizations_organizational_units.${unitsKey}.children[*].id), "${name}", "")}`;

  test("the existing Security unit is found by name under the root at plan, imported and never deleted", () => {
    expect(unitsLookup.parent_id).toBe(`\${data.aws_organizations_organization.${organizationKey}.roots[0].id}`);
    const [[securityKey, security]] = resources("aws_organizations_organizational_unit").filter(([, unit]) => unit.name === "Security");
    expect(security.lifecycle).toEqual({ prevent_destroy: true });
    expect(management.import.filter((block: any) => block.to.startsWith("aws_organizations_organizational_unit."))).toEqual([
      { to: `aws_organizations_organizational_unit.${securityKey}`, id: idOf("Security"), provider: "aws.eu-west-1" },
    ]);
    // Created units are still created, and may be deleted with the stack.
    const [[, production]] = resources("aws_organizations_organizational_unit").filter(([, unit]) => unit.name === "Production");
    expect(production.lifecycle).toBeUndefined();
  });

  test("the external Development unit is only read: its accounts are moved into it and the guardrails attached to it", () => {
    expect(resources("aws_organizations_organizational_unit").map(([, unit]) => unit.name).sort()).toEqual(["Production", "Security"]);
    const development = ctConfig.organization!.units.find((unit) => unit.name === "Development")!;
    const parents = resources("aws_organizations_account").filter(([, account]) => development.accounts.some((member) => member.email === account.email)).map(([, account]) => account.parent_id);
    expect(parents).toEqual(["dev-payments", "dev-web", "sandbox"].map(() => idOf("Development")));
    const targets = new Set(resources("aws_organizations_policy_attachment").map(([, attachment]) => attachment.target_id));
    // The SCPs on the root and the external unit; the log archive's RCP on its account (100000000003).
    expect(targets).toEqual(new Set([`\${aws_organizations_organization.${resources("aws_organizations_organization")[0][0]}.roots[0].id}`, idOf("Development"), "100000000003"]));
  });

  test("a unit to adopt or use that does not exist fails the plan, naming the unit and what to set", () => {
    expect(unitsLookup.lifecycle.postcondition).toEqual([
      {
        condition: '${contains(self.children[*].name, "Security")}',
        error_message:
          'Organizational unit "Security" is to be adopted (mode adopt), but the root has no unit of that name (it has: ${join(", ", self.children[*].name)}). Create it first, correct the name, or set the unit\'s mode to create so that tap creates it.',
      },
      {
        condition: '${contains(self.children[*].name, "Development")}',
        error_message:
          'Organizational unit "Development" is to be used as it is (mode external), but the root has no unit of that name (it has: ${join(", ", self.children[*].name)}). Create it first, correct the name, or set the unit\'s mode to create so that tap creates it.',
      },
    ]);
  });

  test("an external trail: no organization trail, no CIS alarms and no read of the archive's state; the summary says so", () => {
    for (const type of ["aws_cloudtrail", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_log_group", "aws_sns_topic"]) expect({ type, count: resources(type).length }).toEqual({ type, count: 0 });
    expect(management.data.terraform_remote_state).toBeUndefined();
    expect(Object.keys(management.output).sort()).toEqual(["guardrail_policy_ids", "guardrail_resource_policy_ids", "guardrail_target_ids", "root_id"]);
    const summary = describeStacks(ctConfig).join("\n");
    expect(summary).toContain("3 units (1 adopted: Security; 1 external, used as they are: Development)");
    expect(summary).toContain("no organization trail (organization.trail external: the existing one, such as Control Tower's, records every account; no CIS alarms here)");
  });

  test("a member whose AWS Config Control Tower runs (singletons awsConfig external) records nothing of its own, and says why", () => {
    const member = ctConfig.stacks[0];
    expect(member.singletons.awsConfig).toBe("external");
    for (const type of ["aws_config_configuration_recorder", "aws_config_delivery_channel", "aws_config_configuration_recorder_status"]) {
      expect({ type, count: Object.keys(shaped[member.stackName].resource[type] ?? {}).length }).toEqual({ type, count: 0 });
    }
    expect(member.acceptedRisks.find((risk) => risk.ruleId === "Config.Recorder")).toMatchObject({ reason: "the AWS Config recorder and delivery channel (they keep their names and deliver to tap's trail bucket) is managed outside this deployment" });
    // The other members still record, to the archive.
    const other = ctConfig.stacks[1];
    expect(Object.values<any>(shaped[other.stackName].resource.aws_config_delivery_channel).map((channel) => channel.s3_bucket_name)).toEqual(other.regions.map(() => "acme-org-cloudtrail-100000000003"));
  });
});

describe("the organization's plan-time checks (c, d)", () => {
  const management = stacks.management;
  const [[organizationKey]] = Object.entries<any>(management.data.aws_organizations_organization);

  test("an organization without all features is refused at plan, with what to do", () => {
    const [resource] = Object.values<any>(management.resource.aws_organizations_organization);
    expect(resource.lifecycle.precondition).toEqual([
      {
        condition: `\${data.aws_organizations_organization.${organizationKey}.feature_set == "ALL"}`,
        error_message: `Organization ${organization.id} has only consolidated billing (feature set \${data.aws_organizations_organization.${organizationKey}.feature_set}); tap needs all features for trusted access, delegated administrators and SCPs. Enable them from the management account (aws organizations enable-all-features; every member account accepts the handshake), then deploy again.`,
      },
    ]);
    // Only units to adopt or use are looked up.
    expect(management.data.aws_organizations_organizational_units).toBeUndefined();
  });

  test("trusted access includes GuardDuty's malware-protection principal, which designating its administrator in the console enables", () => {
    const [resource] = Object.values<any>(management.resource.aws_organizations_organization);
    expect(resource.aws_service_access_principals).toEqual([
      "access-analyzer.amazonaws.com",
      "account.amazonaws.com",
      "cloudtrail.amazonaws.com",
      "config-multiaccountsetup.amazonaws.com",
      "config.amazonaws.com",
      "guardduty.amazonaws.com",
      "iam.amazonaws.com",
      "malware-protection.guardduty.amazonaws.com",
      "securityhub.amazonaws.com",
    ]);
  });
});
