import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { awsNameProblems } from "../aws/limits";
import { nameTag, NameScope } from "../aws/naming";
import type { ConfigDeliveryTarget } from "../audit/audit-trail";
import { serviceTrustPolicy } from "../identity/trust-policy";
import { accountGuardrailAwsNames, accountGuardrailNames, CONFIG_MANAGED_POLICY } from "./guardrail-facts";

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
   * Create the role AWS Config records and delivers with, writing to this target
   * (AuditTrail.grantConfigDelivery gives one).
   * @default - no AWS Config role
   */
  readonly configDelivery?: ConfigDeliveryTarget;
}

/** What a region's AWS Config recorder needs of the account's Config role. */
export interface IConfigRecorderRole {
  /** The role's ARN. */
  readonly configRoleArn: string;
  /** Complete once the role may record and deliver; a recorder created earlier fails its first delivery check. */
  readonly configRoleReady: readonly ITerraformDependable[];
}

/**
 * Account-wide guardrails that exist once per account: the account-level S3 public access
 * block and the role AWS Config uses. Create them in exactly one deployment per account (the
 * one that owns the account's settings): the public access block is a singleton, and a second
 * owner's destroy would remove it.
 */
export class AccountGuardrails extends Construct {
  /** The role AWS Config's recorders use, when `configDelivery` is set. */
  public readonly configRecorderRole?: IConfigRecorderRole;

  private readonly provider: AwsProvider;
  private readonly naming: Omit<NameScope, "region">;

  constructor(scope: Construct, id: string, props: AccountGuardrailsProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const problems = awsNameProblems(accountGuardrailAwsNames(props.naming));
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
    if (props.configDelivery) this.configRecorderRole = this.buildConfigRole(props, props.configDelivery);
  }

  /**
   * The role AWS Config records with (AWS_ConfigRole) and delivers with: write under the prefix of
   * the target bucket only, encrypting with its key.
   */
  private buildConfigRole(props: AccountGuardrailsProps, target: ConfigDeliveryTarget): IConfigRecorderRole {
    const { provider, naming } = this;
    const { accountId, partition } = props;
    const names = accountGuardrailNames(naming);
    const trust = serviceTrustPolicy(this, "config-trust", { provider, service: "config.amazonaws.com", limit: { accountId } });
    const role = new IamRole(this, "config-role", {
      provider,
      name: names.configRole,
      description: "Lets AWS Config record this account's resources and deliver to the audit bucket",
      assumeRolePolicy: trust.json,
      tags: nameTag(naming, "aws-config"),
    });
    const recording = new IamRolePolicyAttachment(this, "config-recording-policy", { provider, role: role.name, policyArn: `arn:${partition}:iam::aws:policy/${CONFIG_MANAGED_POLICY}` });
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
    return { configRoleArn: role.arn, configRoleReady: [recording, delivery] };
  }
}
