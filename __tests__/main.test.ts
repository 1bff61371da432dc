import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

// Runs the compiled app exactly as `cdktf synth` does (`npm test` compiles it first).
const MAIN = join(__dirname, "..", "dist", "main.js");

function runApp(outdir: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, ...env }, encoding: "utf8" });
}

describe("main (the cdktf app)", () => {
  const outdir = mkdtempSync(join(tmpdir(), "tap-main-"));
  const stackFile = join(outdir, "stacks", "tap", "cdk.tf.json");
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("synthesizes the default stack with nothing configured", () => {
    const result = runApp(outdir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(stackFile, "utf8")).provider.aws)).toHaveLength(3);
  });

  test("bad configuration exits non-zero with one line per problem and leaves earlier output untouched", () => {
    const before = { text: readFileSync(stackFile, "utf8"), mtime: statSync(stackFile).mtimeMs };
    const result = runApp(outdir, { TAP_REGIONS: "us-east-1,mars-1", TAP_ALLOWED_SSH_CIDRS: "0.0.0.0/0" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      "tap: configuration error",
      expect.stringMatching(/^ {2}TAP_REGIONS: "mars-1" is not a supported region; expected one of us-east-1, /),
      expect.stringMatching(/^ {2}TAP_ALLOWED_SSH_CIDRS: "0.0.0.0\/0" opens SSH to the whole internet/),
    ]);
    expect(readFileSync(stackFile, "utf8")).toBe(before.text);
    expect(statSync(stackFile).mtimeMs).toBe(before.mtime);
  });
});
