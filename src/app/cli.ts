/**
 * What the command-line entry points (synth, audit) share: user mistakes print once, as one
 * readable block without a stack trace, and end the process with exit code 1.
 */
import { ConfigError } from "../config/load";
import type { TapConfig } from "../config/model";

/** cdktf's validations can only fail with this message prefix; tap's rule pack raises them. */
const VALIDATION_FAILED = "Validation failed";

/** Runs `command`; prints the configuration's warnings, and any user error without a stack trace. */
export function runCli(command: () => TapConfig | void): void {
  try {
    const config = command();
    for (const warning of config?.warnings ?? []) console.error(`tap: warning: ${warning}`);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.describe());
    } else if (error instanceof Error && error.message.startsWith(VALIDATION_FAILED)) {
      console.error(`tap: synth stopped, nothing was written. ${error.message}`);
    } else {
      throw error;
    }
    process.exit(1);
  }
}
