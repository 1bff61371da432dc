import { ConfigDeliveryTarget } from "../../src/audit/audit-trail";
import { AccountGuardrails, AccountGuardrailsProps } from "../../src/guardrails/account-guardrails";
import { probe, probed, ACCOUNT_ID, PARTITION, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "us-east-1";
const TARGET: ConfigDeliveryTarget = {
  bucketName: "tap-dev-cloudtrail-123456789012",
  keyPrefix: "config",
  ready: { fqn: "aws_s3_bucket_policy.trail" },
};
const baseProps: Omit<AccountGuardrailsProps, "provider"> = { naming: { project: "tap", environment: "dev" }, accountId: ACCOUNT_ID, partition: PARTITION };
const CONFIG_ROLE_ARN = "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";

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

  test("the security alternate contact (FSBP Account.1) of the provider's own account, only when one is given", () => {
    const contact = { name: "Security team", title: "Security operations", email: "secops@example.com", phone: "+1 206 555 0100" };
    const withContact = synthGuardrails({ securityContact: contact });
    expect(resourceAt(withContact, "aws_account_alternate_contact", "account/security-contact")).toEqual(
      expect.objectContaining({ alternate_contact_type: "SECURITY", name: "Security team", title: "Security operations", email_address: "secops@example.com", phone_number: "+1 206 555 0100" }),
    );
    // No account_id: a member's own stack sets its own contact; with one, only the management account could.
    expect(resourceAt(withContact, "aws_account_alternate_contact", "account/security-contact").account_id).toBeUndefined();
    expect(resourcesOf(json, "aws_account_alternate_contact")).toEqual([]);
  });

  test("AWS Config records with its service-linked role (Security Hub Config.1), not a role of tap's own", () => {
    expect(resourceAt(json, "aws_iam_service_linked_role", "account/config-service-role").aws_service_name).toBe("config.amazonaws.com");
    expect(resourcesOf(json, "aws_iam_role")).toEqual([]);
  });

  test("the recorders wait for the service-linked role; an external one is used by its ARN and nothing is created", () => {
    const stack = synthConstruct(REGION, (scope, provider) => {
      const guardrails = new AccountGuardrails(scope, "account", { ...baseProps, provider, configDelivery: TARGET });
      probe(scope, "ready", guardrails.configRecorderRole!.configRoleReady.map((d) => d.fqn));
      probe(scope, "arn", guardrails.configRecorderRole!.configRoleArn);
    });
    expect(probed(stack, "ready")).toEqual([expect.stringMatching(/^\$\{aws_iam_service_linked_role\.account_config-service-role_\w+\}$/)]);
    expect(probed(stack, "arn")).toMatch(/^\$\{aws_iam_service_linked_role\.account_config-service-role_\w+\.arn\}$/);

    const external = synthConstruct(REGION, (scope, provider) => {
      const guardrails = new AccountGuardrails(scope, "account", { ...baseProps, provider, configDelivery: TARGET, configServiceRole: "external" });
      probe(scope, "arn", guardrails.configRecorderRole!.configRoleArn);
      probe(scope, "ready", guardrails.configRecorderRole!.configRoleReady.length);
    });
    expect(probed(external, "arn")).toBe(CONFIG_ROLE_ARN);
    expect(probed(external, "ready")).toBe(0);
    expect(resourcesOf(external, "aws_iam_service_linked_role")).toEqual([]);
  });

  test("adopting imports the account's public access block by account id and the Config role by its ARN", () => {
    const adopted = synthGuardrails({ configDelivery: TARGET, configServiceRole: "adopt", publicAccessBlock: "adopt" });
    expect(adopted.import).toEqual([
      { to: expect.stringMatching(/^aws_s3_account_public_access_block\.account_s3-account-public-access-block_\w+$/), id: ACCOUNT_ID, provider: `aws.${REGION}` },
      { to: expect.stringMatching(/^aws_iam_service_linked_role\.account_config-service-role_\w+$/), id: CONFIG_ROLE_ARN, provider: `aws.${REGION}` },
    ]);
    expect(json.import).toBeUndefined();
  });

  test("without a delivery target there is no Config role; the S3 block can be left to others", () => {
    const json = synthGuardrails({ publicAccessBlock: "external" });
    expect(Object.keys(json.resource ?? {})).toEqual([]);
  });

  test("exactly the resources it documents", () => {
    expect(Object.fromEntries(Object.keys(json.resource ?? {}).map((type) => [type, resourcesOf(json, type).length]))).toEqual({
      aws_s3_account_public_access_block: 1,
      aws_iam_service_linked_role: 1,
    });
  });
});
