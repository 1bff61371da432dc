import { RegionalGuardrails, RegionalGuardrailsProps } from "../../src/guardrails/regional-guardrails";
import { PARTITION, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "eu-central-1";
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/data";
const RECORDING = { roleArn: "arn:aws:iam::123456789012:role/tap-dev-aws-config", bucketName: "tap-dev-cloudtrail-123456789012", keyPrefix: "config", includeGlobalResourceTypes: false };
const baseProps: Omit<RegionalGuardrailsProps, "provider"> = { naming: { project: "tap", environment: "dev", region: REGION }, partition: PARTITION, ebsKmsKeyArn: KEY_ARN };
const everything: Partial<RegionalGuardrailsProps> = { guardDuty: true, securityHub: true, awsConfig: RECORDING };

function synthGuardrails(props: Partial<RegionalGuardrailsProps> = {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => new RegionalGuardrails(scope, "guardrails", { ...baseProps, ...props, provider }));
}

const typesOf = (json: SynthJson) => Object.keys(json.resource ?? {}).sort();

describe("RegionalGuardrails", () => {
  const json = synthGuardrails(everything);

  test("matches the synth-scope snapshot", () => {
    expect(synthScopeOf(REGION, (scope, provider) => new RegionalGuardrails(scope, "guardrails", { ...baseProps, ...everything, provider }))).toMatchSnapshot();
  });

  test("EBS encrypts by default with the given key (CIS 2.2.1), the AWS-managed key without one", () => {
    expect(resourceAt(json, "aws_ebs_encryption_by_default", "guardrails/ebs-encryption-by-default").enabled).toBe(true);
    expect(resourceAt(json, "aws_ebs_default_kms_key", "guardrails/ebs-default-key")).toMatchObject({ key_arn: KEY_ARN, depends_on: [expect.stringMatching(/^aws_ebs_encryption_by_default\./)] });
    expect(resourcesOf(synthGuardrails({ ebsKmsKeyArn: undefined }), "aws_ebs_default_kms_key")).toEqual([]);
  });

  test("an account analyzer of IAM Access Analyzer (CIS 1.20)", () => {
    expect(resourceAt(json, "aws_accessanalyzer_analyzer", "guardrails/access-analyzer")).toMatchObject({ analyzer_name: "tap-dev-eu-central-1-access-analyzer", type: "ACCOUNT" });
  });

  test("GuardDuty on, publishing every 15 minutes", () => {
    expect(resourceAt(json, "aws_guardduty_detector", "guardrails/guardduty")).toMatchObject({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" });
  });

  test("Security Hub without AWS's default standards, subscribed to CIS v3.0.0 of this region and partition", () => {
    expect(resourceAt(json, "aws_securityhub_account", "guardrails/security-hub").enable_default_standards).toBe(false);
    expect(resourceAt(json, "aws_securityhub_standards_subscription", "guardrails/security-hub-cis-v3")).toMatchObject({
      standards_arn: "arn:aws:securityhub:eu-central-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
      depends_on: [expect.stringMatching(/^aws_securityhub_account\./)],
    });
  });

  test("AWS Config records everything with the role, delivers under the prefix, and starts only once the channel exists", () => {
    expect(resourceAt(json, "aws_config_configuration_recorder", "guardrails/config-recorder")).toMatchObject({
      name: "tap-dev-eu-central-1-config",
      role_arn: RECORDING.roleArn,
      recording_group: { all_supported: true, include_global_resource_types: false },
    });
    expect(resourceAt(json, "aws_config_delivery_channel", "guardrails/config-delivery-channel")).toMatchObject({ s3_bucket_name: RECORDING.bucketName, s3_key_prefix: "config" });
    expect(resourceAt(json, "aws_config_configuration_recorder_status", "guardrails/config-recorder-status")).toMatchObject({
      is_enabled: true,
      depends_on: [expect.stringMatching(/^aws_config_delivery_channel\./)],
    });
  });

  test("the money-costing services are off unless asked; EBS encryption and the analyzer are always there", () => {
    expect(typesOf(synthGuardrails())).toEqual(["aws_accessanalyzer_analyzer", "aws_ebs_default_kms_key", "aws_ebs_encryption_by_default"]);
    expect(typesOf(synthGuardrails({ accessAnalyzer: false, ebsKmsKeyArn: undefined }))).toEqual(["aws_ebs_encryption_by_default"]);
  });

  test.each([
    [{ securityHub: true }, /'securityHub' needs 'awsConfig': Security Hub's CIS v3\.0\.0 controls are AWS Config rules/],
    [{ naming: { project: "9tap", environment: "dev", region: REGION } }, /the IAM Access Analyzer analyzer name "9tap-dev-eu-central-1-access-analyzer" is invalid/],
  ])("refuses %j with an error naming the prop", (props, message) => {
    expect(() => synthGuardrails(props)).toThrow(message);
  });
});
