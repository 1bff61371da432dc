import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { nameTag, NameScope, resourceName } from "../aws/naming";
import { AwsName } from "../aws/limits";
import { BASELINE } from "../aws/baseline";
import { FLOW_LOG_GROUP_PREFIX } from "../aws/naming";

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
  /** The AWS-visible names a GlobalIdentity with this naming creates (configuration checks them). */
  public static awsNames(naming: Omit<NameScope, "region">): AwsName[] {
    const names = GlobalIdentity.names(naming);
    return [
      { kind: "iamRole", name: names.apiGatewayRole },
      { kind: "iamRole", name: names.flowLogsRole },
      { kind: "iamPolicy", name: names.flowLogsPolicy },
    ];
  }

  private static names(naming: Omit<NameScope, "region">) {
    return {
      apiGatewayRole: resourceName(naming, "apigw-cloudwatch"),
      flowLogsRole: resourceName(naming, "vpc-flow-logs"),
      flowLogsPolicy: "deliver-flow-logs",
    };
  }

  /** ARN of the role every region's `aws_api_gateway_account` points at. */
  public readonly apiGatewayCloudWatchRoleArn: string;
  /** ARN of the role VPC flow logs assume to write to CloudWatch Logs. */
  public readonly flowLogsRoleArn: string;
  /** Completes once the API Gateway role has its permissions; depend on it before using the role. */
  public readonly apiGatewayRoleReady: ITerraformDependable;

  private readonly provider: AwsProvider;
  private readonly naming: Omit<NameScope, "region">;

  constructor(scope: Construct, id: string, props: GlobalIdentityProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const reusePrevention = props.passwordReusePrevention ?? DEFAULT_PASSWORD_REUSE_PREVENTION;
    if (reusePrevention < 1 || reusePrevention > 24 || !Number.isInteger(reusePrevention)) {
      throw new Error(`${this.node.path}: 'passwordReusePrevention' must be a whole number from 1 to 24. Received: ${reusePrevention}`);
    }

    const apiGateway = this.buildApiGatewayRole(props);
    this.apiGatewayCloudWatchRoleArn = apiGateway.role.arn;
    this.apiGatewayRoleReady = apiGateway.ready;
    this.flowLogsRoleArn = this.buildFlowLogsRole(props).arn;
    this.buildPasswordPolicy(reusePrevention);
  }

  /** The role API Gateway writes CloudWatch logs with, and its AWS managed policy. */
  private buildApiGatewayRole(props: GlobalIdentityProps): { role: IamRole; ready: ITerraformDependable } {
    const { provider, naming } = this;
    const trust = this.serviceTrustPolicy("api-gateway-trust", "apigateway.amazonaws.com", props.accountId);
    const role = new IamRole(this, "api-gateway-cloudwatch-role", {
      provider,
      name: GlobalIdentity.names(naming).apiGatewayRole,
      description: "Lets API Gateway write execution and access logs to CloudWatch Logs",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "apigw-cloudwatch"),
    });
    const ready = new IamRolePolicyAttachment(this, "api-gateway-cloudwatch-policy", {
      provider,
      role: role.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
    });
    return { role, ready };
  }

  /** The role VPC flow logs deliver with: writes limited to this deployment's flow-log groups. */
  private buildFlowLogsRole(props: GlobalIdentityProps): IamRole {
    const { provider, naming } = this;
    const { accountId, partition } = props;
    const names = GlobalIdentity.names(naming);
    const trust = this.serviceTrustPolicy("flow-logs-trust", "vpc-flow-logs.amazonaws.com", accountId);
    const role = new IamRole(this, "flow-logs-role", {
      provider,
      name: names.flowLogsRole,
      description: "Lets VPC flow logs deliver to this deployment's flow-log groups",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "vpc-flow-logs"),
    });
    const flowLogGroups = `arn:${partition}:logs:*:${accountId}:log-group:${FLOW_LOG_GROUP_PREFIX}${resourceName(naming, "*")}`;
    const permissions = new DataAwsIamPolicyDocument(this, "flow-logs-permissions", {
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
      name: names.flowLogsPolicy,
      role: role.id,
      policy: permissions.json,
    });
    return role;
  }

  /** The account password policy at the baseline's numbers. */
  private buildPasswordPolicy(reusePrevention: number): void {
    new IamAccountPasswordPolicy(this, "password-policy", {
      provider: this.provider,
      minimumPasswordLength: BASELINE.passwordMinimumLength,
      requireUppercaseCharacters: true,
      requireLowercaseCharacters: true,
      requireNumbers: true,
      requireSymbols: true,
      maxPasswordAge: BASELINE.passwordMaxAgeDays,
      passwordReusePrevention: reusePrevention,
      allowUsersToChangePassword: true,
    });
  }

  /** A trust policy for one AWS service, limited to this account to prevent confused-deputy use. */
  private serviceTrustPolicy(id: string, service: string, accountId: string): DataAwsIamPolicyDocument {
    return new DataAwsIamPolicyDocument(this, id, {
      provider: this.provider,
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
