/**
 * The audit concern's names and constants: the account's trail, its bucket, key, log group,
 * alarm topic and CIS alarms, shared by AuditTrail, its rules and configuration (plain
 * module, no cdktf).
 */
import { AwsName } from "../aws/limits";
import { NameScope, resourceName } from "../aws/naming";
import { CIS_ALARMS } from "./cis-alarms";
import { findingsRuleName } from "./findings-facts";
import type { DriftControl } from "../compliance/drift";

/** Where AWS Config delivers in the trail bucket. */
export const CONFIG_KEY_PREFIX = "config";

/** Names of the trail, its bucket and the rest; account-wide, so without the region. */
export function auditNames(naming: Omit<NameScope, "region">, accountId: string) {
  const account = { project: naming.project, environment: naming.environment };
  return {
    trail: resourceName(account, "trail"),
    bucket: `${resourceName(account, "cloudtrail")}-${accountId}`,
    keyAlias: `alias/${resourceName(account, "cloudtrail")}`,
    logGroup: `/aws/cloudtrail/${resourceName(account, "trail")}`,
    logsRole: resourceName(account, "cloudtrail-logs"),
    logsPolicy: "deliver-to-cloudwatch-logs",
    topic: resourceName(account, "security-alarms"),
    metricFilter: (name: string) => resourceName(account, `cis-${name}`),
    alarm: (cis: string, name: string) => resourceName(account, `cis-${cis}-${name}`),
  };
}

/** The AWS-visible names an AuditTrail with this naming creates (configuration checks them). */
export function auditAwsNames(naming: Omit<NameScope, "region">, accountId: string): AwsName[] {
  const names = auditNames(naming, accountId);
  return [
    { kind: "cloudTrail", name: names.trail },
    { kind: "s3Bucket", name: names.bucket },
    { kind: "kmsAlias", name: names.keyAlias },
    { kind: "logGroup", name: names.logGroup },
    { kind: "iamRole", name: names.logsRole },
    { kind: "snsTopic", name: names.topic },
    { kind: "eventRule", name: findingsRuleName(naming) },
    ...CIS_ALARMS.flatMap((alarm) => [
      { kind: "metricFilter" as const, name: names.metricFilter(alarm.name) },
      { kind: "alarm" as const, name: names.alarm(alarm.cis, alarm.name) },
    ]),
  ];
}

/** The attributes of this concern's resources that carry a control, for `npm run drift`. */
export const AUDIT_DRIFT_CONTROLS: readonly DriftControl[] = [
  { type: "aws_cloudtrail", attributes: ["enable_logging", "is_multi_region_trail", "include_global_service_events"], rule: "CloudTrail.MultiRegionTrail" },
  { type: "aws_cloudtrail", attributes: ["enable_log_file_validation"], rule: "CloudTrail.LogFileValidation" },
  { type: "aws_cloudtrail", attributes: ["kms_key_id"], rule: "CloudTrail.KmsEncryption" },
  { type: "aws_cloudtrail", attributes: ["cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn"], rule: "CloudTrail.CloudWatchLogs" },
  { type: "aws_cloudtrail", attributes: ["event_selector", "advanced_event_selector"], rule: "CloudTrail.S3DataEvents" },
  { type: "aws_cloudwatch_log_group", attributes: ["kms_key_id"], rule: "Logs.KmsEncryption" },
  { type: "aws_cloudwatch_log_group", attributes: ["retention_in_days"], rule: "Logs.Retention" },
  { type: "aws_cloudwatch_log_metric_filter", attributes: ["pattern", "metric_transformation", "log_group_name"], rule: "Monitoring.CisMetricAlarms" },
  { type: "aws_cloudwatch_metric_alarm", attributes: ["alarm_actions", "actions_enabled", "metric_name", "namespace", "threshold", "comparison_operator"], rule: "Monitoring.CisMetricAlarms" },
  { type: "aws_sns_topic", attributes: ["kms_master_key_id"], rule: "SNS.KmsEncryption" },
];
