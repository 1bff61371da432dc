/**
 * The Terraform tier for one configuration: synthesize, init, validate and plan with the real
 * provider, then check that the plan holds what the code intends: the stack as a whole here,
 * each concern in its own folder (`__tests__/<concern>/planned-<concern>.ts`).
 */
import { loadConfig } from "../../src/app/load-config";
import type { StackConfig, TapConfig } from "../../src/config/model";
import { describePlannedAudit } from "../audit/planned-audit";
import { describePlannedGuardrails } from "../guardrails/planned-guardrails";
import { describePlannedIdentity } from "../identity/planned-identity";
import { intendedCounts } from "../intended-resources";
import { describePlannedNetwork } from "../network/planned-network";
import { describePlannedStorage } from "../storage/planned-storage";
import { describeIfTier, TERRAFORM_TIER } from "../tiers";
import { declaredAddress, findProviderSource, PlanJson, regionOfAddress, ResourceChange, TerraformWorkdir } from "../../scripts/terraform/workdir";

/** Terraform-level work per configuration; generous for a cold 2-core machine. */
const TIER_TIMEOUT_MS = 180_000;

const regionOf = (address: string, config: StackConfig) => regionOfAddress(address, config.homeRegion.region);

/** One configuration's plan, as the concerns' checks read it (available once the tier's beforeAll has run). */
export interface PlannedStack {
  readonly config: StackConfig;
  /** The whole plan. */
  plan(): PlanJson;
  /** Planned changes of one type (data sources with mode "data"). */
  changes(type: string, mode?: "managed" | "data"): ResourceChange[];
  /** The region a planned resource belongs to, from its address. */
  inRegion(change: ResourceChange): string;
}

/** Defines the tier's tests for the configuration given by `env` (environment variables). */
export function describePlannedStack(title: string, env: Record<string, string>): void {
  const app: TapConfig = loadConfig(env, { file: null });
  const config = app.stacks[0];
  describeIfTier([TERRAFORM_TIER], `Terraform tier: ${title}`, () => {
    let workdir: TerraformWorkdir;
    let plan: PlanJson;
    let bindings: Map<string, string>;

    beforeAll(async () => {
      workdir = TerraformWorkdir.synthesize(app, findProviderSource());
      await workdir.init();
      bindings = await workdir.validate();
      plan = await workdir.plan();
    }, TIER_TIMEOUT_MS);
    afterAll(() => workdir?.dispose());

    const changes = (type: string, mode: "managed" | "data" = "managed") =>
      plan.resource_changes.filter((c) => c.type === type && c.mode === mode);
    const inRegion = (change: ResourceChange) => regionOf(change.address, config);
    const stack: PlannedStack = { config, plan: () => plan, changes, inRegion };

    test("plans only creations, for the intended number of resources per region and type", () => {
      expect(plan.resource_changes.every((c) => ["create", "read"].includes(c.change.actions[0]))).toBe(true);
      for (const { region } of config.regions) {
        const counts: Record<string, number> = {};
        for (const change of plan.resource_changes.filter((c) => c.mode === "managed" && inRegion(c) === region)) {
          counts[change.type] = (counts[change.type] ?? 0) + 1;
        }
        expect({ region, counts }).toEqual({ region, counts: intendedCounts(config, region) });
      }
    });

    test("Terraform binds every resource and data source to the provider of its region", () => {
      const managed = plan.resource_changes.filter((c) => c.mode === "managed").map((c) => declaredAddress(c.address));
      expect(managed.filter((address) => !bindings.has(address))).toEqual([]);
      const wrong = [...bindings]
        .map(([address, bound]) => ({ address, bound, intended: regionOf(address, config) }))
        .filter((b) => b.bound !== b.intended);
      expect(wrong).toEqual([]);
    });

    test("every resource carries the common tags, the user's tags and a Name", () => {
      const taggable = plan.resource_changes.filter((c) => c.mode === "managed" && c.change.after && "tags_all" in c.change.after);
      expect(taggable.length).toBeGreaterThan(0);
      for (const change of taggable) {
        expect({ address: change.address, tags: change.change.after.tags_all }).toEqual({
          address: change.address,
          tags: {
            ...config.tags,
            Environment: config.environment,
            Project: config.project,
            ManagedBy: "cdktf",
            Name: expect.stringMatching(new RegExp(`^${config.project}-${config.environment}-`)),
          },
        });
      }
    });

    describePlannedStorage(stack);
    describePlannedNetwork(stack);
    describePlannedIdentity(stack);
    describePlannedAudit(stack);
    describePlannedGuardrails(stack);
  });
}
