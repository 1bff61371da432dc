/**
 * cdktf 0.21 records a full stack trace whenever it creates a token (every attribute reference
 * such as `bucket.arn`, every Fn call), only to quote it if that token later fails to resolve.
 * Formatting those traces was a fifth of a 17-region synth. Loading this module turns the
 * recording off (the App's `stackTraces: false` does not reach tokens); set
 * TAP_TOKEN_STACK_TRACES=1 to keep them while debugging a token error.
 */
import { dirname, join } from "path";

export const TOKEN_STACK_TRACES_ENV = "TAP_TOKEN_STACK_TRACES";

if (process.env[TOKEN_STACK_TRACES_ENV] !== "1") {
  // cdktf's compiled modules read `captureStackTrace` from this module's exports at each call.
  const stackTrace = require(join(dirname(require.resolve("cdktf/package.json")), "lib", "tokens", "private", "stack-trace.js"));
  stackTrace.captureStackTrace = (): string[] => [];
}
