/**
 * The configuration as the app loads it: config/'s loader, given the rule pack's ids so that
 * accepted risks are checked against the rules that exist. The pack is loaded only when a
 * configuration accepts a risk: loading every rule costs more than the rest of configuration
 * together (the bench measures configuration load), and a configuration error should stay fast.
 */
import { loadConfig as loadSettings, LoadOptions } from "../config/load";
import type { TapConfig } from "../config/model";

let ruleIds: readonly string[] | undefined;
function packRuleIds(): readonly string[] {
  return (ruleIds ??= (require("./rule-pack") as typeof import("./rule-pack")).TAP_RULE_PACK.map((rule) => rule.id));
}

/**
 * Reads and validates the whole configuration (file and environment). Collects every problem
 * and throws one ConfigError, before any construct exists.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: Omit<LoadOptions, "ruleIds"> = {}): TapConfig {
  return loadSettings(env, { ...options, ruleIds: packRuleIds });
}
