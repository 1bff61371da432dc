/** Storage's settings (src/storage/storage-settings.ts): data protection, the state backend, the bootstrap bucket. */
import { load, problemsOf, stackOf } from "../settings-fixtures";

describe("loadConfig: the state bucket and the account", () => {
  test("without accountId the bucket is not named and there is no bootstrap stack; nothing is guessed", () => {
    const config = load({});
    expect(config.stacks[0].backend).toEqual({ type: "s3", bucket: undefined, key: "tap/dev/terraform.tfstate", region: "us-east-1", kmsKeyId: undefined });
    expect(config.bootstrap).toBeUndefined();
  });

  test("accountId names a bucket unique to the account and the state region, pins the stack, and gives the bootstrap stack; a named bucket wins", () => {
    const config = load({ TAP_ACCOUNT_ID: "111122223333", TERRAFORM_STATE_BUCKET_REGION: "eu-west-1", TAP_TAGS: '{"CostCenter":"7"}' });
    expect(config.accountId).toBe("111122223333");
    expect(config.stacks[0].accountId).toBe("111122223333");
    expect(config.stacks[0].backend).toMatchObject({ bucket: "tap-tfstate-111122223333-eu-west-1", region: "eu-west-1" });
    expect(config.bootstrap).toMatchObject({ bucket: "tap-tfstate-111122223333-eu-west-1", accessLogBucket: "tap-tflogs-111122223333-eu-west-1", region: "eu-west-1", tags: { CostCenter: "7" } });
    expect(load({ TAP_ACCOUNT_ID: "111122223333", TERRAFORM_STATE_BUCKET: "acme-state" }).bootstrap?.bucket).toBe("acme-state");
    // The longest project and region still give a valid bucket name.
    expect(load({ TAP_ACCOUNT_ID: "111122223333", TAP_PROJECT: "abcdefghijklmnop", TERRAFORM_STATE_BUCKET_REGION: "ap-southeast-2" }).bootstrap?.bucket).toHaveLength(52);
  });

  test.each([
    ["an account id that is not 12 digits", { TAP_ACCOUNT_ID: "12345" }, /^TAP_ACCOUNT_ID: "12345" is not allowed; expected a 12-digit AWS account id$/],
    ["a key alias, which can be repointed to another key", { TERRAFORM_STATE_KMS_KEY_ID: "alias/tap-state" }, /^TERRAFORM_STATE_KMS_KEY_ID: "alias\/tap-state" is not allowed; expected a KMS key ARN .* not an alias, which can be repointed to another key$/],
    // AWS's documentation example key id is not a UUID Terraform's backend accepts (its version and variant digits).
    ["AWS's example key id", { TERRAFORM_STATE_KMS_KEY_ID: "1234abcd-12ab-34cd-56ef-1234567890ab" }, /^TERRAFORM_STATE_KMS_KEY_ID: "1234abcd-12ab-34cd-56ef-1234567890ab" is not allowed/],
    [
      "a key of another region than the state bucket",
      { TERRAFORM_STATE_KMS_KEY_ID: "arn:aws:kms:eu-west-1:111122223333:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d" },
      /^TERRAFORM_STATE_KMS_KEY_ID: ".*" is a key in eu-west-1, but the state bucket is in us-east-1; S3 encrypts with a key of the bucket's region$/,
    ],
  ])("refuses %s", (_what, env, message) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
  });

  test("a key id or key ARN of the bucket's region is taken", () => {
    expect(load({ TERRAFORM_STATE_KMS_KEY_ID: "mrk-0123456789abcdef0123456789abcdef" }).stacks[0].backend).toMatchObject({ kmsKeyId: "mrk-0123456789abcdef0123456789abcdef" });
    const arn = "arn:aws:kms:us-east-1:111122223333:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d";
    expect(load({ TERRAFORM_STATE_KMS_KEY_ID: arn }).stacks[0].backend).toMatchObject({ kmsKeyId: arn });
  });
});

describe("loadConfig: defaults and variables", () => {
  test.each([
    ["prod", true],
    ["production", true],
    ["prod-eu", true],
    ["prd", false],
    ["live", false],
    ["dev", false],
  ])("data protection follows the environment name by default: %s -> %s", (environment, enabled) => {
    const { protectData } = stackOf({ ENVIRONMENT_SUFFIX: environment });
    expect(protectData.enabled).toBe(enabled);
    expect(protectData.reason).toContain(`environment "${environment}"`);
  });

  test("TAP_PROTECT_DATA overrides the environment's default in both directions", () => {
    expect(stackOf({ ENVIRONMENT_SUFFIX: "live", TAP_PROTECT_DATA: "true" }).protectData).toEqual({ enabled: true, reason: "set by TAP_PROTECT_DATA" });
    expect(stackOf({ ENVIRONMENT_SUFFIX: "prod", TAP_PROTECT_DATA: "false" }).protectData.enabled).toBe(false);
  });
});
