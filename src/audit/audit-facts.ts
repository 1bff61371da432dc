/**
 * The audit concern's names and constants: the account's trail, its bucket, key, log group,
 * alarm topic and CIS alarms, shared by AuditTrail, its rules and configuration (plain
 * module, no cdktf).
 */
import { AwsName } from "../aws/limits";
import { NameScope, resourceName } from "../aws/naming";
import { CIS_ALARMS } from "./cis-alarms";

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
    ...CIS_ALARMS.flatMap((alarm) => [
      { kind: "metricFilter" as const, name: names.metricFilter(alarm.name) },
      { kind: "alarm" as const, name: names.alarm(alarm.cis, alarm.name) },
    ]),
  ];
}
