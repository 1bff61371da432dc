import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { starterConfigText, writeStarterConfig } from "../../scripts/init-config";
import { SCHEMA_FILE } from "../../scripts/write-config-schema";
import { DEFAULTS } from "../../src/config/load";
import { loadConfig } from "../../src/app/load-config";

describe("npm run init", () => {
  const root = () => {
    const dir = mkdtempSync(join(tmpdir(), "tap-init-"));
    writeFileSync(join(dir, SCHEMA_FILE), "{}");
    return dir;
  };

  test("writes tap.config.json with $schema next to the schema, holding the defaults, which load as the defaults do", () => {
    const dir = root();
    const written = writeStarterConfig(dir, {});
    expect(written).toBe(join(dir, "tap.config.json"));
    const starter = JSON.parse(readFileSync(written, "utf8"));
    expect(starter.$schema).toBe(`./${SCHEMA_FILE}`);
    expect(starter).toMatchObject({ project: DEFAULTS.project, environment: DEFAULTS.environment, regions: DEFAULTS.regions });
    const fromStarter = loadConfig({ TAP_CONFIG: written }).stacks[0];
    const fromNothing = loadConfig({}, { file: null }).stacks[0];
    expect({ ...fromStarter, origins: undefined }).toEqual({ ...fromNothing, origins: undefined });
  });

  test("the $schema path is relative to the file TAP_CONFIG names", () => {
    const dir = root();
    mkdirSync(join(dir, "configs"));
    const written = writeStarterConfig(dir, { TAP_CONFIG: "configs/prod.json" });
    expect(JSON.parse(readFileSync(written, "utf8")).$schema).toBe(`../${SCHEMA_FILE}`);
    expect(starterConfigText("/repo", "/repo/tap.config.json")).toContain(`"$schema": "./${SCHEMA_FILE}"`);
  });

  test("never overwrites a file, and names the variable when TAP_CONFIG chose it", () => {
    const dir = root();
    writeFileSync(join(dir, "tap.config.json"), '{"project": "mine"}');
    expect(() => writeStarterConfig(dir, {})).toThrow(`${join(dir, "tap.config.json")} exists; tap does not overwrite a configuration`);
    expect(readFileSync(join(dir, "tap.config.json"), "utf8")).toBe('{"project": "mine"}');
    writeFileSync(join(dir, "other.json"), "{}");
    expect(() => writeStarterConfig(dir, { TAP_CONFIG: "other.json" })).toThrow(/^TAP_CONFIG: .*other\.json exists/);
  });
});
