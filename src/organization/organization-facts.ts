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
}

/** One statement of an SCP, as AWS Organizations holds it. */
export interface ScpStatement {
  readonly Sid: string;
  readonly Effect: "Deny";
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

export type GuardrailPolicyId = "DenyLeaveOrganization" | "ProtectSecurityServices" | "DenyRootUser" | "DenyOutsideRegions" | "ProtectTapResources";

/** One guardrail: what it denies, and its statements. */
export interface GuardrailPolicy {
  readonly id: GuardrailPolicyId;
  /** What it denies, for docs/organizations.md and the summary. */
  readonly denies: string;
  /** Who may still do it. */
  readonly except: string;
  readonly statements: (params: GuardrailPolicyParams) => readonly ScpStatement[];
}

const exceptDeployment = (params: GuardrailPolicyParams) => ({ ArnNotLike: { "aws:PrincipalArn": params.deploymentRoleArns } });

/** What stops or deletes the security services tap relies on (trail, GuardDuty, Security Hub, Config, Access Analyzer). */
export const SECURITY_SERVICE_SWITCHES: readonly string[] = [
  "cloudtrail:DeleteTrail",
  "cloudtrail:StopLogging",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
  "guardduty:DeleteDetector",
  "guardduty:UpdateDetector",
  "guardduty:DisassociateFromAdministratorAccount",
  "guardduty:DisassociateFromMasterAccount",
  "securityhub:DisableSecurityHub",
  "securityhub:BatchDisableStandards",
  "securityhub:DisassociateFromAdministratorAccount",
  "securityhub:DisassociateFromMasterAccount",
  "config:DeleteConfigurationRecorder",
  "config:StopConfigurationRecorder",
  "config:DeleteDeliveryChannel",
  // Narrowing what the recorder records, or sending its history elsewhere, hollows AWS Config out
  // without stopping it; the deployment role deploys the configured recording (#27).
  "config:PutConfigurationRecorder",
  "config:PutDeliveryChannel",
  "access-analyzer:DeleteAnalyzer",
  // The account-wide blocks on public sharing and the security contact tap sets in every account.
  "ec2:DisableSnapshotBlockPublicAccess",
  "ec2:DisableImageBlockPublicAccess",
  "account:PutAlternateContact",
  "account:DeleteAlternateContact",
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

/** What disables one of tap's keys or opens it up. */
const KEY_CHANGES = ["kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"];

/** tap's guardrail policies, in the order they are written into SCPs. */
export const GUARDRAIL_POLICIES: readonly GuardrailPolicy[] = [
  {
    id: "DenyLeaveOrganization",
    denies: "an account leaving the organization (and with it every guardrail)",
    except: "no one",
    statements: () => [{ Sid: "DenyLeaveOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }],
  },
  {
    id: "ProtectSecurityServices",
    denies: "stopping, changing or deleting the trail, GuardDuty, Security Hub, AWS Config (its recording and delivery included) and IAM Access Analyzer; lifting the blocks on public sharing of EBS snapshots, AMIs and SSM documents; changing SSM Automation logging or the security contact",
    except: "the deployment roles",
    statements: (params) => [
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
    except: "the deployment roles (to destroy what a retired Region still holds)",
    statements: (params) => [
      {
        Sid: "DenyOutsideRegions",
        Effect: "Deny",
        NotAction: REGION_DENY_EXEMPT_ACTIONS,
        Resource: "*",
        Condition: { StringNotEquals: { "aws:RequestedRegion": params.allowedRegions }, ...exceptDeployment(params) },
      },
    ],
  },
  {
    id: "ProtectTapResources",
    denies: "changing tap's roles or disabling, opening or deleting its keys",
    except: "the deployment roles",
    statements: (params) => [
      { Sid: "ProtectTapRoles", Effect: "Deny", Action: ROLE_CHANGES, Resource: [`arn:aws:iam::*:role/${params.project}-*`], Condition: exceptDeployment(params) },
      {
        Sid: "ProtectTapKeys",
        Effect: "Deny",
        Action: KEY_CHANGES,
        Resource: "*",
        Condition: { StringEquals: { "aws:ResourceTag/Project": [params.project], "aws:ResourceTag/ManagedBy": ["cdktf"] }, ...exceptDeployment(params) },
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
          StringEquals: { "aws:ResourceTag/Project": [params.project], "aws:ResourceTag/ManagedBy": ["cdktf"] },
          BoolIfExists: { "kms:GrantIsForAWSResource": "false" },
          ...exceptDeployment(params),
        },
      },
    ],
  },
];

export const GUARDRAIL_POLICY_IDS: readonly GuardrailPolicyId[] = GUARDRAIL_POLICIES.map((policy) => policy.id);

/** An SCP's size as AWS counts it: characters of the document as sent (tap sends it minified). */
export function scpSize(document: ScpDocument): number {
  return JSON.stringify(document).length;
}

/**
 * The enabled guardrails' statements packed, in order, into as few SCPs as fit 5,120 characters
 * each; throws, naming it, on a statement that cannot fit any.
 */
export function guardrailDocuments(params: GuardrailPolicyParams, disabled: ReadonlySet<GuardrailPolicyId> = new Set()): ScpDocument[] {
  const documents: ScpStatement[][] = [];
  for (const policy of GUARDRAIL_POLICIES.filter((p) => !disabled.has(p.id))) {
    for (const statement of policy.statements(params)) {
      const alone = scpSize({ Version: "2012-10-17", Statement: [statement] });
      if (alone > SCP_LIMITS.maxCharacters) {
        throw new Error(`guardrail ${policy.id}: its statement ${statement.Sid} is ${alone} characters, more than the ${SCP_LIMITS.maxCharacters} an SCP may hold`);
      }
      const last = documents.at(-1);
      if (last && scpSize({ Version: "2012-10-17", Statement: [...last, statement] }) <= SCP_LIMITS.maxCharacters) last.push(statement);
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
