import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { CIS_ALARMS } from "../../src/audit/cis-alarms";
import { CLOUDTRAIL_RULES } from "../../src/audit/cloudtrail-rules";
import { LOGS_RULES } from "../../src/audit/logs-rules";
import { audit, BrokenExamples, describeBrokenExamples, document, failuresOf, longStatement, trail, bucket } from "../compliance/rule-harness";

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
  "SNS.NoPublicTopicPolicy": [
    (s, p) => new SnsTopicPolicy(s, "policy", { provider: p, arn: "arn:aws:sns:us-east-1:123456789012:t", policy: document(s, p, [{ sid: "Anyone", effect: "Allow", actions: ["sns:Publish"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] }]).json }),
    "rules/policy",
  ],
  "SNS.KmsEncryption": [(s, p) => new SnsTopic(s, "topic", { provider: p, tags: { Name: "t" } }), "rules/topic"],
};

describe("audit rules", () => {
  describeBrokenExamples([...CLOUDTRAIL_RULES, ...LOGS_RULES], BROKEN);
});

describe("CloudTrail.MultiRegionTrail asks for read and write management events (Security Hub CloudTrail.1, CIS 3.1)", () => {
  const multiRegionFailures = (overrides: object) => failuresOf(audit((s, p) => trail(s, p, overrides))).filter((failure) => failure.startsWith("CloudTrail.MultiRegionTrail "));
  const management = { field: "eventCategory", equalTo: ["Management"] };

  test.each([
    ["no selector (CloudTrail records all management events)", {}],
    ["a basic selector keeping management events, read and write", { eventSelector: [{ readWriteType: "All", includeManagementEvents: true }] }],
    ["an advanced selector of every management event", { advancedEventSelector: [{ name: "management", fieldSelector: [management] }] }],
  ])("passes a multi-region trail with %s", (_name, overrides) => {
    expect(multiRegionFailures(overrides)).toEqual([]);
  });

  test.each([
    ["write events only", { eventSelector: [{ readWriteType: "WriteOnly", includeManagementEvents: true }] }],
    ["read events only", { eventSelector: [{ readWriteType: "ReadOnly" }] }],
    ["management events excluded", { eventSelector: [{ readWriteType: "All", includeManagementEvents: false }] }],
    ["an advanced selector narrowed by readOnly", { advancedEventSelector: [{ name: "writes", fieldSelector: [management, { field: "readOnly", equalTo: ["false"] }] }] }],
    ["an advanced selector of data events only", { advancedEventSelector: [{ name: "data", fieldSelector: [{ field: "eventCategory", equalTo: ["Data"] }, { field: "resources.type", equalTo: ["AWS::S3::Object"] }] }] }],
  ])("fails the only multi-region trail when it records %s", (_name, overrides) => {
    expect(multiRegionFailures(overrides)).toEqual(["CloudTrail.MultiRegionTrail rules"]);
  });
});

describe("SNS.NoPublicTopicPolicy (FSBP SNS.4)", () => {
  const publicFailures = (statement: object, onTopic = false) =>
    audit((s, p) => {
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:123456789012:t", ...statement }] });
      if (onTopic) new SnsTopic(s, "topic", { provider: p, kmsMasterKeyId: "k", policy, tags: { Name: "t" } });
      else new SnsTopicPolicy(s, "policy", { provider: p, arn: "arn:aws:sns:us-east-1:123456789012:t", policy });
    })
      .failures.filter((f) => f.rule.id === "SNS.NoPublicTopicPolicy")
      .map((f) => [f.element.path, f.detail]);

  test('"*" without a holding condition fails, in a topic policy or the topic\'s own policy', () => {
    expect(publicFailures({ Principal: "*" })).toEqual([["rules/policy", 'statement S allows "*" sns:Publish without holding it to an account or source']]);
    expect(publicFailures({ Principal: { AWS: "*" } }, true)).toEqual([["rules/topic", 'statement S allows "*" sns:Publish without holding it to an account or source']]);
    expect(publicFailures({ Principal: "*", Condition: { StringNotEquals: { "aws:SourceAccount": "123456789012" } } })).toHaveLength(1);
    expect(publicFailures({ Principal: "*", Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } } })).toHaveLength(1);
    expect(publicFailures({ Principal: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } })).toHaveLength(1);
    expect(publicFailures({ Principal: "*", Condition: { ArnLike: { "aws:SourceArn": "*" } } })).toHaveLength(1);
  });

  test('"*" held to an account, organization or source, and named principals, pass', () => {
    expect(publicFailures({ Principal: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } })).toEqual([]);
    expect(publicFailures({ Principal: "*", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" } } })).toEqual([]);
    expect(publicFailures({ Principal: { AWS: "*" }, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } })).toEqual([]);
    expect(publicFailures({ Principal: { Service: "cloudwatch.amazonaws.com" } })).toEqual([]);
    expect(publicFailures({ Principal: { AWS: "arn:aws:iam::123456789012:root" } })).toEqual([]);
  });
});
