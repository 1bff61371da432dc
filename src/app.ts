import { App } from "cdktf";
import { TapConfig } from "./config";
import { TapStack } from "./tap-stack";

/** Name of the one stack (and of its folder under cdktf.out/stacks). */
export const STACK_NAME = "tap";

/** Builds the app for a validated configuration; `outdir` defaults to cdktf's (the CLI sets it). */
export function buildApp(config: TapConfig, outdir?: string): { app: App; stack: TapStack } {
  const app = new App({ outdir });
  const stack = new TapStack(app, STACK_NAME, config);
  return { app, stack };
}
