/**
 * What tap does about each thing AWS allows once per account or once per account and region
 * (plain module, no cdktf): create it, adopt the one the account already has, or leave it to
 * whoever manages it (an AWS Organization, Control Tower, another tool). Configuration reads the
 * catalog to validate `singletons` and `adoptNames`; the constructs take the chosen mode.
 */

/** create: tap creates it (fails where one exists). adopt: import the existing one, then manage it. external: tap creates nothing. */
export type SingletonMode = "create" | "adopt" | "external";
export const SINGLETON_MODES: readonly SingletonMode[] = ["create", "adopt", "external"];

/** A name the adopted resource already has, which tap keeps (AWS cannot rename it in place). */
export interface AdoptedName {
  /** Key in `adoptNames`; `<key>/<region>` gives one region its own. */
  readonly key: string;
  /** Used when `adoptNames` has none: the name AWS's console and CLI give it; absent means required. */
  readonly default?: string;
}

export interface SingletonFacts {
  readonly scope: "account" | "region";
  /**
   * Its resource types AWS allows once per account (or account and region), with where AWS says
   * so. Two deployments that both declare one overwrite each other (rule Account.OneOwnerPerSingleton).
   */
  readonly singletonTypes: Readonly<Record<string, string>>;
  readonly description: string;
  /** What Terraform imports on adopt, and the identifier AWS uses for it. */
  readonly imports: string;
  /** Rules that fail without this singleton: accepted, with the reason, when it is external (an acceptance of a rule that cannot fail would go stale). */
  readonly ruleIds: readonly string[];
  /** Names the existing resource keeps when adopted. */
  readonly adoptedNames?: readonly AdoptedName[];
}

/**
 * The catalog; the adoption table (docs/adoption.md: Accounts that already have guardrails) is generated from it. Each `imports` is the import
 * identifier the hashicorp/aws provider documents for the type; the Terraform tier validates every
 * import block, and the apply tier imports the types the emulator supports.
 */
export const SINGLETONS = {
  passwordPolicy: {
    scope: "account",
    singletonTypes: {
      aws_iam_account_password_policy: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html",
    },
    description: "the IAM account password policy",
    imports: 'aws_iam_account_password_policy, id "iam-account-password-policy"',
    // The password rules judge a policy where the stack declares one; without it none of them fails.
    ruleIds: [],
  },
  s3PublicAccessBlock: {
    scope: "account",
    singletonTypes: {
      aws_s3_account_public_access_block: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html",
    },
    description: "the account-level S3 Block Public Access",
    imports: "aws_s3_account_public_access_block, id = the account id",
    ruleIds: ["S3.AccountPublicAccessBlock"],
  },
  trail: {
    scope: "account",
    singletonTypes: {},
    description: "the multi-region CloudTrail trail, its bucket, key, log group and the CIS alarms on it",
    imports: "aws_cloudtrail, id = the trail's ARN (the trail keeps its name)",
    ruleIds: ["CloudTrail.MultiRegionTrail", "CloudTrail.S3DataEvents", "Monitoring.CisMetricAlarms"],
    adoptedNames: [{ key: "trail" }],
  },
  configServiceRole: {
    scope: "account",
    singletonTypes: {},
    description: "the AWS Config service-linked role AWSServiceRoleForConfig, which the recorders use (Security Hub Config.1)",
    imports: "aws_iam_service_linked_role, id = the role's ARN",
    ruleIds: [],
  },
  apiGatewayAccount: {
    scope: "region",
    singletonTypes: {
      aws_api_gateway_account: "https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAccount.html",
    },
    description: "API Gateway's account setting (the role it writes CloudWatch logs with)",
    imports: 'aws_api_gateway_account, id "api-gateway-account"',
    ruleIds: [],
  },
  ebsEncryption: {
    scope: "region",
    singletonTypes: {
      aws_ebs_encryption_by_default: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html",
      aws_ebs_default_kms_key: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html",
    },
    description: "EBS encryption by default (the default key is then set to the region's tap key)",
    imports: "aws_ebs_encryption_by_default, id = the region",
    ruleIds: ["EC2.EbsEncryptionByDefault"],
  },
  accessAnalyzer: {
    scope: "region",
    singletonTypes: {
      aws_accessanalyzer_analyzer: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-quotas.html (one account analyzer per region)",
    },
    description: "the account's IAM Access Analyzer (adopt an analyzer of type ACCOUNT: an organization analyzer would be replaced, its type being fixed)",
    imports: "aws_accessanalyzer_analyzer, id = the analyzer's name (it keeps its name)",
    ruleIds: ["IAM.AccessAnalyzer"],
    adoptedNames: [{ key: "accessAnalyzer" }],
  },
  guardDuty: {
    scope: "region",
    singletonTypes: {
      aws_guardduty_detector: "https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html (one detector per region)",
    },
    description: "the GuardDuty detector",
    imports: "aws_guardduty_detector, id = the region's detector id (read with the aws_guardduty_detector data source)",
    ruleIds: ["GuardDuty.Enabled", "GuardDuty.ProtectionPlans"],
  },
  securityHub: {
    scope: "region",
    singletonTypes: {
      aws_securityhub_account: "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_EnableSecurityHub.html",
    },
    description: "Security Hub (adopting imports the hub, which is never replaced for its default-standards setting; the standards' subscriptions are then created, not imported)",
    imports: "aws_securityhub_account, id = the account id",
    ruleIds: ["SecurityHub.CisStandard", "SecurityHub.FsbpStandard"],
  },
  awsConfig: {
    scope: "region",
    singletonTypes: {
      aws_config_configuration_recorder: "https://docs.aws.amazon.com/config/latest/developerguide/configuration-recorder.html (one customer-managed recorder per region)",
      aws_config_delivery_channel: "https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html (one delivery channel per region)",
    },
    description: "the AWS Config recorder and delivery channel (they keep their names and deliver to tap's trail bucket)",
    imports: "aws_config_configuration_recorder, aws_config_delivery_channel and aws_config_configuration_recorder_status, id = their names",
    ruleIds: ["Config.Recorder"],
    adoptedNames: [
      { key: "configRecorder", default: "default" },
      { key: "configDeliveryChannel", default: "default" },
    ],
  },
} as const satisfies Record<string, SingletonFacts>;

export type SingletonKey = keyof typeof SINGLETONS;
export const SINGLETON_KEYS = Object.keys(SINGLETONS) as SingletonKey[];

/** Every `adoptNames` key, with the singleton it names. */
export const ADOPTED_NAME_KEYS: ReadonlyMap<string, { readonly singleton: SingletonKey; readonly name: AdoptedName }> = new Map(
  SINGLETON_KEYS.flatMap((singleton) =>
    ((SINGLETONS[singleton] as SingletonFacts).adoptedNames ?? []).map((name) => [name.key, { singleton, name }] as const),
  ),
);

/** The name of an adopted resource in `region`: the region's own entry, the common one, else the default. */
export function adoptedName(names: Readonly<Record<string, string>>, key: string, region?: string): string | undefined {
  const fallback = ADOPTED_NAME_KEYS.get(key)?.name.default;
  return (region !== undefined ? names[`${key}/${region}`] : undefined) ?? names[key] ?? fallback;
}

/**
 * Resource types AWS allows once per account or per account and region, with their scope and
 * where AWS says so: every singleton's types, from the catalog.
 */
export const SINGLETON_TYPES: Readonly<Record<string, { readonly scope: "account" | "region"; readonly source: string }>> = Object.fromEntries(
  Object.values(SINGLETONS as Record<string, SingletonFacts>).flatMap(({ scope, singletonTypes }) => Object.entries(singletonTypes).map(([type, source]) => [type, { scope, source }])),
);
