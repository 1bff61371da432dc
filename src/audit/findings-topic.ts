import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { BASELINE } from "../aws/baseline";
import { nameTag, NameScope, resourceName } from "../aws/naming";
import { accountAdministersKey } from "../storage/storage-facts";
import type { SeverityLabel } from "./findings-facts";
import { FindingsNotification } from "./findings-notification";

export interface FindingsTopicProps {
  /** Provider of the region whose findings are routed: the aggregation (home) Region, where Security Hub gathers every linked Region's. */
  readonly provider: AwsProvider;
  /** Project and environment for names, and the region. */
  readonly naming: NameScope & { readonly region: string };
  /** The account of the topic. May be a token. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /**
   * The lowest Security Hub severity label notified.
   * @default "HIGH"
   */
  readonly severity?: SeverityLabel;
  /**
   * An e-mail address subscribed to the topic (AWS mails a confirmation link first).
   * @default - no subscription
   */
  readonly email?: string;
  /**
   * Keep the key on `destroy` (`prevent_destroy`).
   * @default false
   */
  readonly protect?: boolean;
}

/**
 * A security topic of its own for Security Hub's findings, as the delegated administrator (the
 * organization's security account) sees them aggregated: encrypted with a customer key that
 * only the account's IAM policies and this rule's EventBridge requests may use, TLS-only, and
 * published to by this rule alone.
 */
export class FindingsTopic extends Construct {
  /** ARN of the topic. */
  public readonly topicArn: string;
  /** ARN of the topic's key. */
  public readonly keyArn: string;
  /** ARN of the EventBridge rule that publishes to it. */
  public readonly ruleArn: string;

  constructor(scope: Construct, id: string, props: FindingsTopicProps) {
    super(scope, id);
    const account = { project: props.naming.project, environment: props.naming.environment };
    const topicName = resourceName(account, "security-findings");
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", { provider: props.provider, statement: [accountAdministersKey(props.partition, props.accountId)] });
    const key = new KmsKey(this, "key", {
      provider: props.provider,
      description: `Encrypts the ${topicName} topic of Security Hub's findings`,
      enableKeyRotation: true,
      deletionWindowInDays: BASELINE.kmsDeletionWindowDays,
      policy: keyPolicy.json,
      tags: nameTag(account, "security-findings-key"),
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
    new KmsAlias(this, "key-alias", { provider: props.provider, name: `alias/${topicName}`, targetKeyId: key.keyId });
    const topic = new SnsTopic(this, "topic", { provider: props.provider, name: topicName, kmsMasterKeyId: key.arn, tags: nameTag(account, "security-findings") });
    const findings = new FindingsNotification(this, "findings", {
      provider: props.provider,
      naming: props.naming,
      accountId: props.accountId,
      partition: props.partition,
      topicArn: topic.arn,
      severity: props.severity,
    });
    // The rule's ARN comes from its name, so the key's policy names it without waiting for the rule.
    keyPolicy.putStatement([accountAdministersKey(props.partition, props.accountId), findings.keyStatement(props.accountId)]);
    const policy = new DataAwsIamPolicyDocument(this, "topic-policy-document", {
      provider: props.provider,
      statement: [findings.publishStatement(topic.arn), denyInsecureTransport(topic.arn)],
    });
    new SnsTopicPolicy(this, "topic-policy", { provider: props.provider, arn: topic.arn, policy: policy.json });
    if (props.email) new SnsTopicSubscription(this, "email", { provider: props.provider, topicArn: topic.arn, protocol: "email", endpoint: props.email });
    this.topicArn = topic.arn;
    this.keyArn = key.arn;
    this.ruleArn = findings.ruleArn;
  }
}

/**
 * Refuses publishing over plain HTTP to everyone: requests to an encrypted topic must use TLS
 * anyway; the statement makes it visible in the policy, as tap's bucket policies do.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#enforce-encryption-data-in-transit
 */
function denyInsecureTransport(topicArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: [{ type: "*", identifiers: ["*"] }],
    actions: ["sns:Publish"],
    resources: [topicArn],
    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}
