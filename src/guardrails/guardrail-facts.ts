/**
 * The guardrails concern's names and facts, shared by its constructs, its rules and
 * configuration (plain module, no cdktf): the Security Hub standard tap subscribes to, AWS
 * Config's service-linked role, and the rules only the owner's guardrails satisfy. Which
 * resources exist once per account or region is the singleton catalog's (aws/singletons.ts).
 */
import { AwsName } from "../aws/limits";
import { NameScope, resourceName } from "../aws/naming";
import type { DriftControl } from "../compliance/drift";

/** Security Hub's CIS AWS Foundations Benchmark v3.0.0 standard, after `arn:<partition>:securityhub:<region>::`. */
export const CIS_V3_STANDARD = "standards/cis-aws-foundations-benchmark/v/3.0.0";

/**
 * AWS Config's service-linked role, which the recorders use: Security Hub's control Config.1
 * fails a recorder with any other role. AWS fixes its name and path.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1
 */
export const CONFIG_SERVICE_LINKED_ROLE = { service: "config.amazonaws.com", name: "AWSServiceRoleForConfig" } as const;

/** The ARN of AWS Config's service-linked role in an account. */
export function configServiceLinkedRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${CONFIG_SERVICE_LINKED_ROLE.service}/${CONFIG_SERVICE_LINKED_ROLE.name}`;
}

/** How often GuardDuty publishes updates of open findings (the fastest setting). */
export const GUARDDUTY_FINDING_FREQUENCY = "FIFTEEN_MINUTES";

/**
 * Rules whose controls only the deployment that owns the account's settings creates; another
 * deployment in the same account accepts them (see the configuration's accountSettings).
 */
export const ACCOUNT_OWNER_RULE_IDS: readonly string[] = [
  "EC2.EbsEncryptionByDefault",
  "IAM.AccessAnalyzer",
  "GuardDuty.Enabled",
  "SecurityHub.CisStandard",
  "Config.Recorder",
  "IAM.SupportRole",
  "S3.AccountPublicAccessBlock",
  "CloudTrail.MultiRegionTrail",
  "CloudTrail.S3DataEvents",
  "Monitoring.CisMetricAlarms",
];

/** Names of a region's guardrails. */
export function regionalGuardrailNames(naming: NameScope & { readonly region: string }) {
  return { analyzer: resourceName(naming, "access-analyzer"), recorder: resourceName(naming, "config"), deliveryChannel: resourceName(naming, "config") };
}

/** The AWS-visible names a RegionalGuardrails with this naming creates (configuration checks them). */
export function regionalGuardrailAwsNames(naming: NameScope & { readonly region: string }): AwsName[] {
  const names = regionalGuardrailNames(naming);
  return [
    { kind: "accessAnalyzer", name: names.analyzer },
    { kind: "configRecorder", name: names.recorder },
  ];
}

/** The attributes of this concern's resources that carry a control, for `npm run drift`. */
export const GUARDRAIL_DRIFT_CONTROLS: readonly DriftControl[] = [
  { type: "aws_ebs_encryption_by_default", attributes: ["enabled"], rule: "EC2.EbsEncryptionByDefault" },
  { type: "aws_ebs_default_kms_key", attributes: ["key_arn"], rule: "EC2.EbsEncryptionByDefault" },
  { type: "aws_accessanalyzer_analyzer", attributes: ["type"], rule: "IAM.AccessAnalyzer" },
  { type: "aws_guardduty_detector", attributes: ["enable"], rule: "GuardDuty.Enabled" },
  { type: "aws_securityhub_account", attributes: ["enable_default_standards"], rule: "SecurityHub.CisStandard" },
  { type: "aws_securityhub_standards_subscription", attributes: ["standards_arn"], rule: "SecurityHub.CisStandard" },
  { type: "aws_config_configuration_recorder", attributes: ["recording_group", "recording_mode"], rule: "Config.Recorder" },
  { type: "aws_config_configuration_recorder", attributes: ["role_arn"], rule: "Config.ServiceLinkedRole" },
  { type: "aws_config_configuration_recorder_status", attributes: ["is_enabled"], rule: "Config.Recorder" },
  { type: "aws_config_delivery_channel", attributes: ["s3_bucket_name", "s3_key_prefix"], rule: "Config.Recorder" },
  { type: "aws_s3_account_public_access_block", attributes: ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"], rule: "S3.AccountPublicAccessBlock" },
];
