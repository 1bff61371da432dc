import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";

/**
 * The package as a user gets it: `npm pack` (which compiles src/ to lib/ with declarations),
 * the tarball installed into a scratch project, and a stack of the user's own that imports
 * SecureStorage and the rule pack by the package name only, type-checked against the shipped
 * declarations and synthesized. The peer dependencies are linked from this checkout rather than
 * downloaded again (@cdktf/provider-aws alone is 362 MB): npm installs the tarball offline.
 */
const ROOT = join(__dirname, "..", "..");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 180_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const CONSUMER = (outdir: string, breakRule: boolean) => `
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { ComplianceValidation, SecureStorage, suppressRule, TAP_RESOURCE_RULES, type SecureStorageProps } from "${PACKAGE.name}";

const app = new App({ outdir: ${JSON.stringify(outdir)} });
const stack = new TerraformStack(app, "data");
const provider = new AwsProvider(stack, "aws", {
  region: "eu-west-1",
  defaultTags: [{ tags: { Project: "acme", Environment: "dev", ManagedBy: "cdktf" } }],
});
const props: SecureStorageProps = {
  provider,
  naming: { project: "acme", environment: "dev", region: "eu-west-1" },
  accountId: "123456789012",
  partition: "aws",
};
const storage = new SecureStorage(stack, "storage", props);
${breakRule ? 'new S3Bucket(stack, "loose", { provider, bucket: "acme-dev-loose" });' : ""}
// A stack of one bucket: no replica region, and no trail of its own to record object events.
suppressRule(storage, "S3.CrossRegionReplication", "single-region scratch data, rebuilt from its source");
suppressRule(storage, "CloudTrail.S3DataEvents", "object events are recorded by the organization trail");
stack.node.addValidation(new ComplianceValidation(stack, TAP_RESOURCE_RULES));
app.synth();
console.log("data bucket " + storage.node.id);
`;

describe(`the package (${PACKAGE.name} ${PACKAGE.version})`, () => {
  const scratch = mkdtempSync(join(tmpdir(), "tap-package-"));
  const project = join(scratch, "consumer");
  let files: string[] = [];
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(() => {
    const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", scratch], ROOT));
    files = packed.files.map((file: { path: string }) => file.path);
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    run("npm", ["install", join(scratch, packed.filename), "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--legacy-peer-deps"], project);
    for (const peer of Object.keys(PACKAGE.peerDependencies)) {
      mkdirSync(dirname(join(project, "node_modules", peer)), { recursive: true });
      symlinkSync(join(ROOT, "node_modules", peer), join(project, "node_modules", peer), "dir");
    }
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true, skipLibCheck: true, types: [] }, include: ["*.ts"] }),
    );
  }, 240_000);

  test("holds the compiled library with its declarations, the lock file and the schema; no sources, tests or build output", () => {
    expect(files).toEqual(expect.arrayContaining(["lib/index.js", "lib/index.d.ts", "lib/storage/secure-storage.d.ts", ".terraform.lock.hcl", "tap.config.schema.json", "CHANGELOG.md", "README.md", "LICENSE", "package.json"]));
    expect(files.filter((file) => /^(src|__tests__|dist|scripts|bench|examples|\.ci)\//.test(file) || (file.endsWith(".ts") && !file.endsWith(".d.ts")))).toEqual([]);
  });

  test("a stack of the user's own with SecureStorage and the rule pack's resource rules, imported by the package name, type-checks and synthesizes", () => {
    const outdir = join(scratch, "out");
    writeFileSync(join(project, "stack.ts"), CONSUMER(outdir, false));
    run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], project);
    expect(run(process.execPath, ["stack.js"], project)).toContain("data bucket storage");
    const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", "data", "cdk.tf.json"), "utf8"));
    expect(Object.keys(synthesized.resource.aws_kms_key)).toHaveLength(1);
    const encryption = Object.values<any>(synthesized.resource.aws_s3_bucket_server_side_encryption_configuration);
    // The data bucket under the stack's own key; its access-log bucket under SSE-S3, the only encryption S3 log delivery writes to.
    const byDefault = encryption.map((config) => config.rule[0].apply_server_side_encryption_by_default);
    expect(byDefault.map((rule) => rule.sse_algorithm).sort()).toEqual(["AES256", "aws:kms"]);
    expect(byDefault.find((rule) => rule.sse_algorithm === "aws:kms").kms_master_key_id).toMatch(/^\$\{aws_kms_key\.storage_.+\.arn\}$/);
  });

  test("the rule pack stops the user's synth when their own bucket breaks a rule", () => {
    writeFileSync(join(project, "loose.ts"), CONSUMER(join(scratch, "out-loose"), true));
    run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], project);
    const result = spawnSync(process.execPath, ["loose.js"], { cwd: project, encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Validation failed[\s\S]*\[S3\.[A-Za-z]+\] data\/loose/);
  });
});
