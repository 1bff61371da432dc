/**
 * What every applied configuration must show: the emulator holds exactly what was planned, as
 * the provider reads it back, and a second plan changes nothing.
 */
import { EMULATOR_DEVIATIONS, EMULATOR_UNSUPPORTED } from "../../scripts/terraform/emulator";
import { intendedCounts } from "../intended-resources";
import { countsByRegion, Deployed, describeReplan, EmulatedDeployment, StateResource } from "./deployment";

/** Top-level planned values known before apply must be what the emulator reports after it. */
function knownValuesDiffer(planned: Record<string, any>, unknown: Record<string, any>, actual: Record<string, any>): string[] {
  return Object.entries(planned)
    .filter(([key, value]) => value !== null && unknown?.[key] !== true && (typeof value !== "object" || key === "tags_all"))
    .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(actual[key]))
    .map(([key, value]) => `${key}: planned ${JSON.stringify(value)}, applied ${JSON.stringify(actual[key])}`);
}

export async function expectAppliedAsPlanned(deployment: EmulatedDeployment, deployed: Deployed): Promise<StateResource[]> {
  const { config, appliedPlan, fullPlan, planOnly } = deployed;
  const state = await deployment.state();
  const home = config.homeRegion.region;

  // Counts per region and type: the product's intent, less the types only planned (and those were planned).
  const planned = (fullPlan.resource_changes ?? []).filter((c) => c.mode === "managed" && !c.change.actions.includes("delete"));
  for (const { region } of config.regions) {
    const intended = intendedCounts(config, region);
    expect({ region, planned: countsByRegion(planned, region, home) }).toEqual({ region, planned: intended });
    const applied = Object.fromEntries(Object.entries(intended).filter(([type]) => !(type in EMULATOR_UNSUPPORTED)));
    expect({ region, applied: countsByRegion(state, region, home) }).toEqual({ region, applied });
  }
  expect(planOnly.every((address) => address.split(".")[0] in EMULATOR_UNSUPPORTED)).toBe(true);

  // Every known planned value is what the emulator now reports; every taggable resource carries the tags.
  const stateByAddress = new Map(state.map((resource) => [resource.address, resource]));
  const mismatches = (appliedPlan.resource_changes ?? [])
    .filter((c) => c.mode === "managed" && !c.change.actions.includes("delete"))
    .flatMap((c) => {
      const normalize = EMULATOR_DEVIATIONS[c.type]?.normalize ?? ((values: any) => values);
      const applied = normalize(stateByAddress.get(c.address)?.values ?? {});
      return knownValuesDiffer(normalize(c.change.after ?? {}), (c.change as any).after_unknown ?? {}, applied).map((problem) => `${c.address} ${problem}`);
    });
  expect(mismatches).toEqual([]);
  for (const resource of state.filter((r) => r.values.tags_all)) {
    expect({ address: resource.address, tags: resource.values.tags_all }).toEqual({
      address: resource.address,
      tags: { ...config.tags, Environment: config.environment, Project: config.project, ManagedBy: "cdktf", Name: expect.stringMatching(new RegExp(`^${config.project}-${config.environment}-`)) },
    });
  }

  // The settings that matter, as read back.
  const ofType = (type: string) => state.filter((r) => r.type === type).map((r) => r.values);
  expect(ofType("aws_kms_key").every((key) => key.enable_key_rotation === true && key.deletion_window_in_days === 30)).toBe(true);
  expect(ofType("aws_s3_bucket_versioning").map((v) => v.versioning_configuration[0].status)).toEqual(ofType("aws_s3_bucket").map(() => "Enabled"));
  expect(ofType("aws_s3_bucket_public_access_block").every((b) => b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets)).toBe(true);
  expect(ofType("aws_s3_bucket").every((b) => b.force_destroy === !config.protectData.enabled)).toBe(true);
  expect(ofType("aws_cloudwatch_log_group").every((g) => g.retention_in_days === config.logRetentionDays && g.kms_key_id.startsWith("arn:aws:kms:"))).toBe(true);
  expect(ofType("aws_flow_log").every((f) => f.traffic_type === "ALL")).toBe(true);
  if (config.manageAccountSettings) expect(ofType("aws_iam_account_password_policy")).toEqual([expect.objectContaining({ minimum_password_length: 14, password_reuse_prevention: config.passwordReusePrevention })]);
  return state;
}

/** A second plan shows no changes, apart from the emulator's documented deviations (reported). */
export async function expectCleanReplan(deployment: EmulatedDeployment): Promise<number> {
  const changes = await deployment.replan();
  const real = changes.filter((change) => !change.deviation);
  if (real.length > 0) throw new Error(`the second plan is not empty; every attribute that differs, before -> after:\n${describeReplan(real)}`);
  return changes.length;
}
