import { ConfigDeliveryTarget } from "../../src/audit/audit-trail";
import { AccountGuardrails, AccountGuardrailsProps } from "../../src/guardrails/account-guardrails";
import { probe, probed, ACCOUNT_ID, dataSourceAt, PARTITION, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "us-east-1";
const TARGET: ConfigDeliveryTarget = {
  bucketName: "tap-dev-cloudtrail-123456789012",
  bucketArn: "arn:aws:s3:::tap-dev-cloudtrail-123456789012",
  keyPrefix: "config",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/trail",
  ready: { fqn: "aws_s3_bucket_policy.trail" },
};
const baseProps: Omit<AccountGuardrailsProps, "provider"> = { naming: { project: "tap", environment: "dev" }, accountId: ACCOUNT_ID, partition: PARTITION };

function synthGuardrails(props: Partial<AccountGuardrailsProps> = {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => new AccountGuardrails(scope, "account", { ...baseProps, ...props, provider }));
}

describe("AccountGuardrails", () => {
  const json = synthGuardrails({ configDelivery: TARGET });

  test("matches the synth-scope snapshot", () => {
    expect(synthScopeOf(REGION, (scope, provider) => new AccountGuardrails(scope, "account", { ...baseProps, provider, configDelivery: TARGET }))).toMatchSnapshot();
  });

  test("S3 public access is blocked for the whole account (CIS 2.1.4)", () => {
    expect(resourceAt(json, "aws_s3_account_public_access_block", "account/s3-account-public-access-block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("AWS Config's role: trusted by Config of this account, AWS_ConfigRole, and writes only under the prefix, encrypting with the bucket's key", () => {
    expect(dataSourceAt(json, "aws_iam_policy_document", "account/config-trust").statement[0]).toMatchObject({
      principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] }],
    });
    expect(resourceAt(json, "aws_iam_role_policy_attachment", "account/config-recording-policy").policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AWS_ConfigRole");
    const statements = dataSourceAt(json, "aws_iam_policy_document", "account/config-delivery-permissions").statement;
    expect(statements.find((s: any) => s.sid === "DeliverUnderPrefix").resources).toEqual(["arn:aws:s3:::tap-dev-cloudtrail-123456789012/config/AWSLogs/123456789012/*"]);
    expect(statements.find((s: any) => s.sid === "EncryptDeliveries").resources).toEqual([TARGET.kmsKeyArn]);
  });

  test("the Config role is ready once its managed policy and its delivery policy are attached", () => {
    const stack = synthConstruct(REGION, (scope, provider) => {
      const guardrails = new AccountGuardrails(scope, "account", { ...baseProps, provider, configDelivery: TARGET });
      probe(scope, "ready", guardrails.configRecorderRole!.configRoleReady.map((d) => d.fqn));
    });
    expect(probed(stack, "ready")).toEqual([
      expect.stringMatching(/^\$\{aws_iam_role_policy_attachment\.account_config-recording-policy_\w+\}$/),
      expect.stringMatching(/^\$\{aws_iam_role_policy\.account_config-delivery-policy_\w+\}$/),
    ]);
  });

  test("without a delivery target there is no Config role; the S3 block can be left out", () => {
    const json = synthGuardrails({ blockPublicS3Access: false });
    expect(Object.keys(json.resource ?? {})).toEqual([]);
  });

  test("refuses a name IAM would refuse, naming it", () => {
    expect(() => synthGuardrails({ naming: { project: "tap", environment: "e".repeat(60) } })).toThrow(/the IAM role name "tap-e{60}-aws-config" is invalid \(75 characters; at most 64 allowed\)/);
  });

  test("exactly the resources it documents", () => {
    expect(Object.fromEntries(Object.keys(json.resource ?? {}).map((type) => [type, resourcesOf(json, type).length]))).toEqual({
      aws_s3_account_public_access_block: 1,
      aws_iam_role: 1,
      aws_iam_role_policy_attachment: 1,
      aws_iam_role_policy: 1,
    });
  });
});
