import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";
import type { TapConfig } from "../../src/config/model";
import { BOOTSTRAP_STACK_NAME } from "../../src/config/load";
import { configVariables, nodeVersionOf, stateKeyVariable, PIPELINE_TERRAFORM_VERSION, pipelineStacks, planFiles, toYaml, workflowFor } from "../../scripts/pipeline";
import type { ManifestStacks } from "../../scripts/plan-review";
import { projectRoot } from "../../scripts/terraform/emulator";

// js-yaml is not a dependency of tap (the generator writes YAML itself); it is resolvable here
// as jest's own (through babel-plugin-istanbul), which is enough to read the workflow back the
// way a YAML parser, and GitHub's, reads it.
const yaml = require("js-yaml") as { safeLoad(text: string): unknown };

const EXAMPLE = join(projectRoot(), "examples", "organization.tap.config.json");
const PACKAGE = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8"));

/** The manifest cdktf writes for `config`. */
function manifestOf(config: TapConfig): ManifestStacks {
  const outdir = mkdtempSync(join(tmpdir(), "tap-pipeline-"));
  try {
    buildApp(config, outdir).app.synth();
    return JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The workflow as written to a file and parsed back. */
function written(workflow: Record<string, unknown>): any {
  const dir = mkdtempSync(join(tmpdir(), "tap-workflow-"));
  try {
    const file = join(dir, "tap.yml");
    writeFileSync(file, toYaml(workflow));
    return yaml.safeLoad(readFileSync(file, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const stepsOf = (job: any): any[] => job.steps ?? [];
const usesOf = (job: any, action: string) => stepsOf(job).filter((step) => typeof step.uses === "string" && step.uses.startsWith(`${action}@`));
const needsOf = (job: any): string[] => (job.needs === undefined ? [] : [].concat(job.needs));

/** Jobs reachable backwards from `job` through needs. */
function upstream(jobs: Record<string, any>, job: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const need of needsOf(jobs[name])) if (!seen.has(need)) seen.add(need), visit(need);
  };
  visit(job);
  return seen;
}

/**
 * What every generated workflow must hold for `manifest`'s stacks `expected`: its job graph is
 * the stacks' graph, each stack planned and applied once, each apply from its own plan, approval
 * only with changes, OIDC and no keys.
 */
function checkWorkflow(workflow: any, manifest: ManifestStacks, expected: readonly string[]): void {
  const jobs: Record<string, any> = workflow.jobs;
  const planJobs = Object.keys(jobs).filter((name) => name.startsWith("plan-"));
  const applyJobs = Object.keys(jobs).filter((name) => name.startsWith("apply-"));
  expect(Object.keys(jobs)).toHaveLength(2 * expected.length);

  // Every stack planned once and applied once; nothing else.
  const planned = planJobs.map((job) => jobs[job].env.STACK);
  const applied = applyJobs.map((job) => jobs[job].env.STACK);
  expect([...planned].sort()).toEqual([...expected].sort());
  expect([...applied].sort()).toEqual([...expected].sort());
  for (const stack of expected) {
    const runs = (job: any, command: string) => stepsOf(job).filter((step) => typeof step.run === "string" && step.run.includes(`npm run ${command} -- "$STACK"`));
    expect(Object.values(jobs).filter((job) => runs(job, "plan").length > 0 && job.env.STACK === stack)).toHaveLength(1);
    expect(Object.values(jobs).filter((job) => runs(job, "apply").length > 0 && job.env.STACK === stack)).toHaveLength(1);
    expect(runs(jobs[`plan-${stack}`], "plan")).toHaveLength(1);
    expect(runs(jobs[`apply-${stack}`], "apply")).toHaveLength(1);
  }

  // The job graph is the stacks' graph: for A -> B in the manifest, B's plan waits for A's apply
  // (it reads A's outputs from A's state) and for A's plan (to tell "skipped: no changes" from
  // "skipped: A's plan failed"); each apply waits for its own plan only.
  for (const stack of expected) {
    const dependencies = (manifest.stacks[stack].dependencies ?? []).filter((dep) => expected.includes(dep));
    const plan = jobs[`plan-${stack}`];
    expect(needsOf(plan).sort()).toEqual(dependencies.flatMap((dep) => [`plan-${dep}`, `apply-${dep}`]).sort());
    for (const dep of dependencies) expect(upstream(jobs, `plan-${stack}`)).toContain(`apply-${dep}`);
    // A skipped apply (no changes) lets the next wave run; a failed one, or a failed plan, stops it.
    if (dependencies.length > 0) {
      expect(plan.if).toContain("!cancelled()");
      for (const dep of dependencies) {
        expect(plan.if).toContain(`needs.plan-${dep}.result == 'success'`);
        expect(plan.if).toContain(`(needs.apply-${dep}.result == 'success' || needs.apply-${dep}.result == 'skipped')`);
      }
    } else expect(plan.if).toBeUndefined();

    // "No changes, no approval": the apply runs only on the plan's changes, in an environment.
    const apply = jobs[`apply-${stack}`];
    expect(needsOf(apply)).toEqual([`plan-${stack}`]);
    expect(apply.if).toBe(`\${{ !cancelled() && needs.plan-${stack}.result == 'success' && needs.plan-${stack}.outputs.changes == 'true' }}`);
    expect(typeof apply.environment).toBe("string");
    expect(apply.environment.length).toBeGreaterThan(0);
    expect(plan.environment).toBeUndefined();
    expect(plan.outputs.changes).toBe("${{ steps.plan.outputs.changes }}");
    const planStep = stepsOf(plan).find((step) => step.id === "plan");
    expect(planStep.run).toMatch(/0\) echo "changes=false"/);
    expect(planStep.run).toMatch(/2\) echo "changes=true"/);
    expect(planStep.run).toMatch(/\*\) exit "\$code"/);

    // Each plan uploads its own artifact; each apply downloads the artifact named for its own stack, and only that.
    const uploads = usesOf(plan, "actions/upload-artifact");
    expect(uploads).toHaveLength(1);
    expect(uploads[0].with.name).toBe(`plan-${stack}`);
    expect(uploads[0].with.path.trim().split("\n")).toEqual(planFiles(stack));
    expect(uploads[0].with["include-hidden-files"]).toBe(true); // .terraform.lock.hcl
    const downloads = usesOf(apply, "actions/download-artifact");
    expect(downloads).toHaveLength(1);
    expect(downloads[0].with).toEqual({ name: `plan-${stack}`, path: "cdktf.out" });

    // The in-sync records a skip needs: the plan restores its own and those of the stacks it reads, and
    // saves its own before the apply does; restore-keys find the newest, each save gets a key of its own.
    const restored = usesOf(plan, "actions/cache/restore").map((step) => step.with.path);
    expect(restored).toEqual([stack, ...(manifest.stacks[stack].dependencies ?? []).filter((dep) => expected.includes(dep))].map((name) => `cdktf.out/stacks/${name}/in-sync.json`));
    for (const step of usesOf(plan, "actions/cache/restore")) expect(step.with["restore-keys"]).toBe(`tap-in-sync-${step.with.path.split("/")[2]}-`);
    const saves = [...usesOf(plan, "actions/cache/save"), ...usesOf(apply, "actions/cache/save")];
    expect(saves.map((step) => step.with.path)).toEqual([`cdktf.out/stacks/${stack}/in-sync.json`, `cdktf.out/stacks/${stack}/in-sync.json`]);
    expect(saves.map((step) => step.with.key)).toEqual([`tap-in-sync-${stack}-\${{ github.run_id }}-\${{ github.run_attempt }}-plan`, `tap-in-sync-${stack}-\${{ github.run_id }}-\${{ github.run_attempt }}-apply`]);
    expect(usesOf(apply, "actions/cache/restore")).toEqual([]);
  }
  const artifacts = planJobs.map((job) => usesOf(jobs[job], "actions/upload-artifact")[0].with.name);
  expect(new Set(artifacts).size).toBe(artifacts.length);

  // Credentials by OIDC only: no keys anywhere; every job with AWS credentials may ask for an id token.
  const text = JSON.stringify(workflow);
  expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  for (const [name, job] of Object.entries(jobs)) {
    const credentials = usesOf(job, "aws-actions/configure-aws-credentials");
    expect([name, credentials.length]).toEqual([name, 1]);
    expect(credentials[0].with["role-to-assume"]).toMatch(/^\$\{\{ vars\.TAP_ROLE(_\d{12} \|\| vars\.TAP_ROLE)? \}\}$/);
    expect(job.permissions).toEqual({ "id-token": "write", contents: "read" });
    // The jobs run what the repository pins.
    expect(usesOf(job, "actions/setup-node")[0].with["node-version"]).toBe(nodeVersionOf(PACKAGE.engines.node));
    expect(usesOf(job, "hashicorp/setup-terraform")[0].with).toEqual({ terraform_version: PIPELINE_TERRAFORM_VERSION, terraform_wrapper: false });
  }
  expect(workflow.permissions).toEqual({ contents: "read" });
}

type Result = "success" | "failure" | "skipped";

/**
 * A run of the workflow as GitHub decides it: jobs in order of their needs; a job whose `if` has
 * no status function gets the implicit success(), false when any job upstream (not only those
 * needed directly) failed or was skipped (actions/runner#2205); a plan job finishes with the
 * outcome `plans` gives its stack (default: no changes), an apply job with `applies`' (default
 * success). Returns each job's result.
 */
function simulate(workflow: any, plans: Record<string, "changes" | "fail"> = {}, applies: Record<string, "fail"> = {}): Record<string, Result> {
  const jobs: Record<string, any> = workflow.jobs;
  const result: Record<string, Result> = {};
  const outputs: Record<string, Record<string, string>> = {};
  const pending = Object.keys(jobs);
  while (pending.length > 0) {
    const index = pending.findIndex((name) => needsOf(jobs[name]).every((need) => need in result));
    expect(index).toBeGreaterThanOrEqual(0); // no cycle
    const [name] = pending.splice(index, 1);
    const job = jobs[name];
    const condition: string = (job.if ?? "${{ success() }}").replace(/^\$\{\{\s*|\s*\}\}$/g, "");
    const hasStatusFunction = /\b(success|failure|always|cancelled)\(\)/.test(condition);
    const upstreamOk = [...upstream(jobs, name)].every((job) => result[job] === "success");
    const expression = condition
      .replace(/needs\.([\w-]+)\.result/g, (_, need) => JSON.stringify(result[need]))
      .replace(/needs\.([\w-]+)\.outputs\.(\w+)/g, (_, need, key) => JSON.stringify(outputs[need]?.[key] ?? ""))
      .replace(/!cancelled\(\)/g, "true")
      .replace(/success\(\)/g, String(upstreamOk))
      .replace(/==/g, "===");
    expect(expression).toMatch(/^[\s\w"'()&|=!-]*$/); // only what was substituted: results, outputs, booleans
    const runs = (hasStatusFunction ? true : upstreamOk) && Boolean(new Function(`return (${expression});`)());
    const stack = job.env.STACK;
    if (!runs) result[name] = "skipped";
    else if (name.startsWith("plan-")) {
      result[name] = plans[stack] === "fail" ? "failure" : "success";
      outputs[name] = { changes: plans[stack] === "changes" ? "true" : "false" };
    } else result[name] = applies[stack] === "fail" ? "failure" : "success";
  }
  return result;
}

const ran = (results: Record<string, Result>, prefix: string) =>
  Object.entries(results)
    .filter(([job, result]) => job.startsWith(prefix) && result !== "skipped")
    .map(([job]) => job.slice(prefix.length))
    .sort();

describe("npm run pipeline's workflow", () => {
  const options = { nodeVersion: nodeVersionOf(PACKAGE.engines.node) };

  test("for the default deployment: tap, then its six region stacks, each planned after tap is applied", () => {
    const config = loadConfig({});
    const manifest = manifestOf(config);
    const workflow = written(workflowFor(manifest, pipelineStacks(config), options));
    const stacks = ["tap", "tap-guardrails-1", "tap-guardrails-2", "tap-guardrails-3", "tap-guardrails-4", "tap-guardrails-5", "tap-guardrails-6"];
    checkWorkflow(workflow, manifest, stacks);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(workflow.jobs[`plan-tap-guardrails-${n}`].needs).toEqual(["plan-tap", "apply-tap"]);
    // No account id configured: the account stack's name is the environment, and TAP_ROLE the role.
    for (const stack of stacks) {
      expect(workflow.jobs[`apply-${stack}`].environment).toBe("tap");
      expect(usesOf(workflow.jobs[`plan-${stack}`], "aws-actions/configure-aws-credentials")[0].with["role-to-assume"]).toBe("${{ vars.TAP_ROLE }}");
    }
    // Runs as GitHub would decide them: "no changes, no approval", a skipped apply does not block
    // the next wave, a failed plan or apply stops it.
    const guardrails = stacks.slice(1);
    expect(ran(simulate(workflow), "plan-")).toEqual([...stacks].sort());
    expect(ran(simulate(workflow), "apply-")).toEqual([]);
    expect(ran(simulate(workflow, { tap: "changes" }), "apply-")).toEqual(["tap"]);
    expect(ran(simulate(workflow, { tap: "changes" }), "plan-")).toEqual([...stacks].sort());
    expect(ran(simulate(workflow, { "tap-guardrails-3": "changes", "tap-guardrails-5": "changes" }), "apply-")).toEqual(["tap-guardrails-3", "tap-guardrails-5"]);
    expect(ran(simulate(workflow, { tap: "changes" }, { tap: "fail" }), "plan-")).toEqual(["tap"]);
    expect(ran(simulate(workflow, { tap: "fail" }), "plan-")).toEqual(["tap"]);
    const oneFails = simulate(workflow, { "tap-guardrails-1": "fail", "tap-guardrails-2": "changes" });
    expect(ran(oneFails, "plan-")).toEqual([...stacks].sort()); // same wave: independent
    expect(ran(oneFails, "apply-")).toEqual(["tap-guardrails-2"]);
    expect(guardrails).toHaveLength(6);
    expect(workflow.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: {} });
    expect(workflow.concurrency).toEqual({ group: "tap", "cancel-in-progress": false });
  });

  test("for the organization example: log archive, management, security, then the members and their region stacks; not the bootstrap stack", () => {
    const config = loadConfig({}, { file: EXAMPLE });
    const manifest = manifestOf(config);
    expect(Object.keys(manifest.stacks)).toContain(BOOTSTRAP_STACK_NAME);
    const expected = Object.keys(manifest.stacks).filter((name) => name !== BOOTSTRAP_STACK_NAME);
    expect(expected).toHaveLength(12); // 3 organization stacks, 6 members, 3 region stacks
    const workflow = written(workflowFor(manifest, pipelineStacks(config), options));
    checkWorkflow(workflow, manifest, expected);
    const jobs = workflow.jobs;
    // Written in deployment order (the manifest's is alphabetical), for people reading the file.
    expect(Object.keys(jobs).slice(0, 6)).toEqual(["plan-log-archive", "apply-log-archive", "plan-management", "apply-management", "plan-security", "apply-security"]);
    expect(Object.keys(jobs).some((job) => job.includes(BOOTSTRAP_STACK_NAME))).toBe(false);
    // The chain the organization requires, through the applies.
    expect(jobs["plan-log-archive"].needs).toBeUndefined();
    expect(jobs["plan-management"].needs).toEqual(["plan-log-archive", "apply-log-archive"]);
    expect(jobs["plan-security"].needs).toEqual(["plan-management", "apply-management"]);
    for (const stack of config.stacks) {
      expect(upstream(jobs, `plan-${stack.stackName}`)).toEqual(new Set(["plan-log-archive", "apply-log-archive", "plan-management", "apply-management", "plan-security", "apply-security"]));
      for (const regionStack of stack.regionStacks) expect(upstream(jobs, `plan-${regionStack.stackName}`)).toContain(`apply-${stack.stackName}`);
    }
    // Each account its own environment and role variable; a region stack runs as its account.
    const role = (job: string) => usesOf(jobs[job], "aws-actions/configure-aws-credentials")[0].with["role-to-assume"];
    expect(jobs["apply-security"].environment).toBe("aws-100000000002");
    expect(role("apply-security")).toBe("${{ vars.TAP_ROLE_100000000002 || vars.TAP_ROLE }}");
    expect(jobs["apply-management"].environment).toBe("aws-100000000001");
    const member = config.stacks[0];
    expect(jobs[`apply-${member.stackName}`].environment).toBe(`aws-${member.account!.id}`);
    for (const regionStack of member.regionStacks) {
      expect(jobs[`apply-${regionStack.stackName}`].environment).toBe(`aws-${member.account!.id}`);
      expect(role(`plan-${regionStack.stackName}`)).toBe(`\${{ vars.TAP_ROLE_${member.account!.id} || vars.TAP_ROLE }}`);
    }
    // A member's region stack with changes is applied when nothing above it had any; a failed
    // management apply stops security and every member.
    const regional = config.stacks.find((stack) => stack.regionStacks.length > 0)!.regionStacks[0].stackName;
    expect(ran(simulate(workflow, { [regional]: "changes" }), "apply-")).toEqual([regional]);
    expect(ran(simulate(workflow, { management: "changes" }, { management: "fail" }), "plan-")).toEqual(["log-archive", "management"]);
    // Credentials are asked for in the state bucket's region.
    expect(usesOf(jobs["plan-security"], "aws-actions/configure-aws-credentials")[0].with["aws-region"]).toBe("eu-west-1");
  });

  test("the YAML reads back as the workflow it was written from", () => {
    const config = loadConfig({}, { file: EXAMPLE });
    const workflow = workflowFor(manifestOf(config), pipelineStacks(config), { ...options, env: { TAP_CONFIG: "examples/organization.tap.config.json", TAP_PROTECT_DATA: "true" } });
    expect(written(workflow)).toEqual(workflow);
    const tricky = { on: "yes", n: "123", empty: "", colon: "a: b", hash: "a #b", multi: "one\n\ntwo\n", noNewline: "x\ny", list: [[], {}, "- x"], expr: "${{ x }}" };
    expect(written(tricky)).toEqual(tricky);
  });

  test("the workflow's jobs synthesize what it was generated from: the configuration variables set, TAP_CONFIG inside the repository", () => {
    const root = projectRoot();
    expect(configVariables({ TAP_CONFIG: join(root, "examples", "organization.tap.config.json"), TAP_ACCOUNT_ID: "111122223333", TAP_SKIP_TERRAFORM_TESTS: "1", HOME: "/x" }, root)).toEqual({
      TAP_CONFIG: "examples/organization.tap.config.json",
      TAP_ACCOUNT_ID: "111122223333",
    });
    expect(() => configVariables({ TAP_CONFIG: "/etc/tap.json" }, root)).toThrow(/outside the repository/);
  });

  test("the jobs get the state key synth learned from bootstrap's local state, which a runner's checkout does not have", () => {
    const key = "arn:aws:kms:us-east-1:111122223333:key/0b7c1e4a-0000-4000-8000-000000000001";
    // Every main stack's backend names the key; the bootstrap stack (local state) names none.
    expect(stateKeyVariable([undefined, key, key], { TAP_ACCOUNT_ID: "111122223333" })).toEqual({ TERRAFORM_STATE_KMS_KEY_ID: key });
    // Set explicitly: kept as it is (configVariables already carries it).
    expect(stateKeyVariable([key], { TERRAFORM_STATE_KMS_KEY_ID: "arn:aws:kms:us-east-1:111122223333:key/other" })).toEqual({});
    // Local state only: nothing to give.
    expect(stateKeyVariable([undefined], {})).toEqual({});
    expect(() => stateKeyVariable([key, key.replace("0001", "0002")], {})).toThrow(/name 2 state keys .*set TERRAFORM_STATE_KMS_KEY_ID/);
  });
});
