import type { StackConfig } from "../src/config/model";
import { availabilityZonesFor } from "../src/network/regions";
import { CIS_ALARMS } from "../src/audit/cis-alarms";

type Counts = Record<string, number>;

/** Adds `more` to `counts`, type by type. */
function add(counts: Counts, more: Counts): Counts {
  for (const [type, count] of Object.entries(more)) counts[type] = (counts[type] ?? 0) + count;
  return counts;
}

/** One hardened bucket: the bucket and its seven companion resources, plus access logging unless it is a log target. */
function hardenedBucket(accessLogged: boolean): Counts {
  return {
    aws_s3_bucket: 1,
    aws_s3_bucket_lifecycle_configuration: 1,
    aws_s3_bucket_notification: 1,
    aws_s3_bucket_ownership_controls: 1,
    aws_s3_bucket_policy: 1,
    aws_s3_bucket_public_access_block: 1,
    aws_s3_bucket_server_side_encryption_configuration: 1,
    aws_s3_bucket_versioning: 1,
    ...(accessLogged ? { aws_s3_bucket_logging: 1 } : {}),
  };
}

/**
 * A guarded region's RegionalGuardrails, by type: each guardrail the owner creates or adopts (not
 * one left to others, nor a paid one turned off), the default VPC lockdown and the sharing blocks. `regionKey`: the region has tap's key (a workload
 * region), which EBS encrypts with; a region without workload uses the AWS-managed key.
 */
export function intendedGuardrailCounts(config: StackConfig, { regionKey }: { regionKey: boolean }): Counts {
  const ours = (key: keyof StackConfig["singletons"]) => config.manageAccountSettings && config.singletons[key] !== "external";
  const counts: Counts = {};
  if (ours("ebsEncryption")) add(counts, { aws_ebs_encryption_by_default: 1, ...(regionKey ? { aws_ebs_default_kms_key: 1 } : {}) });
  if (ours("accessAnalyzer")) add(counts, { aws_accessanalyzer_analyzer: 1 });
  // The detector and one feature per protection-plan feature, on or declared off: S3_DATA_EVENTS, EKS_AUDIT_LOGS,
  // EBS_MALWARE_PROTECTION, RDS_LOGIN_EVENTS, LAMBDA_NETWORK_LOGS and RUNTIME_MONITORING (which carries the three runtime plans).
  if (config.guardrails.guardDuty && ours("guardDuty")) add(counts, { aws_guardduty_detector: 1, aws_guardduty_detector_feature: 6 });
  // One subscription per standard chosen (securityHubStandards).
  if (config.guardrails.securityHub && ours("securityHub")) add(counts, { aws_securityhub_account: 1, aws_securityhub_standards_subscription: config.guardrails.securityHubStandards.length });
  if (config.guardrails.awsConfig && ours("awsConfig")) add(counts, { aws_config_configuration_recorder: 1, aws_config_delivery_channel: 1, aws_config_configuration_recorder_status: 1 });
  if (!config.manageAccountSettings) return counts;
  // The blocks on public sharing: EBS snapshots, AMIs, SSM documents (one setting each per region);
  // the second SSM setting sends Automation's script output to CloudWatch Logs (FSBP SSM.6).
  add(counts, { aws_ebs_snapshot_block_public_access: 1, aws_ec2_image_block_public_access: 1, aws_ssm_service_setting: 2 });
  // The default VPC's default security group, one per default VPC the region has: every region has
  // one in the emulator and in the Terraform tier's lookups (its aws_vpcs data source is not counted here).
  if (config.guardrails.defaultVpcLockdown) add(counts, { aws_default_security_group: 1 });
  return counts;
}

/**
 * The managed resources the product intends for `region`, by type: written from the
 * specification (README: What it builds), independently of the constructs that build them.
 */
export function intendedCounts(config: StackConfig, region: string): Counts {
  const zones = availabilityZonesFor(region, config.availabilityZoneCount).length;
  const https = config.allowedHttpsCidrs?.length ?? 1;
  const ssh = config.allowedSshCidrs?.length ?? 1;
  const manage = config.manageAccountSettings;
  const { alarmEmail } = config.guardrails;
  // A singleton left to others (external) is not created; created and adopted ones are managed alike.
  const ours = (key: keyof StackConfig["singletons"]) => manage && config.singletons[key] !== "external";
  const awsConfig = config.guardrails.awsConfig && ours("awsConfig");
  const counts: Counts = {
    // RegionalNetwork
    aws_vpc: 1,
    aws_default_security_group: 1,
    aws_default_network_acl: 1,
    aws_internet_gateway: 1,
    aws_route: 1,
    aws_route_table: 2,
    aws_route_table_association: 2 * zones,
    aws_subnet: 2 * zones,
    aws_security_group: 2,
    aws_vpc_security_group_ingress_rule: https + ssh + 1,
    aws_vpc_security_group_egress_rule: 1,
    aws_vpc_endpoint: 1,
    aws_flow_log: 1,
    // SecureStorage: key, API Gateway log group (+ the flow-log group above), data and access-log buckets
    aws_cloudwatch_log_group: 2,
    aws_kms_key: 1,
    aws_kms_alias: 1,
  };
  add(counts, hardenedBucket(true));
  add(counts, hardenedBucket(false));
  // BucketReplication: each source region's configuration and its own role (bound to that region's provider).
  if (config.replication) add(counts, { aws_s3_bucket_replication_configuration: 1, aws_iam_role: 1, aws_iam_role_policy: 1 });
  if (ours("apiGatewayAccount")) add(counts, { aws_api_gateway_account: 1 });
  add(counts, intendedGuardrailCounts(config, { regionKey: true }));
  if (region !== config.homeRegion.region) return counts;

  // GlobalIdentity: the flow-log role always; for the owner the support role (with its managed policy), the API Gateway role and the password policy.
  add(counts, { aws_iam_role: 1, aws_iam_role_policy: 1 });
  if (manage) add(counts, { aws_iam_role: 1, aws_iam_role_policy_attachment: 1 });
  if (ours("apiGatewayAccount")) add(counts, { aws_iam_role: 1, aws_iam_role_policy_attachment: 1 });
  if (ours("passwordPolicy")) add(counts, { aws_iam_account_password_policy: 1 });
  if (ours("trail")) {
    // AuditTrail
    add(counts, { aws_kms_key: 1, aws_kms_alias: 1, aws_cloudtrail: 1, aws_cloudwatch_log_group: 1, aws_iam_role: 1, aws_iam_role_policy: 1 });
    add(counts, hardenedBucket(true));
    add(counts, { aws_sns_topic: 1, aws_sns_topic_policy: 1, aws_cloudwatch_log_metric_filter: CIS_ALARMS.length, aws_cloudwatch_metric_alarm: CIS_ALARMS.length });
    if (alarmEmail) add(counts, { aws_sns_topic_subscription: 1 });
    // Findings to people: Security Hub's findings at or above findingsSeverity to the alarm topic.
    if (config.guardrails.securityHub) add(counts, { aws_cloudwatch_event_rule: 1, aws_cloudwatch_event_target: 1 });
  }
  // AccountGuardrails: the account's S3 public access block, and AWS Config's service-linked role.
  if (ours("s3PublicAccessBlock")) add(counts, { aws_s3_account_public_access_block: 1 });
  if (awsConfig && ours("configServiceRole")) add(counts, { aws_iam_service_linked_role: 1 });
  // The security alternate contact, when one is configured (required in an organization).
  if (manage && config.guardrails.securityContact) add(counts, { aws_account_alternate_contact: 1 });
  return counts;
}

/**
 * What an organization's role account gets of its own in `region` (its baseline, in the role
 * stack beside the organization's resources): a guarded region's guardrails without workload
 * (EBS with the AWS-managed key) and, in the home region, the account-wide ones a member gets,
 * without a flow-log or API Gateway role (it has no network or API).
 */
export function intendedRoleBaselineCounts(config: StackConfig, region: string): Counts {
  const ours = (key: keyof StackConfig["singletons"]) => config.singletons[key] !== "external";
  const counts = intendedGuardrailCounts(config, { regionKey: false });
  if (region !== config.homeRegion.region) return counts;
  // GlobalIdentity: the support role with its managed policy, and the password policy.
  add(counts, { aws_iam_role: 1, aws_iam_role_policy_attachment: 1 });
  if (ours("passwordPolicy")) add(counts, { aws_iam_account_password_policy: 1 });
  // AccountGuardrails: the account's S3 public access block, AWS Config's service-linked role, the security contact.
  if (ours("s3PublicAccessBlock")) add(counts, { aws_s3_account_public_access_block: 1 });
  if (config.guardrails.awsConfig && ours("awsConfig") && ours("configServiceRole")) add(counts, { aws_iam_service_linked_role: 1 });
  if (config.guardrails.securityContact) add(counts, { aws_account_alternate_contact: 1 });
  return counts;
}
