import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AccountAlternateContact } from "@cdktf/provider-aws/lib/account-alternate-contact";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { nameTag, NameScope } from "../aws/naming";
import type { SingletonMode } from "../aws/singletons";
import type { ConfigDeliveryTarget } from "../audit/audit-trail";
import { adoptExisting } from "../terraform/adopt-existing";
import { CONFIG_SERVICE_LINKED_ROLE, configServiceLinkedRoleArn, SECURITY_CONTACT_TYPE } from "./guardrail-facts";

export interface AccountGuardrailsProps {
  /** Provider the account-wide resources are created with (IAM and S3's account settings are global). */
  readonly provider: AwsProvider;
  /** Project and environment for the Name tag; account-wide, so no region. */
  readonly naming: Omit<NameScope, "region">;
  /** The account. May be a token. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /**
   * The account-level S3 Block Public Access (CIS 2.1.4), which holds for every bucket whatever
   * its own settings say: create it, adopt the account's (import, then block everything), or
   * leave it to whoever manages it.
   * @default "create"
   */
  readonly publicAccessBlock?: SingletonMode;
  /**
   * Record with AWS Config, delivering to this target (AuditTrail.grantConfigDelivery gives one,
   * and lets AWS Config's service principal write there): provides the role the recorders use.
   * @default - no AWS Config role
   */
  readonly configDelivery?: ConfigDeliveryTarget;
  /**
   * With `configDelivery`: the AWS Config service-linked role the recorders use (what Security
   * Hub's control Config.1 expects). create fails where the account already has it (AWS made it
   * when Config was first set up in the console, or another tool did); adopt imports it; external
   * uses it without managing it.
   * @default "create"
   */
  readonly configServiceRole?: SingletonMode;
  /**
   * The account's security alternate contact (FSBP Account.1), whom AWS writes to about abuse,
   * compromised credentials and security notices. Set for the account the provider acts in.
   * @default - none: AWS writes to the root e-mail address only
   * @see https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html
   */
  readonly securityContact?: { readonly name: string; readonly title: string; readonly email: string; readonly phone: string };
}

/** What a region's AWS Config recorder needs of the account's Config role. */
export interface IConfigRecorderRole {
  /** The role's ARN. */
  readonly configRoleArn: string;
  /** Complete once the role exists; a recorder created earlier is refused. */
  readonly configRoleReady: readonly ITerraformDependable[];
}

/**
 * Account-wide guardrails that exist once per account: the account-level S3 public access
 * block, the AWS Config service-linked role and the security alternate contact. Create them in exactly one deployment per
 * account (the one that owns the account's settings): each is a singleton, and a second
 * owner's destroy would remove it.
 */
export class AccountGuardrails extends Construct {
  /** The role AWS Config's recorders use, when `configDelivery` is set. */
  public readonly configRecorderRole?: IConfigRecorderRole;

  private readonly provider: AwsProvider;

  constructor(scope: Construct, id: string, props: AccountGuardrailsProps) {
    super(scope, id);
    this.provider = props.provider;

    const publicAccessBlock = props.publicAccessBlock ?? "create";
    if (publicAccessBlock !== "external") {
      const block = new S3AccountPublicAccessBlock(this, "s3-account-public-access-block", {
        provider: this.provider,
        // Explicit: the provider only knows its account after asking STS, which it may be told to skip.
        accountId: props.accountId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      if (publicAccessBlock === "adopt") adoptExisting(block, props.accountId);
    }
    if (props.configDelivery) this.configRecorderRole = this.buildConfigServiceRole(props, props.configServiceRole ?? "create");
    const contact = props.securityContact;
    if (contact) {
      // No account_id: the provider's own account (a member's stack sets its own, no trusted access needed).
      new AccountAlternateContact(this, "security-contact", {
        provider: this.provider,
        alternateContactType: SECURITY_CONTACT_TYPE,
        name: contact.name,
        title: contact.title,
        emailAddress: contact.email,
        phoneNumber: contact.phone,
      });
    }
  }

  /**
   * AWSServiceRoleForConfig: AWS defines its permissions (AWSConfigServiceRolePolicy) and its
   * trust. It cannot write to S3 or use KMS, so AWS Config then delivers as its service principal,
   * which the delivery target's bucket and key policies allow (AuditTrail.grantConfigDelivery).
   * @see https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html
   */
  private buildConfigServiceRole(props: AccountGuardrailsProps, mode: SingletonMode): IConfigRecorderRole {
    const arn = configServiceLinkedRoleArn(props.partition, props.accountId);
    if (mode === "external") return { configRoleArn: arn, configRoleReady: [] };
    const role = new IamServiceLinkedRole(this, "config-service-role", {
      provider: this.provider,
      awsServiceName: CONFIG_SERVICE_LINKED_ROLE.service,
      tags: nameTag(props.naming, "aws-config"),
    });
    if (mode === "adopt") adoptExisting(role, arn);
    return { configRoleArn: role.arn, configRoleReady: [role] };
  }
}
