/**
 * Who may write to the organization's log archive, evaluated as AWS evaluates a service's request
 * against the bucket and key policies (the policy evaluator and renderer of the service-access
 * proofs). The emulator does not enforce these policies, and a plan cannot read them: this is
 * where the archive's conditions are proven to let the organization in and keep others out.
 */
import { LogArchive } from "../../src/organization/log-archive";
import { decide } from "../access/evaluate";
import { ACCOUNT, PARTITION, StackPolicies } from "../access/stack-policies";
import { synthConstruct } from "../helpers";

const ORGANIZATION = "o-a1b2c3d4e5";
const MANAGEMENT = "111111111111";
const MEMBER = "222222222222";
/** The organization trail as the management stack creates it (AuditTrail names it <project>-org-trail). */
const TRAIL = `arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/acme-org-trail`;

const policies = new StackPolicies(
  synthConstruct("eu-west-1", (scope, provider) => {
    new LogArchive(scope, "archive", {
      provider,
      naming: { project: "acme", environment: "org", region: "eu-west-1" },
      accountId: ACCOUNT,
      partition: PARTITION,
      organizationId: ORGANIZATION,
      trailArn: TRAIL,
      managementAccountId: MANAGEMENT,
    });
  }),
);
const bucket = policies.resources("aws_s3_bucket").find((resource) => resource.body.bucket === `acme-org-cloudtrail-${ACCOUNT}`)!;
const key = policies.resource("aws_kms_key", "archive/key");
const bucketArn = `arn:aws:s3:::${bucket.body.bucket}`;
const overTls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };

/** A service's request to the archive bucket or key, with only the resource's policy to allow it. */
function asService(service: string, action: string, resource: string, context: Record<string, string>) {
  const isKey = action.startsWith("kms:");
  return decide({
    principal: service,
    identityPolicies: [],
    action,
    resourceArn: resource,
    resourcePolicy: isKey ? policies.keyPolicy(key) : policies.bucketPolicy(bucket),
    context: isKey ? context : { ...overTls, ...context },
  });
}

describe("the log archive: the organization trail writes, and no other trail", () => {
  const logFile = (owner: string) => `${bucketArn}/AWSLogs/${owner}/CloudTrail/eu-west-1/2026/11/30/log.json.gz`;
  const fromTrail = (trail: string) => ({ "aws:SourceArn": trail, "aws:SourceAccount": MANAGEMENT, "s3:x-amz-acl": "bucket-owner-full-control" });

  test("the organization trail writes the management account's and the members' log files", async () => {
    expect(await asService("cloudtrail.amazonaws.com", "s3:PutObject", logFile(MANAGEMENT), fromTrail(TRAIL))).toBe("Allowed");
    expect(await asService("cloudtrail.amazonaws.com", "s3:PutObject", `${bucketArn}/AWSLogs/${ORGANIZATION}/${MEMBER}/CloudTrail/eu-west-1/log.json.gz`, fromTrail(TRAIL))).toBe("Allowed");
    expect(await asService("cloudtrail.amazonaws.com", "s3:GetBucketAcl", bucketArn, { "aws:SourceArn": TRAIL })).toBe("Allowed");
  });

  test("another trail, even of the management account, is refused", async () => {
    const other = `arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/someone-elses`;
    expect(await asService("cloudtrail.amazonaws.com", "s3:PutObject", logFile(MANAGEMENT), fromTrail(other))).toBe("ImplicitlyDenied");
  });

  test("the organization trail encrypts with the archive's key; another trail cannot", async () => {
    const context = (trail: string) => ({ "aws:SourceArn": trail, "kms:EncryptionContext:aws:cloudtrail:arn": trail });
    expect(await asService("cloudtrail.amazonaws.com", "kms:GenerateDataKey", policies.arn(key), context(TRAIL))).toBe("Allowed");
    expect(await asService("cloudtrail.amazonaws.com", "kms:GenerateDataKey", policies.arn(key), context(`arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/someone-elses`))).toBe("ImplicitlyDenied");
  });
});

describe("the log archive's key: what CloudTrail asks of it for the organization trail", () => {
  // AWS's required key policy elements for a trail: encrypt (kms:GenerateDataKey*, with the trail in
  // the encryption context), decrypt (kms:Decrypt: needed to create or update a trail whose bucket
  // uses an S3 Bucket Key, as the archive's does) and describe (kms:DescribeKey), each limited to the
  // trail with aws:SourceArn.
  // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
  const OTHER_TRAIL = `arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/someone-elses`;
  const encrypting = (trail: string) => ({ "aws:SourceArn": trail, "aws:SourceAccount": MANAGEMENT, "kms:EncryptionContext:aws:cloudtrail:arn": trail });
  const asTrail = (trail: string) => ({ "aws:SourceArn": trail, "aws:SourceAccount": MANAGEMENT });
  const REQUESTS: readonly (readonly [string, (trail: string) => Record<string, string>])[] = [
    ["kms:GenerateDataKey", encrypting],
    ["kms:GenerateDataKeyWithoutPlaintext", encrypting],
    ["kms:Decrypt", asTrail],
    ["kms:DescribeKey", asTrail],
  ];

  test.each(REQUESTS)("the organization trail is allowed %s", async (action, context) => {
    expect(await asService("cloudtrail.amazonaws.com", action, policies.arn(key), context(TRAIL))).toBe("Allowed");
  });

  test.each(REQUESTS)("another trail of the management account is refused %s", async (action, context) => {
    expect(await asService("cloudtrail.amazonaws.com", action, policies.arn(key), context(OTHER_TRAIL))).toBe("ImplicitlyDenied");
  });
});

describe("the log archive: AWS Config of this organization's accounts delivers, no one else's", () => {
  const history = (account: string) => `${bucketArn}/config/AWSLogs/${account}/Config/eu-west-1/2026/11/30/ConfigHistory/history.json.gz`;
  const fromOrganization = (organization: string, account = MEMBER) => ({ "aws:SourceOrgID": organization, "aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control" });

  test("a member's recorder delivers under config/, checks the bucket and encrypts with the key", async () => {
    expect(await asService("config.amazonaws.com", "s3:PutObject", history(MEMBER), fromOrganization(ORGANIZATION))).toBe("Allowed");
    expect(await asService("config.amazonaws.com", "s3:ListBucket", bucketArn, { "aws:SourceOrgID": ORGANIZATION })).toBe("Allowed");
    expect(await asService("config.amazonaws.com", "kms:GenerateDataKey", policies.arn(key), { "aws:SourceOrgID": ORGANIZATION })).toBe("Allowed");
  });

  test.each(["s3:GetBucketAcl", "s3:ListBucket"])("AWS Config of another organization cannot %s the archive bucket; this organization's can", async (action) => {
    expect(await asService("config.amazonaws.com", action, bucketArn, { "aws:SourceOrgID": "o-zzzzzzzzzz", "aws:SourceAccount": "333333333333" })).toBe("ImplicitlyDenied");
    expect(await asService("config.amazonaws.com", action, bucketArn, { "aws:SourceOrgID": ORGANIZATION, "aws:SourceAccount": MEMBER })).toBe("Allowed");
  });

  test("an account of another organization is refused, and so is a delivery outside config/", async () => {
    expect(await asService("config.amazonaws.com", "s3:PutObject", history("333333333333"), fromOrganization("o-zzzzzzzzzz", "333333333333"))).toBe("ImplicitlyDenied");
    expect(await asService("config.amazonaws.com", "kms:GenerateDataKey", policies.arn(key), { "aws:SourceOrgID": "o-zzzzzzzzzz" })).toBe("ImplicitlyDenied");
    expect(await asService("config.amazonaws.com", "s3:PutObject", `${bucketArn}/AWSLogs/${MEMBER}/CloudTrail/forged.json.gz`, fromOrganization(ORGANIZATION))).toBe("ImplicitlyDenied");
  });

  test("nothing reaches the archive without TLS, the organization's services included", async () => {
    expect(await asService("config.amazonaws.com", "s3:PutObject", history(MEMBER), { ...fromOrganization(ORGANIZATION), "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
  });
});
