import { configServiceLinkedRoleArn } from "../../src/guardrails/guardrail-facts";
import { EMULATOR_ACCOUNT_ID } from "../../scripts/terraform/emulator";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";

/** One region keeps the proof short; adoption is the same in every region. */
const ACCOUNT = { TAP_REGIONS: "us-east-1" };
/** What an account set up in the console has: AWS names its recorder and channel "default". */
const EXISTING = { recorder: "default", channel: "default", bucket: "config-bucket-set-up-by-hand" };
const ADOPT = { ...ACCOUNT, TAP_SINGLETONS: "awsConfig=adopt;configServiceRole=adopt;passwordPolicy=adopt" };

/**
 * Adoption on the emulator, as in an account that already has AWS Config (its service-linked
 * role, a recorder and a delivery channel) and a password policy: create fails with AWS's own
 * errors, one singleton after the other; adopt imports them, applies tap's settings to them and
 * re-plans clean; destroy then deletes them too.
 */
describeIfTier([APPLY_TIER], "apply tier: an account that already has AWS Config and a password policy", () => {
  const emulated = useEmulatedDeployment();
  const recorders = async () => (await emulated.deployment.awsJson("config", "StarlingDoveService.DescribeConfigurationRecorders", {})).ConfigurationRecorders;

  beforeAll(async () => {
    const { deployment } = emulated;
    await deployment.awsQuery("iam", "2010-05-08", { Action: "CreateServiceLinkedRole", AWSServiceName: "config.amazonaws.com" });
    const roleARN = configServiceLinkedRoleArn("aws", EMULATOR_ACCOUNT_ID);
    await deployment.awsJson("config", "StarlingDoveService.PutConfigurationRecorder", { ConfigurationRecorder: { name: EXISTING.recorder, roleARN, recordingGroup: { allSupported: true } } });
    await deployment.awsJson("config", "StarlingDoveService.PutDeliveryChannel", { DeliveryChannel: { name: EXISTING.channel, s3BucketName: EXISTING.bucket } });
    await deployment.awsQuery("iam", "2010-05-08", { Action: "UpdateAccountPasswordPolicy", MinimumPasswordLength: "8" });
  }, APPLY_TIMEOUT_MS);

  test("create (the default) fails with AWS's error: the service-linked role's name is taken; the password policy, a setting, is overwritten", async () => {
    await expect(emulated.deployment.deploy(ACCOUNT)).rejects.toThrow(/Role with name AWSServiceRoleForConfig already exists/);
    expect(await emulated.deployment.awsQuery("iam", "2010-05-08", { Action: "GetAccountPasswordPolicy" })).toContain("<MinimumPasswordLength>14</MinimumPasswordLength>");
  }, APPLY_TIMEOUT_MS);

  test("with the role adopted, creating a recorder fails with AWS's error: one recorder per region", async () => {
    await expect(emulated.deployment.deploy({ ...ACCOUNT, TAP_SINGLETONS: "configServiceRole=adopt" })).rejects.toThrow(/MaxNumberOfConfigurationRecordersExceededException/);
    expect((await recorders()).map((recorder: { name: string }) => recorder.name)).toEqual([EXISTING.recorder]);
  }, APPLY_TIMEOUT_MS);

  test("adopt imports them, applies tap's settings to them, and re-plans clean", async () => {
    const { deployment } = emulated;
    const deployed = await deployment.deploy(ADOPT);
    // The role was imported by the step before. The password policy too is already tap's: it is a
    // setting, so the first (create) apply overwrote it instead of failing, as AWS does.
    const imported = (deployed.appliedPlan.resource_changes ?? []).filter((change: any) => change.change.importing).map((change) => change.type);
    expect(imported.sort()).toEqual(["aws_config_configuration_recorder", "aws_config_configuration_recorder_status", "aws_config_delivery_channel"]);
    const state = await expectAppliedAsPlanned(deployment, deployed);
    const only = (type: string) => state.filter((resource) => resource.type === type).map((resource) => resource.values);
    // They keep their names and get tap's role, recording, bucket and password rules.
    expect(only("aws_config_configuration_recorder")).toEqual([expect.objectContaining({ name: EXISTING.recorder, role_arn: configServiceLinkedRoleArn("aws", EMULATOR_ACCOUNT_ID) })]);
    expect(only("aws_config_delivery_channel")).toEqual([expect.objectContaining({ name: EXISTING.channel, s3_bucket_name: `tap-dev-cloudtrail-${EMULATOR_ACCOUNT_ID}`, s3_key_prefix: "config" })]);
    expect(only("aws_iam_account_password_policy")).toEqual([expect.objectContaining({ minimum_password_length: 14 })]);
    expect(await recorders()).toEqual([expect.objectContaining({ name: EXISTING.recorder })]);
    await expectCleanReplan(deployment);
  }, APPLY_TIMEOUT_MS);

  test("destroy deletes adopted resources like created ones (docs/adoption.md: What destroy does)", async () => {
    const { deployment } = emulated;
    await deployment.destroy();
    expect(await deployment.stateList()).toEqual([]);
    expect(await recorders()).toEqual([]);
  }, APPLY_TIMEOUT_MS);
});
