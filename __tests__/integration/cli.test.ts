import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

// The compiled modules, as the app runs them (`npm test` compiles first).
const DIST = join(__dirname, "..", "..", "dist", "src");

describe("runCli (what synth and audit share)", () => {
  test("a change that weakens a control stops synth with the rule's message, once, without a stack trace, and writes nothing", () => {
    const outdir = mkdtempSync(join(tmpdir(), "tap-cli-"));
    const script = `
      const { runCli } = require(${JSON.stringify(join(DIST, "app", "cli"))});
      const { buildApp } = require(${JSON.stringify(join(DIST, "app", "app"))});
      const { loadConfig } = require(${JSON.stringify(join(DIST, "config", "load"))});
      runCli(() => {
        const config = loadConfig({}, { file: null });
        const { app, stacks } = buildApp(config, ${JSON.stringify(outdir)});
        stacks[0].node.findAll().find((c) => c.node.path === "tap/storage-us-west-2/key").enableKeyRotation = false;
        app.synth();
        return config;
      });`;
    const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^tap: synth stopped, nothing was written\. Validation failed with the following errors:\n/);
    expect(result.stderr).toMatch(/\[KMS\.Rotation\] tap\/storage-us-west-2\/key: enable_key_rotation is false\./);
    expect(result.stderr.match(/\[KMS\.Rotation\]/g)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(outdir, "stacks", "tap", "cdk.tf.json"))).toBe(false);
    rmSync(outdir, { recursive: true, force: true });
  });

  test("configuration warnings are printed, and the command still succeeds", () => {
    const script = `
      const { runCli } = require(${JSON.stringify(join(DIST, "app", "cli"))});
      runCli(() => ({ project: "tap", stacks: [], warnings: ["TAP_GUARDDUTY: has no effect"] }));`;
    const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("tap: warning: TAP_GUARDDUTY: has no effect\n");
  });
});
