import "./src/app/defer-archiver"; // first: keeps cdktf from loading archiver, which tap never uses
import { buildApp } from "./src/app/app";
import { ConfigError, loadConfig } from "./src/config/config";

try {
  buildApp(loadConfig(process.env)).app.synth();
} catch (error) {
  // Both are the user's to fix and say everything in their message: no stack trace.
  if (error instanceof ConfigError) {
    console.error(error.describe());
  } else if (error instanceof Error && error.message.startsWith("Validation failed")) {
    console.error(`tap: synth stopped, nothing was written. ${error.message}`);
  } else {
    throw error;
  }
  process.exit(1);
}
