import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { FINDINGS_RULES } from "../../src/audit/findings-rules";
import { audit, BrokenExamples, describeBrokenExamples } from "../compliance/rule-harness";

const FINDINGS = { source: ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"] };
const hub = (s: Construct, p: AwsProvider) => new SecurityhubAccount(s, "hub", { provider: p });
const rule = (s: Construct, p: AwsProvider, pattern: object) => new CloudwatchEventRule(s, "findings", { provider: p, name: "findings", eventPattern: JSON.stringify(pattern), tags: { Name: "f" } });
const topic = (s: Construct, p: AwsProvider) => new SnsTopic(s, "topic", { provider: p, kmsMasterKeyId: "arn:aws:kms:us-east-1:1:key/x", tags: { Name: "t" } });

const BROKEN: BrokenExamples = {
  // Security Hub on, and its findings go nowhere.
  "SecurityHub.FindingsNotified": [(s, p) => hub(s, p), "rules"],
};

const findingsIn = (report: ReturnType<typeof audit>) => report.failures.filter((f) => f.rule.id === "SecurityHub.FindingsNotified").map((f) => f.detail);

describe("findings rules", () => {
  describeBrokenExamples([...FINDINGS_RULES], BROKEN);

  test("passes where a rule on Security Hub's imported findings targets an SNS topic", () => {
    const report = audit((s, p) => {
      hub(s, p);
      const findings = rule(s, p, { ...FINDINGS, detail: { findings: { Severity: { Label: ["CRITICAL", "HIGH"] } } } });
      new CloudwatchEventTarget(s, "target", { provider: p, rule: findings.name, arn: topic(s, p).arn });
    });
    expect(findingsIn(report)).toEqual([]);
  });

  test("passes where Security Hub is not on (a member of an organization, whose findings its security account routes)", () => {
    expect(findingsIn(audit((s, p) => topic(s, p)))).toEqual([]);
  });

  test("fails a rule that leaves out CRITICAL findings, one on other events, and one whose target is no SNS topic", () => {
    const onlyLow = audit((s, p) => {
      hub(s, p);
      new CloudwatchEventTarget(s, "target", { provider: p, rule: rule(s, p, { ...FINDINGS, detail: { findings: { Severity: { Label: ["LOW"] } } } }).name, arn: topic(s, p).arn });
    });
    expect(findingsIn(onlyLow)).toEqual([expect.stringContaining("leaves out CRITICAL findings")]);
    const otherEvents = audit((s, p) => {
      hub(s, p);
      new CloudwatchEventTarget(s, "target", { provider: p, rule: rule(s, p, { source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"] }).name, arn: topic(s, p).arn });
    });
    expect(findingsIn(otherEvents)).toEqual([expect.stringContaining('does not match source aws.securityhub with detail-type "Security Hub Findings - Imported"')]);
    const toQueue = audit((s, p) => {
      hub(s, p);
      new CloudwatchEventTarget(s, "target", { provider: p, rule: rule(s, p, FINDINGS).name, arn: new SqsQueue(s, "queue", { provider: p, tags: { Name: "q" } }).arn });
    });
    expect(findingsIn(toQueue)).toEqual([expect.stringContaining("has no target on an SNS topic")]);
  });
});
