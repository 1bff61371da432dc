/**
 * Findings to people: the EventBridge rule's pattern, and the security account's own findings
 * topic, whose topic and key policies are evaluated as AWS evaluates EventBridge's requests (the
 * policy evaluator and renderer of the service-access proofs).
 */
import { FindingsNotification } from "../../src/audit/findings-notification";
import { FindingsTopic } from "../../src/audit/findings-topic";
import { severitiesAtOrAbove } from "../../src/audit/findings-facts";
import { decide } from "../access/evaluate";
import { ACCOUNT, OTHER_ACCOUNT, PARTITION, StackPolicies } from "../access/stack-policies";
import { resourcesOf, synthConstruct } from "../helpers";

const naming = { project: "acme", environment: "org", region: "eu-west-1" };

describe("FindingsNotification", () => {
  test("the threshold notifies it and every label above it", () => {
    expect(severitiesAtOrAbove("CRITICAL")).toEqual(["CRITICAL"]);
    expect(severitiesAtOrAbove("HIGH")).toEqual(["CRITICAL", "HIGH"]);
    expect(severitiesAtOrAbove("INFORMATIONAL")).toEqual(["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"]);
  });

  test("matches Security Hub's imported findings, HIGH and CRITICAL by default, new and active only, and targets the topic", () => {
    const json = synthConstruct("eu-west-1", (scope, provider) => {
      new FindingsNotification(scope, "findings", { provider, naming, accountId: ACCOUNT, partition: PARTITION, topicArn: "arn:aws:sns:eu-west-1:123456789012:t" });
    });
    const [[, rule]] = resourcesOf(json, "aws_cloudwatch_event_rule");
    expect(rule.name).toBe("acme-org-security-findings");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.securityhub"],
      "detail-type": ["Security Hub Findings - Imported"],
      detail: { findings: { Severity: { Label: ["CRITICAL", "HIGH"] }, Workflow: { Status: ["NEW"] }, RecordState: ["ACTIVE"] } },
    });
    const [[ruleId]] = resourcesOf(json, "aws_cloudwatch_event_rule");
    expect(resourcesOf(json, "aws_cloudwatch_event_target").map(([, target]) => [target.rule, target.arn])).toEqual([[`\${aws_cloudwatch_event_rule.${ruleId}.name}`, "arn:aws:sns:eu-west-1:123456789012:t"]]);
  });

  test("refuses a severity Security Hub does not have, naming the prop and value", () => {
    expect(() =>
      synthConstruct("eu-west-1", (scope, provider) => {
        new FindingsNotification(scope, "findings", { provider, naming, accountId: ACCOUNT, partition: PARTITION, topicArn: "t", severity: "SEVERE" as any });
      }),
    ).toThrow(/'severity' must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL. Received: SEVERE/);
  });
});

describe("FindingsTopic: EventBridge publishes for its rule only, through the topic's key", () => {
  // The requests EventBridge sends for the security account's rule, written out.
  const RULE = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/acme-org-security-findings`;
  const OTHER_RULE = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/another-rule`;
  const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:acme-org-security-findings`;
  const policies = new StackPolicies(
    synthConstruct("eu-west-1", (scope, provider) => {
      new FindingsTopic(scope, "security-findings", { provider, naming, accountId: ACCOUNT, partition: PARTITION });
    }),
  );
  const topic = policies.resource("aws_sns_topic", "security-findings/topic");
  const key = policies.resource("aws_kms_key", "security-findings/key");
  const publish = (principal: string, context: Record<string, string>) =>
    decide({ principal, identityPolicies: [], action: "sns:Publish", resourceArn: TOPIC, resourcePolicy: policies.topicPolicy(topic), context });
  const useKey = (principal: string, action: string, sourceArn: string) =>
    decide({ principal, identityPolicies: [], action, resourceArn: policies.arn(key), resourcePolicy: policies.keyPolicy(key), context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT } });

  test("the topic is encrypted with its own rotated key", () => {
    expect(policies.arn(topic)).toBe(TOPIC);
    expect(topic.body.kms_master_key_id).toBe(`\${aws_kms_key.${key.name}.arn}`);
    expect(key.body.enable_key_rotation).toBe(true);
  });

  test("events.amazonaws.com Publish with the rule's aws:SourceArn over TLS is allowed; another rule's or another principal's is not", async () => {
    const tls = { "aws:SecureTransport": "true", "aws:SourceAccount": ACCOUNT };
    expect(await publish("events.amazonaws.com", { ...tls, "aws:SourceArn": RULE })).toBe("Allowed");
    expect(await publish("events.amazonaws.com", { ...tls, "aws:SourceArn": OTHER_RULE })).not.toBe("Allowed");
    expect(await publish("cloudwatch.amazonaws.com", { ...tls, "aws:SourceArn": RULE })).not.toBe("Allowed");
    expect(await publish(`arn:aws:iam::${OTHER_ACCOUNT}:role/intruder`, { ...tls, "aws:SourceArn": RULE })).not.toBe("Allowed");
  });

  test("Publish without TLS is explicitly denied, even for the rule", async () => {
    expect(await publish("events.amazonaws.com", { "aws:SecureTransport": "false", "aws:SourceArn": RULE, "aws:SourceAccount": ACCOUNT })).toBe("ExplicitlyDenied");
  });

  test("events.amazonaws.com GenerateDataKey and Decrypt on the key with the rule's aws:SourceArn are allowed; for another rule they are not", async () => {
    expect(await useKey("events.amazonaws.com", "kms:GenerateDataKey", RULE)).toBe("Allowed");
    expect(await useKey("events.amazonaws.com", "kms:Decrypt", RULE)).toBe("Allowed");
    expect(await useKey("events.amazonaws.com", "kms:GenerateDataKey", OTHER_RULE)).not.toBe("Allowed");
    expect(await useKey("s3.amazonaws.com", "kms:GenerateDataKey", RULE)).not.toBe("Allowed");
  });
});
