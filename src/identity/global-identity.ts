import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { nameTag, NameScope, resourceName } from "../aws/naming";
import { AwsName, awsNameProblems, PASSWORD_REUSE_PREVENTION } from "../aws/limits";
import { trustConditionFor } from "./service-trust";
import { BASELINE } from "../aws/baseline";

export interface GlobalIdentityProps {
  /** Provider the account-wide IAM resources are created with (IAM is global; any region works). */
  readonly provider: AwsProvider;
  /** Project and environment for names; no region, these resources are account-wide. */
  readonly naming: Omit<NameScope, "region">;
  /** Account the roles serve (trust conditions, ARNs). May be a token. */
  readonly accountId: string;
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`) for ARNs. May be a token. */
  readonly partition: string;
  /**
   * This deployment's flow-log groups by region. The flow-log role may write to these groups
   * only, and only flow logs of these regions may assume it.
   */
  readonly flowLogGroups: readonly { readonly region: string; readonly name: string }[];
  /**
   * Create the account-wide settings: the API Gateway CloudWatch role and the account password
   * policy. Exactly one deployment per account should; the others set this to false.
   * @default true
   */
  readonly manageAccountSettings?: boolean;
  /**
   * Number of previous passwords IAM users may not reuse (1-24). CIS AWS Foundations 1.9
   * recommends 24; whether a lower value is accepted is the configuration's decision.
   * @default 5
   */
  readonly passwordReusePrevention?: number;
  /**
   * Terraform refuses to plan the deletion of the password policy (`prevent_destroy`), so a
   * stray destroy cannot drop the account to AWS's defaults. Turn on for production.
   * @default false
   */
  readonly protectAccountSettings?: boolean;
}

/** The product's default reuse prevention (the spec's 5; CIS 1.9 recommends 24). */
export const DEFAULT_PASSWORD_REUSE_PREVENTION = 5;

/**
 * Account-wide IAM: the role VPC flow logs deliver with and, when this deployment owns the
 * account's settings, the role API Gateway writes CloudWatch logs with and the account
 * password policy.
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

  /** ARN of the role every region's `aws_api_gateway_account` points at; unset when another deployment owns account settings. */
  public readonly apiGatewayCloudWatchRoleArn?: string;
  /** Completes once the API Gateway role has its permissions; depend on it before using the role. */
  public readonly apiGatewayRoleReady?: ITerraformDependable;
  /** ARN of the role VPC flow logs assume to write to CloudWatch Logs. */
  public readonly flowLogsRoleArn: string;
  /** Completes once the flow-log role may write; a flow log created earlier fails its first deliveries. */
  public readonly flowLogsRoleReady: ITerraformDependable;

  private readonly provider: AwsProvider;
  private readonly naming: Omit<NameScope, "region">;

  constructor(scope: Construct, id: string, props: GlobalIdentityProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const reusePrevention = this.validate(props);

    const flowLogs = this.buildFlowLogsRole(props);
    this.flowLogsRoleArn = flowLogs.role.arn;
    this.flowLogsRoleReady = flowLogs.ready;
    if (props.manageAccountSettings ?? true) {
      const apiGateway = this.buildApiGatewayRole(props);
      this.apiGatewayCloudWatchRoleArn = apiGateway.role.arn;
      this.apiGatewayRoleReady = apiGateway.ready;
      this.buildPasswordPolicy(reusePrevention, props.protectAccountSettings ?? false);
    }
  }

  private validate(props: GlobalIdentityProps): number {
    const problems: string[] = [];
    const reusePrevention = props.passwordReusePrevention ?? DEFAULT_PASSWORD_REUSE_PREVENTION;
    if (!Number.isInteger(reusePrevention) || reusePrevention < PASSWORD_REUSE_PREVENTION.min || reusePrevention > PASSWORD_REUSE_PREVENTION.max) {
      problems.push(`'passwordReusePrevention' must be a whole number from ${PASSWORD_REUSE_PREVENTION.min} to ${PASSWORD_REUSE_PREVENTION.max}. Received: ${reusePrevention}`);
    }
    if (props.flowLogGroups.length === 0) problems.push("'flowLogGroups' needs the flow-log group of at least one region. Received: []");
    problems.push(...awsNameProblems(GlobalIdentity.awsNames(props.naming)));
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return reusePrevention;
  }

  /** The role API Gateway writes CloudWatch logs with, and its AWS managed policy. */
  private buildApiGatewayRole(props: GlobalIdentityProps): { role: IamRole; ready: ITerraformDependable } {
    const { provider, naming } = this;
    const trust = this.serviceTrustPolicy("api-gateway-trust", "apigateway.amazonaws.com");
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

  /** The role VPC flow logs deliver with: this deployment's flow logs may assume it, to write to its flow-log groups only. */
  private buildFlowLogsRole(props: GlobalIdentityProps): { role: IamRole; ready: ITerraformDependable } {
    const { provider, naming } = this;
    const { accountId, partition, flowLogGroups } = props;
    const names = GlobalIdentity.names(naming);
    const trust = this.serviceTrustPolicy("flow-logs-trust", "vpc-flow-logs.amazonaws.com", {
      accountId,
      sourceArns: flowLogGroups.map(({ region }) => `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*`),
    });
    const role = new IamRole(this, "flow-logs-role", {
      provider,
      name: names.flowLogsRole,
      description: "Lets VPC flow logs deliver to this deployment's flow-log groups",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "vpc-flow-logs"),
    });
    const groupArns = flowLogGroups.map(({ region, name }) => `arn:${partition}:logs:${region}:${accountId}:log-group:${name}`);
    const permissions = new DataAwsIamPolicyDocument(this, "flow-logs-permissions", {
      provider,
      statement: [
        {
          sid: "DeliverFlowLogs",
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: groupArns.flatMap((arn) => [arn, `${arn}:log-stream:*`]),
        },
        {
          // DescribeLogGroups is a list call: IAM authorizes it only on every log group of a region.
          sid: "FindFlowLogGroups",
          effect: "Allow",
          actions: ["logs:DescribeLogGroups"],
          resources: flowLogGroups.map(({ region }) => `arn:${partition}:logs:${region}:${accountId}:log-group:*`),
        },
      ],
    });
    const ready = new IamRolePolicy(this, "flow-logs-role-policy", {
      provider,
      name: names.flowLogsPolicy,
      role: role.id,
      policy: permissions.json,
    });
    return { role, ready };
  }

  /** The account password policy at the baseline's numbers. */
  private buildPasswordPolicy(reusePrevention: number, protect: boolean): void {
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
      // Deleting the policy resets the whole account to AWS's defaults (no length, no expiry).
      lifecycle: protect ? { preventDestroy: true } : undefined,
    });
  }

  /**
   * A trust policy for one AWS service, conditioned as the service documents it: with
   * `aws:SourceAccount` (and `aws:SourceArn` where given) for services that send them,
   * unconditioned for those that do not (see SOURCE_ACCOUNT_EXEMPT).
   */
  private serviceTrustPolicy(id: string, service: string, limit?: { accountId: string; sourceArns?: string[] }): DataAwsIamPolicyDocument {
    const condition = trustConditionFor(service);
    if (condition === undefined) throw new Error(`${this.node.path}: no documented trust condition for ${service}; add it to src/identity/service-trust.ts`);
    if (condition === "source-account" && !limit) throw new Error(`${this.node.path}: ${service} documents aws:SourceAccount; its trust needs the account`);
    return new DataAwsIamPolicyDocument(this, id, {
      provider: this.provider,
      statement: [
        {
          sid: "TrustService",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [service] }],
          condition:
            condition === "source-account"
              ? [
                  { test: "StringEquals", variable: "aws:SourceAccount", values: [limit!.accountId] },
                  ...(limit!.sourceArns ? [{ test: "ArnLike", variable: "aws:SourceArn", values: limit!.sourceArns }] : []),
                ]
              : undefined,
        },
      ],
    });
  }
}
