import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { EbsEncryptionByDefault } from "@cdktf/provider-aws/lib/ebs-encryption-by-default";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { GuarddutyOrganizationConfiguration } from "@cdktf/provider-aws/lib/guardduty-organization-configuration";
import { GuarddutyOrganizationConfigurationFeature } from "@cdktf/provider-aws/lib/guardduty-organization-configuration-feature";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { AccountAlternateContact } from "@cdktf/provider-aws/lib/account-alternate-contact";
import { DataAwsVpcs } from "@cdktf/provider-aws/lib/data-aws-vpcs";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EbsSnapshotBlockPublicAccess } from "@cdktf/provider-aws/lib/ebs-snapshot-block-public-access";
import { Ec2ImageBlockPublicAccess } from "@cdktf/provider-aws/lib/ec2-image-block-public-access";
import { SsmServiceSetting } from "@cdktf/provider-aws/lib/ssm-service-setting";
import { TerraformIterator } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { GUARDRAIL_RULES } from "../../src/guardrails/guardrail-rules";
import { BrokenExamples, describeBrokenExamples, audit, vpc } from "../compliance/rule-harness";

/** The default VPC's default security group as a region locks it down, with `overrides` on the group. */
function defaultVpcGroup(scope: Construct, provider: AwsProvider, overrides: { filter?: { name: string; values: string[] }[]; ingress?: any[]; egress?: any[] } = {}) {
  const vpcs = new DataAwsVpcs(scope, "default-vpcs", { provider, filter: overrides.filter ?? [{ name: "is-default", values: ["true"] }] });
  const each = TerraformIterator.fromList(vpcs.ids);
  return new DefaultSecurityGroup(scope, "default-vpc-sg", { provider, forEach: each, vpcId: each.value, ingress: overrides.ingress ?? [], egress: overrides.egress ?? [], tags: { Name: "d" } });
}
/** Every protection plan's feature, written from the GuardDuty API reference (DetectorFeatureConfiguration). */
const PLAN_FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"];
const RUNTIME_AGENTS = ["EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"];

/** A detector with every plan's feature, `off` (a feature name, or an agent configuration) DISABLED. */
function protectedDetector(scope: Construct, provider: AwsProvider, off: string[] = []) {
  const detector = new GuarddutyDetector(scope, "detector", { provider, enable: true, tags: { Name: "g" } });
  for (const name of PLAN_FEATURES) {
    const agents = name === "RUNTIME_MONITORING" ? RUNTIME_AGENTS.map((agent) => ({ name: agent, status: off.includes(agent) ? "DISABLED" : "ENABLED" })) : undefined;
    new GuarddutyDetectorFeature(scope, name, { provider, detectorId: detector.id, name, status: off.includes(name) ? "DISABLED" : "ENABLED", additionalConfiguration: agents });
  }
  return detector;
}

const SSM_SETTING = "arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/documents/console/public-sharing-permission";
const AUTOMATION_LOG_SETTING = "arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/automation/customer-script-log-destination";

const BROKEN: BrokenExamples = {
  "S3.AccountPublicAccessBlock": [(s, p) => new S3AccountPublicAccessBlock(s, "account-pab", { provider: p, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false }), "rules"],
  "EC2.EbsEncryptionByDefault": [(s, p) => new EbsEncryptionByDefault(s, "ebs", { provider: p, enabled: false }), "rules/provider aws"],
  "IAM.AccessAnalyzer": [(s, p) => vpc(s, p), "rules/provider aws"],
  "GuardDuty.Enabled": [(s, p) => new GuarddutyDetector(s, "detector", { provider: p, enable: false, tags: { Name: "g" } }), "rules/provider aws"],
  // ECS on Fargate left to manual agents: GuardDuty.12 fails.
  "GuardDuty.ProtectionPlans": [(s, p) => protectedDetector(s, p, ["ECS_FARGATE_AGENT_MANAGEMENT"]), "rules/provider aws"],
  "SecurityHub.CisStandard": [
    (s, p) => {
      const hub = new SecurityhubAccount(s, "hub", { provider: p });
      new SecurityhubStandardsSubscription(s, "fsbp", { provider: p, standardsArn: "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0", dependsOn: [hub] });
    },
    "rules/provider aws",
  ],
  // CIS v5.0.0 alone: no FSBP.
  "SecurityHub.FsbpStandard": [
    (s, p) => {
      const hub = new SecurityhubAccount(s, "hub", { provider: p });
      new SecurityhubStandardsSubscription(s, "cis-v5", { provider: p, standardsArn: "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/5.0.0", dependsOn: [hub] });
    },
    "rules/provider aws",
  ],
  // The home region's recorder leaves out security groups, which EC2.2 and EC2.13 evaluate.
  "Config.RequiredResourceTypes": [
    (s, p) =>
      new ConfigConfigurationRecorder(s, "recorder", {
        provider: p,
        roleArn: "arn:aws:iam::1:role/c",
        recordingGroup: {
          allSupported: false,
          recordingStrategy: [{ useOnly: "EXCLUSION_BY_RESOURCE_TYPES" }],
          exclusionByResourceTypes: [{ resourceTypes: ["AWS::EC2::NetworkInterface", "AWS::EC2::SecurityGroup"] }],
        },
      }),
    "rules/recorder",
  ],
  "Config.Recorder": [(s, p) => new ConfigConfigurationRecorder(s, "recorder", { provider: p, roleArn: "arn:aws:iam::1:role/c", recordingGroup: { allSupported: false, resourceTypes: ["AWS::S3::Bucket"] } }), "rules/provider aws"],
  // Every region records, but none records IAM's global resources.
  "Config.GlobalResources": [
    (s, p) => new ConfigConfigurationRecorder(s, "recorder", { provider: p, roleArn: "arn:aws:iam::1:role/c", recordingGroup: { allSupported: true, includeGlobalResourceTypes: false } }),
    "rules",
  ],
  "Config.ServiceLinkedRole": [
    (s, p) => {
      // The recorder of tap before #15: a role of its own, which Security Hub's Config.1 fails.
      const role = new IamRole(s, "config-role", { provider: p, name: "tap-dev-aws-config", assumeRolePolicy: "{}" });
      new ConfigConfigurationRecorder(s, "recorder", { provider: p, roleArn: role.arn, recordingGroup: { allSupported: true } });
    },
    "rules/recorder",
  ],
  // The default VPC's group allows all egress still (the egress list omitted leaves AWS's rule).
  "EC2.DefaultVpcSecurityGroupClosed": [(s, p) => defaultVpcGroup(s, p, { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }), "rules/provider aws"],
  // Snapshots shared publicly before the block stay public.
  "EC2.SnapshotBlockPublicAccess": [(s, p) => new EbsSnapshotBlockPublicAccess(s, "snapshots", { provider: p, state: "block-new-sharing" }), "rules/provider aws"],
  "EC2.ImageBlockPublicAccess": [(s, p) => new Ec2ImageBlockPublicAccess(s, "images", { provider: p, state: "unblocked" }), "rules/provider aws"],
  "SSM.DocumentPublicSharingBlocked": [(s, p) => new SsmServiceSetting(s, "ssm", { provider: p, settingId: SSM_SETTING, settingValue: "Enable" }), "rules/provider aws"],
  // Automation's script output left with the execution history only.
  "SSM.AutomationLogging": [(s, p) => new SsmServiceSetting(s, "automation-logs", { provider: p, settingId: AUTOMATION_LOG_SETTING, settingValue: "None" }), "rules/provider aws"],
  // A billing contact is no security contact.
  "Account.SecurityContact": [
    (s, p) => new AccountAlternateContact(s, "contact", { provider: p, alternateContactType: "BILLING", name: "n", title: "t", emailAddress: "a@example.com", phoneNumber: "+1 206 555 0100" }),
    "rules",
  ],
  "Account.OneOwnerPerSingleton": [
    (s, p) => {
      new EbsEncryptionByDefault(s, "ebs-a", { provider: p, enabled: true });
      new EbsEncryptionByDefault(s, "ebs-b", { provider: p, enabled: true });
    },
    "rules",
  ],
};

describe("guardrails rules", () => {
  describeBrokenExamples([...GUARDRAIL_RULES], BROKEN);

  const subscribed = (...arns: string[]) => (s: Parameters<typeof vpc>[0], p: Parameters<typeof vpc>[1]) => {
    const hub = new SecurityhubAccount(s, "hub", { provider: p });
    arns.forEach((arn, index) => new SecurityhubStandardsSubscription(s, `standard-${index}`, { provider: p, standardsArn: arn, dependsOn: [hub] }));
  };
  const failed = (report: ReturnType<typeof audit>, ruleId: string) => report.failures.filter((failure) => failure.rule.id === ruleId);

  test("SecurityHub.CisStandard passes with CIS v5.0.0 or v3.0.0 subscribed, SecurityHub.FsbpStandard with FSBP", () => {
    for (const version of ["5.0.0", "3.0.0"]) {
      expect(failed(audit(subscribed(`arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/${version}`)), "SecurityHub.CisStandard")).toEqual([]);
    }
    // CIS v1.2.0 (the ruleset ARN) is not a CIS version tap accepts.
    expect(failed(audit(subscribed("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0")), "SecurityHub.CisStandard")).toHaveLength(1);
    const both = audit(subscribed("arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0", "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/5.0.0"));
    expect([...failed(both, "SecurityHub.FsbpStandard"), ...failed(both, "SecurityHub.CisStandard")]).toEqual([]);
  });

  test("Config.RequiredResourceTypes lets a recorder exclude types no control of tap's resources needs, and IAM's outside the region that records them", () => {
    const recorder = (s: Parameters<typeof vpc>[0], p: Parameters<typeof vpc>[1], id: string, excluded: string[]) =>
      new ConfigConfigurationRecorder(s, id, {
        provider: p,
        roleArn: "arn:aws:iam::1:role/c",
        recordingGroup: { allSupported: false, recordingStrategy: [{ useOnly: "EXCLUSION_BY_RESOURCE_TYPES" }], exclusionByResourceTypes: [{ resourceTypes: excluded }] },
      });
    expect(failed(audit((s, p) => recorder(s, p, "recorder", ["AWS::EC2::NetworkInterface"])), "Config.RequiredResourceTypes")).toEqual([]);
    // The only recorder excludes IAM's types: nobody records them.
    expect(failed(audit((s, p) => recorder(s, p, "recorder", ["AWS::IAM::Role"])), "Config.RequiredResourceTypes")).toHaveLength(1);
    // Another region's recorder records them: this one may leave them out.
    const twoRegions = audit((s, p) => {
      recorder(s, p, "home", ["AWS::EC2::NetworkInterface"]);
      recorder(s, p, "other", ["AWS::IAM::Role", "AWS::IAM::User"]);
    });
    expect(failed(twoRegions, "Config.RequiredResourceTypes")).toEqual([]);
  });

  test("the default VPC's group passes only locked down, iterating over the region's is-default lookup", () => {
    const failures = (build: Parameters<typeof audit>[0]) => audit(build).failures.filter((f) => f.rule.id === "EC2.DefaultVpcSecurityGroupClosed").map((f) => f.detail);
    expect(failures((s, p) => defaultVpcGroup(s, p))).toEqual([]);
    // A lookup of every VPC would lock down workload VPCs' groups too, and is not the default VPC's.
    expect(failures((s, p) => defaultVpcGroup(s, p, { filter: [{ name: "state", values: ["available"] }] }))).toEqual([
      "no aws_default_security_group for the default VPC (for_each over a data.aws_vpcs filtered is-default) in region us-east-1",
    ]);
    expect(failures((s, p) => defaultVpcGroup(s, p, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }] }))).toEqual([
      "rules/default-vpc-sg: ingress and egress must both be explicit empty lists (an omitted list leaves AWS's rules in place)",
    ]);
  });

  test("the public sharing blocks pass with the values tap sets, the SSM setting by its ARN or its short id", () => {
    const failing = (build: Parameters<typeof audit>[0]) => audit(build).failures.filter((f) => ["EC2.SnapshotBlockPublicAccess", "EC2.ImageBlockPublicAccess", "SSM.DocumentPublicSharingBlocked"].includes(f.rule.id)).map((f) => f.rule.id);
    const blocks = (settingId: string) => (s: Construct, p: AwsProvider) => {
      new EbsSnapshotBlockPublicAccess(s, "snapshots", { provider: p, state: "block-all-sharing" });
      new Ec2ImageBlockPublicAccess(s, "images", { provider: p, state: "block-new-sharing" });
      new SsmServiceSetting(s, "ssm", { provider: p, settingId, settingValue: "Disable" });
    };
    expect(failing(blocks(SSM_SETTING))).toEqual([]);
    expect(failing(blocks("/ssm/documents/console/public-sharing-permission"))).toEqual([]);
    // Another SSM setting is not the document sharing block.
    expect(failing(blocks("/ssm/parameter-store/high-throughput-enabled"))).toEqual(["SSM.DocumentPublicSharingBlocked"]);
  });

  test("GuardDuty.ProtectionPlans passes with every plan on, and names each plan off, on the detector and in the organization's auto-enable", () => {
    const details = (build: Parameters<typeof audit>[0]) => audit(build).failures.filter((f) => f.rule.id === "GuardDuty.ProtectionPlans").map((f) => f.detail);
    expect(details((s, p) => protectedDetector(s, p))).toEqual([]);
    expect(details((s, p) => protectedDetector(s, p, ["S3_DATA_EVENTS", "EC2_AGENT_MANAGEMENT"]))).toEqual([
      "S3_DATA_EVENTS is DISABLED; RUNTIME_MONITORING EC2_AGENT_MANAGEMENT is DISABLED in region us-east-1",
    ]);
    // A detector without features leaves the plans to GuardDuty's defaults.
    expect(details((s, p) => new GuarddutyDetector(s, "detector", { provider: p, enable: true, tags: { Name: "g" } }))).toEqual([
      "no aws_guardduty_detector_feature S3_DATA_EVENTS; no aws_guardduty_detector_feature EKS_AUDIT_LOGS; no aws_guardduty_detector_feature EBS_MALWARE_PROTECTION; no aws_guardduty_detector_feature RDS_LOGIN_EVENTS; no aws_guardduty_detector_feature LAMBDA_NETWORK_LOGS; no aws_guardduty_detector_feature RUNTIME_MONITORING in region us-east-1",
    ]);
    // A delegated administrator auto-enables every plan for its members (ALL), or the members go without.
    const administrator = (autoEnable: (name: string) => string) => (s: Construct, p: AwsProvider) => {
      const detector = protectedDetector(s, p);
      const organization = new GuarddutyOrganizationConfiguration(s, "organization", { provider: p, detectorId: detector.id, autoEnableOrganizationMembers: "ALL" });
      for (const name of PLAN_FEATURES) {
        const agents = name === "RUNTIME_MONITORING" ? RUNTIME_AGENTS.map((agent) => ({ name: agent, autoEnable: autoEnable(agent) })) : undefined;
        new GuarddutyOrganizationConfigurationFeature(s, `organization-${name}`, { provider: p, detectorId: detector.id, name, autoEnable: autoEnable(name), additionalConfiguration: agents, dependsOn: [organization] });
      }
    };
    expect(details(administrator(() => "ALL"))).toEqual([]);
    // NEW leaves the existing members without the plan.
    expect(details(administrator((name) => (name === "RDS_LOGIN_EVENTS" ? "NEW" : "ALL")))).toEqual(["RDS_LOGIN_EVENTS is NEW in region us-east-1"]);
    expect(
      details((s, p) => {
        const detector = protectedDetector(s, p);
        new GuarddutyOrganizationConfiguration(s, "organization", { provider: p, detectorId: detector.id, autoEnableOrganizationMembers: "ALL" });
      }),
    ).toHaveLength(1);
  });

  test("SSM.AutomationLogging passes on customer-script-log-destination = CloudWatch, by ARN or short id, and fails a region without it", () => {
    const failing = (build: Parameters<typeof audit>[0]) => audit(build).failures.filter((f) => f.rule.id === "SSM.AutomationLogging").map((f) => f.detail);
    const setting = (settingId: string, settingValue = "CloudWatch") => (s: Construct, p: AwsProvider) => new SsmServiceSetting(s, "automation-logs", { provider: p, settingId, settingValue });
    expect(failing(setting(AUTOMATION_LOG_SETTING))).toEqual([]);
    expect(failing(setting("/ssm/automation/customer-script-log-destination"))).toEqual([]);
    expect(failing(setting(AUTOMATION_LOG_SETTING, "S3"))).toEqual(["setting_value is S3, not CloudWatch"]);
    // The log group name setting alone does not turn the logging on.
    expect(failing(setting("/ssm/automation/customer-script-log-group-name", "/aws/ssm/automation/executeScript"))).toEqual([
      "no aws_ssm_service_setting for ssm/automation/customer-script-log-destination in region us-east-1",
    ]);
  });

  test("a region whose provider has no resources (a retiring region) needs none of them", () => {
    const report = audit(() => undefined);
    expect(report.failures.filter((f) => f.element.kind === "provider")).toEqual([]);
  });
});
