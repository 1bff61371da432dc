/**
 * Facts about AWS's account-level services that constructs and rules share: which resources
 * exist once per account or per region (so exactly one deployment may own them), the Security
 * Hub standard tap subscribes to, and the managed policies the guardrail roles use.
 */

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

/** AWS managed policies (`arn:<partition>:iam::aws:policy/<name>`). */
export const MANAGED_POLICIES = {
  /** CIS 1.17's support role. */
  support: "AWSSupportAccess",
  /** What AWS Config records with. */
  config: "service-role/AWS_ConfigRole",
} as const;
