import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";

const ROOT = join(__dirname, "..", "..");
const CDKTF = join(ROOT, "node_modules", ".bin", "cdktf");
const SAMPLE_FLEET = join(ROOT, "examples", "fleet.tap.config.json");
/** A clean environment: no developer settings, no telemetry; TAP_CONFIG="" means no file. */
const baseEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH!, HOME: process.env.HOME!, CHECKPOINT_DISABLE: "1", ...extra });

function run(command: string, args: string[], env: Record<string, string>) {
  return spawnSync(command, args, { cwd: ROOT, env: baseEnv(env), encoding: "utf8" });
}

/** Every file below `dir`, relative path -> contents. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

describe("npm run synth (the app without the cdktf CLI)", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tap-synth-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  // The defaults' one warning (no security contact) reaches npm's stderr; the sample fleet gives a contact.
  const noContact = expect.stringMatching(/^tap: warning: TAP_SECURITY_CONTACT: is not set: [^\n]*\n$/);
  test.each([
    ["the default configuration", {}, noContact],
    ["the sample fleet", { TAP_CONFIG: SAMPLE_FLEET }, ""],
  ])("writes the same cdktf.out as `cdktf synth`, byte for byte: %s", (name, env: Record<string, string>, warnings: unknown) => {
    const viaCli = join(scratch, `${name}-cli`);
    const viaNpm = join(scratch, `${name}-npm`);
    const cli = run(CDKTF, ["synth", "--output", viaCli], env);
    expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 0, stderr: "" });
    const npm = run("npm", ["run", "--silent", "synth", "--", "--output", viaNpm], env);
    expect({ status: npm.status, stderr: npm.stderr }).toEqual({ status: 0, stderr: warnings });

    const [expected, actual] = [tree(viaCli), tree(viaNpm)];
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    expect([...expected.keys()]).toContain("manifest.json");
    for (const [file, content] of expected) expect({ file, same: actual.get(file)!.equals(content) }).toEqual({ file, same: true });
    expect(npm.stdout).toMatch(/^INFO \[[\w-]+\]: compliance: IAM\.PasswordReusePrevention suppressed on /m);
    expect(npm.stdout).toMatch(/^Generated Terraform code for the stacks: /m);
    expect(npm.stdout).toMatch(/^tap: stack [\w-]+ \(.*\): \d+ resources in /m);
    expect(npm.stdout).toMatch(/^ {2}data: protection (on|off) \(/m);
    // Nothing to act on: no acceptance left unused in any stack, the region stacks' included.
    expect(npm.stdout).not.toMatch(/^WARN/m);
  }, 60_000);

  test("a configuration error prints once, exits 1 and leaves earlier output untouched", () => {
    const outdir = join(scratch, "error");
    expect(run("npm", ["run", "--silent", "synth", "--", "--output", outdir], {}).status).toBe(0);
    const before = readFileSync(join(outdir, "stacks", "tap", "cdk.tf.json"));
    const result = run("npm", ["run", "--silent", "synth", "--", "--output", outdir], { TAP_REGION: "eu-west-1" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("tap: configuration error\n  TAP_REGION: is not a variable tap knows; did you mean TAP_REGIONS? docs/configuration.md lists every setting\n");
    expect(readFileSync(join(outdir, "stacks", "tap", "cdk.tf.json")).equals(before)).toBe(true);
  }, 30_000);

  test("removes the folders of stacks that no longer exist, as `cdktf synth` does", () => {
    const outdir = join(scratch, "orphans");
    mkdirSync(join(outdir, "stacks", "retired-account"), { recursive: true });
    expect(run("npm", ["run", "--silent", "synth", "--", "--output", outdir], {}).status).toBe(0);
    expect(readdirSync(join(outdir, "stacks"))).toEqual(["tap", ...[1, 2, 3, 4, 5, 6].map((n) => `tap-guardrails-${n}`)]);
    expect(existsSync(join(outdir, "manifest.json"))).toBe(true);
  }, 30_000);

  test("never deletes a state file: a stack folder holding local state is kept, with one warning naming it", () => {
    const outdir = join(scratch, "state");
    const account = { TAP_ACCOUNT_ID: "123456789012" };
    expect(run("npm", ["run", "--silent", "synth", "--", "--output", outdir], account).status).toBe(0);
    // What npm run bootstrap leaves: the bootstrap stack's only state, local in its folder.
    const state = join(outdir, "stacks", "bootstrap", "terraform.tfstate");
    writeFileSync(state, '{"version":4,"serial":7}');
    writeFileSync(`${state}.backup`, '{"version":4,"serial":6}');
    // Synth again with the account: the bootstrap stack is rewritten, its state untouched.
    expect(run("npm", ["run", "--silent", "synth", "--", "--output", outdir], account).status).toBe(0);
    expect(readFileSync(state, "utf8")).toBe('{"version":4,"serial":7}');
    // A synth that forgot accountId has no bootstrap stack: its folder stays, and synth says why, once.
    const forgot = run("npm", ["run", "--silent", "synth", "--", "--output", outdir], {});
    expect(forgot.status).toBe(0);
    expect(readFileSync(state, "utf8")).toBe('{"version":4,"serial":7}');
    expect(readFileSync(`${state}.backup`, "utf8")).toBe('{"version":4,"serial":6}');
    const kept = forgot.stdout.split("\n").filter((line) => line.includes("stack bootstrap is no longer in the app"));
    expect(kept).toEqual([expect.stringMatching(/^WARN \[.*stacks\/bootstrap\]: kept: .*terraform\.tfstate, terraform\.tfstate\.backup, Terraform's local state/)]);
  }, 60_000);
});
