import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { trustConditionFor } from "./service-trust";

/** Which requests of the service a trust policy admits. */
export interface ServiceTrustLimit {
  /** The account the service must act for (`aws:SourceAccount`). May be a token. */
  readonly accountId: string;
  /**
   * The resources the service must act for (`aws:SourceArn`, ArnLike).
   * @default - any resource of the account
   */
  readonly sourceArns?: readonly string[];
}

export interface ServiceTrustProps {
  /** Provider the policy document is computed with (locally; no AWS call). */
  readonly provider: AwsProvider;
  /** The service principal, `<service>.amazonaws.com`. */
  readonly service: string;
  /**
   * Required for services that send `aws:SourceAccount` (SOURCE_ACCOUNT_DOCUMENTED), refused
   * for services that document no condition (SOURCE_ACCOUNT_EXEMPT).
   * @default - unconditioned
   */
  readonly limit?: ServiceTrustLimit;
  /**
   * Why this role of a service that documents `aws:SourceAccount` (for its other roles) is
   * trusted without it: AWS documents this role's trust with no condition, and a condition the
   * service may not send here would fail its check of the role. The role's construct must then
   * suppress IAM.TrustNamesServicePrincipal with the same reason.
   * @default - the service's documented condition is required
   */
  readonly unconditioned?: string;
}

/**
 * The one way tap writes a role's trust in an AWS service: conditioned exactly as the service
 * documents it (src/identity/service-trust.ts). A service that sends `aws:SourceAccount` gets it
 * (and `aws:SourceArn` where given); a service that documents no condition is trusted
 * unconditioned, since a condition it does not send fails AWS's own check of the role; a
 * service in neither list is refused, so a new role cannot guess.
 */
export function serviceTrustPolicy(scope: Construct, id: string, props: ServiceTrustProps): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, { provider: props.provider, statement: serviceTrustStatements(`${scope.node.path}/${id}`, props.service, props.limit, props.unconditioned) });
}

/** The trust statement for `service`, for a document rewritten with `putStatement` as its limit grows. */
export function serviceTrustStatements(path: string, service: string, limit: ServiceTrustLimit | undefined, unconditioned?: string): DataAwsIamPolicyDocumentStatement[] {
  const condition = trustConditionFor(service);
  if (condition === undefined) throw new Error(`${path}: no documented trust condition for ${service}; look it up and add it to src/identity/service-trust.ts`);
  if (unconditioned !== undefined && (condition !== "source-account" || limit)) throw new Error(`${path}: 'unconditioned' is for a service that documents aws:SourceAccount, without 'limit'`);
  if (condition === "source-account" && !limit && unconditioned === undefined) throw new Error(`${path}: ${service} documents aws:SourceAccount; its trust needs 'limit.accountId'`);
  if (condition === "none" && limit) throw new Error(`${path}: ${service} documents no trust condition; a 'limit' would make AWS's own check of the role fail`);
  return [
    {
      sid: "TrustService",
      effect: "Allow",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: [service] }],
      condition: limit
        ? [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [limit.accountId] },
            ...(limit.sourceArns ? [{ test: "ArnLike", variable: "aws:SourceArn", values: [...limit.sourceArns] }] : []),
          ]
        : undefined,
    },
  ];
}
