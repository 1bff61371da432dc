import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { EbsEncryptionByDefault } from "@cdktf/provider-aws/lib/ebs-encryption-by-default";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { GUARDRAIL_RULES } from "../../src/guardrails/guardrail-rules";
import { BrokenExamples, describeBrokenExamples, audit, vpc } from "../compliance/rule-harness";

const BROKEN: BrokenExamples = {
  "S3.AccountPublicAccessBlock": [(s, p) => new S3AccountPublicAccessBlock(s, "account-pab", { provider: p, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false }), "rules"],
  "EC2.EbsEncryptionByDefault": [(s, p) => new EbsEncryptionByDefault(s, "ebs", { provider: p, enabled: false }), "rules/provider aws"],
  "IAM.AccessAnalyzer": [(s, p) => vpc(s, p), "rules/provider aws"],
  "GuardDuty.Enabled": [(s, p) => new GuarddutyDetector(s, "detector", { provider: p, enable: false, tags: { Name: "g" } }), "rules/provider aws"],
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

  test("a region whose provider has no resources (a retiring region) needs none of them", () => {
    const report = audit(() => undefined);
    expect(report.failures.filter((f) => f.element.kind === "provider")).toEqual([]);
  });
});
