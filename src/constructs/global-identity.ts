import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { nameTag, NameScope, resourceName } from "../aws/naming";
import { BASELINE } from "../aws/baseline";
import { FLOW_LOG_GROUP_PREFIX } from "../aws/naming";
import { suppressRule } from "../compliance/suppressions";

export interface GlobalIdentityProps {
  /** Provider the account-wide IAM resources are created with (IAM is global; any region works). */
  readonly provider: AwsProvider;
  /** Project and environment for names; no region, these resources are account-wide. */
  readonly naming: Omit<NameScope, "region">;
  /** Account that trust policies are restricted to (`aws:SourceAccount`). May be a token. */
  readonly accountId: string;
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`) for ARNs. May be a token. */
  readonly partition: string;
  /**
   * Number of previous passwords IAM users may not reuse (1-24). CIS AWS Foundations 1.9
   * recommends 24; a lower value is reported as a suppressed finding.
   * @default 5
   */
  readonly passwordReusePrevention?: number;
}


/** The product's default reuse prevention (the spec's 5; CIS 1.9 recommends 24). */
export const DEFAULT_PASSWORD_REUSE_PREVENTION = 5;

/**
 * Account-wide IAM: the role API Gateway uses to write CloudWatch logs, the role VPC
 * flow logs deliver with, and the account password policy.
 */
export class GlobalIdentity extends Construct {
  /** ARN of the role every region's `aws_api_gateway_account` points at. */
  public readonly apiGatewayCloudWatchRoleArn: string;
  /** ARN of the role VPC flow logs assume to write to CloudWatch Logs. */
  public readonly flowLogsRoleArn: string;
  /** Completes once the API Gateway role has its permissions; depend on it before using the role. */
  public readonly apiGatewayRoleReady: ITerraformDependable;

  constructor(scope: Construct, id: string, props: GlobalIdentityProps) {
    super(scope, id);
    const { provider, naming, accountId, partition } = props;
    const reusePrevention = props.passwordReusePrevention ?? DEFAULT_PASSWORD_REUSE_PREVENTION;
    if (reusePrevention < 1 || reusePrevention > 24 || !Number.isInteger(reusePrevention)) {
      throw new Error(`${this.node.path}: 'passwordReusePrevention' must be a whole number from 1 to 24. Received: ${reusePrevention}`);
    }

    const apiGatewayTrust = this.serviceTrustPolicy("api-gateway-trust", "apigateway.amazonaws.com", accountId, provider);
    const apiGatewayRole = new IamRole(this, "api-gateway-cloudwatch-role", {
      provider,
      name: resourceName(naming, "apigw-cloudwatch"),
      description: "Lets API Gateway write execution and access logs to CloudWatch Logs",
      assumeRolePolicy: apiGatewayTrust.json,
      tags: nameTag(naming, "apigw-cloudwatch"),
    });
    this.apiGatewayRoleReady = new IamRolePolicyAttachment(this, "api-gateway-cloudwatch-policy", {
      provider,
      role: apiGatewayRole.name,
      policyArn: `arn:${partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
    });
    this.apiGatewayCloudWatchRoleArn = apiGatewayRole.arn;

    const flowLogsTrust = this.serviceTrustPolicy("flow-logs-trust", "vpc-flow-logs.amazonaws.com", accountId, provider);
    const flowLogsRole = new IamRole(this, "flow-logs-role", {
      provider,
      name: resourceName(naming, "vpc-flow-logs"),
      description: "Lets VPC flow logs deliver to this deployment's flow-log groups",
      assumeRolePolicy: flowLogsTrust.json,
      tags: nameTag(naming, "vpc-flow-logs"),
    });
    const flowLogGroups = `arn:${partition}:logs:*:${accountId}:log-group:${FLOW_LOG_GROUP_PREFIX}${resourceName(naming, "*")}`;
    const flowLogsPermissions = new DataAwsIamPolicyDocument(this, "flow-logs-permissions", {
      provider,
      statement: [
        {
          sid: "DeliverFlowLogs",
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [flowLogGroups, `${flowLogGroups}:log-stream:*`],
        },
        {
          // DescribeLogGroups is a list call: IAM only authorizes it on every log group of the account.
          sid: "FindFlowLogGroups",
          effect: "Allow",
          actions: ["logs:DescribeLogGroups"],
          resources: [`arn:${partition}:logs:*:${accountId}:log-group:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-logs-role-policy", {
      provider,
      name: "deliver-flow-logs",
      role: flowLogsRole.id,
      policy: flowLogsPermissions.json,
    });
    this.flowLogsRoleArn = flowLogsRole.arn;

    const passwordPolicy = new IamAccountPasswordPolicy(this, "password-policy", {
      provider,
      minimumPasswordLength: BASELINE.passwordMinimumLength,
      requireUppercaseCharacters: true,
      requireLowercaseCharacters: true,
      requireNumbers: true,
      requireSymbols: true,
      maxPasswordAge: BASELINE.passwordMaxAgeDays,
      passwordReusePrevention: reusePrevention,
      allowUsersToChangePassword: true,
    });
    if (reusePrevention < BASELINE.passwordReusePrevention) {
      suppressRule(
        passwordPolicy,
        "IAM.PasswordReusePrevention",
        `reuse prevention is ${reusePrevention} as configured (TAP_PASSWORD_REUSE_PREVENTION); CIS recommends ${BASELINE.passwordReusePrevention}`,
      );
    }
  }

  /** A trust policy for one AWS service, limited to this account to prevent confused-deputy use. */
  private serviceTrustPolicy(id: string, service: string, accountId: string, provider: AwsProvider): DataAwsIamPolicyDocument {
    return new DataAwsIamPolicyDocument(this, id, {
      provider,
      statement: [
        {
          sid: "TrustService",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [service] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
        },
      ],
    });
  }
}
