import { RegionalConfigRecording, RegionalGuardrails, RegionalGuardrailsProps } from "../../src/guardrails/regional-guardrails";
import { dataSourceAt, dataSourcesOf, PARTITION, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "eu-central-1";
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/data";
/** Stands in for the region's SecureStorage, counting the EBS grants asked of it. */
const ebsKey = { keyArn: KEY_ARN, grants: 0, grantEbsDefaultEncryption: () => void (ebsKey.grants += 1) };
const ROLE_ARN = "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
const RECORDING: RegionalConfigRecording = {
  role: { configRoleArn: ROLE_ARN, configRoleReady: [{ fqn: "aws_iam_service_linked_role.config" }] },
  delivery: { bucketName: "tap-dev-cloudtrail-123456789012", keyPrefix: "config", ready: { fqn: "aws_s3_bucket_policy.trail" } },
  includeGlobalResourceTypes: false,
};
const baseProps: Omit<RegionalGuardrailsProps, "provider"> = { naming: { project: "tap", environment: "dev", region: REGION }, partition: PARTITION, accountId: "123456789012", ebsKey };
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

  test("EBS encrypts by default with the given key (CIS 2.2.1), which grants EC2 its use; the AWS-managed key without one", () => {
    ebsKey.grants = 0;
    synthGuardrails();
    expect(ebsKey.grants).toBe(1);
    expect(resourceAt(json, "aws_ebs_encryption_by_default", "guardrails/ebs-encryption-by-default").enabled).toBe(true);
    expect(resourceAt(json, "aws_ebs_default_kms_key", "guardrails/ebs-default-key")).toMatchObject({ key_arn: KEY_ARN, depends_on: [expect.stringMatching(/^aws_ebs_encryption_by_default\./)] });
    expect(resourcesOf(synthGuardrails({ ebsKey: undefined }), "aws_ebs_default_kms_key")).toEqual([]);
  });

  test("an account analyzer of IAM Access Analyzer (CIS 1.20)", () => {
    expect(resourceAt(json, "aws_accessanalyzer_analyzer", "guardrails/access-analyzer")).toMatchObject({ analyzer_name: "tap-dev-eu-central-1-access-analyzer", type: "ACCOUNT" });
  });

  test("GuardDuty on, publishing every 15 minutes", () => {
    expect(resourceAt(json, "aws_guardduty_detector", "guardrails/guardduty")).toMatchObject({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" });
  });

  test("GuardDuty's protection plans (FSBP GuardDuty.5-13): every feature on by default, Runtime Monitoring managing the EKS, ECS Fargate and EC2 agents; a plan left out is declared off", () => {
    const features = (synth: SynthJson) =>
      Object.fromEntries(resourcesOf(synth, "aws_guardduty_detector_feature").map(([, f]) => [f.name, [f.status, ...(f.additional_configuration ?? []).map((a: any) => `${a.name}=${a.status}`)].join(" ")]));
    expect(features(json)).toEqual({
      S3_DATA_EVENTS: "ENABLED",
      EKS_AUDIT_LOGS: "ENABLED",
      EBS_MALWARE_PROTECTION: "ENABLED",
      RDS_LOGIN_EVENTS: "ENABLED",
      LAMBDA_NETWORK_LOGS: "ENABLED",
      RUNTIME_MONITORING: "ENABLED EKS_ADDON_MANAGEMENT=ENABLED ECS_FARGATE_AGENT_MANAGEMENT=ENABLED EC2_AGENT_MANAGEMENT=ENABLED",
    });
    // Every feature is on tap's detector; EKS_RUNTIME_MONITORING, which AWS refuses beside RUNTIME_MONITORING, never is.
    expect(resourcesOf(json, "aws_guardduty_detector_feature").map(([, f]) => f.detector_id)).toEqual(Array(6).fill(expect.stringMatching(/^\$\{aws_guardduty_detector\.guardrails_guardduty_\w+\.id\}$/)));
    expect(features(synthGuardrails({ ...everything, guardDutyProtection: ["eks-audit-logs", "malware-ec2", "rds", "lambda", "runtime-eks"] }))).toEqual({
      S3_DATA_EVENTS: "DISABLED",
      EKS_AUDIT_LOGS: "ENABLED",
      EBS_MALWARE_PROTECTION: "ENABLED",
      RDS_LOGIN_EVENTS: "ENABLED",
      LAMBDA_NETWORK_LOGS: "ENABLED",
      RUNTIME_MONITORING: "ENABLED EKS_ADDON_MANAGEMENT=ENABLED ECS_FARGATE_AGENT_MANAGEMENT=DISABLED EC2_AGENT_MANAGEMENT=DISABLED",
    });
    expect(features(synthGuardrails({ ...everything, guardDutyProtection: [] })).RUNTIME_MONITORING).toBe("DISABLED EKS_ADDON_MANAGEMENT=DISABLED ECS_FARGATE_AGENT_MANAGEMENT=DISABLED EC2_AGENT_MANAGEMENT=DISABLED");
    // An adopted detector gets the plans too; an external one none.
    const adopted = synthGuardrails({ ...everything, modes: { guardDuty: "adopt" } });
    expect(resourcesOf(adopted, "aws_guardduty_detector_feature")).toHaveLength(6);
    expect(resourcesOf(synthGuardrails({ ...everything, modes: { guardDuty: "external" } }), "aws_guardduty_detector_feature")).toEqual([]);
    expect(() => synthGuardrails({ ...everything, guardDutyProtection: ["s3", "s3"] })).toThrow(/'plans' must list each of s3, eks-audit-logs, malware-ec2, rds, lambda, runtime-eks, runtime-ecs, runtime-ec2 at most once. Received: \["s3","s3"\]/);
  });

  test("Security Hub without AWS's default standards, subscribed by default to FSBP and CIS v5.0.0 of this region and partition", () => {
    expect(resourceAt(json, "aws_securityhub_account", "guardrails/security-hub").enable_default_standards).toBe(false);
    expect(resourceAt(json, "aws_securityhub_standards_subscription", "guardrails/security-hub-fsbp")).toMatchObject({
      standards_arn: "arn:aws:securityhub:eu-central-1::standards/aws-foundational-security-best-practices/v/1.0.0",
      depends_on: [expect.stringMatching(/^aws_securityhub_account\./)],
    });
    expect(resourceAt(json, "aws_securityhub_standards_subscription", "guardrails/security-hub-cis-v5")).toMatchObject({
      standards_arn: "arn:aws:securityhub:eu-central-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
      depends_on: [expect.stringMatching(/^aws_securityhub_account\./)],
    });
    expect(resourcesOf(json, "aws_securityhub_standards_subscription")).toHaveLength(2);
  });

  test("CIS v3.0.0 keeps the logical id it had before standards were a setting, so an existing subscription stays in state", () => {
    const withV3 = synthGuardrails({ ...everything, securityHubStandards: ["cis-v3", "fsbp"] });
    expect(resourceAt(withV3, "aws_securityhub_standards_subscription", "guardrails/security-hub-cis-v3").standards_arn).toBe(
      "arn:aws:securityhub:eu-central-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
    );
    expect(resourceAt(withV3, "aws_securityhub_standards_subscription", "guardrails/security-hub-fsbp").standards_arn).toBe(
      "arn:aws:securityhub:eu-central-1::standards/aws-foundational-security-best-practices/v/1.0.0",
    );
    expect(resourcesOf(withV3, "aws_securityhub_standards_subscription")).toHaveLength(2);
  });

  test("AWS Config can record daily and leave types out; a recorder without the global types leaves IAM's out too", () => {
    const narrowed = synthGuardrails({ ...everything, awsConfig: { ...RECORDING, frequency: "DAILY", excludedResourceTypes: ["AWS::EC2::Volume"] } });
    expect(resourceAt(narrowed, "aws_config_configuration_recorder", "guardrails/config-recorder")).toMatchObject({
      recording_mode: { recording_frequency: "DAILY" },
      recording_group: {
        all_supported: false,
        include_global_resource_types: false,
        recording_strategy: [{ use_only: "EXCLUSION_BY_RESOURCE_TYPES" }],
        exclusion_by_resource_types: [{ resource_types: ["AWS::EC2::Volume", "AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::Role", "AWS::IAM::User"] }],
      },
    });
    const home = synthGuardrails({ ...everything, awsConfig: { ...RECORDING, includeGlobalResourceTypes: true, excludedResourceTypes: ["AWS::EC2::Volume"] } });
    expect(resourceAt(home, "aws_config_configuration_recorder", "guardrails/config-recorder").recording_group).toMatchObject({
      exclusion_by_resource_types: [{ resource_types: ["AWS::EC2::Volume"] }],
    });
    // Nothing configured: no recording mode declared (AWS records continuously), every supported type.
    expect(resourceAt(json, "aws_config_configuration_recorder", "guardrails/config-recorder").recording_mode).toBeUndefined();
  });

  test("AWS Config records everything with the role, delivers under the prefix, and starts only once the channel exists", () => {
    expect(resourceAt(json, "aws_config_configuration_recorder", "guardrails/config-recorder")).toMatchObject({
      name: "tap-dev-eu-central-1-config",
      role_arn: ROLE_ARN,
      recording_group: { all_supported: true, include_global_resource_types: false },
      // The role's permissions and the bucket's policy first, or the recorder fails its first delivery check.
      depends_on: ["aws_iam_service_linked_role.config", "aws_s3_bucket_policy.trail"],
    });
    expect(resourceAt(json, "aws_config_delivery_channel", "guardrails/config-delivery-channel")).toMatchObject({ s3_bucket_name: RECORDING.delivery.bucketName, s3_key_prefix: "config" });
    expect(resourceAt(json, "aws_config_configuration_recorder_status", "guardrails/config-recorder-status")).toMatchObject({
      is_enabled: true,
      depends_on: [expect.stringMatching(/^aws_config_delivery_channel\./)],
    });
  });

  test("the money-costing services are off unless asked; EBS encryption, the analyzer, the default VPC lockdown, the sharing blocks and Automation logging are always there", () => {
    expect(typesOf(synthGuardrails())).toEqual([
      "aws_accessanalyzer_analyzer",
      "aws_default_security_group",
      "aws_ebs_default_kms_key",
      "aws_ebs_encryption_by_default",
      "aws_ebs_snapshot_block_public_access",
      "aws_ec2_image_block_public_access",
      "aws_ssm_service_setting",
    ]);
    expect(typesOf(synthGuardrails({ accessAnalyzer: false, ebsKey: undefined, defaultVpcLockdown: false, publicSharingBlocks: false, automationLogging: false }))).toEqual(["aws_ebs_encryption_by_default"]);
  });

  test("the default VPC's default security group is emptied, for each default VPC the region's lookup finds (none, or one); no default VPC is created", () => {
    const lookup = dataSourceAt(json, "aws_vpcs", "guardrails/default-vpc/default-vpcs");
    expect(lookup.filter).toEqual([{ name: "is-default", values: ["true"] }]);
    const [[lookupName]] = dataSourcesOf(json, "aws_vpcs");
    expect(resourceAt(json, "aws_default_security_group", "guardrails/default-vpc/default-security-group")).toMatchObject({
      for_each: `\${toset(data.aws_vpcs.${lookupName}.ids)}`,
      vpc_id: "\${each.value}",
      ingress: [],
      egress: [],
      tags: { Name: "tap-dev-eu-central-1-default-vpc-default-sg" },
    });
    // aws_default_vpc would create a default VPC where there is none; the NACL, subnets and routes stay AWS's.
    for (const type of ["aws_default_vpc", "aws_default_network_acl", "aws_default_subnet", "aws_default_route_table"]) expect(resourcesOf(json, type)).toEqual([]);
  });

  test("public sharing blocked in the region: every EBS snapshot, new AMIs, SSM documents (by the setting's ARN in this region and account)", () => {
    expect(resourceAt(json, "aws_ebs_snapshot_block_public_access", "guardrails/ebs-snapshot-block-public-access").state).toBe("block-all-sharing");
    expect(resourceAt(json, "aws_ec2_image_block_public_access", "guardrails/image-block-public-access").state).toBe("block-new-sharing");
    expect(resourceAt(json, "aws_ssm_service_setting", "guardrails/ssm-document-public-sharing")).toMatchObject({
      setting_id: "arn:aws:ssm:eu-central-1:123456789012:servicesetting/ssm/documents/console/public-sharing-permission",
      setting_value: "Disable",
    });
  });

  test("SSM Automation sends its script output to CloudWatch Logs (FSBP SSM.6), by the setting's ARN in this region and account", () => {
    expect(resourceAt(json, "aws_ssm_service_setting", "guardrails/ssm-automation-logging")).toMatchObject({
      setting_id: "arn:aws:ssm:eu-central-1:123456789012:servicesetting/ssm/automation/customer-script-log-destination",
      setting_value: "CloudWatch",
    });
    expect(resourcesOf(synthGuardrails({ publicSharingBlocks: false }), "aws_ssm_service_setting").map(([, setting]: [string, any]) => setting.setting_id)).toEqual([
      "arn:aws:ssm:eu-central-1:123456789012:servicesetting/ssm/automation/customer-script-log-destination",
    ]);
  });

  test("external: the guardrail is someone else's, nothing of it is created (Security Hub may then rely on their recorder)", () => {
    const external = synthGuardrails({
      ...everything,
      awsConfig: undefined,
      modes: { ebsEncryption: "external", accessAnalyzer: "external", guardDuty: "external", awsConfig: "external" },
      defaultVpcLockdown: false,
      publicSharingBlocks: false,
      automationLogging: false,
    });
    expect(typesOf(external)).toEqual(["aws_securityhub_account", "aws_securityhub_standards_subscription"]);
  });

  test("adopt: each singleton is imported by the identifier AWS knows it by, in this region, and keeps its name", () => {
    const adopted = synthGuardrails({
      ...everything,
      modes: { ebsEncryption: "adopt", accessAnalyzer: "adopt", guardDuty: "adopt", securityHub: "adopt", awsConfig: "adopt" },
      adoptedNames: { accessAnalyzer: "ConsoleAnalyzer-1a2b", configRecorder: "default" },
    });
    const imports = Object.fromEntries((adopted.import as { to: string; id: string; provider: string }[]).map(({ to, id, provider }) => [to.split(".")[0], { id, provider }]));
    const here = `aws.${REGION}`;
    expect(imports).toEqual({
      aws_ebs_encryption_by_default: { id: REGION, provider: here },
      aws_accessanalyzer_analyzer: { id: "ConsoleAnalyzer-1a2b", provider: here },
      aws_guardduty_detector: { id: expect.stringMatching(/^\$\{data\.aws_guardduty_detector\.guardrails_existing-guardduty_\w+\.id\}$/), provider: here },
      aws_config_configuration_recorder: { id: "default", provider: here },
      aws_config_delivery_channel: { id: "default", provider: here },
      aws_config_configuration_recorder_status: { id: "default", provider: here },
      aws_securityhub_account: { id: "123456789012", provider: here },
    });
    expect(resourceAt(adopted, "aws_accessanalyzer_analyzer", "guardrails/access-analyzer").analyzer_name).toBe("ConsoleAnalyzer-1a2b");
    expect(resourceAt(adopted, "aws_config_configuration_recorder", "guardrails/config-recorder")).toMatchObject({ name: "default", role_arn: ROLE_ARN });
    expect(resourceAt(adopted, "aws_config_delivery_channel", "guardrails/config-delivery-channel")).toMatchObject({ name: "default", s3_bucket_name: RECORDING.delivery.bucketName });
    // An adopted hub must not be replaced for an argument the provider cannot read back (ForceNew, default true on import).
    expect(resourceAt(adopted, "aws_securityhub_account", "guardrails/security-hub").lifecycle).toEqual({ ignore_changes: ["enable_default_standards"] });
    expect(resourceAt(json, "aws_securityhub_account", "guardrails/security-hub").lifecycle).toBeUndefined();
    // The default key is set, not imported: tap's key replaces whatever was the default.
    expect(resourcesOf(adopted, "aws_ebs_default_kms_key")).toHaveLength(1);
    expect(json.import).toBeUndefined();
  });

  test.each([
    [{ modes: { accessAnalyzer: "adopt" as const } }, /'modes\.accessAnalyzer' adopt needs 'adoptedNames\.accessAnalyzer'/],
    [{ securityHub: true }, /'securityHub' needs 'awsConfig': Security Hub's controls are AWS Config rules/],
    [{ ...everything, securityHubStandards: [] }, /'securityHubStandards' must list each of fsbp, cis-v5, cis-v3 at most once, and at least one\. Received: \[\]/],
    [{ naming: { project: "9tap", environment: "dev", region: REGION } }, /the IAM Access Analyzer analyzer name "9tap-dev-eu-central-1-access-analyzer" is invalid/],
  ])("refuses %j with an error naming the prop", (props, message) => {
    expect(() => synthGuardrails(props)).toThrow(message);
  });
});
