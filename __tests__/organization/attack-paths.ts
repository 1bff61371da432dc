/**
 * The attack paths around the guardrails (#26 item 2), written out as requests: what a member
 * account's administrator would call to take over an exempt role, take a key out of the key
 * guardrails, or empty the log archive. The proofs (guardrail-policies.test.ts) evaluate each
 * against the guardrail policies and expect it denied; docs/organizations.md's table of attack
 * paths is generated from this list (scripts/docs.ts), so the page claims exactly what is proved.
 * Named here, never read back from the policies.
 */

/** The member account an attacker holds, and the log-archive account. */
export const MEMBER = "222222222222";
export const LOG_ARCHIVE = "333333333333";
/** The example organization's names: project tap, deployment role TapDeploy, break-glass role TapBreakGlass. */
export const DEPLOY_ROLE = `arn:aws:iam::${MEMBER}:role/TapDeploy`;
export const BREAK_GLASS_ROLE = `arn:aws:iam::${MEMBER}:role/TapBreakGlass`;
export const TAP_KEY = `arn:aws:kms:eu-west-1:${MEMBER}:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d`;
export const ARCHIVE_BUCKET = `tap-org-cloudtrail-${LOG_ARCHIVE}`;
export const ARCHIVE_ACCESS_LOG_BUCKET = `tap-org-access-logs-${LOG_ARCHIVE}`;
const TAP_KEY_TAGS = { "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf" };

export interface AttackStep {
  readonly action: string;
  readonly resource: string;
  /** The request's context beyond the principal and Region. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface AttackPath {
  /** What the attacker would gain, in a few words. */
  readonly path: string;
  /** The account whose administrator attacks: a member's, or the log archive's. */
  readonly account: typeof MEMBER | typeof LOG_ARCHIVE;
  /** The guardrail that closes it (switched off, the path opens again), and the kind of policy it is. */
  readonly closedBy: string;
  readonly deniedBy: "SCP" | "RCP";
  readonly steps: readonly AttackStep[];
}

export const ATTACK_PATHS: readonly AttackPath[] = [
  {
    path: "rewrite the deployment role's trust to assume it, and act as the principal every guardrail exempts",
    account: MEMBER,
    closedBy: "ProtectExemptRoles",
    deniedBy: "SCP",
    steps: [{ action: "iam:UpdateAssumeRolePolicy", resource: DEPLOY_ROLE }],
  },
  {
    path: "attach AdministratorAccess (or any policy) to the deployment role, or write one into it",
    account: MEMBER,
    closedBy: "ProtectExemptRoles",
    deniedBy: "SCP",
    steps: [
      { action: "iam:AttachRolePolicy", resource: DEPLOY_ROLE, context: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } },
      { action: "iam:PutRolePolicy", resource: DEPLOY_ROLE },
    ],
  },
  {
    path: "delete the deployment role and create it again with a trust of one's own",
    account: MEMBER,
    closedBy: "ProtectExemptRoles",
    deniedBy: "SCP",
    steps: [
      { action: "iam:DeleteRole", resource: DEPLOY_ROLE },
      { action: "iam:CreateRole", resource: DEPLOY_ROLE },
    ],
  },
  {
    path: "loosen the deployment role otherwise: detach or delete its policies, change its permissions boundary, its tags or its session settings",
    account: MEMBER,
    closedBy: "ProtectExemptRoles",
    deniedBy: "SCP",
    steps: [
      { action: "iam:DetachRolePolicy", resource: DEPLOY_ROLE },
      { action: "iam:DeleteRolePolicy", resource: DEPLOY_ROLE },
      { action: "iam:PutRolePermissionsBoundary", resource: DEPLOY_ROLE },
      { action: "iam:DeleteRolePermissionsBoundary", resource: DEPLOY_ROLE },
      { action: "iam:TagRole", resource: DEPLOY_ROLE },
      { action: "iam:UntagRole", resource: DEPLOY_ROLE },
      { action: "iam:UpdateRole", resource: DEPLOY_ROLE },
    ],
  },
  {
    path: "take over the break-glass role the same way",
    account: MEMBER,
    closedBy: "ProtectExemptRoles",
    deniedBy: "SCP",
    steps: [
      { action: "iam:UpdateAssumeRolePolicy", resource: BREAK_GLASS_ROLE },
      { action: "iam:AttachRolePolicy", resource: BREAK_GLASS_ROLE, context: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } },
      { action: "iam:DeleteRole", resource: BREAK_GLASS_ROLE },
      { action: "iam:CreateRole", resource: BREAK_GLASS_ROLE },
    ],
  },
  {
    path: "untag a tap key (or change its Project or ManagedBy tag) so the key guardrails no longer match it, then schedule its deletion",
    account: MEMBER,
    closedBy: "ProtectTapResources",
    deniedBy: "SCP",
    steps: [
      { action: "kms:UntagResource", resource: TAP_KEY, context: { ...TAP_KEY_TAGS, "aws:TagKeys": ["Project"] } },
      { action: "kms:UntagResource", resource: TAP_KEY, context: { ...TAP_KEY_TAGS, "aws:TagKeys": ["ManagedBy"] } },
      { action: "kms:TagResource", resource: TAP_KEY, context: { ...TAP_KEY_TAGS, "aws:TagKeys": ["Project"] } },
      { action: "kms:ScheduleKeyDeletion", resource: TAP_KEY, context: TAP_KEY_TAGS },
    ],
  },
  {
    path: "narrow AWS Config's recording to nothing, or deliver it elsewhere, without stopping it",
    account: MEMBER,
    closedBy: "ProtectSecurityServices",
    deniedBy: "SCP",
    steps: [
      { action: "config:PutConfigurationRecorder", resource: "*" },
      { action: "config:PutDeliveryChannel", resource: "*" },
    ],
  },
  {
    path: "rewrite or delete the log archive's bucket policy",
    account: LOG_ARCHIVE,
    closedBy: "ProtectLogArchive",
    deniedBy: "RCP",
    steps: [
      { action: "s3:PutBucketPolicy", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}` },
      { action: "s3:DeleteBucketPolicy", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}` },
    ],
  },
  {
    path: "shorten the log archive's lifecycle so its logs expire",
    account: LOG_ARCHIVE,
    closedBy: "ProtectLogArchive",
    deniedBy: "RCP",
    steps: [{ action: "s3:PutLifecycleConfiguration", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}` }],
  },
  {
    path: "suspend the log archive's versioning",
    account: LOG_ARCHIVE,
    closedBy: "ProtectLogArchive",
    deniedBy: "RCP",
    steps: [{ action: "s3:PutBucketVersioning", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}` }],
  },
  {
    path: "change the log archive's Object Lock, or an object's retention",
    account: LOG_ARCHIVE,
    closedBy: "ProtectLogArchive",
    deniedBy: "RCP",
    steps: [
      { action: "s3:PutBucketObjectLockConfiguration", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}` },
      { action: "s3:PutObjectRetention", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}/AWSLogs/o-abcdefghij/${MEMBER}/CloudTrail/eu-west-1/2026/01/01/log.json.gz` },
    ],
  },
  {
    path: "delete log files for good: their versions, past their retention, or the bucket",
    account: LOG_ARCHIVE,
    closedBy: "ProtectLogArchive",
    deniedBy: "RCP",
    steps: [
      { action: "s3:DeleteObjectVersion", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}/AWSLogs/o-abcdefghij/${MEMBER}/CloudTrail/eu-west-1/2026/01/01/log.json.gz` },
      { action: "s3:BypassGovernanceRetention", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}/AWSLogs/o-abcdefghij/${MEMBER}/CloudTrail/eu-west-1/2026/01/01/log.json.gz` },
      { action: "s3:DeleteObjectVersion", resource: `arn:aws:s3:::${ARCHIVE_ACCESS_LOG_BUCKET}/s3/${ARCHIVE_BUCKET}/2026-01-01-00-00-00-0123456789ABCDEF` },
      { action: "s3:DeleteBucket", resource: `arn:aws:s3:::${ARCHIVE_BUCKET}` },
    ],
  },
];
