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
 * The Security Hub standards tap can subscribe, by the value `securityHubStandards` takes. Each
 * ARN is regional, `arn:<partition>:securityhub:<region>::<arnSuffix>`, as DescribeStandards
 * returns it (CIS v1.2.0 alone used the `ruleset/` form). `constructId` is the subscription's
 * logical id: CIS v3.0.0 keeps the id it had before standards were a setting, so existing state
 * matches. `page` lists the standard's controls (Security Hub bills a check per control and
 * resource it evaluates, per account and region); their number changes as AWS adds controls, so
 * tap links the list rather than copying a count.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
 */
export const SECURITY_HUB_STANDARDS = {
  fsbp: {
    name: "AWS Foundational Security Best Practices v1.0.0",
    arnSuffix: "standards/aws-foundational-security-best-practices/v/1.0.0",
    constructId: "security-hub-fsbp",
    page: "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html",
  },
  "cis-v5": {
    name: "CIS AWS Foundations Benchmark v5.0.0",
    arnSuffix: "standards/cis-aws-foundations-benchmark/v/5.0.0",
    constructId: "security-hub-cis-v5",
    page: "https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html#cis5v0-standard",
  },
  "cis-v3": {
    name: "CIS AWS Foundations Benchmark v3.0.0",
    arnSuffix: CIS_V3_STANDARD,
    constructId: "security-hub-cis-v3",
    page: "https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html#cis3v0-standard",
  },
} as const;

export type SecurityHubStandard = keyof typeof SECURITY_HUB_STANDARDS;
export const SECURITY_HUB_STANDARD_KEYS = Object.keys(SECURITY_HUB_STANDARDS) as SecurityHubStandard[];
/** FSBP, which auditors and AWS look at first, and the newest CIS version Security Hub runs. */
export const DEFAULT_SECURITY_HUB_STANDARDS: readonly SecurityHubStandard[] = ["fsbp", "cis-v5"];
export const CIS_STANDARD_KEYS: readonly SecurityHubStandard[] = ["cis-v5", "cis-v3"];

/** A standard's regional ARN; partition and region may be tokens. */
export function securityHubStandardArn(partition: string, region: string, standard: SecurityHubStandard): string {
  return `arn:${partition}:securityhub:${region}::${SECURITY_HUB_STANDARDS[standard].arnSuffix}`;
}

/** The standard a subscription's ARN names, if it is one tap knows. */
export function standardOfArn(arn: unknown): SecurityHubStandard | undefined {
  return SECURITY_HUB_STANDARD_KEYS.find((key) => typeof arn === "string" && arn.endsWith(`::${SECURITY_HUB_STANDARDS[key].arnSuffix}`));
}

/** How often AWS Config records changes: continuously, or once a day (fewer configuration items, staler history). */
export const CONFIG_RECORDING_FREQUENCIES = ["CONTINUOUS", "DAILY"] as const;
export type ConfigRecordingFrequency = (typeof CONFIG_RECORDING_FREQUENCIES)[number];

/**
 * IAM's resource types, which AWS Config records as global: tap records them in the home region
 * only, so a recorder elsewhere that excludes types excludes these too (else every IAM change
 * is recorded, and billed, once per region).
 */
export const CONFIG_GLOBAL_RESOURCE_TYPES: readonly string[] = ["AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::Role", "AWS::IAM::User"];

/**
 * The AWS Config resource types that the enabled standards' controls evaluate for what tap
 * builds: Config.1 fails unless the recorder records "all resources that correspond to controls
 * that are enabled", so none of these may be excluded. From Security Hub's list of required
 * AWS Config resources, restricted to the types tap creates: security groups (EC2.2, EC2.13,
 * EC2.14, EC2.18, EC2.19), network ACLs (EC2.21), VPCs (EC2.6), subnets (EC2.15), buckets and the
 * account's public access block (S3.1-S3.9, S3.17), keys (KMS.4), the trail (CloudTrail.1,
 * CloudTrail.2, CloudTrail.4, CloudTrail.5), IAM (IAM.1, IAM.21, the home region only), log
 * groups (CloudWatch.16) and the API Gateway endpoint (EC2.10 evaluates the VPC).
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/controls-config-resources.html
 */
export const CONFIG_REQUIRED_RESOURCE_TYPES: readonly string[] = [
  "AWS::CloudTrail::Trail",
  "AWS::EC2::NetworkAcl",
  "AWS::EC2::SecurityGroup",
  "AWS::EC2::Subnet",
  "AWS::EC2::VPC",
  "AWS::IAM::Policy",
  "AWS::IAM::Role",
  "AWS::IAM::User",
  "AWS::KMS::Key",
  "AWS::Logs::LogGroup",
  "AWS::S3::AccountPublicAccessBlock",
  "AWS::S3::Bucket",
];

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

/** The aws_vpcs filter that finds a region's default VPC (DescribeVpcs filter is-default). */
export const DEFAULT_VPC_FILTER = { name: "is-default", values: ["true"] } as const;

/**
 * Account-wide blocks on public sharing, one per region, and the values tap sets: EBS snapshots
 * cannot be shared publicly at all (and ones shared before are treated as private), new AMIs
 * cannot be made public, and SSM documents cannot be shared publicly.
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/block-public-access-snapshots.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html#block-public-access-to-amis
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-ssm-sharing.html#block-public-access
 */
export const PUBLIC_SHARING_BLOCKS = {
  snapshotState: "block-all-sharing",
  imageState: "block-new-sharing",
  ssmDocumentSetting: "ssm/documents/console/public-sharing-permission",
  ssmDocumentValue: "Disable",
} as const;

/**
 * The ARN of the SSM public-sharing setting in a region. hashicorp/aws 5.100.0 reads the setting
 * back by its ARN, so a short "/ssm/..." id would show a change at every plan (fixed in 6.x:
 * https://github.com/hashicorp/terraform-provider-aws/pull/43562).
 */
export function ssmDocumentSharingSettingArn(partition: string, region: string, accountId: string): string {
  return ssmServiceSettingArn(PUBLIC_SHARING_BLOCKS.ssmDocumentSetting, partition, region, accountId);
}

/**
 * SSM Automation sends the output of its aws:executeScript steps to CloudWatch Logs (FSBP SSM.6):
 * an account setting per region, which AWS documents setting by its ARN.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-logging.html
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-6
 */
export const SSM_AUTOMATION_LOGGING = { setting: "ssm/automation/customer-script-log-destination", value: "CloudWatch" } as const;

/** The ARN of an SSM service setting (`ssm/...`) in a region: the form 5.100.0 reads back (see ssmDocumentSharingSettingArn). */
export function ssmServiceSettingArn(setting: string, partition: string, region: string, accountId: string): string {
  return `arn:${partition}:ssm:${region}:${accountId}:servicesetting/${setting}`;
}

/** The alternate contact Security Hub's Account.1 asks for. */
export const SECURITY_CONTACT_TYPE = "SECURITY";

/** How often GuardDuty publishes updates of open findings (the fastest setting). */
export const GUARDDUTY_FINDING_FREQUENCY = "FIFTEEN_MINUTES";

/**
 * GuardDuty's protection plans, by the value `guardDutyProtection` takes: the detector feature
 * each turns on (with, for Runtime Monitoring, the additional configuration that lets GuardDuty
 * manage the agent of one workload type) and the FSBP control it satisfies. The three runtime
 * plans share the one RUNTIME_MONITORING feature, which includes EKS: EKS_RUNTIME_MONITORING is
 * never declared beside it (AWS refuses both together).
 * @see https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DetectorFeatureConfiguration.html
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html
 */
export const GUARDDUTY_PROTECTION_PLANS = {
  "s3": { feature: "S3_DATA_EVENTS", fsbp: "GuardDuty.10", title: "S3 Protection" },
  "eks-audit-logs": { feature: "EKS_AUDIT_LOGS", fsbp: "GuardDuty.5", title: "EKS Audit Log Monitoring" },
  "malware-ec2": { feature: "EBS_MALWARE_PROTECTION", fsbp: "GuardDuty.8", title: "Malware Protection for EC2" },
  "rds": { feature: "RDS_LOGIN_EVENTS", fsbp: "GuardDuty.9", title: "RDS Protection" },
  "lambda": { feature: "LAMBDA_NETWORK_LOGS", fsbp: "GuardDuty.6", title: "Lambda Protection" },
  "runtime-eks": { feature: "RUNTIME_MONITORING", agent: "EKS_ADDON_MANAGEMENT", fsbp: "GuardDuty.7", title: "Runtime Monitoring of EKS" },
  "runtime-ecs": { feature: "RUNTIME_MONITORING", agent: "ECS_FARGATE_AGENT_MANAGEMENT", fsbp: "GuardDuty.12", title: "Runtime Monitoring of ECS on Fargate" },
  "runtime-ec2": { feature: "RUNTIME_MONITORING", agent: "EC2_AGENT_MANAGEMENT", fsbp: "GuardDuty.13", title: "Runtime Monitoring of EC2" },
} as const;

export type GuardDutyProtectionPlan = keyof typeof GUARDDUTY_PROTECTION_PLANS;
export const GUARDDUTY_PROTECTION_PLAN_KEYS = Object.keys(GUARDDUTY_PROTECTION_PLANS) as GuardDutyProtectionPlan[];

/** One detector feature as tap declares it: its status, and each agent configuration's. */
export interface GuardDutyFeatureSetting {
  readonly name: string;
  readonly enabled: boolean;
  readonly agents: readonly { readonly name: string; readonly enabled: boolean }[];
}

/**
 * Every feature the plans name, each once, ENABLED when a plan that needs it is listed and
 * DISABLED otherwise (the provider's delete only forgets a feature, so a plan left out is
 * switched off explicitly). Runtime Monitoring is on with any runtime plan; each agent
 * configuration with its own.
 */
export function guardDutyFeatureSettings(plans: readonly GuardDutyProtectionPlan[]): GuardDutyFeatureSetting[] {
  const features = [...new Set(GUARDDUTY_PROTECTION_PLAN_KEYS.map((key) => GUARDDUTY_PROTECTION_PLANS[key].feature))];
  return features.map((name) => {
    const keys = GUARDDUTY_PROTECTION_PLAN_KEYS.filter((key) => GUARDDUTY_PROTECTION_PLANS[key].feature === name);
    const agents = keys.flatMap((key) => {
      const plan = GUARDDUTY_PROTECTION_PLANS[key];
      return "agent" in plan ? [{ name: plan.agent, enabled: plans.includes(key) }] : [];
    });
    return { name, enabled: keys.some((key) => plans.includes(key)), agents };
  });
}

/**
 * Rules whose controls only the deployment that owns the account's settings creates; another
 * deployment in the same account accepts them (see the configuration's accountSettings).
 */
export const ACCOUNT_OWNER_RULE_IDS: readonly string[] = [
  "EC2.EbsEncryptionByDefault",
  "IAM.AccessAnalyzer",
  "GuardDuty.Enabled",
  "GuardDuty.ProtectionPlans",
  "SecurityHub.CisStandard",
  "SecurityHub.FsbpStandard",
  "Config.Recorder",
  "IAM.SupportRole",
  "S3.AccountPublicAccessBlock",
  "CloudTrail.MultiRegionTrail",
  "CloudTrail.S3DataEvents",
  "Monitoring.CisMetricAlarms",
  "EC2.DefaultVpcSecurityGroupClosed",
  "EC2.SnapshotBlockPublicAccess",
  "EC2.ImageBlockPublicAccess",
  "SSM.DocumentPublicSharingBlocked",
  "SSM.AutomationLogging",
  "Account.SecurityContact",
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
  { type: "aws_guardduty_detector_feature", attributes: ["status", "additional_configuration"], rule: "GuardDuty.ProtectionPlans" },
  { type: "aws_securityhub_account", attributes: ["enable_default_standards"], rule: "SecurityHub.CisStandard" },
  // A subscription carries one standard's control: a plan that destroys one names both rules; drift names the first.
  { type: "aws_securityhub_standards_subscription", attributes: ["standards_arn"], rule: "SecurityHub.CisStandard" },
  { type: "aws_securityhub_standards_subscription", attributes: ["standards_arn"], rule: "SecurityHub.FsbpStandard" },
  { type: "aws_config_configuration_recorder", attributes: ["recording_group", "recording_mode"], rule: "Config.Recorder" },
  { type: "aws_config_configuration_recorder", attributes: ["recording_group"], rule: "Config.RequiredResourceTypes" },
  { type: "aws_config_configuration_recorder", attributes: ["role_arn"], rule: "Config.ServiceLinkedRole" },
  { type: "aws_config_configuration_recorder_status", attributes: ["is_enabled"], rule: "Config.Recorder" },
  { type: "aws_config_delivery_channel", attributes: ["s3_bucket_name", "s3_key_prefix"], rule: "Config.Recorder" },
  { type: "aws_ebs_snapshot_block_public_access", attributes: ["state"], rule: "EC2.SnapshotBlockPublicAccess" },
  { type: "aws_ec2_image_block_public_access", attributes: ["state"], rule: "EC2.ImageBlockPublicAccess" },
  // Two settings share the type: drift on either names the first rule.
  { type: "aws_ssm_service_setting", attributes: ["setting_value"], rule: "SSM.DocumentPublicSharingBlocked" },
  { type: "aws_ssm_service_setting", attributes: ["setting_value"], rule: "SSM.AutomationLogging" },
  { type: "aws_account_alternate_contact", attributes: ["email_address", "phone_number"], rule: "Account.SecurityContact" },
  { type: "aws_s3_account_public_access_block", attributes: ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"], rule: "S3.AccountPublicAccessBlock" },
];
