import { CIS_ALARMS } from "../../src/audit/cis-alarms";
import type { PlannedStack } from "../terraform/planned-stack";

/** The Terraform tier's checks of the audit concern in a real plan (see describePlannedStack). */
export function describePlannedAudit(stack: PlannedStack): void {
  const { config, changes, inRegion } = stack;
  describe("audit: log groups, the trail and the CIS alarms", () => {
    test("log groups keep the configured retention and are KMS-encrypted", () => {
      const groups = changes("aws_cloudwatch_log_group");
      expect(groups).toHaveLength(2 * config.regions.length + (config.manageAccountSettings ? 1 : 0));
      for (const group of groups) {
        expect(group.change.after.retention_in_days).toBe(config.logRetentionDays);
        expect(group.change.after_unknown.kms_key_id).toBe(true);
      }
    });
    test("the account's trail records every region with validation, its own key and CloudWatch Logs; 15 CIS alarms notify an encrypted topic", () => {
      if (!config.manageAccountSettings) {
        expect(changes("aws_cloudtrail")).toEqual([]);
        return;
      }
      const [trail] = changes("aws_cloudtrail");
      expect(inRegion(trail)).toBe(config.homeRegion.region);
      expect(trail.change.after).toMatchObject({ name: `${config.project}-${config.environment}-trail`, is_multi_region_trail: true, include_global_service_events: true, enable_log_file_validation: true, enable_logging: true });
      expect(trail.change.after_unknown).toMatchObject({ kms_key_id: true, cloud_watch_logs_group_arn: true, cloud_watch_logs_role_arn: true });
      expect(trail.change.after.event_selector[0].data_resource[0].type).toBe("AWS::S3::Object");
      expect(changes("aws_cloudwatch_log_metric_filter").map((f) => f.change.after.pattern).sort()).toEqual(CIS_ALARMS.map((alarm) => alarm.pattern).sort());
      expect(changes("aws_cloudwatch_metric_alarm").map((a) => a.change.after.alarm_name).sort()).toEqual(CIS_ALARMS.map((alarm) => `${config.project}-${config.environment}-cis-${alarm.cis}-${alarm.name}`).sort());
      expect(changes("aws_sns_topic").map((t) => t.change.after_unknown.kms_master_key_id)).toEqual([true]);
      expect(changes("aws_sns_topic_subscription").map((s) => s.change.after.endpoint)).toEqual(config.guardrails.alarmEmail ? [config.guardrails.alarmEmail] : []);
    });
    test("Security Hub's findings at or above findingsSeverity go by EventBridge to the alarm topic, from the home region", () => {
      const rules = changes("aws_cloudwatch_event_rule");
      if (!config.guardrails.securityHub || config.singletons.trail === "external") {
        expect(rules).toEqual([]);
        return;
      }
      // The labels each threshold notifies, written out.
      const labels = { CRITICAL: ["CRITICAL"], HIGH: ["CRITICAL", "HIGH"], MEDIUM: ["CRITICAL", "HIGH", "MEDIUM"], LOW: ["CRITICAL", "HIGH", "MEDIUM", "LOW"], INFORMATIONAL: ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"] };
      expect(rules.map(inRegion)).toEqual([config.homeRegion.region]);
      const pattern = JSON.parse(rules[0].change.after.event_pattern);
      expect(pattern).toMatchObject({ source: ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"] });
      expect(pattern.detail.findings.Severity.Label).toEqual(labels[config.findingsSeverity]);
      expect(changes("aws_cloudwatch_event_target").map((t) => t.change.after.target_id)).toEqual(["security-topic"]);
    });
  });
}
