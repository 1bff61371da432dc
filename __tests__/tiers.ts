/**
 * The optional test tiers, and the one guard every file of them uses. A tier that cannot run
 * here is skipped when it comes along with other tests, saying why; it fails instead in CI, and
 * when it was asked for directly (`npm run test:apply` sets TAP_REQUIRED_TIER=apply), so neither
 * a green CI run nor a green `npm run test:apply` can be one that ran nothing.
 */
import { createHash } from "crypto";
import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
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

/** `describe` when every tier can run here; otherwise the block is skipped and the reason printed. */
export function describeIfTier(tiers: readonly OptionalTier[], title: string, body: () => void): void {
  const reason = tierSkipReason(tiers);
  if (reason === undefined) {
    describe(title, body);
    return;
  }
  warnOnce(`${title}: skipped (${reason})`, reason);
  describe.skip(title, body);
}

/** Says why a tier is skipped in full the first time in a run, and briefly after that. */
function warnOnce(message: string, reason: string): void {
  const dir = process.env.TAP_TEST_TMPDIR;
  const seen = dir ? join(dir, `said-${createHash("sha256").update(reason).digest("hex").slice(0, 16)}`) : undefined;
  if (seen && existsSync(seen)) {
    console.warn(`${message.split(": skipped")[0]}: skipped (as said above)`);
    return;
  }
  if (seen) writeFileSync(seen, "");
  console.warn(message);
}
