/**
 * The optional test tiers, and the one guard every file of them uses. A tier that cannot run
 * here is skipped when it comes along with other tests, saying why; it fails instead in CI, and
 * when it was asked for directly (`npm run test:apply` sets TAP_REQUIRED_TIER=apply), so neither
 * a green CI run nor a green `npm run test:apply` can be one that ran nothing.
 */
import { createHash } from "crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { emulatorMissingMessage, findEmulator } from "../scripts/terraform/emulator";
import { findProviderSource, providerUnavailable } from "../scripts/terraform/workdir";

export interface OptionalTier {
  /** What messages call it. */
  readonly name: string;
  /** Its value of TAP_REQUIRED_TIER (set by the npm script that runs only this tier). */
  readonly id?: string;
  /** Why the tier cannot run with this environment, or undefined when it can. */
  skipReason(env: NodeJS.ProcessEnv): string | undefined;
}

/**
 * Whether hashicorp/aws can be had, asked once per test run: the answer is kept in the run's
 * temporary folder, so the registry is tried (and its failure worded) once, not per test file.
 */
function providerProblem(env: NodeJS.ProcessEnv): string | undefined {
  const memo = env.TAP_TEST_TMPDIR ? join(env.TAP_TEST_TMPDIR, "provider-availability.json") : undefined;
  if (memo && existsSync(memo)) return JSON.parse(readFileSync(memo, "utf8")).problem ?? undefined;
  const problem = providerUnavailable(findProviderSource(env), env);
  if (memo) writeFileSync(memo, JSON.stringify({ problem: problem ?? null }));
  return problem;
}

/** Real provider: init, validate, plan and `terraform test`; offline from a mirror, else from the registry once. */
export const TERRAFORM_TIER: OptionalTier = {
  name: "Terraform tier",
  id: "terraform",
  skipReason: (env) => (env.TAP_SKIP_TERRAFORM_TESTS === "1" ? "TAP_SKIP_TERRAFORM_TESTS=1 is set" : providerProblem(env)),
};

/** Apply, re-plan and destroy against a local AWS emulator. */
export const APPLY_TIER: OptionalTier = {
  name: "apply tier",
  id: "apply",
  skipReason: (env) => (env.TAP_SKIP_APPLY_TESTS === "1" ? "TAP_SKIP_APPLY_TESTS=1 is set" : findEmulator(env) ? undefined : emulatorMissingMessage()),
};

/** Why the first of `tiers` that cannot run here is skipped, or undefined when all can. Throws in CI and when the tier was asked for. */
export function tierSkipReason(tiers: readonly OptionalTier[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const tier of tiers) {
    const reason = tier.skipReason(env);
    if (reason === undefined) continue;
    if (env.CI) throw new Error(`${tier.name}: ${reason}; skipping is not honoured in CI: the tier always runs there`);
    if (tier.id !== undefined && env.TAP_REQUIRED_TIER === tier.id) throw new Error(`${tier.name}: ${reason}; it was asked for (TAP_REQUIRED_TIER=${tier.id}), so it fails instead of skipping`);
    return `${tier.name}: ${reason}`;
  }
  return undefined;
}

/**
 * Where the run's decisions travel from globalSetup to the test files (workers inherit the main
 * process's environment): each tier's name, with why it is skipped or null when it runs.
 */
const DECISIONS = "TAP_TIER_DECISIONS";

function decisions(env: NodeJS.ProcessEnv): Record<string, string | null> {
  return env[DECISIONS] ? JSON.parse(env[DECISIONS]!) : {};
}

/**
 * Decides once per run, before any test file, whether each of `tiers` runs: records why it is
 * skipped, or throws (in CI, or when it was asked for) so the run stops with one message instead
 * of one failure per test file. A tier decided earlier in the run is not asked again.
 */
export function decideTiers(tiers: readonly OptionalTier[], env: NodeJS.ProcessEnv = process.env): void {
  const decided = decisions(env);
  for (const tier of tiers) {
    if (tier.name in decided) continue;
    decided[tier.name] = tierSkipReason([tier], env) ?? null;
  }
  env[DECISIONS] = JSON.stringify(decided);
}

/**
 * A tier project's Jest globalSetup (jest.config.js): the run's temporary folder, then the
 * decision on `tiers`. Jest runs it only when the project has test files in the run, so a unit
 * run never asks for an emulator. A tier that must run and cannot ends the run here, saying why
 * once, without a stack or code frame.
 */
export function tierGlobalSetup(tiers: readonly OptionalTier[]): () => Promise<void> {
  return async () => {
    const runSetup: () => Promise<void> = require("./global-setup.js");
    await runSetup();
    try {
      decideTiers(tiers);
    } catch (error) {
      await (require("./global-teardown.js") as () => Promise<void>)();
      const stop = new Error((error as Error).message);
      stop.stack = `tap: ${stop.message}`;
      throw stop;
    }
  };
}

/** The first of `tiers` skipped in this run, with why; decided in globalSetup, else here (a file run outside its project). */
function skipped(tiers: readonly OptionalTier[], env: NodeJS.ProcessEnv): string | undefined {
  const decided = decisions(env);
  if (tiers.every((tier) => tier.name in decided)) return tiers.map((tier) => decided[tier.name]).find((reason) => reason !== null) ?? undefined;
  return tierSkipReason(tiers, env);
}

/**
 * `describe` when every tier can run here; otherwise the block is skipped, and noted in the run's
 * folder for globalTeardown, which says once, after Jest's summary, which blocks were skipped and why.
 */
export function describeIfTier(tiers: readonly OptionalTier[], title: string, body: () => void): void {
  const reason = skipped(tiers, process.env);
  if (reason === undefined) {
    describe(title, body);
    return;
  }
  const dir = process.env.TAP_TEST_TMPDIR;
  if (dir) {
    const note = join(dir, SKIPPED_DIR, `${createHash("sha256").update(title).digest("hex").slice(0, 16)}.json`);
    mkdirSync(dirname(note), { recursive: true });
    writeFileSync(note, JSON.stringify({ reason, title }));
  } else {
    console.warn(`${title}: skipped (${reason})`);
  }
  describe.skip(title, body);
}

/** The folder of the run's temporary folder where skipped blocks are noted (read by global-teardown.js). */
export const SKIPPED_DIR = "skipped-tiers";
