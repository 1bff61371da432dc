import "./src/defer-archiver"; // first: keeps cdktf from loading archiver, which tap never uses
import { buildApp } from "./src/app";
import { ConfigError, loadConfig } from "./src/config";

try {
  buildApp(loadConfig(process.env)).app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`tap: configuration error\n${error.problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
