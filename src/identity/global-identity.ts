import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { awsNameProblems } from "../aws/limits";
import { nameTag, NameScope } from "../aws/naming";
import type { SingletonMode } from "../aws/singletons";
import { adoptExisting } from "../terraform/adopt-existing";
import { IDENTITY_MANAGED_POLICIES, identityAwsNames, identityNames, PASSWORD_POLICY, PASSWORD_REUSE_PREVENTION } from "./identity-facts";
import { serviceTrustPolicy, serviceTrustStatements } from "./trust-policy";

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
   * Create the account-wide settings: the API Gateway CloudWatch role, the account password
   * policy and the support role. Exactly one deployment per account should; the others set
   * this to false.
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
  /**
   * The account password policy, with `manageAccountSettings`: create it, adopt the account's
   * own (Terraform imports it, then sets tap's numbers), or leave it to whoever manages it.
   * @default "create"
   */
  readonly passwordPolicy?: SingletonMode;
  /**
   * The role VPC flow logs deliver with, which each network grants itself delivery to its log
   * group (grantFlowLogDelivery). false for an account without networks (an organization's role
   * account): no role is made, and asking for it fails.
   * @default true
   */
  readonly flowLogDelivery?: boolean;
  /**
   * API Gateway's per-region account setting, with `manageAccountSettings`: create it (and the
   * role it names), adopt the existing setting (import, then point it at tap's role), or leave
   * it to whoever manages it (no role, and enableApiGatewayLogging does nothing).
   * @default "create"
   */
  readonly apiGatewayAccount?: SingletonMode;
}

/** What a VPC flow log needs of the role it delivers with. */
export interface IFlowLogDeliveryRole {
  /** ARN of the role VPC flow logs assume to write to CloudWatch Logs. */
  readonly flowLogsRoleArn: string;
  /**
   * Lets flow logs of `region` assume the role and write to the log group `logGroupName`.
   * Returns what a flow log must wait for: one created before its role may write fails its first deliveries.
   */
  grantFlowLogDelivery(region: string, logGroupName: string): ITerraformDependable;
}

/** The flow-log delivery role, its trust, the log groups it writes to, and its policy once a group is granted. */
interface FlowLogsRole {
  readonly role: IamRole;
  readonly trust: DataAwsIamPolicyDocument;
  readonly groups: { region: string; name: string }[];
  policy?: { document: DataAwsIamPolicyDocument; resource: IamRolePolicy };
}

/** The product's default reuse prevention (the spec's 5; CIS 1.9 recommends 24). */
export const DEFAULT_PASSWORD_REUSE_PREVENTION = PASSWORD_POLICY.defaultReusePrevention;

/**
 * Account-wide IAM: the role VPC flow logs deliver with (unless `flowLogDelivery` is false) and,
 * when this deployment owns the account's settings, the role API Gateway writes CloudWatch logs with (and
 * each region's API Gateway setting pointing at it), the account password policy and the AWS Support role.
 */
export class GlobalIdentity extends Construct implements IFlowLogDeliveryRole {
  /** ARN of the role API Gateway writes CloudWatch logs with; unset when another deployment owns the account's settings. */
  public readonly apiGatewayCloudWatchRoleArn?: string;
  /** ARN of the role for AWS Support incidents (CIS 1.17); unset when another deployment owns the account's settings. */
  public readonly supportRoleArn?: string;

  private readonly provider: AwsProvider;
  private readonly naming: Omit<NameScope, "region">;
  private readonly account: { readonly accountId: string; readonly partition: string };
  private readonly managesAccountSettings: boolean;
  private readonly flowLogsParts?: FlowLogsRole;
  private readonly apiGateway?: { readonly role: IamRole; readonly ready: ITerraformDependable; readonly adopt: boolean };

  constructor(scope: Construct, id: string, props: GlobalIdentityProps) {
    super(scope, id);
    this.managesAccountSettings = props.manageAccountSettings ?? true;
    this.provider = props.provider;
    this.naming = props.naming;
    this.account = { accountId: props.accountId, partition: props.partition };
    const reusePrevention = this.validate(props);
    if (props.flowLogDelivery ?? true) this.flowLogsParts = this.buildFlowLogsRole();

    if (this.managesAccountSettings) {
      const apiGatewayMode = props.apiGatewayAccount ?? "create";
      if (apiGatewayMode !== "external") {
        this.apiGateway = { ...this.buildApiGatewayRole(), adopt: apiGatewayMode === "adopt" };
        this.apiGatewayCloudWatchRoleArn = this.apiGateway.role.arn;
      }
      const passwordPolicyMode = props.passwordPolicy ?? "create";
      if (passwordPolicyMode !== "external") this.buildPasswordPolicy(reusePrevention, props.protectAccountSettings ?? false, passwordPolicyMode === "adopt");
      this.supportRoleArn = this.buildSupportRole().arn;
    }
  }

  /** ARN of the role VPC flow logs assume to write to CloudWatch Logs. */
  public get flowLogsRoleArn(): string {
    return this.flowLogs.role.arn;
  }

  private get flowLogs(): FlowLogsRole {
    if (!this.flowLogsParts) throw new Error(`${this.node.path}: 'flowLogDelivery' is false, so there is no flow-log role; set it to true for an account with networks`);
    return this.flowLogsParts;
  }

  /** Lets flow logs of `region` assume the role and write to `logGroupName`; returns the policy a flow log waits for (IFlowLogDeliveryRole). */
  public grantFlowLogDelivery(region: string, logGroupName: string): ITerraformDependable {
    const { accountId, partition } = this.account;
    const flowLogs = this.flowLogs;
    flowLogs.groups.push({ region, name: logGroupName });
    const regions = [...new Set(flowLogs.groups.map((group) => group.region))];
    flowLogs.trust.putStatement(
      serviceTrustStatements(`${this.node.path}/flow-logs-trust`, "vpc-flow-logs.amazonaws.com", {
        accountId,
        sourceArns: regions.map((r) => `arn:${partition}:ec2:${r}:${accountId}:vpc-flow-log/*`),
      }),
    );
    const groupArns = flowLogs.groups.map(({ region: r, name }) => `arn:${partition}:logs:${r}:${accountId}:log-group:${name}`);
    const statements: DataAwsIamPolicyDocumentStatement[] = [
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
        resources: regions.map((r) => `arn:${partition}:logs:${r}:${accountId}:log-group:*`),
      },
    ];
    if (!flowLogs.policy) {
      // Created with the first grant: a role policy with no statement is refused by IAM.
      const document = new DataAwsIamPolicyDocument(this, "flow-logs-permissions", { provider: this.provider, statement: statements });
      const resource = new IamRolePolicy(this, "flow-logs-role-policy", {
        provider: this.provider,
        name: identityNames(this.naming).flowLogsPolicy,
        role: flowLogs.role.id,
        policy: document.json,
      });
      flowLogs.policy = { document, resource };
    } else {
      flowLogs.policy.document.putStatement(statements);
    }
    return flowLogs.policy.resource;
  }

  /**
   * Points API Gateway of the provider's region at the CloudWatch role (an account setting,
   * once per region). Only the deployment that owns the account's settings may; with
   * `apiGatewayAccount` external it does nothing (whoever manages the setting points it).
   */
  public enableApiGatewayLogging(provider: AwsProvider): void {
    const region = provider.region;
    // The setting exists once per region, so its construct id and moved address carry the region.
    if (!region || Token.isUnresolved(region)) throw new Error(`${this.node.path}: enableApiGatewayLogging needs a provider with a literal region. Received: ${region}`);
    if (!this.apiGateway) {
      if (this.managesAccountSettings) return;
      throw new Error(`${this.node.path}: enableApiGatewayLogging needs 'manageAccountSettings' (another deployment owns the account's API Gateway settings)`);
    }
    const setting = new ApiGatewayAccount(this, `api-gateway-account-${region}`, {
      provider,
      cloudwatchRoleArn: this.apiGateway.role.arn,
      // Without it a destroy leaves API Gateway pointing at the deleted role. The provider marks the
      // argument deprecated (it warns at validate) but still honours it in 5.100.
      resetOnDelete: true,
      dependsOn: [this.apiGateway.ready],
    });
    // Its import id is fixed: the provider reads the setting of the provider's region.
    if (this.apiGateway.adopt) adoptExisting(setting, "api-gateway-account");
  }

  private validate(props: GlobalIdentityProps): number {
    const problems: string[] = [];
    const reusePrevention = props.passwordReusePrevention ?? DEFAULT_PASSWORD_REUSE_PREVENTION;
    if (!Number.isInteger(reusePrevention) || reusePrevention < PASSWORD_REUSE_PREVENTION.min || reusePrevention > PASSWORD_REUSE_PREVENTION.max) {
      problems.push(`'passwordReusePrevention' must be a whole number from ${PASSWORD_REUSE_PREVENTION.min} to ${PASSWORD_REUSE_PREVENTION.max}. Received: ${reusePrevention}`);
    }
    problems.push(...awsNameProblems(identityAwsNames(props.naming)));
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return reusePrevention;
  }

  /** The role API Gateway writes CloudWatch logs with, and its AWS managed policy. */
  private buildApiGatewayRole(): { role: IamRole; ready: ITerraformDependable } {
    const { provider, naming } = this;
    const trust = serviceTrustPolicy(this, "api-gateway-trust", { provider, service: "apigateway.amazonaws.com" });
    const role = new IamRole(this, "api-gateway-cloudwatch-role", {
      provider,
      name: identityNames(naming).apiGatewayRole,
      description: "Lets API Gateway write execution and access logs to CloudWatch Logs",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "apigw-cloudwatch"),
    });
    const ready = new IamRolePolicyAttachment(this, "api-gateway-cloudwatch-policy", {
      provider,
      role: role.name,
      policyArn: `arn:${this.account.partition}:iam::aws:policy/${IDENTITY_MANAGED_POLICIES.apiGatewayLogs}`,
    });
    return { role, ready };
  }

  /** The role VPC flow logs deliver with; each network grants itself delivery to its log group. */
  private buildFlowLogsRole(): FlowLogsRole {
    const { provider, naming } = this;
    const trust = serviceTrustPolicy(this, "flow-logs-trust", { provider, service: "vpc-flow-logs.amazonaws.com", limit: { accountId: this.account.accountId } });
    const role = new IamRole(this, "flow-logs-role", {
      provider,
      name: identityNames(naming).flowLogsRole,
      description: "Lets VPC flow logs deliver to this deployment's flow-log groups",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "vpc-flow-logs"),
    });
    return { role, trust, groups: [] };
  }

  /** The account password policy at the baseline's numbers. */
  private buildPasswordPolicy(reusePrevention: number, protect: boolean, adopt: boolean): void {
    const policy = new IamAccountPasswordPolicy(this, "password-policy", {
      provider: this.provider,
      minimumPasswordLength: PASSWORD_POLICY.minimumLength,
      requireUppercaseCharacters: true,
      requireLowercaseCharacters: true,
      requireNumbers: true,
      requireSymbols: true,
      maxPasswordAge: PASSWORD_POLICY.maxAgeDays,
      passwordReusePrevention: reusePrevention,
      allowUsersToChangePassword: true,
      // Deleting the policy resets the whole account to AWS's defaults (no length, no expiry).
      lifecycle: protect ? { preventDestroy: true } : undefined,
    });
    if (adopt) adoptExisting(policy, "iam-account-password-policy");
  }

  /** CIS 1.17: a role to manage incidents with AWS Support, for this account's principals with MFA. */
  private buildSupportRole(): IamRole {
    const { provider, naming } = this;
    const { accountId, partition } = this.account;
    const trust = new DataAwsIamPolicyDocument(this, "support-trust", {
      provider,
      statement: [
        {
          sid: "AccountPrincipalsWithMfa",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
          condition: [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }],
        },
      ],
    });
    const role = new IamRole(this, "support-role", {
      provider,
      name: identityNames(naming).supportRole,
      description: "Manages incidents with AWS Support (CIS 1.17); assumable with MFA by principals the account allows",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "support"),
    });
    new IamRolePolicyAttachment(this, "support-policy", { provider, role: role.name, policyArn: `arn:${partition}:iam::aws:policy/${IDENTITY_MANAGED_POLICIES.support}` });
    return role;
  }
}
