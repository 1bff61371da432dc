import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";
import {
  declaredStack,
  formerRegionStacks,
  migrate,
  migratedStates,
  planMigration,
  regionStackTerraformBlock,
  StackJson,
  StackStates,
  StateStore,
  TerraformState,
} from "../../scripts/migrate";

const AWS = (region: string) => `provider["registry.terraform.io/hashicorp/aws"].${region}`;
/** One workload region, four guarded regions without workload. */
const ENV = { TAP_ACCOUNT_ID: "123456789012", ENVIRONMENT_SUFFIX: "mig", TAP_REGIONS: "us-east-1", TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2,us-west-1,us-west-2,ca-central-1" };

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The app synthesized for ENV and `env`: its folder and each stack's cdk.tf.json (bootstrap aside). */
function synth(env: Record<string, string>): { outdir: string; configs: Map<string, StackJson> } {
  const outdir = mkdtempSync(join(tmpdir(), "tap-migrate-"));
  outdirs.push(outdir);
  const config = loadConfig({ ...ENV, ...env }, { file: null });
  buildApp(config, outdir).app.synth();
  const names = Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks).filter((name) => name !== "bootstrap");
  return { outdir, configs: new Map(names.map((name) => [name, JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"))])) };
}

/** The state a deploy of `config` leaves: every managed resource through its provider, and the data sources. */
function deployedState(config: StackJson & { data?: Record<string, Record<string, { provider?: string }>> }, lineage: string): TerraformState {
  const entries = (mode: "managed" | "data", blocks: Record<string, Record<string, { provider?: string }>> = {}) =>
    Object.entries(blocks).flatMap(([type, byName]) =>
      Object.entries(byName).map(([name, body]) => ({
        mode,
        type,
        name,
        provider: body.provider?.startsWith("aws.") ? AWS(body.provider.slice(4)) : 'provider["terraform.io/builtin/terraform"]',
        instances: [{ attributes: { id: `${type}.${name}` } }],
      })),
    );
  return { version: 4, terraform_version: "1.11.4", serial: 7, lineage, outputs: { guarded_regions: { value: [], type: ["list", "string"] } }, resources: [...entries("managed", config.resource as any), ...entries("data", config.data)] };
}

/** The new app's stacks with the states the old app's deploy left (a stack of either app). */
function stacksAfterRegrouping(before: Map<string, StackJson>, after: Map<string, StackJson>): StackStates[] {
  const names = [...new Set([...after.keys(), ...before.keys()])];
  return names.map((name) => ({
    name,
    declared: after.has(name) ? declaredStack(after.get(name)!) : undefined,
    state: before.has(name) ? deployedState(before.get(name)!, `lineage-${name}`) : undefined,
  }));
}

const routes = (moves: readonly { from: string; to: string; region: string }[]) => [...new Set(moves.map(({ from, to, region }) => `${from} -> ${to}: ${region}`))].sort();
const resourcesOf = (config: StackJson, region: string) => [...declaredStack(config).resources].filter(([, r]) => r === region).map(([address]) => address).sort();

describe("migrating a regrouped deployment's state (npm run migrate)", () => {
  const split3 = synth({});
  const split2 = synth({ TAP_REGIONS_PER_STACK: "2" });
  const single = synth({ TAP_LAYOUT: "single" });

  test("the groupings synthesize as the migration expects: the same addresses for a region's guardrails in every layout", () => {
    expect([...split3.configs.keys()]).toEqual(["tap", "tap-guardrails-1", "tap-guardrails-2"]);
    expect([...split2.configs.keys()]).toEqual(["tap", "tap-guardrails-1", "tap-guardrails-2", "tap-guardrails-3"]);
    expect([...single.configs.keys()]).toEqual(["tap"]);
    expect(resourcesOf(single.configs.get("tap")!, "us-west-1")).toEqual(resourcesOf(split3.configs.get("tap-guardrails-1")!, "us-west-1"));
    expect(resourcesOf(split3.configs.get("tap-guardrails-1")!, "us-west-1")).toContain("aws_guardduty_detector.guardrails-us-west-1_guardduty_F9E45B6A");
  });

  test("regionsPerStack 3 -> 2: us-west-1 moves from tap-guardrails-1 to -2 and ca-central-1 from -2 to -3, every resource once, at the same address", () => {
    const stacks = stacksAfterRegrouping(split3.configs, split2.configs);
    const plan = planMigration(stacks);
    expect(plan.problems).toEqual([]);
    expect(routes(plan.moves)).toEqual(["tap-guardrails-1 -> tap-guardrails-2: us-west-1", "tap-guardrails-2 -> tap-guardrails-3: ca-central-1"]);
    expect(plan.moves.filter((move) => move.region === "us-west-1").map((move) => move.address).sort()).toEqual(resourcesOf(split3.configs.get("tap-guardrails-1")!, "us-west-1"));
    expect(plan.moves).toContainEqual({ from: "tap-guardrails-1", to: "tap-guardrails-2", address: "aws_guardduty_detector.guardrails-us-west-1_guardduty_F9E45B6A", newAddress: "aws_guardduty_detector.guardrails-us-west-1_guardduty_F9E45B6A", region: "us-west-1" });
    // us-east-2 stays in tap-guardrails-1 and us-west-2 in tap-guardrails-2: nothing of theirs moves.
    expect(plan.moves.some((move) => move.region === "us-east-2" || move.region === "us-west-2")).toBe(false);
    // The moved regions' lookups stay behind (the new stack reads them again); the others' are kept.
    expect(plan.dropped).toEqual([
      { stack: "tap-guardrails-1", address: "data.aws_vpcs.guardrails-us-west-1_default-vpc_default-vpcs_AB2ACC3D" },
      { stack: "tap-guardrails-2", address: "data.aws_vpcs.guardrails-ca-central-1_default-vpc_default-vpcs_CEEE80CC" },
    ]);

    const after = migratedStates(stacks, plan, () => "new-lineage");
    expect([...after.keys()].sort()).toEqual(["tap-guardrails-1", "tap-guardrails-2", "tap-guardrails-3"]);
    // Kept lineage, serial one higher; a stack without state gets a new one.
    expect([after.get("tap-guardrails-1")!.lineage, after.get("tap-guardrails-1")!.serial]).toEqual(["lineage-tap-guardrails-1", 8]);
    expect([after.get("tap-guardrails-3")!.lineage, after.get("tap-guardrails-3")!.serial, after.get("tap-guardrails-3")!.version]).toEqual(["new-lineage", 1, 4]);
    // Every managed resource is in exactly one state, and each state holds exactly what its stack declares.
    const managed = (state: TerraformState) => state.resources.filter((entry) => entry.mode === "managed").map((entry) => `${entry.type}.${entry.name}`).sort();
    for (const name of ["tap-guardrails-1", "tap-guardrails-2", "tap-guardrails-3"]) expect({ name, held: managed(after.get(name)!) }).toEqual({ name, held: [...declaredStack(split2.configs.get(name)!).resources.keys()].sort() });
    // Migrating again finds nothing to do.
    const again = stacksAfterRegrouping(split3.configs, split2.configs).map((stack) => ({ ...stack, state: after.get(stack.name) ?? stack.state }));
    expect(planMigration(again)).toEqual({ moves: [], dropped: [], problems: [] });
  });

  test("layout split -> single: the region stacks, no longer in the app, give every region to the account stack; their lookups stay behind", () => {
    const stacks = stacksAfterRegrouping(split3.configs, single.configs);
    const plan = planMigration(stacks);
    expect(plan.problems).toEqual([]);
    expect(routes(plan.moves)).toEqual(["tap-guardrails-1 -> tap: us-east-2", "tap-guardrails-1 -> tap: us-west-1", "tap-guardrails-2 -> tap: ca-central-1", "tap-guardrails-2 -> tap: us-west-2"]);
    expect(plan.dropped.map(({ stack, address }) => `${stack} ${address}`).sort()).toEqual([
      "tap-guardrails-1 data.aws_caller_identity.caller_identity",
      "tap-guardrails-1 data.aws_partition.partition",
      "tap-guardrails-1 data.aws_vpcs.guardrails-us-east-2_default-vpc_default-vpcs_495B9E95",
      "tap-guardrails-1 data.aws_vpcs.guardrails-us-west-1_default-vpc_default-vpcs_AB2ACC3D",
      "tap-guardrails-1 data.terraform_remote_state.account_stack",
      "tap-guardrails-2 data.aws_caller_identity.caller_identity",
      "tap-guardrails-2 data.aws_partition.partition",
      "tap-guardrails-2 data.aws_vpcs.guardrails-ca-central-1_default-vpc_default-vpcs_CEEE80CC",
      "tap-guardrails-2 data.aws_vpcs.guardrails-us-west-2_default-vpc_default-vpcs_3B69F273",
      "tap-guardrails-2 data.terraform_remote_state.account_stack",
    ]);
    const after = migratedStates(stacks, plan);
    // The emptied states of the stacks that left the app keep nothing, outputs included.
    expect(after.get("tap-guardrails-1")!.resources).toEqual([]);
    expect(after.get("tap-guardrails-1")!.outputs).toEqual({});
  });

  test("layout single -> split: the account stack gives the guarded regions without workload to the new region stacks and keeps us-east-1", () => {
    const plan = planMigration(stacksAfterRegrouping(single.configs, split3.configs));
    expect(plan.problems).toEqual([]);
    expect(routes(plan.moves)).toEqual(["tap -> tap-guardrails-1: us-east-2", "tap -> tap-guardrails-1: us-west-1", "tap -> tap-guardrails-2: ca-central-1", "tap -> tap-guardrails-2: us-west-2"]);
  });

  test("refused, with nothing to write, when a resource cannot be mapped safely", () => {
    // A guarded region dropped at the same time: no stack holds ca-central-1 any more.
    const fewer = synth({ TAP_REGIONS_PER_STACK: "2", TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2,us-west-1,us-west-2" });
    const gone = planMigration(stacksAfterRegrouping(split3.configs, fewer.configs));
    expect(gone.problems.length).toBeGreaterThan(0);
    expect(gone.problems[0]).toMatch(/^tap-guardrails-2: aws_\S+ is in ca-central-1, which no stack of tap holds now: the region left the guarded regions \(put a workload region in retiringRegions/);
    expect(() => migratedStates(stacksAfterRegrouping(split3.configs, fewer.configs), gone)).toThrow(/must not be carried out/);

    // The new grouping was applied before the migration: the receiving state already holds the detector.
    const stacks = stacksAfterRegrouping(split3.configs, split2.configs);
    const receiver = stacks.find((stack) => stack.name === "tap-guardrails-2")!;
    const twice = stacks.map((stack) =>
      stack === receiver ? { ...stack, state: { ...stack.state!, resources: [...stack.state!.resources, { mode: "managed" as const, type: "aws_guardduty_detector", name: "guardrails-us-west-1_guardduty_F9E45B6A", provider: AWS("us-west-1"), instances: [] }] } } : stack,
    );
    expect(planMigration(twice).problems).toEqual([
      "tap-guardrails-2: its state already holds aws_guardduty_detector.guardrails-us-west-1_guardduty_F9E45B6A (us-west-1), which tap-guardrails-1's state holds too (the new grouping was applied before the migration): compare the two (terraform state show); if they are the same object remove it from one state (terraform state rm), if not destroy the copy us-west-1 should not have, then migrate again",
    ]);

    // The new stack holds the region but not the address (a construct renamed at the same time).
    const renamed = stacks.map((stack) => {
      if (stack.name !== "tap-guardrails-2") return stack;
      const resources = new Map(stack.declared!.resources);
      resources.delete("aws_guardduty_detector.guardrails-us-west-1_guardduty_F9E45B6A");
      return { ...stack, declared: { ...stack.declared!, resources } };
    });
    expect(planMigration(renamed).problems).toEqual([
      "tap-guardrails-1: aws_guardduty_detector.guardrails-us-west-1_guardduty_F9E45B6A (us-west-1) has no counterpart in tap-guardrails-2, which holds us-west-1 now; its address or its configuration changed too",
    ]);
  });

  test("the stacks another grouping could have given the account, and where their state is", () => {
    // Groups of 1: us-east-2 is 2nd, us-west-1 3rd; of 2: both in the 1st or 2nd; of 3 and more: the 1st.
    expect(formerRegionStacks("tap", ["us-east-2", "us-west-1"])).toEqual(["tap-guardrails-1", "tap-guardrails-2", "tap-guardrails-3"]);
    // The backend synth gives a region stack, derived from the account stack's.
    const account = split2.configs.get("tap")!.terraform;
    expect(regionStackTerraformBlock(account, "guardrails-3")).toEqual({ backend: split2.configs.get("tap-guardrails-3")!.terraform!.backend });
    expect((regionStackTerraformBlock(account, "guardrails-3") as any).backend.s3.key).toBe("tap/mig/guardrails-3/terraform.tfstate");
    // HCP Terraform: the workspace synth gives the region stack.
    const hcp = synth({ TAP_BACKEND: "hcp", TAP_HCP_ORGANIZATION: "acme" });
    expect(regionStackTerraformBlock(hcp.configs.get("tap")!.terraform, "guardrails-2")).toEqual({ cloud: hcp.configs.get("tap-guardrails-2")!.terraform!.cloud });
    expect((regionStackTerraformBlock(hcp.configs.get("tap")!.terraform, "guardrails-2") as any).cloud.workspaces.name).toBe("tap-mig-guardrails-2");
    expect(regionStackTerraformBlock({ backend: { local: { path: "terraform.tfstate" } } }, "guardrails-2")).toBeUndefined();
  });

  /** States in memory, by the S3 key their backend names; records every push. */
  function memoryStore(initial: Record<string, TerraformState>): StateStore & { pushes: string[]; states: Record<string, TerraformState> } {
    const states = { ...initial };
    const keyOf = new Map<string, string>();
    const store = {
      pushes: [] as string[],
      states,
      async pull(stack: string, block: any) {
        keyOf.set(stack, block.backend.s3.key);
        return states[block.backend.s3.key] ? JSON.stringify(states[block.backend.s3.key]) : "";
      },
      async push(stack: string, state: TerraformState) {
        store.pushes.push(stack);
        states[keyOf.get(stack)!] = state;
      },
    };
    return store;
  }

  test("npm run migrate finds the state of a region stack the app no longer has by its backend, saves every state it changes, and pushes the receivers first", async () => {
    const keyOf = (name: string) => (split3.configs.get(name)!.terraform!.backend!.s3.key as string);
    const store = memoryStore(Object.fromEntries([...split3.configs].map(([name, config]) => [keyOf(name), deployedState(config, `lineage-${name}`)])));
    const lines: string[] = [];
    const result = await migrate(single.outdir, store, (line) => lines.push(line), new Date("2026-12-08T01:00:00Z"));
    expect(result.plan.problems).toEqual([]);
    expect(store.pushes).toEqual(["tap", "tap-guardrails-1", "tap-guardrails-2"]);
    expect(result.backups).toBe(join(single.outdir, "migrate-backups", "2026-12-08T01-00-00-000Z"));
    for (const name of ["tap", "tap-guardrails-1", "tap-guardrails-2"]) expect(JSON.parse(readFileSync(join(result.backups!, `${name}.tfstate`), "utf8")).lineage).toBe(`lineage-${name}`);
    expect(store.states["tap/mig/guardrails-1/terraform.tfstate"].resources).toEqual([]);
    expect(lines).toContain("migrate: tap-guardrails-1, tap-guardrails-2 are no longer in the app and now hold nothing; their empty state may be deleted");

    // Run again: nothing to do, nothing pushed.
    const again = await migrate(single.outdir, store, () => undefined);
    expect([again.plan.moves.length, store.pushes.length]).toEqual([0, 3]);
  });

  test("a refused migration writes nothing: no push, no backup", async () => {
    const fewer = synth({ TAP_REGIONS_PER_STACK: "2", TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2,us-west-1,us-west-2" });
    const keyOf = (name: string) => (split3.configs.get(name)!.terraform!.backend!.s3.key as string);
    const store = memoryStore(Object.fromEntries([...split3.configs].map(([name, config]) => [keyOf(name), deployedState(config, `lineage-${name}`)])));
    const lines: string[] = [];
    const result = await migrate(fewer.outdir, store, (line) => lines.push(line));
    expect(result.plan.problems.length).toBeGreaterThan(0);
    expect(store.pushes).toEqual([]);
    expect(existsSync(join(fewer.outdir, "migrate-backups"))).toBe(false);
    expect(lines[0]).toMatch(/^migrate: nothing was changed; \d+ resources cannot be moved safely:$/);
  });
});
