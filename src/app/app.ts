import "./token-stack-traces"; // before any token exists: see the module
import { existsSync } from "fs";
import { dirname, join } from "path";
import { App } from "cdktf";
import type { TapConfig } from "../config/model";
import { BootstrapStack } from "./bootstrap-stack";
import { LogArchiveStack, ManagementStack, SecurityStack } from "./organization-stacks";
import { RegionStack } from "./region-stack";
import { TapStack } from "./tap-stack";

/** The repository's provider lock file, committed beside package.json (docs/deploying.md: Provider checksums). */
export const PROVIDER_LOCK_FILE = join(projectRoot(__dirname), ".terraform.lock.hcl");

/**
 * Builds the app for a validated configuration: one TapStack per account, each followed by the
 * RegionStacks of its split layout (deployed after it: they read its trail bucket), and the
 * bootstrap stack of the state bucket when the configuration names one. The one entry point
 * for synth, audit, the tests and the benchmark, so all of them see the same stacks and the
 * same suppressions. `outdir` defaults to cdktf's (the CLI sets it).
 */
export function buildApp(config: TapConfig, outdir?: string): { app: App; stacks: TapStack[]; regionStacks: RegionStack[]; organization?: OrganizationStacks; bootstrap?: BootstrapStack } {
  // Stack traces on every construct and token cost ~15% of synth; the errors tap raises name the construct path instead.
  const app = new App({ outdir, stackTraces: false });
  const options = { providerLockFile: PROVIDER_LOCK_FILE };
  const organization = config.organization ? buildOrganization(app, config, options) : undefined;
  const regionStacks: RegionStack[] = [];
  const stacks = config.stacks.map((stack) => {
    const main = new TapStack(app, stack.stackName, stack, options);
    // A member's services come from the security account, and its AWS Config delivers to the log archive.
    if (organization) main.addDependency(organization.security);
    for (const regionStack of stack.regionStacks) {
      const guarded = new RegionStack(app, regionStack.stackName, { account: stack, stack: regionStack, accountStack: main }, options);
      // It reads the account stack's state; and even without AWS Config, the account's settings come first.
      guarded.addDependency(main);
      regionStacks.push(guarded);
    }
    return main;
  });
  const bootstrap = config.bootstrap ? new BootstrapStack(app, config.bootstrap.stackName, config.bootstrap, options) : undefined;
  return { app, stacks, regionStacks, organization, bootstrap };
}

/** The organization's own stacks, in the order AWS requires (see organization-stacks.ts). */
export interface OrganizationStacks {
  readonly logArchive: LogArchiveStack;
  readonly management: ManagementStack;
  readonly security: SecurityStack;
}

/** Each role stack also holds its account's baseline (TapConfig.roleBaselines). */
function buildOrganization(app: App, tap: TapConfig, options: { providerLockFile: string }): OrganizationStacks {
  const config = tap.organization!;
  const baselines = tap.roleBaselines ?? {};
  const logArchive = new LogArchiveStack(app, config.logArchive.name, config, { ...options, baseline: baselines.logArchive });
  const management = new ManagementStack(app, config.management.stackName, config, logArchive, { ...options, baseline: baselines.management });
  management.addDependency(logArchive);
  const security = new SecurityStack(app, config.security.name, config, management, { ...options, baseline: baselines.security });
  security.addDependency(management);
  return { logArchive, management, security };
}

/** The folder holding package.json, from here or from the compiled copy in dist/. */
function projectRoot(from: string): string {
  if (existsSync(join(from, "package.json"))) return from;
  if (dirname(from) === from) throw new Error("tap: cannot find the project root (package.json) above " + __dirname);
  return projectRoot(dirname(from));
}
