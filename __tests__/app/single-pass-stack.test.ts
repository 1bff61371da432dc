import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { buildApp } from "../../src/app/app";
import { SinglePassStack } from "../../src/app/single-pass-stack";
import { TapStack } from "../../src/app/tap-stack";
import { SINGLE_STACK_NAME as STACK_NAME } from "../../src/config/load";
import { loadConfig } from "../../src/app/load-config";
import { configFrom, resourcesOf, synthWithMetadata } from "../helpers";

/** A stack with one role at `path`, which says it used to be at `formerPath`. */
class MovedRoleStack extends SinglePassStack {
  constructor(path: string[], formerPath?: string[]) {
    super(Testing.app(), "test");
    const provider = new AwsProvider(this, "aws", { region: "us-east-1" });
    let scope: Construct = this;
    for (const id of path.slice(0, -1)) scope = new Construct(scope, id);
    const role = new IamRole(scope, path[path.length - 1], { provider, assumeRolePolicy: "{}" });
    if (formerPath) this.movedFrom(role, formerPath);
  }
}

describe("SinglePassStack", () => {
  afterEach(() => jest.restoreAllMocks());

  test("one synth resolves each stack once, for the compliance check and the written file alike", () => {
    const outdir = mkdtempSync(join(tmpdir(), "tap-pass-"));
    const { app, stacks: [stack], regionStacks } = buildApp(loadConfig({}, { file: null }), outdir);
    expect(regionStacks.length).toBeGreaterThan(0);
    const resolve = jest.spyOn(TerraformStack.prototype, "toTerraform");
    app.synth();
    expect(resolve).toHaveBeenCalledTimes(1 + regionStacks.length);
    expect(new Set(resolve.mock.contexts)).toEqual(new Set([stack, ...regionStacks]));
    resolve.mockRestore();
    const written = JSON.parse(readFileSync(join(outdir, "stacks", STACK_NAME, "cdk.tf.json"), "utf8"));
    expect(written).toEqual(JSON.parse(JSON.stringify(stack.toTerraform())));
    // The provider lock file lands beside the stack, so terraform init verifies the provider.
    expect(readFileSync(join(outdir, "stacks", STACK_NAME, ".terraform.lock.hcl"), "utf8")).toContain('provider "registry.terraform.io/hashicorp/aws"');
    rmSync(outdir, { recursive: true, force: true });
  });

  test("outside a synth pass every call resolves afresh, so later changes show", () => {
    const stack = new TapStack(Testing.app(), STACK_NAME, configFrom());
    expect(stack.toTerraform().terraform.required_version).toBe(">= 1.11.0");
    stack.addOverride("terraform.required_version", ">= 1.12.0");
    expect(stack.toTerraform().terraform.required_version).toBe(">= 1.12.0");
  });

  test("a moved resource's former address is the logical id cdktf gave a resource at that path", () => {
    const [[former]] = resourcesOf(synthWithMetadata(new MovedRoleStack(["account-guardrails", "support-role"])), "aws_iam_role");
    const moved = synthWithMetadata(new MovedRoleStack(["identity", "support-role"], ["account-guardrails", "support-role"])) as any;
    const [[current]] = resourcesOf(moved, "aws_iam_role");
    expect(moved.moved).toEqual([{ from: `aws_iam_role.${former}`, to: `aws_iam_role.${current}` }]);
    expect(former).not.toBe(current);
  });
});
