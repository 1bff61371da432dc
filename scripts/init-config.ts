// `npm run init`: writes a starter tap.config.json (or the file TAP_CONFIG names) with "$schema",
// so an editor validates and completes every setting as it is typed. It holds the defaults a
// deployment would use anyway, and never overwrites a file that exists.
import { existsSync, writeFileSync } from "fs";
import { dirname, isAbsolute, join, relative } from "path";
import { CONFIG_FILE_VARIABLE, DEFAULT_CONFIG_FILE, DEFAULTS } from "../src/config/load";
import { SCHEMA_FILE } from "./write-config-schema";

/** The starter file's text for a file at `target` in the checkout at `root`: $schema relative to it. */
export function starterConfigText(root: string, target: string): string {
  const schema = relative(dirname(target), join(root, SCHEMA_FILE)).split("\\").join("/");
  const starter = {
    $schema: schema.startsWith(".") ? schema : `./${schema}`,
    project: DEFAULTS.project,
    environment: DEFAULTS.environment,
    regions: DEFAULTS.regions,
  };
  return `${JSON.stringify(starter, null, 2)}\n`;
}

/** Writes the starter file; refuses, naming it, when it exists. Returns the path written. */
export function writeStarterConfig(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env[CONFIG_FILE_VARIABLE];
  const target = given ? (isAbsolute(given) ? given : join(root, given)) : join(root, DEFAULT_CONFIG_FILE);
  if (existsSync(target)) throw new Error(`${given ? `${CONFIG_FILE_VARIABLE}: ` : ""}${target} exists; tap does not overwrite a configuration (remove it to start again)`);
  writeFileSync(target, starterConfigText(root, target), { flag: "wx" });
  return target;
}

if (require.main === module) {
  try {
    const written = writeStarterConfig(join(__dirname, "..", ".."));
    console.log(`wrote ${written}: edit it (your editor checks it against ${SCHEMA_FILE}), then npm run synth`);
  } catch (error) {
    console.error(`tap: ${(error as Error).message}`);
    process.exit(1);
  }
}
