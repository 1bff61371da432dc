import { App } from "cdktf";
import type { TapConfig } from "../config/model";
import { TapStack } from "../constructs/tap-stack";

/**
 * Builds the app for a validated configuration: one TapStack per account. The one entry point
 * for synth, audit, the tests and the benchmark, so all of them see the same stacks and the
 * same suppressions. `outdir` defaults to cdktf's (the CLI sets it).
 */
export function buildApp(config: TapConfig, outdir?: string): { app: App; stacks: TapStack[] } {
  // Stack traces on every construct and token cost ~15% of synth; the errors tap raises name the construct path instead.
  const app = new App({ outdir, stackTraces: false });
  const stacks = config.stacks.map((stack) => new TapStack(app, stack.stackName, stack));
  return { app, stacks };
}
