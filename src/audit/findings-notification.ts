import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { nameTag, NameScope } from "../aws/naming";
import { DEFAULT_FINDINGS_SEVERITY, findingsEventPattern, findingsRuleArn, findingsRuleName, SEVERITY_LABELS, SeverityLabel, severitiesAtOrAbove } from "./findings-facts";

export interface FindingsNotificationProps {
  /** Provider of the region whose Security Hub findings are routed (the home region; with cross-Region aggregation, every linked Region's). */
  readonly provider: AwsProvider;
  /** Project and environment for names, and the region. */
  readonly naming: NameScope & { readonly region: string };
  /** The account of the rule. May be a token. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /**
   * The encrypted SNS topic the findings go to. Its owner must let this rule publish and use its
   * key (`publishStatement`, `keyStatement`): the topic's policy and key policy are its owner's.
   */
  readonly topicArn: string;
  /**
   * The lowest Security Hub severity label notified; it and every label above it page.
   * @default "HIGH"
   */
  readonly severity?: SeverityLabel;
}

/**
 * Findings to people: an EventBridge rule on Security Hub's imported findings (GuardDuty's
 * reach Security Hub, so they follow) at or above a severity, still active and not yet handled,
 * with the security topic as its target.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-all-findings.html
 */
export class FindingsNotification extends Construct {
  /** The rule's ARN (from its name, known at plan time): what the topic's and key's policies name as aws:SourceArn. */
  public readonly ruleArn: string;
  /** The severity labels the rule matches, highest first. */
  public readonly severities: readonly SeverityLabel[];

  constructor(scope: Construct, id: string, props: FindingsNotificationProps) {
    super(scope, id);
    const severity = props.severity ?? DEFAULT_FINDINGS_SEVERITY;
    if (!SEVERITY_LABELS.includes(severity)) throw new Error(`${this.node.path}: 'severity' must be one of ${SEVERITY_LABELS.join(", ")}. Received: ${severity}`);
    const name = findingsRuleName(props.naming);
    this.severities = severitiesAtOrAbove(severity);
    const rule = new CloudwatchEventRule(this, "rule", {
      provider: props.provider,
      name,
      description: `Security Hub findings of severity ${this.severities.join(", ")} (new, active) to the security topic`,
      eventPattern: JSON.stringify(findingsEventPattern(this.severities)),
      tags: nameTag(props.naming, "security-findings"),
    });
    new CloudwatchEventTarget(this, "target", { provider: props.provider, rule: rule.name, targetId: "security-topic", arn: props.topicArn });
    this.ruleArn = findingsRuleArn(props.partition, props.naming.region, props.accountId, name);
  }

  /**
   * The topic policy statement that lets this rule, and no other, publish.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
   */
  public publishStatement(topicArn: string): DataAwsIamPolicyDocumentStatement {
    return {
      sid: "EventBridgeSecurityFindings",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
      actions: ["sns:Publish"],
      resources: [topicArn],
      condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [this.ruleArn] }],
    };
  }

  /**
   * The key policy statement that lets EventBridge publish through the encrypted topic for this
   * rule only; without it SNS cannot encrypt the message and the finding is dropped.
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   * @see https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification
   */
  public keyStatement(accountId: string): DataAwsIamPolicyDocumentStatement {
    return {
      sid: "EventBridgeSecurityFindingsEncrypted",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      condition: [
        { test: "ArnEquals", variable: "aws:SourceArn", values: [this.ruleArn] },
        { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
      ],
    };
  }
}
