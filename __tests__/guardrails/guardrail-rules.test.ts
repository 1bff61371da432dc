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

  test("a region whose provider has no resources (a retiring region) needs none of them", () => {
    const report = audit(() => undefined);
    expect(report.failures.filter((f) => f.element.kind === "provider")).toEqual([]);
  });
});
