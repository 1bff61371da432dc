/**
 * The guardrails concern's names and facts, shared by its constructs, its rules and
 * configuration (plain module, no cdktf): which resources exist once per account or per region
 * (so exactly one deployment may own them), the Security Hub standard tap subscribes to, the
 * managed policy AWS Config records with, and the rules only the owner's guardrails satisfy.
 */
import { AwsName } from "../aws/limits";
import { NameScope, resourceName } from "../aws/naming";

/** Where a singleton lives: once per account, or once per account and region. */
export type SingletonScope = "account" | "region";

/**
 * Resource types AWS allows once per account or per account and region. Two deployments that
 * both declare one overwrite each other, and destroying either removes the setting for both.
 */
export const ACCOUNT_SINGLETONS: Readonly<Record<string, { readonly scope: SingletonScope; readonly source: string }>> = {
  aws_iam_account_password_policy: { scope: "account", source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html" },
  aws_s3_account_public_access_block: { scope: "account", source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html" },
  aws_api_gateway_account: { scope: "region", source: "https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAccount.html" },
  aws_ebs_encryption_by_default: { scope: "region", source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html" },
  aws_ebs_default_kms_key: { scope: "region", source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html" },
  aws_accessanalyzer_analyzer: { scope: "region", source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-quotas.html (one account analyzer per region)" },
  aws_guardduty_detector: { scope: "region", source: "https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html (one detector per region)" },
  aws_securityhub_account: { scope: "region", source: "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_EnableSecurityHub.html" },
  aws_config_configuration_recorder: { scope: "region", source: "https://docs.aws.amazon.com/config/latest/developerguide/configuration-recorder.html (one customer-managed recorder per region)" },
  aws_config_delivery_channel: { scope: "region", source: "https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html (one delivery channel per region)" },
};

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
