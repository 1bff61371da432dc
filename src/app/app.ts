import { App } from "cdktf";
import { TapConfig } from "../config/config";
import { TapStack } from "../constructs/tap-stack";

/** Name of the one stack (and of its folder under cdktf.out/stacks). */
export const STACK_NAME = "tap";

/** Builds the app for a validated configuration; `outdir` defaults to cdktf's (the CLI sets it). */
export function buildApp(config: TapConfig, outdir?: string): { app: App; stack: TapStack } {
  // Stack traces on every construct and token cost ~15% of synth; the errors tap raises name the construct path instead.
  const app = new App({ outdir, stackTraces: false });
  const stack = new TapStack(app, STACK_NAME, config);
  return { app, stack };
}
