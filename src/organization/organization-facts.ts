/**
 * The organization layer's plain facts: AWS Organizations' limits on service control policies
 * (SCPs), the global services a Region deny must let through, and tap's guardrail policies as
 * data, each switchable with an accepted risk. No cdktf here: configuration, the guardrails table
 * (docs/organizations.md: Organization guardrails) and the policy proofs read it as it is.
 */

/**
 * AWS Organizations' quotas on SCPs: a policy document of at most 5,120 characters (whitespace
 * counts, so tap writes them minified), and at most five SCPs attached to one root, OU or account;
 * AWS's own FullAWSAccess is attached to each by default and counts among the five.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */
export const SCP_LIMITS = { maxCharacters: 5120, maxPoliciesPerTarget: 5, attachedByAws: ["FullAWSAccess"] } as const;

/**
 * The same quotas on resource control policies (RCPs): 5,120 characters, five a target, AWS's own
 * RCPFullAWSAccess (attached everywhere once the policy type is enabled, and not detachable) among them.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
 */
export const RCP_LIMITS = { maxCharacters: 5120, maxPoliciesPerTarget: 5, attachedByAws: ["RCPFullAWSAccess"] } as const;

/** The kinds of organization policy the guardrails are written as. */
export type GuardrailPolicyType = "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";

/** Each kind's quotas. */
export const POLICY_LIMITS: Readonly<Record<GuardrailPolicyType, { readonly maxCharacters: number; readonly maxPoliciesPerTarget: number; readonly attachedByAws: readonly string[] }>> = {
  SERVICE_CONTROL_POLICY: SCP_LIMITS,
  RESOURCE_CONTROL_POLICY: RCP_LIMITS,
};

/**
 * Control Tower's own role in every enrolled account: it deploys Control Tower's baseline there
 * (the account's AWS Config recorder and delivery channel, CloudTrail of older landing zones, its
 * Regions), and Control Tower's own controls exempt it. tap exempts it only from what Control
 * Tower manages, and only where organization.controlTower says Control Tower manages the organization.
 * @see https://docs.aws.amazon.com/controltower/latest/userguide/awscontroltowerexecution.html
 */
export const CONTROL_TOWER_EXECUTION_ROLE = "arn:aws:iam::*:role/AWSControlTowerExecution";

/** A break-glass role as the guardrails name it: one role, in whichever account it acts (`arn:aws:iam::*:role/<path/name>`). */
export const MEMBER_NEUTRAL_ROLE_ARN = /^arn:aws:iam::\*:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/**
 * What a Region deny lets through: services whose one endpoint is in us-east-1 (or that have no
 * Region), from AWS Organizations' "Deny access to AWS based on the requested AWS Region"
 * example, without the services AWS has retired. A request to them names us-east-1 whatever
 * Region the caller works in, so denying it would break IAM, Organizations and billing everywhere.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
 */
export const REGION_DENY_EXEMPT_ACTIONS: readonly string[] = [
  "acm:*",
  "aws-marketplace-management:*",
  "aws-marketplace:*",
  "aws-portal:*",
  "budgets:*",
  "ce:*",
  "chime:*",
  "cloudfront:*",
  "config:*",
  "cur:*",
  "directconnect:*",
  "ec2:DescribeRegions",
  "ec2:DescribeTransitGateways",
  "ec2:DescribeVpnGateways",
  "fms:*",
  "globalaccelerator:*",
  "health:*",
  "iam:*",
  "kms:*",
  "networkmanager:*",
  "organizations:*",
  "pricing:*",
  "route53:*",
  "route53domains:*",
  "route53-recovery-cluster:*",
  "route53-recovery-control-config:*",
  "route53-recovery-readiness:*",
  "s3:GetAccountPublic*",
  "s3:ListAllMyBuckets",
  "s3:ListMultiRegionAccessPoints",
  "s3:PutAccountPublic*",
  "shield:*",
  "sts:*",
  "support:*",
  "trustedadvisor:*",
  "waf-regional:*",
  "waf:*",
  "wafv2:*",
  "wellarchitected:*",
];

/** What the guardrail policies need to know of the organization. */
export interface GuardrailPolicyParams {
  /** The project: tap's roles are named `<project>-...` and its keys tagged Project=<project>. */
  readonly project: string;
  /** Regions accounts may use (deployed and retiring); every other Region is denied. */
  readonly allowedRegions: readonly string[];
  /** ARN patterns of the roles that deploy tap (`arn:aws:iam::*:role/TapDeploy`): the only principals the guardrails let change what they protect. */
  readonly deploymentRoleArns: readonly string[];
  /**
   * The one break-glass role (`arn:aws:iam::*:role/<name>`) exempt like the deployment roles, for
   * an emergency no deployment can fix.
   * @default - none
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Control Tower manages the organization: its execution role keeps what Control Tower manages
   * (AWS Config, CloudTrail, its Regions).
   * @default false
   */
  readonly controlTower?: boolean;
  /**
   * The log archive the organization's resource control policy protects: the account and its buckets.
   * @default - no log archive policy
   */
  readonly logArchive?: { readonly accountId: string; readonly buckets: readonly string[] };
}

/** One statement of an SCP, as AWS Organizations holds it. */
export interface ScpStatement {
  readonly Sid: string;
  readonly Effect: "Deny";
  /** RCPs only, and always "*" there: AWS accepts no other Principal (and no NotPrincipal) in an RCP. */
  readonly Principal?: "*";
  readonly Action?: string | readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** An SCP document. */
export interface ScpDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly ScpStatement[];
}

export type GuardrailPolicyId =
  | "DenyLeaveOrganization"
  | "ProtectExemptRoles"
  | "ProtectSecurityServices"
  | "DenyRootUser"
  | "DenyOutsideRegions"
  | "ProtectTapResources"
  | "ProtectLogArchive";

/** One guardrail: what it denies, and its statements. */
export interface GuardrailPolicy {
  readonly id: GuardrailPolicyId;
  /** What AWS Organizations holds it as: an SCP restricts the members' principals, an RCP their resources. */
  readonly type: GuardrailPolicyType;
  /** What it denies, for docs/organizations.md and the summary. */
  readonly denies: string;
  /** Who may still do it. */
  readonly except: string;
  readonly statements: (params: GuardrailPolicyParams) => readonly ScpStatement[];
}

/** The roles the guardrails exempt: the deployment roles and the break-glass role. */
export function exemptRoleArns(params: GuardrailPolicyParams): string[] {
  return [...params.deploymentRoleArns, ...(params.breakGlassRoleArn ? [params.breakGlassRoleArn] : [])];
}

const exceptDeployment = (params: GuardrailPolicyParams) => ({ ArnNotLike: { "aws:PrincipalArn": exemptRoleArns(params) } });
/** For what Control Tower manages: its execution role too, where it manages the organization. */
const exceptDeploymentAndControlTower = (params: GuardrailPolicyParams) => ({
  ArnNotLike: { "aws:PrincipalArn": [...exemptRoleArns(params), ...(params.controlTower ? [CONTROL_TOWER_EXECUTION_ROLE] : [])] },
});

/** What stops or deletes the security services tap relies on (trail, GuardDuty, Security Hub, Config, Access Analyzer). */
export const SECURITY_SERVICE_SWITCHES: readonly string[] = [
  "guardduty:DeleteDetector",
  "guardduty:UpdateDetector",
  "guardduty:DisassociateFromAdministratorAccount",
  "guardduty:DisassociateFromMasterAccount",
  "securityhub:DisableSecurityHub",
  "securityhub:BatchDisableStandards",
  "securityhub:DisassociateFromAdministratorAccount",
  "securityhub:DisassociateFromMasterAccount",
  "access-analyzer:DeleteAnalyzer",
  // The account-wide blocks on public sharing and the security contact tap sets in every account.
  "ec2:DisableSnapshotBlockPublicAccess",
  "ec2:DisableImageBlockPublicAccess",
  "account:PutAlternateContact",
  "account:DeleteAlternateContact",
];

/** What stops or hollows out the trail and AWS Config: what Control Tower also manages in the accounts it enrolls. */
export const RECORDING_SWITCHES: readonly string[] = [
  "cloudtrail:DeleteTrail",
  "cloudtrail:StopLogging",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
  "config:DeleteConfigurationRecorder",
  "config:StopConfigurationRecorder",
  "config:DeleteDeliveryChannel",
  // Narrowing what the recorder records, or sending its history elsewhere, hollows AWS Config out
  // without stopping it; the deployment role deploys the configured recording (#27).
  "config:PutConfigurationRecorder",
  "config:PutDeliveryChannel",
];

/** The SSM service settings tap sets in every guarded region (document sharing blocked, Automation logging). */
export const PROTECTED_SSM_SETTINGS: readonly string[] = ["ssm/documents/console/public-sharing-permission", "ssm/automation/customer-script-log-destination"];

/** What changes one of tap's roles. */
const ROLE_CHANGES = [
  "iam:AttachRolePolicy",
  "iam:DeleteRole",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
];

/**
 * What takes over an exempt role (a deployment role, the break-glass role): rewriting its trust,
 * giving it policies, or deleting it and creating it again with a trust of one's own.
 */
const EXEMPT_ROLE_CHANGES = [...ROLE_CHANGES, "iam:CreateRole", "iam:TagRole", "iam:UntagRole"].sort();

/** What disables one of tap's keys or opens it up. */
const KEY_CHANGES = ["kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"];

/** The tags that make a key one of tap's, which the key guardrails match on. */
export const TAP_KEY_TAGS = (project: string) => ({ Project: project, ManagedBy: "cdktf" });

/**
 * What rewrites or empties the log archive: its bucket policy, lifecycle, versioning, Object Lock
 * and the object versions themselves (with the bypass of GOVERNANCE retention that deletes them early).
 * The writers the archive exists for (CloudTrail's and AWS Config's PutObject, GetBucketAcl,
 * ListBucket) are not among them, so no service principal is held back.
 */
export const ARCHIVE_CHANGES: readonly string[] = [
  "s3:BypassGovernanceRetention",
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:DeleteObjectVersion",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketPolicy",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutObjectRetention",
];

/** tap's guardrail policies, in the order they are written into SCPs. */
export const GUARDRAIL_POLICIES: readonly GuardrailPolicy[] = [
  {
    id: "DenyLeaveOrganization",
    denies: "an account leaving the organization (and with it every guardrail)",
    except: "no one",
    type: "SERVICE_CONTROL_POLICY",
    statements: () => [{ Sid: "DenyLeaveOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }],
  },
  {
    id: "ProtectExemptRoles",
    denies: "taking over an exempt role (a deployment role, the break-glass role): rewriting its trust, attaching or writing policies, its permissions boundary, its tags, deleting it and creating it again",
    except: "the deployment roles and the break-glass role",
    type: "SERVICE_CONTROL_POLICY",
    // Every other guardrail exempts these roles: whoever could change them would walk around all of them.
    statements: (params) => [{ Sid: "ProtectExemptRoles", Effect: "Deny", Action: EXEMPT_ROLE_CHANGES, Resource: exemptRoleArns(params), Condition: exceptDeployment(params) }],
  },
  {
    id: "ProtectSecurityServices",
    denies: "stopping, changing or deleting the trail, GuardDuty, Security Hub, AWS Config (its recording and delivery included) and IAM Access Analyzer; lifting the blocks on public sharing of EBS snapshots, AMIs and SSM documents; changing SSM Automation logging or the security contact",
    except: "the deployment roles and the break-glass role; for the trail and AWS Config, AWSControlTowerExecution where Control Tower manages the organization",
    type: "SERVICE_CONTROL_POLICY",
    statements: (params) => [
      { Sid: "ProtectRecording", Effect: "Deny", Action: RECORDING_SWITCHES, Resource: "*", Condition: exceptDeploymentAndControlTower(params) },
      { Sid: "ProtectSecurityServices", Effect: "Deny", Action: SECURITY_SERVICE_SWITCHES, Resource: "*", Condition: exceptDeployment(params) },
      // Only tap's settings: the account's other SSM service settings stay its own.
      {
        Sid: "ProtectSsmSettings",
        Effect: "Deny",
        Action: ["ssm:UpdateServiceSetting", "ssm:ResetServiceSetting"],
        Resource: PROTECTED_SSM_SETTINGS.map((setting) => `arn:*:ssm:*:*:servicesetting/${setting}`),
        Condition: exceptDeployment(params),
      },
    ],
  },
  {
    id: "DenyRootUser",
    denies: "every action of an account's root user signed in with its own credentials",
    except: "centralized root sessions (sts:AssumeRoot from the management account), which their task policy limits",
    type: "SERVICE_CONTROL_POLICY",
    // A root session opened with sts:AssumeRoot acts as the member's root user but carries
    // aws:AssumedRoot; AWS's sample SCP denies the root user only where that key is absent.
    // @see https://github.com/aws-samples/service-control-policy-examples/blob/main/Privileged-access-controls/Prevent-root-credentials-management-in-member-accounts-in-AWS-Organizations.json
    // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-assumedroot
    statements: () => [
      { Sid: "DenyRootUser", Effect: "Deny", Action: "*", Resource: "*", Condition: { StringLike: { "aws:PrincipalArn": ["arn:aws:iam::*:root"] }, Null: { "aws:AssumedRoot": "true" } } },
    ],
  },
  {
    id: "DenyOutsideRegions",
    denies: "every Region but the configured ones, global services excepted",
    except: "the deployment roles (to destroy what a retired Region still holds) and the break-glass role; AWSControlTowerExecution where Control Tower manages the organization (its governed Regions)",
    type: "SERVICE_CONTROL_POLICY",
    statements: (params) => [
      {
        Sid: "DenyOutsideRegions",
        Effect: "Deny",
        NotAction: REGION_DENY_EXEMPT_ACTIONS,
        Resource: "*",
        Condition: { StringNotEquals: { "aws:RequestedRegion": params.allowedRegions }, ...exceptDeploymentAndControlTower(params) },
      },
    ],
  },
  {
    id: "ProtectTapResources",
    denies: "changing tap's roles or disabling, opening or deleting its keys; changing a tap key's Project or ManagedBy tag (which would take it out of this guardrail)",
    except: "the deployment roles and the break-glass role",
    type: "SERVICE_CONTROL_POLICY",
    statements: (params) => [
      { Sid: "ProtectTapRoles", Effect: "Deny", Action: ROLE_CHANGES, Resource: [`arn:aws:iam::*:role/${params.project}-*`], Condition: exceptDeployment(params) },
      {
        Sid: "ProtectTapKeys",
        Effect: "Deny",
        Action: KEY_CHANGES,
        Resource: "*",
        Condition: { StringEquals: tapKeyTagged(params), ...exceptDeployment(params) },
      },
      {
        // The key guardrails match tap's keys by their tags: untagging (or retagging) one first
        // would take it out of them. The key's other tags stay its owners'.
        // @see https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html
        Sid: "ProtectTapKeyTags",
        Effect: "Deny",
        Action: ["kms:TagResource", "kms:UntagResource"],
        Resource: "*",
        Condition: { StringEquals: tapKeyTagged(params), "ForAnyValue:StringEquals": { "aws:TagKeys": Object.keys(TAP_KEY_TAGS(params.project)) }, ...exceptDeployment(params) },
      },
      {
        // A grant opens a key to another principal. AWS services that use the key for the caller
        // (EC2 for EBS encryption by default, with the region's tap key) create grants as that
        // caller, with kms:GrantIsForAWSResource true: those stay allowed, or no one but the
        // deployment role could launch an encrypted volume.
        // @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
        Sid: "ProtectTapKeyGrants",
        Effect: "Deny",
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: {
          StringEquals: tapKeyTagged(params),
          BoolIfExists: { "kms:GrantIsForAWSResource": "false" },
          ...exceptDeployment(params),
        },
      },
    ],
  },
  {
    id: "ProtectLogArchive",
    denies: "rewriting or deleting the log archive's bucket policy, shortening its lifecycle, suspending its versioning, changing its Object Lock, deleting object versions or bypassing their retention, deleting the bucket",
    except: "the log-archive account's deployment roles and break-glass role; centralized root sessions (their S3UnlockBucketPolicy task)",
    type: "RESOURCE_CONTROL_POLICY",
    // An RCP, not an SCP: it restricts the archive's buckets whoever asks (the account's
    // administrators, any other account), at the organization level. RCPs take Principal "*" only
    // and no NotPrincipal, so who is exempt is a condition; they do not apply to service-linked
    // roles nor to the management account's resources.
    // @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    // @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
    // A centralized root session (aws:AssumedRoot) keeps S3UnlockBucketPolicy, the task that
    // deletes a bucket policy locking everyone out; its task policy allows it nothing else here.
    // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html
    statements: (params) =>
      params.logArchive
        ? [
            {
              Sid: "ProtectLogArchive",
              Effect: "Deny",
              Principal: "*",
              Action: ARCHIVE_CHANGES,
              Resource: params.logArchive.buckets.flatMap((bucket) => [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]),
              Condition: {
                // Only the archive account's own exempt roles: an RCP sees principals of every account.
                ArnNotLike: { "aws:PrincipalArn": exemptRoleArns(params).map((arn) => arn.replace("arn:aws:iam::*:", `arn:aws:iam::${params.logArchive!.accountId}:`)) },
                Null: { "aws:AssumedRoot": "true" },
              },
            },
          ]
        : [],
  },
];

function tapKeyTagged(params: GuardrailPolicyParams) {
  return Object.fromEntries(Object.entries(TAP_KEY_TAGS(params.project)).map(([key, value]) => [`aws:ResourceTag/${key}`, [value]]));
}

/**
 * Guardrails that exempt the deployment and break-glass roles: while one of them is on,
 * ProtectExemptRoles must be too, or a member's administrator takes over an exempt role and walks around them.
 */
export const EXEMPTING_GUARDRAILS: readonly GuardrailPolicyId[] = ["ProtectSecurityServices", "DenyOutsideRegions", "ProtectTapResources", "ProtectLogArchive"];

export const GUARDRAIL_POLICY_IDS: readonly GuardrailPolicyId[] = GUARDRAIL_POLICIES.map((policy) => policy.id);

/** An SCP's size as AWS counts it: characters of the document as sent (tap sends it minified). */
export function scpSize(document: ScpDocument): number {
  return JSON.stringify(document).length;
}

/**
 * The enabled guardrails' statements packed, in order, into as few SCPs as fit 5,120 characters
 * each; throws, naming it, on a statement that cannot fit any.
 */
export function guardrailDocuments(params: GuardrailPolicyParams, disabled: ReadonlySet<GuardrailPolicyId> = new Set(), type: GuardrailPolicyType = "SERVICE_CONTROL_POLICY"): ScpDocument[] {
  const documents: ScpStatement[][] = [];
  const limit = POLICY_LIMITS[type].maxCharacters;
  const kind = type === "SERVICE_CONTROL_POLICY" ? "an SCP" : "an RCP";
  for (const policy of GUARDRAIL_POLICIES.filter((p) => p.type === type && !disabled.has(p.id))) {
    for (const statement of policy.statements(params)) {
      const alone = scpSize({ Version: "2012-10-17", Statement: [statement] });
      if (alone > limit) {
        throw new Error(`guardrail ${policy.id}: its statement ${statement.Sid} is ${alone} characters, more than the ${limit} ${kind} may hold`);
      }
      const last = documents.at(-1);
      if (last && scpSize({ Version: "2012-10-17", Statement: [...last, statement] }) <= limit) last.push(statement);
      else documents.push([statement]);
    }
  }
  return documents.map((statements) => ({ Version: "2012-10-17", Statement: statements }));
}

/**
 * The services the organization trusts (trusted access, `aws_service_access_principals`): each
 * but Account Management runs across the accounts from its delegated administrator, the security account. AWS Config
 * needs both of its principals for an organization aggregator and organization rules.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html
 */
export const TRUSTED_SERVICES = {
  cloudTrail: "cloudtrail.amazonaws.com",
  config: "config.amazonaws.com",
  configMultiAccountSetup: "config-multiaccountsetup.amazonaws.com",
  guardDuty: "guardduty.amazonaws.com",
  // GuardDuty's Malware Protection for EC2: with it trusted, GuardDuty's delegated administrator
  // (the security account, not the management account) creates the malware-protection
  // service-linked role in members, as auto-enabling the plan for them needs. AWS lists it as
  // GuardDuty's second service principal, and its console trusts it when it designates the
  // delegated administrator, so an organization delegated in the console (or by Control Tower)
  // has it: left out of this authoritative list, the next apply would take it away.
  // @see https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-guardduty.html
  // @see https://docs.aws.amazon.com/guardduty/latest/ug/configure-malware-protection-guardduty-initiated-multi-account.html
  guardDutyMalwareProtection: "malware-protection.guardduty.amazonaws.com",
  securityHub: "securityhub.amazonaws.com",
  accessAnalyzer: "access-analyzer.amazonaws.com",
  // AWS Account Management: AWS documents it as needed before a member account's alternate
  // contacts change (each member stack sets its own security contact), and it lets the
  // management account correct them centrally.
  // https://docs.aws.amazon.com/accounts/latest/reference/API_PutAlternateContact.html
  accountManagement: "account.amazonaws.com",
  // Centralized root access for member accounts (aws_iam_organizations_features) needs IAM's trusted access.
  // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html
  iam: "iam.amazonaws.com",
} as const;

/**
 * Centralized root access: the management account (or IAM's delegated administrator) removes
 * members' root credentials and runs root sessions (sts:AssumeRoot) for the tasks only root can do.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management
 */
export const CENTRALIZED_ROOT_ACCESS_FEATURES: readonly string[] = ["RootCredentialsManagement", "RootSessions"];

/**
 * Services whose delegated administrator is registered with AWS Organizations itself
 * (RegisterDelegatedAdministrator); GuardDuty and Security Hub register theirs through their own
 * APIs (EnableOrganizationAdminAccount), which also record it in Organizations.
 */
export const DELEGATED_THROUGH_ORGANIZATIONS: readonly string[] = [TRUSTED_SERVICES.config, TRUSTED_SERVICES.configMultiAccountSetup, TRUSTED_SERVICES.accessAnalyzer];

/**
 * The policy types AWS Organizations can enable on a root (hashicorp/aws 5.100's list).
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_EnablePolicyType.html
 */
export const ORGANIZATION_POLICY_TYPES: readonly string[] = [
  "AISERVICES_OPT_OUT_POLICY",
  "BACKUP_POLICY",
  "CHATBOT_POLICY",
  "DECLARATIVE_POLICY_EC2",
  "RESOURCE_CONTROL_POLICY",
  "SERVICE_CONTROL_POLICY",
  "TAG_POLICY",
];

/** The environment part of the organization stacks' names (`<project>-org-...`). */
export const ORGANIZATION_ENVIRONMENT = "org";

/** Where AWS Config of every member delivers in the log archive bucket (`config/AWSLogs/<account>/Config/...`). */
export const ARCHIVE_CONFIG_PREFIX = "config";

/**
 * Names of the log archive (in the log-archive account): fixed by the project and account, so
 * the management stack names the bucket without reading the archive's state.
 */
export function organizationArchiveNames(project: string, logArchiveAccountId: string) {
  return {
    bucket: `${project}-${ORGANIZATION_ENVIRONMENT}-cloudtrail-${logArchiveAccountId}`,
    accessLogBucket: `${project}-${ORGANIZATION_ENVIRONMENT}-access-logs-${logArchiveAccountId}`,
    keyAlias: `alias/${project}-${ORGANIZATION_ENVIRONMENT}-cloudtrail`,
  };
}

/** The organization trail's name (AuditTrail's name for the organization's naming scope). */
export function organizationTrailName(project: string): string {
  return `${project}-${ORGANIZATION_ENVIRONMENT}-trail`;
}

/** The organization trail's ARN, which the log archive's bucket and key policies name (it lives in the management account). */
export function organizationTrailArn(partition: string, homeRegion: string, managementAccountId: string, project: string): string {
  return `arn:${partition}:cloudtrail:${homeRegion}:${managementAccountId}:trail/${organizationTrailName(project)}`;
}

/**
 * Object Lock on the log archive in production: log files cannot be deleted or overwritten for
 * this many days, even by the log-archive account's administrators (GOVERNANCE mode lets a
 * principal with s3:BypassGovernanceRetention remove them; COMPLIANCE would not even let AWS Support).
 */
export const ARCHIVE_OBJECT_LOCK = { mode: "GOVERNANCE", days: 365 } as const;

/** Log files move to cheaper storage classes as they age (days after creation). */
export const ARCHIVE_TRANSITIONS = [
  { days: 90, storageClass: "STANDARD_IA" },
  { days: 180, storageClass: "GLACIER_IR" },
] as const;

/** Construct id prefix of the security stack's lookup of an adopted detector (`<prefix>-<region>`); planFailureHints finds the region in it. */
export const ADOPTED_DETECTOR_LOOKUP = "guardduty-adopted";

/**
 * What to set when a plan of the organization's stacks fails for a knowable reason: the
 * security account's GuardDuty adopted in a Region where there is no detector (the lookup fails at
 * plan, before anything is applied: Terraform cannot ask whether one exists without failing).
 */
export function planFailureHints(output: string): string[] {
  const hints = new Set<string>();
  if (!/single GuardDuty Detector: empty result/.test(output)) return [];
  for (const [, region] of output.matchAll(new RegExp(`data\\.aws_guardduty_detector\\.[\\w-]*${ADOPTED_DETECTOR_LOOKUP}-([a-z]{2}(?:-[a-z]+)+-\\d)`, "g"))) {
    hints.add(
      `tap: the security account has no GuardDuty detector in ${region} to adopt (delegation did not enable GuardDuty there): set organization.securityServices "guardDuty/${region}" to create, or to external if another tool runs GuardDuty there (docs/organizations.md: What tap adopts in the security account)`,
    );
  }
  return [...hints];
}
