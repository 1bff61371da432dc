/** What the settings tests of every concern share: loading from variables or a file, and the problems a load is refused with. */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { loadConfig } from "../src/app/load-config";
import { ConfigError } from "../src/config/load";
import type { StackConfig, TapConfig } from "../src/config/model";

export const load = (env: Record<string, string>): TapConfig => loadConfig(env, { file: null });
export const stackOf = (env: Record<string, string>): StackConfig => load(env).stacks[0];

/** The problems a configuration is refused with; fails when it is accepted. */
export function problemsOf(env: Record<string, string>, options: Parameters<typeof loadConfig>[1] = { file: null }): string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

/** Writes `content` as tap.config.json in a fresh folder and returns the folder. */
export function folderWithConfig(content: unknown, name = "tap.config.json"): string {
  const dir = mkdtempSync(join(tmpdir(), "tap-config-"));
  writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return dir;
}

/** The owner deployment covers the default regions (and one more). */
export const OWNER_REGIONS = "us-east-1,us-west-2,eu-central-1,eu-west-1";

/** A security alternate contact AWS accepts (TAP_SECURITY_CONTACT), for tests that want a configuration without warnings. */
export const SECURITY_CONTACT = JSON.stringify({ name: "Security team", title: "Security operations", email: "secops@example.com", phone: "+1 206 555 0100" });
