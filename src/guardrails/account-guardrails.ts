import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { MANAGED_POLICIES } from "./account-services";
import { AwsName, awsNameProblems } from "../aws/limits";
import { nameTag, NameScope, resourceName } from "../aws/naming";

/** Where AWS Config delivers, and the key its objects are encrypted with there. */
export interface ConfigDeliveryTarget {
  readonly bucketArn: string;
  /** Key prefix inside the bucket (no leading or trailing slash). */
  readonly keyPrefix: string;
  /** The bucket's default encryption key: Config's role encrypts with it when it writes. */
  readonly kmsKeyArn: string;
}

export interface AccountGuardrailsProps {
  /** Provider the account-wide resources are created with (IAM and S3's account settings are global). */
  readonly provider: AwsProvider;
  /** Project and environment for names; account-wide, so no region. */
  readonly naming: Omit<NameScope, "region">;
  /** The account. May be a token. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /**
   * Block public access for every bucket of the account (CIS 2.1.4), whatever a bucket's own settings say.
   * @default true
   */
  readonly blockPublicS3Access?: boolean;
  /**
   * A role for AWS Support incidents (CIS 1.17): AWSSupportAccess, assumable by this account's
   * principals that signed in with MFA (the account grants the right to assume it through IAM).
   * @default true
   */
  readonly supportRole?: boolean;
  /**
   * Create the role AWS Config records and delivers with, writing to this target.
   * @default - no AWS Config role
   */
  readonly configDelivery?: ConfigDeliveryTarget;
}

/**
 * Account-wide guardrails that exist once per account: the account-level S3 public access
 * block, the support role and the role AWS Config uses. Create them in exactly one deployment
 * per account (the one that owns the account's settings): the public access block is a
 * singleton, and a second owner's destroy would remove it.
 */
export class AccountGuardrails extends Construct {
  /** The AWS-visible names an AccountGuardrails with this naming creates (configuration checks them). */
  public static awsNames(naming: Omit<NameScope, "region">): AwsName[] {
    const names = AccountGuardrails.names(naming);
    return [
      { kind: "iamRole", name: names.supportRole },
      { kind: "iamRole", name: names.configRole },
      { kind: "iamPolicy", name: names.configPolicy },
    ];
  }

  private static names(naming: Omit<NameScope, "region">) {
    return { supportRole: resourceName(naming, "support"), configRole: resourceName(naming, "aws-config"), configPolicy: "deliver-configuration" };
  }

  /** The support role's ARN, when created. */
  public readonly supportRoleArn?: string;
  /** The role AWS Config's recorders use, when `configDelivery` is set. */
  public readonly configRoleArn?: string;
  /** Complete once the Config role may record and deliver; a recorder created earlier fails its first delivery check. */
  public readonly configRoleReady: ITerraformDependable[] = [];

  private readonly provider: AwsProvider;
  private readonly naming: Omit<NameScope, "region">;

  constructor(scope: Construct, id: string, props: AccountGuardrailsProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const problems = awsNameProblems(AccountGuardrails.awsNames(props.naming));
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);

    if (props.blockPublicS3Access ?? true) {
      new S3AccountPublicAccessBlock(this, "s3-account-public-access-block", {
        provider: this.provider,
        // Explicit: the provider only knows its account after asking STS, which it may be told to skip.
        accountId: props.accountId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    }
    if (props.supportRole ?? true) this.supportRoleArn = this.buildSupportRole(props).arn;
    if (props.configDelivery) {
      const config = this.buildConfigRole(props, props.configDelivery);
      this.configRoleArn = config.role.arn;
      this.configRoleReady = config.ready;
    }
  }

  /** CIS 1.17: a role to manage incidents with AWS Support, for this account's principals with MFA. */
  private buildSupportRole(props: AccountGuardrailsProps): IamRole {
    const { provider, naming } = this;
    const trust = new DataAwsIamPolicyDocument(this, "support-trust", {
      provider,
      statement: [
        {
          sid: "AccountPrincipalsWithMfa",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [`arn:${props.partition}:iam::${props.accountId}:root`] }],
          condition: [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }],
        },
      ],
    });
    const role = new IamRole(this, "support-role", {
      provider,
      name: AccountGuardrails.names(naming).supportRole,
      description: "Manages incidents with AWS Support (CIS 1.17); assumable with MFA by principals the account allows",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "support"),
    });
    new IamRolePolicyAttachment(this, "support-policy", { provider, role: role.name, policyArn: `arn:${props.partition}:iam::aws:policy/${MANAGED_POLICIES.support}` });
    return role;
  }

  /**
   * The role AWS Config records with (AWS_ConfigRole) and delivers with: write under the prefix of
   * the target bucket only, encrypting with its key.
   */
  private buildConfigRole(props: AccountGuardrailsProps, target: ConfigDeliveryTarget): { role: IamRole; ready: ITerraformDependable[] } {
    const { provider, naming } = this;
    const { accountId, partition } = props;
    const names = AccountGuardrails.names(naming);
    const trust = new DataAwsIamPolicyDocument(this, "config-trust", {
      provider,
      statement: [
        {
          sid: "TrustService",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "config-role", {
      provider,
      name: names.configRole,
      description: "Lets AWS Config record this account's resources and deliver to the audit bucket",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "aws-config"),
    });
    const recording = new IamRolePolicyAttachment(this, "config-recording-policy", { provider, role: role.name, policyArn: `arn:${partition}:iam::aws:policy/${MANAGED_POLICIES.config}` });
    const permissions = new DataAwsIamPolicyDocument(this, "config-delivery-permissions", {
      provider,
      statement: [
        { sid: "CheckBucket", effect: "Allow", actions: ["s3:GetBucketAcl", "s3:ListBucket"], resources: [target.bucketArn] },
        {
          sid: "DeliverUnderPrefix",
          effect: "Allow",
          actions: ["s3:PutObject", "s3:PutObjectAcl"],
          resources: [`${target.bucketArn}/${target.keyPrefix}/AWSLogs/${accountId}/*`],
          condition: [{ test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] }],
        },
        {
          // The bucket encrypts with this key by default; S3 calls KMS on the writer's behalf.
          sid: "EncryptDeliveries",
          effect: "Allow",
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [target.kmsKeyArn],
        },
      ],
    });
    const delivery = new IamRolePolicy(this, "config-delivery-policy", { provider, name: names.configPolicy, role: role.id, policy: permissions.json });
    return { role, ready: [recording, delivery] };
  }
}
