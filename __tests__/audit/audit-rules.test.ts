import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { CIS_ALARMS } from "../../src/audit/cis-alarms";
import { CLOUDTRAIL_RULES } from "../../src/audit/cloudtrail-rules";
import { LOGS_RULES } from "../../src/audit/logs-rules";
import { BrokenExamples, describeBrokenExamples, document, longStatement, trail, bucket } from "../compliance/rule-harness";

const BROKEN: BrokenExamples = {
  "Logs.KmsEncryption": [(s, p) => new CloudwatchLogGroup(s, "logs", { provider: p, retentionInDays: 365, tags: { Name: "l" } }), "rules/logs"],
  "Logs.Retention": [(s, p) => new CloudwatchLogGroup(s, "logs", { provider: p, retentionInDays: 30, kmsKeyId: "arn:aws:kms:us-east-1:1:key/x", tags: { Name: "l" } }), "rules/logs"],
  "CloudTrail.MultiRegionTrail": [(s, p) => trail(s, p, { isMultiRegionTrail: false }), "rules"],
  "CloudTrail.LogFileValidation": [(s, p) => trail(s, p, { enableLogFileValidation: false }), "rules/trail"],
  "CloudTrail.KmsEncryption": [(s, p) => trail(s, p, { kmsKeyId: undefined }), "rules/trail"],
  "CloudTrail.CloudWatchLogs": [(s, p) => trail(s, p), "rules/trail"],
  "CloudTrail.S3DataEvents": [(s, p) => trail(s, p, { s3BucketName: "elsewhere", eventSelector: [{ readWriteType: "WriteOnly", dataResource: [{ type: "AWS::S3::Object", values: [`${bucket(s, p).arn}/`] }] }] }), "rules/bucket"],
  "Monitoring.CisMetricAlarms": [
    (s, p) => {
      const logs = new CloudwatchLogGroup(s, "trail-logs", { provider: p, retentionInDays: 365, kmsKeyId: "k", tags: { Name: "l" } });
      trail(s, p, { cloudWatchLogsGroupArn: `${logs.arn}:*`, cloudWatchLogsRoleArn: "arn:aws:iam::1:role/r" });
      new CloudwatchLogMetricFilter(s, "only-one", { provider: p, name: "f", logGroupName: logs.name, pattern: CIS_ALARMS[0].pattern, metricTransformation: { name: "m", namespace: "n", value: "1" } });
    },
    "rules",
  ],
  "SNS.TopicPolicySize": [
    (s, p) => new SnsTopicPolicy(s, "policy", { provider: p, arn: "arn:aws:sns:us-east-1:123456789012:t", policy: document(s, p, [longStatement(650, { actions: ["sns:Publish"], principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }] })]).json }),
    "rules/policy",
  ],
  "SNS.KmsEncryption": [(s, p) => new SnsTopic(s, "topic", { provider: p, tags: { Name: "t" } }), "rules/topic"],
};

describe("audit rules", () => {
  describeBrokenExamples([...CLOUDTRAIL_RULES, ...LOGS_RULES], BROKEN);
});
