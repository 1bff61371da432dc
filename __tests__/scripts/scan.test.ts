import { chmodSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { CHECKOV_ENV, checkovInput, findCheckov } from "../../scripts/checkov";
import { classify, readAcceptances, verdict } from "../../scripts/scan";
import { EMULATOR_ENV, findEmulator } from "../../scripts/terraform/emulator";

/** An executable that prints `output` for --version. */
function fakeTool(name: string, output: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tap-fake-"));
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "${output}"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("npm run scan", () => {
  const acceptances = [
    { check: "CKV_AWS_145", resources: "^aws_s3_bucket\\.storage-[a-z0-9-]+_access-logs_bucket_", reason: "S3 logging cannot write to SSE-KMS buckets" },
    { check: "CKV_AWS_13", resources: "^aws_iam_account_password_policy\\.", reason: "the product's specified default reuse prevention" },
  ];
  const finding = (checkId: string, resource: string) => ({ checkId, resource, checkName: "name" });

  test("a finding is accepted only by an entry with its check id and a matching resource", () => {
    const report = classify("default plan", 10, [finding("CKV_AWS_145", "aws_s3_bucket.storage-us-east-1_access-logs_bucket_2F76"), finding("CKV_AWS_145", "aws_s3_bucket.storage-us-east-1_data_bucket_2CFD")], acceptances);
    expect(report.accepted.map((a) => a.finding.resource)).toEqual(["aws_s3_bucket.storage-us-east-1_access-logs_bucket_2F76"]);
    expect(report.unaccepted.map((f) => f.resource)).toEqual(["aws_s3_bucket.storage-us-east-1_data_bucket_2CFD"]);
  });

  test("the verdict fails on an unaccepted finding, and on an acceptance that matches nothing", () => {
    const clean = classify("t", 1, [finding("CKV_AWS_145", "aws_s3_bucket.storage-x_access-logs_bucket_1"), finding("CKV_AWS_13", "aws_iam_account_password_policy.p")], acceptances);
    expect(verdict([clean], acceptances).ok).toBe(true);
    const stale = verdict([classify("t", 1, [finding("CKV_AWS_13", "aws_iam_account_password_policy.p")], acceptances)], acceptances);
    expect(stale.ok).toBe(false);
    expect(stale.text).toContain("Acceptances that match nothing (remove them):\n  CKV_AWS_145");
    const open = verdict([classify("t", 1, [finding("CKV_AWS_18", "aws_s3_bucket.b")], [])], []);
    expect(open.ok).toBe(false);
    expect(open.text).toContain("t: CKV_AWS_18 aws_s3_bucket.b (name)");
  });

  test("every committed acceptance names a check, an anchored resource pattern and a reason", () => {
    for (const entry of readAcceptances()) {
      expect(entry.check).toMatch(/^CKV2?_AWS_\d+$/);
      expect(entry.resources.startsWith("^")).toBe(true);
      expect(entry.reason.length).toBeGreaterThan(40);
    }
  });

  test("checkov is found from TAP_CHECKOV first, then PATH; its style follows whether it answers --version", () => {
    const cli = fakeTool("checkov", "3.3.13");
    expect(findCheckov({ [CHECKOV_ENV]: cli, PATH: "" })).toEqual({ path: cli, source: CHECKOV_ENV, version: "3.3.13", style: "cli" });
    const wrapper = fakeTool("checkov", "checkov PATH.json [more checkov arguments]");
    expect(findCheckov({ PATH: join(wrapper, "..") })).toMatchObject({ path: wrapper, source: "PATH", style: "wrapper" });
    expect(() => findCheckov({ [CHECKOV_ENV]: "/nowhere/checkov" })).toThrow(/TAP_CHECKOV="\/nowhere\/checkov" does not exist; .*pip install checkov==3\.3\.13/);
  });

  test("the emulator is found from TAP_MOTO_SERVER first, then moto_server on PATH, each started the way it expects", () => {
    const pip = fakeTool("moto_server", "");
    expect(findEmulator({ PATH: join(pip, "..") })).toMatchObject({ path: pip, source: "PATH" });
    expect(findEmulator({ PATH: join(pip, "..") })!.args(5000)).toEqual(["-H", "127.0.0.1", "-p", "5000"]);
    const wrapper = fakeTool("moto-server", "");
    expect(findEmulator({ [EMULATOR_ENV]: wrapper, PATH: join(pip, "..") })).toMatchObject({ path: wrapper, source: EMULATOR_ENV });
    expect(findEmulator({ [EMULATOR_ENV]: wrapper })!.args(5000)).toEqual(["5000"]);
    expect(() => findEmulator({ [EMULATOR_ENV]: "/nowhere/moto" })).toThrow(/pip install 'moto\[server\]==5\.1\.22'/);
  });
});

describe("checkovInput", () => {
  test("leaves out what checkov 3.3.13's JSON parser crashes on, and nothing else; plans pass unchanged", () => {
    const stack = {
      terraform: { required_version: ">= 1.11.0", backend: { s3: {} } },
      moved: [{ from: "a.b", to: "a.c" }],
      import: [{ to: "aws_vpc.v", id: "vpc-1" }],
      resource: { aws_vpc: { v: {} } },
    };
    expect(checkovInput(stack)).toEqual({ framework: "terraform_json", document: { terraform: { backend: { s3: {} } }, resource: { aws_vpc: { v: {} } } } });
    expect(stack.moved).toHaveLength(1);
    const plan = { planned_values: {}, resource_changes: [] };
    expect(checkovInput(plan)).toEqual({ framework: "terraform_plan", document: plan });
  });
});
