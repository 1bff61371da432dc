import "./token-stack-traces"; // before any token exists: see the module
import { existsSync } from "fs";
import { dirname, join } from "path";
import { App } from "cdktf";
import type { TapConfig } from "../config/model";
import { BootstrapStack } from "./bootstrap-stack";
import { TapStack } from "./tap-stack";

/** The repository's provider lock file, committed beside package.json (see README, "Provider checksums"). */
export const PROVIDER_LOCK_FILE = join(projectRoot(__dirname), ".terraform.lock.hcl");

/**
 * Builds the app for a validated configuration: one TapStack per account, and the bootstrap
 * stack of the state bucket when the configuration names one. The one entry point
 * for synth, audit, the tests and the benchmark, so all of them see the same stacks and the
 * same suppressions. `outdir` defaults to cdktf's (the CLI sets it).
 */
export function buildApp(config: TapConfig, outdir?: string): { app: App; stacks: TapStack[]; bootstrap?: BootstrapStack } {
  // Stack traces on every construct and token cost ~15% of synth; the errors tap raises name the construct path instead.
  const app = new App({ outdir, stackTraces: false });
  const stacks = config.stacks.map((stack) => new TapStack(app, stack.stackName, stack, { providerLockFile: PROVIDER_LOCK_FILE }));
  const bootstrap = config.bootstrap ? new BootstrapStack(app, config.bootstrap.stackName, config.bootstrap, { providerLockFile: PROVIDER_LOCK_FILE }) : undefined;
  return { app, stacks, bootstrap };
}

/** The folder holding package.json, from here or from the compiled copy in dist/. */
function projectRoot(from: string): string {
  if (existsSync(join(from, "package.json"))) return from;
  if (dirname(from) === from) throw new Error("tap: cannot find the project root (package.json) above " + __dirname);
  return projectRoot(dirname(from));
}
