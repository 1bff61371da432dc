/**
 * npm run docs: the generated sections and numbers of the README and the pages under docs/,
 * written from what they describe (the rule pack, the settings, the synthesized default
 * deployment, the accepted checkov findings, the emulator allowances, the jest configuration, the
 * latest benchmark results) so no page can drift from them. A unit test fails when a page is not
 * current, when a link between pages does not resolve, and when a page is not reachable from the
 * README.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "fs";
import { dirname, join, posix, relative } from "path";
import { buildApp } from "../src/app/app";
import { REQUIRED_TERRAFORM_VERSION } from "../src/app/stack-parts";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { FSBP_CONTROLS, FsbpKind, fsbpCoverage } from "../src/compliance/fsbp-controls";
import { auditStack } from "../src/compliance/audit";
import { loadConfig } from "../src/app/load-config";
import { ConfigError } from "../src/config/load";
import { BASELINE } from "../src/aws/baseline";
import { TAG_LIMITS } from "../src/aws/limits";
import { RESERVED_TAG_KEYS } from "../src/aws/naming";
import { STATE_NONCURRENT_VERSION_EXPIRATION_DAYS } from "../src/storage/storage-facts";
import { PASSWORD_POLICY } from "../src/identity/identity-facts";
import { SUPPORTED_REGION_NAMES } from "../src/network/regions";
import { DOCUMENTED_REQUESTS, MANAGED_GRANTS } from "../src/app/service-access";
import { STACK_OUTPUTS } from "../src/app/stack-outputs";
import { SINGLETONS, SingletonFacts } from "../src/aws/singletons";
import { CIS_ALARMS } from "../src/audit/cis-alarms";
import { describeStacks } from "../src/app/summary";
import type { TapConfig } from "../src/config/model";
import { BACKEND_ENV, ORGANIZATION_SCHEMA, STACK_ENV, STACK_FIELDS, TOOL_VARIABLES } from "../src/config/settings";
import { readAcceptances } from "./scan";
import { CHECKOV_VERSION } from "./checkov";
import { EMULATOR_SUPPORTED, EMULATOR_VERSION, EMULATOR_DEVIATIONS, EMULATOR_EXTENSIONS, EMULATOR_UNDELETABLE, EMULATOR_UNSUPPORTED, projectRoot } from "./terraform/emulator";
import { ARCHIVE_OBJECT_LOCK, ARCHIVE_TRANSITIONS, GUARDRAIL_POLICIES, guardrailDocuments, RCP_LIMITS, SCP_LIMITS, scpSize } from "../src/organization/organization-facts";
import { PIPELINE_TERRAFORM_VERSION, PLAN_RETENTION_DAYS } from "./pipeline";
import { ATTACK_PATHS, LOG_ARCHIVE } from "../__tests__/organization/attack-paths";

const ROOT = projectRoot();

/**
 * Every documentation page (path from the repository root) and the generated sections it holds,
 * each between `<!-- generated:<name> (npm run docs) -->` and `<!-- /generated:<name> -->`.
 * Numbers inside prose are generated too: `<!-- value:<name> -->...<!-- /value -->` (GENERATED_VALUES).
 */
export const PAGES: Readonly<Record<string, readonly string[]>> = {
  "README.md": ["default-stacks"],
  "docs/configuration.md": ["config-error-example", "settings", "settings-defaults", "backend-variables", "region-coverage", "layout-results"],
  "docs/organizations.md": ["organization-settings", "organization-results", "guardrail-policies", "attack-paths"],
  "docs/adoption.md": ["singletons"],
  "docs/deploying.md": ["synth-summary", "outputs"],
  "docs/security.md": ["controls", "fsbp-coverage", "access", "accepted-findings"],
  "docs/tests.md": ["test-files", "test-durations", "emulator-allowances"],
  "docs/performance.md": ["performance", "compare-results"],
  "docs/design.md": ["layout"],
};

export const README = join(ROOT, "README.md");

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function controls(): string {
  const rows = TAP_RULE_PACK.map(
    (rule) =>
      `| \`${rule.id}\` | ${cell(rule.info)} | ${rule.appliesTo.map((t) => `\`${t}\``).join(", ")} | ${rule.cis ?? "-"} | ${rule.fsbp.length > 0 ? rule.fsbp.join(", ") : "-"} | ${cell(rule.checkov ?? "-")} |`,
  );
  return ["| Rule | Fails when | Checks | CIS v3.0.0 | FSBP | checkov |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}

const FSBP_KIND_LABELS: Readonly<Record<FsbpKind, string>> = { covered: "covered", accepted: "accepted risk", "not-applicable": "not applicable", "not-yet-covered": "not yet covered" };

/** The sentence that states FSBP coverage (a unit test reads the numbers back from docs/security.md). */
export function fsbpCoverageSentence(): string {
  const c = fsbpCoverage();
  return `tap covers ${c.covered} of the ${c.applicable} FSBP controls that apply to what it creates (${c.accepted} accepted risk${c.accepted === 1 ? "" : "s"}, ${c.notYetCovered} not yet covered); ${c.notApplicable} more of the ${c.catalogued} catalogued do not apply.`;
}

/** Each catalogued FSBP control, what tap does about it and why (src/compliance/fsbp-controls.ts). */
function fsbpTable(): string {
  const code = (ids: readonly string[] | undefined) => (ids ?? []).map((id) => `\`${id}\``).join(", ");
  const rows = Object.entries(FSBP_CONTROLS).map(([id, { title, disposition: d }]) => {
    const detail = d.kind === "covered" ? code(d.rules) : `${cell(d.reason)}${"partly" in d && d.partly ? ` (partly: ${code(d.partly)})` : ""}`;
    return `| ${id} | ${cell(title)} | ${FSBP_KIND_LABELS[d.kind]} | ${detail} |`;
  });
  return [fsbpCoverageSentence(), "", "| Control | Title | tap | Rules, or why |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

function settings(): string {
  const rows = Object.entries(STACK_FIELDS).map(([key, schema]) => `| \`${key}\` | \`${STACK_ENV[key as keyof typeof STACK_ENV]}\` | ${cell(schema.description)} |`);
  return ["| File key | Variable | Meaning and allowed values |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The organization section's keys (file only, no variables), from its schema. */
function organizationSettings(): string {
  const required = new Set<string>(ORGANIZATION_SCHEMA.required);
  const rows = Object.entries(ORGANIZATION_SCHEMA.fields).map(([key, schema]) => `| \`organization.${key}\` | ${required.has(key) ? "yes" : "no"} | ${cell(schema.description)} |`);
  return ["| File key | Required | Meaning and allowed values |", "| --- | --- | --- |", ...rows].join("\n");
}

function backendVariables(): string {
  const rows = Object.entries(BACKEND_ENV).map(([variable, { field, appliesTo }]) => `| \`${variable}\` | \`backend.${field}\` | ${appliesTo ?? "both (s3 or hcp)"} |`);
  return ["| Variable | File key | Backend |", "| --- | --- | --- |", ...rows, "", `Tool variables (read by the tests, scan and bench, ignored by the app): ${TOOL_VARIABLES.map((v) => `\`${v}\``).join(", ")}.`].join("\n");
}

function outputs(): string {
  const rows = Object.entries(STACK_OUTPUTS).map(
    ([name, spec]) => `| \`${name}\` | ${spec.scope === "region" ? "map: region -> value" : "one value"} | ${cell(spec.description)}${"ownerOnly" in spec ? " (only where the deployment owns the account's settings)" : ""} |`,
  );
  return ["| Output | Shape | What it holds |", "| --- | --- | --- |", ...rows].join("\n");
}

/** Each singleton: what it is, what adopting imports (by which identifier), which rules external accepts. */
function singletons(): string {
  const rows = Object.entries(SINGLETONS as Record<string, SingletonFacts>).map(
    ([key, facts]) =>
      `| \`${key}\` | ${facts.scope === "region" ? "per region" : "per account"} | ${cell(facts.description)} | ${cell(facts.imports)}${facts.adoptedNames ? `; names: ${facts.adoptedNames.map((n) => `\`${n.key}\`${n.default ? ` (default \`${n.default}\`)` : " (required)"}`).join(", ")}` : ""} | ${facts.ruleIds.length > 0 ? facts.ruleIds.map((id) => `\`${id}\``).join(", ") : "-"} |`,
  );
  return ["| Key | Exists | What | `adopt` imports | `external` accepts |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

/** Who may do what to tap's resources: every documented request the access proofs show allowed, and the managed grants. */
function access(): string {
  const target = (type: string, path: string, suffix?: string) => `\`${path}\`${suffix ? ` \`…${cell(suffix.length > 48 ? suffix.slice(0, 48) + "…" : suffix)}\`` : ""} (${type.replace(/^aws_/, "")})`;
  const principal = (p: (typeof DOCUMENTED_REQUESTS)[number]["principal"]) =>
    "service" in p ? `\`${p.service}\`` : "role" in p ? `role \`${p.role}\`` : `a user of the account${p.accountUser.mfa ? " with MFA" : ""}`;
  const rows = DOCUMENTED_REQUESTS.map(
    (r) =>
      `| ${cell(r.who)} (${principal(r.principal)}) | ${r.actions.map((a) => `\`${a}\``).join(", ")} | ${target(r.target.type, r.target.path, r.target.suffix)} | ${Object.keys(r.context).length > 0 ? Object.keys(r.context).map((k) => `\`${k}\``).join(", ") : "-"} | ${cell(r.why)}${r.perRegion ? " (each region)" : ""} | [AWS](${r.source}) |`,
  );
  const managed = MANAGED_GRANTS.map((g) => `| ${cell(g.who)} (role \`${g.role}\`) | AWS managed policy \`${g.policy}\` | - | - | ${cell(g.why)}; attachment proven | [AWS](${g.source}) |`);
  return ["| Who | May | On | Condition keys it sends | Why | Source |", "| --- | --- | --- | --- | --- | --- |", ...rows, ...managed].join("\n");
}

/** The concern folders: every control's construct, facts, rules and tests, one row each, from the tree itself. */
export const CONCERNS: Readonly<Record<string, string>> = {
  network: "VPC, subnets, routing, security groups, default NACL, execute-api endpoint, flow logs; regions, zones, CIDRs, SSH/RDP sources",
  storage: "per-region KMS key, data and access-log buckets, API Gateway log group, hardened bucket, cross-region replication",
  identity: "flow-log, API Gateway and support roles, password policy, API Gateway account setting; the one service-trust builder",
  audit: "the multi-region trail, its bucket and key, CloudWatch Logs delivery, CIS 4.1-4.15 filters and alarms, alarm topic",
  guardrails: "account S3 public access block, AWS Config's service-linked role, the security contact; per region EBS default encryption, Access Analyzer, GuardDuty, Security Hub, Config, the default VPC's default group emptied, public sharing blocked (EBS snapshots, AMIs, SSM documents), SSM Automation logging to CloudWatch",
  organization: "the log archive, the organization's management (units, guardrail SCPs, organization trail) and its security services run by a delegated administrator",
};

function layout(): string {
  const root = projectRoot();
  const files = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith(".ts")).sort();
  const code = (names: string[]) => (names.length > 0 ? names.map((n) => `\`${n}\``).join(", ") : "-");
  const rows = Object.entries(CONCERNS).map(([concern, what]) => {
    const sources = files(`src/${concern}`);
    const constructs = sources.filter((f) => /extends Construct\b/.test(readFileSync(join(root, "src", concern, f), "utf8")));
    const rules = sources.filter((f) => f.endsWith("-rules.ts"));
    const settings = sources.filter((f) => f.endsWith("-settings.ts"));
    const plain = sources.filter((f) => !constructs.includes(f) && !rules.includes(f) && !settings.includes(f));
    return `| \`src/${concern}/\` | ${cell(what)} | ${code(constructs)} | ${code(settings)} | ${code(plain)} | ${code(rules)} | ${code(files(`__tests__/${concern}`))} |`;
  });
  return ["| Folder | Controls | Constructs | Settings (no cdktf) | Names, limits, facts (no cdktf) | Rules | Tests (`__tests__/<concern>/`) |", "| --- | --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}

function acceptedFindings(): string {
  const rows = readAcceptances().map((entry) => `| ${entry.check} | \`${cell(entry.resources)}\` | ${cell(entry.reason)} |`);
  return ["| Check | Resources (address pattern) | Why it is accepted |", "| --- | --- | --- |", ...rows].join("\n");
}

function emulatorAllowances(): string {
  const rows = [
    ...Object.entries(EMULATOR_UNSUPPORTED).map(([type, reason]) => `| \`${type}\` | planned, not applied | ${cell(reason)} |`),
    ...Object.entries(EMULATOR_UNDELETABLE).map(([type, reason]) => `| \`${type}\` | applied; removed from state before destroy | ${cell(reason)} |`),
    ...Object.entries(EMULATOR_DEVIATIONS).map(([type, { reason }]) => `| \`${type}\` | applied; this re-plan difference tolerated | ${cell(reason)} |`),
    ...Object.entries(EMULATOR_EXTENSIONS).map(([patch, what]) => `| (extension \`${patch}\`) | moto extended by tap's test tooling | ${cell(what)} |`),
  ];
  return ["| Resource type | In the apply tier | Why |", "| --- | --- | --- |", ...rows].join("\n");
}

const BENCH_RESULTS = join(ROOT, "bench", "results");

/** The latest `npm run bench` results (bench/results/results.md), images linked from the page. */
function benchmarkResults(page: string): string {
  const images = posix.join(relative(dirname(join(ROOT, page)), BENCH_RESULTS).split("\\").join("/"));
  return readFileSync(join(BENCH_RESULTS, "results.md"), "utf8")
    .replace(/^# .*\n+/, "")
    .replace(/\]\(([^)/]+\.svg)\)/g, `](${images}/$1)`)
    .trim();
}

/** The last side-by-side comparison with an earlier revision (bench/results/compare.md, from `npm run bench -- --compare <rev>`). */
function compareResults(): string {
  return readFileSync(join(BENCH_RESULTS, "compare.md"), "utf8").replace(/^# (.*)\n+/, "Compared: $1.\n\n").trim();
}

/** One row's value from a table of bench/results/results.md, found by the start of its first cell. */
function benchRow(label: string): string {
  const row = readFileSync(join(BENCH_RESULTS, "results.md"), "utf8")
    .split("\n")
    .find((line) => line.startsWith(`| ${label}`));
  if (!row) throw new Error(`bench/results/results.md has no row starting "${label}"`);
  const cells = row.split("|").map((c) => c.trim());
  return cells[cells.length - 2];
}

/** The date and machine of the last full bench. */
function benchProvenance(): string {
  const text = readFileSync(join(BENCH_RESULTS, "results.md"), "utf8");
  const machine = /^Machine: ([^.]*)\./m.exec(text)?.[1];
  const date = /on (\d{4}-\d{2}-\d{2})/.exec(text)?.[1];
  if (!machine || !date) throw new Error("bench/results/results.md names no machine or date");
  return `the last \`npm run bench\` (${date}; ${machine})`;
}

/** How long the test tiers take, from the last full bench (never typed by hand). */
function testDurations(): string {
  return [
    `Median wall times from ${benchProvenance()}:`,
    "",
    "| Run | Median wall |",
    "| --- | --- |",
    `| \`npm test\` (type check, unit, integration and Terraform tiers) | ${benchRow("`npm test`")} |`,
    `| Jest unit tier | ${benchRow("Jest unit tier")} |`,
    `| Jest Terraform tier | ${benchRow("Jest Terraform tier")} |`,
    `| Apply tier (\`npm run test:apply\`; the bench ran it with two configurations at a time) | ${benchRow("Apply tier (`npm run test:apply`")} |`,
  ].join("\n");
}

/** The latest layout measurement (bench/results/layouts.md, from \`npm run bench\` or \`npm run bench -- --layouts\`). */
function layoutResults(): string {
  return readFileSync(join(projectRoot(), "bench", "results", "layouts.md"), "utf8").replace(/^# .*\n+/, "").trim();
}

function organizationResults(): string {
  return readFileSync(join(projectRoot(), "bench", "results", "organization.md"), "utf8").replace(/^# .*\n+/, "").trim();
}

/** The organization's guardrail SCPs and AWS's limits on them (src/organization/organization-facts.ts). */
function guardrailPolicies(): string {
  const example = {
    project: "tap",
    allowedRegions: ["eu-west-1", "eu-central-1"],
    deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy"],
    logArchive: { accountId: "333333333333", buckets: ["tap-org-cloudtrail-333333333333", "tap-org-access-logs-333333333333"] },
  };
  const rows = GUARDRAIL_POLICIES.map((policy) => {
    const size = policy.statements(example).reduce((sum, statement) => sum + JSON.stringify(statement).length, 0);
    return `| \`${policy.id}\` | ${policy.type === "SERVICE_CONTROL_POLICY" ? "SCP" : "RCP"} | ${cell(policy.denies)} | ${cell(policy.except)} | ${size} |`;
  });
  const documents = guardrailDocuments(example);
  const rcps = guardrailDocuments(example, new Set(), "RESOURCE_CONTROL_POLICY");
  return [
    "| Guardrail | Kind | Denies | Except | Characters (two Regions) |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `AWS allows an SCP ${SCP_LIMITS.maxCharacters} characters and a root, OU or account ${SCP_LIMITS.maxPoliciesPerTarget} SCPs, ${SCP_LIMITS.attachedByAws.join(", ")} among them; the same for RCPs, ${RCP_LIMITS.attachedByAws.join(", ")} among them. With every guardrail on, tap writes ${documents.length} SCP${documents.length === 1 ? "" : "s"} (${documents.map((document) => `${scpSize(document)} characters`).join(", ")}) and ${rcps.length} RCP${rcps.length === 1 ? "" : "s"} (${rcps.map((document) => `${scpSize(document)} characters`).join(", ")}).`,
  ].join("\n");
}

/**
 * The attack paths around the guardrails that the policy proofs show denied
 * (__tests__/organization/attack-paths.ts, evaluated by guardrail-policies.test.ts): the page
 * claims exactly the requests the proofs make.
 */
function attackPaths(): string {
  const rows = ATTACK_PATHS.map((attack) => {
    const who = attack.account === LOG_ARCHIVE ? "the log-archive account's" : "a member account's";
    const requests = [...new Set(attack.steps.map((step) => `\`${step.action}\``))].join(", ");
    return `| ${cell(attack.path)} | ${who} | ${requests} | \`${attack.closedBy}\` (${attack.deniedBy}) |`;
  });
  return ["| Attack path | By the administrator of | Requests denied | Closed by |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/**
 * The per-region rules of the pack, judged region by region on the default deployment's stacks
 * (the account stack and the split layout's region stacks): which stack guards each region, and
 * each rule's outcome there.
 */
function regionCoverage(): string {
  const rules = TAP_RULE_PACK.filter((rule) => rule.appliesTo.includes("provider.aws"));
  const { stacks, regionStacks } = buildApp(loadConfig({}, { file: null }));
  const byRegion = new Map<string, { stack: string; outcomes: Map<string, string> }>();
  for (const stack of [...stacks, ...regionStacks]) {
    for (const summary of auditStack(stack, rules).rules) {
      for (const finding of summary.findings) {
        const region = String(finding.element.body.region);
        const entry = byRegion.get(region) ?? { stack: stack.node.id, outcomes: new Map<string, string>() };
        entry.outcomes.set(summary.rule.id, finding.status);
        byRegion.set(region, entry);
      }
    }
  }
  const header = `| Region | Stack | ${rules.map((rule) => `\`${rule.id}\`${rule.cis ? ` (CIS ${rule.cis})` : ""}`).join(" | ")} |`;
  const rows = SUPPORTED_REGION_NAMES.map((region) => {
    const entry = byRegion.get(region);
    return `| ${region} | ${entry ? `\`${entry.stack}\`` : "-"} | ${rules.map((rule) => entry?.outcomes.get(rule.id) ?? "not guarded").join(" | ")} |`;
  });
  return [header, `| --- | --- | ${rules.map(() => "---").join(" | ")} |`, ...rows].join("\n");
}

/** The deployment a configuration makes, built once per configuration (no file read, nothing written). */
const deployments = new Map<string, Deployment>();

interface Deployment {
  readonly config: TapConfig;
  /** Managed resources per stack name, in the order `npm run deploy` runs them. */
  readonly resources: ReadonlyMap<string, number>;
}

function deployment(env: NodeJS.ProcessEnv = {}): Deployment {
  const key = JSON.stringify(env);
  const cached = deployments.get(key);
  if (cached) return cached;
  const config = loadConfig(env, { file: null });
  const { stacks, regionStacks, bootstrap } = buildApp(config);
  const resources = new Map<string, number>();
  for (const stack of [...stacks, ...regionStacks, ...(bootstrap ? [bootstrap] : [])]) {
    const json = stack.toTerraform() as { resource?: Record<string, Record<string, unknown>> };
    resources.set(stack.node.id, Object.values(json.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0));
  }
  const result = { config, resources };
  deployments.set(key, result);
  return result;
}

/** The default deployment's account stack (its workload regions and everything account-wide). */
function accountStack(env: NodeJS.ProcessEnv = {}) {
  const { config, resources } = deployment(env);
  const stack = config.stacks[0];
  return { stack, resources: resources.get(stack.stackName) ?? 0, regions: stack.regions.map((r) => r.region) };
}

/** Resources per workload region and once per account, from the default stack with one region fewer. */
function perRegion(env: NodeJS.ProcessEnv = {}): { region: number; account: number; total: number } {
  const all = accountStack(env);
  const fewer = accountStack({ ...env, TAP_REGIONS: all.regions.slice(0, -1).join(",") });
  const region = all.resources - fewer.resources;
  return { region, account: all.resources - region * all.regions.length, total: all.resources };
}

/** A deployment that shares its account with the owner of the account's settings. */
const SKIP = { TAP_ACCOUNT_SETTINGS: "skip" };
function skipEnv(): NodeJS.ProcessEnv {
  return { ...SKIP, TAP_OWNER_REGIONS: accountStack().regions.join(",") };
}

/** The default deployment's region stacks (the split layout's guarded regions without workload). */
function regionStackFacts() {
  const { config, resources } = deployment();
  const regionStacks = config.stacks[0].regionStacks;
  const sizes = [...new Set(regionStacks.map((r) => resources.get(r.stackName) ?? 0))].sort((a, b) => a - b);
  const regions = regionStacks.flatMap((r) => r.regions);
  const total = regionStacks.reduce((sum, r) => sum + (resources.get(r.stackName) ?? 0), 0);
  return { count: regionStacks.length, sizes, regions: regions.length, total, perRegion: regions.length > 0 ? total / regions.length : 0, perStack: Math.max(...regionStacks.map((r) => r.regions.length)) };
}

/** What `npm run synth` writes with no configuration: one directory per stack, in deploy order. */
function defaultStacks(): string {
  const { config, resources } = deployment();
  const rows = config.stacks.flatMap((stack) => [
    `| \`cdktf.out/stacks/${stack.stackName}/cdk.tf.json\` | the account stack: ${stack.regions.map((r) => r.region).join(", ")} and everything account-wide | ${resources.get(stack.stackName)} |`,
    ...stack.regionStacks.map((r) => `| \`cdktf.out/stacks/${r.stackName}/cdk.tf.json\` | the guardrails of ${r.regions.join(", ")} (after \`${stack.stackName}\`) | ${resources.get(r.stackName)} |`),
  ]);
  return ["| Written | What it holds | Resources |", "| --- | --- | --- |", ...rows].join("\n");
}

/** What synth prints for the default deployment with an account id set (the summary an operator reads before a deploy). */
function synthSummary(): string {
  const env = { TAP_ACCOUNT_ID: "111122223333" };
  const { config, resources } = deployment(env);
  return ["```", ...describeStacks(config, resources), "```"].join("\n");
}

/** Test files per Jest project, matched as the Jest configuration matches them. */
function testFiles(): { tier: string; where: string; files: number }[] {
  const jestConfig = require(join(ROOT, "jest.config.js")) as { projects: { displayName: string; testMatch: string[]; testPathIgnorePatterns?: string[] }[] };
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else all.push(path.split("\\").join("/"));
    }
  };
  walk(join(ROOT, "__tests__"));
  const root = ROOT.split("\\").join("/");
  const glob = (pattern: string) =>
    new RegExp(
      "^" +
        pattern
          .replace("<rootDir>", root)
          .split(/(\*\*\/|\*)/)
          .map((part) => (part === "**/" ? "(?:.*/)?" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
          .join("") +
        "$",
    );
  return jestConfig.projects.map((project) => {
    const ignore = (project.testPathIgnorePatterns ?? []).map((p) => new RegExp(p.replace("<rootDir>", root)));
    const files = all.filter((file) => project.testMatch.some((m) => glob(m).test(file)) && !ignore.some((i) => i.test(file)));
    const where = [...new Set(project.testMatch.map((m) => m.replace("<rootDir>/", "").replace(/\*\*\/\*\.test\.ts$/, "")))].map((w) => `\`${w}\``).join(", ");
    return { tier: project.displayName, where, files: files.length };
  });
}

function testFileTable(): string {
  const rows = testFiles().map((t) => `| ${t.tier} | ${t.where}${t.tier === "unit" ? " (except the other tiers' folders)" : ""} | ${t.files} |`);
  return ["| Tier (Jest project) | Where | Test files |", "| --- | --- | --- |", ...rows].join("\n");
}

/** What a mistyped region and a short retention print: the configuration error, as synth prints it. */
function configErrorExample(): string {
  const env = { TAP_REGIONS: "us-east-1,eu-wset-1", TAP_LOG_RETENTION_DAYS: "30" };
  try {
    loadConfig(env, { file: null });
  } catch (error) {
    if (error instanceof ConfigError) {
      const command = `$ ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")} npm run synth`;
      return ["```", command, error.describe(), "```"].join("\n");
    }
    throw error;
  }
  throw new Error("the configuration error example loaded without an error");
}

/** The state backend of the default deployment's account stack with an HCP Terraform organization set. */
function hcpWorkspace(): string {
  const backend = deployment({ TAP_BACKEND: "hcp", TAP_HCP_ORGANIZATION: "acme" }).config.stacks[0].backend as { workspace?: string };
  if (!backend.workspace) throw new Error("the HCP Terraform backend has no workspace");
  return `\`${backend.workspace}\``;
}

/** The memory budget of one Terraform run, as the layout measurement judges it. */
function layoutBudget(): string {
  const budget = /Within ([\d.]+ GB)/.exec(readFileSync(join(BENCH_RESULTS, "layouts.md"), "utf8"))?.[1];
  if (!budget) throw new Error("bench/results/layouts.md states no budget");
  return budget;
}

/** The defaults of the settings whose description does not give them, from the default deployment. */
function settingsDefaults(): string {
  const { stack } = accountStack();
  const onOff = (on: boolean) => (on ? "on" : "off");
  const guardrails = Object.entries({ replication: stack.replication, GuardDuty: stack.guardrails.guardDuty, "Security Hub": stack.guardrails.securityHub, "AWS Config": stack.guardrails.awsConfig })
    .map(([name, on]) => `${name} ${onOff(on)}`)
    .join(", ");
  return [
    `Defaults: environment \`${stack.environment}\`; regions \`${stack.regions.map((r) => r.region).join(",")}\`; VPC CIDRs a fixed`,
    `\`10.<n>.0.0/16\` per region (never overlapping, never renumbered); ${stack.availabilityZoneCount} zones; SSH and HTTPS from`,
    `the region's VPC CIDR; retention ${stack.logRetentionDays} days; reuse prevention ${stack.passwordReusePrevention}; private DNS ${onOff(stack.endpointPrivateDns)}; account`,
    `settings \`${stack.manageAccountSettings ? "manage" : "skip"}\`; ${guardrails}.`,
  ].join("\n");
}

export const GENERATED_SECTIONS: Readonly<Record<string, (page: string) => string>> = {
  "settings-defaults": settingsDefaults,
  "config-error-example": configErrorExample,
  controls,
  "fsbp-coverage": fsbpTable,
  settings,
  "organization-settings": organizationSettings,
  "backend-variables": backendVariables,
  outputs,
  singletons,
  access,
  layout,
  "accepted-findings": acceptedFindings,
  "emulator-allowances": emulatorAllowances,
  "guardrail-policies": guardrailPolicies,
  "attack-paths": attackPaths,
  "region-coverage": regionCoverage,
  performance: benchmarkResults,
  "compare-results": compareResults,
  "layout-results": layoutResults,
  "organization-results": organizationResults,
  "default-stacks": defaultStacks,
  "synth-summary": synthSummary,
  "test-files": testFileTable,
  "test-durations": testDurations,
};

/** The example organization (examples/organization.tap.config.json). */
function exampleOrganization() {
  const config = loadConfig({}, { file: join(ROOT, "examples", "organization.tap.config.json") });
  if (!config.organization) throw new Error("examples/organization.tap.config.json has no organization");
  return { units: config.organization.units.length, members: config.stacks.length };
}

/** Numbers in prose, each written between `<!-- value:<name> -->` and `<!-- /value -->`. */
export const GENERATED_VALUES: Readonly<Record<string, () => string | number>> = {
  "node-version": () => {
    const engine = /^>=\s*(\d+)$/.exec(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines?.node ?? "")?.[1];
    if (!engine) throw new Error("package.json engines.node is not of the form >=N");
    return `${engine}+`;
  },
  "terraform-version": () => {
    const version = /^>= (\d+\.\d+)\.0$/.exec(REQUIRED_TERRAFORM_VERSION)?.[1];
    if (!version) throw new Error(`REQUIRED_TERRAFORM_VERSION ${REQUIRED_TERRAFORM_VERSION} is not of the form >= X.Y.0`);
    return `${version}+`;
  },
  "supported-regions": () => SUPPORTED_REGION_NAMES.length,
  "default-state-region": () => {
    const backend = deployment({ TAP_ACCOUNT_ID: "111122223333" }).config.stacks[0].backend as { region?: string };
    return backend.region ?? "";
  },
  "default-hcp-workspace": hcpWorkspace,
  "log-retention-minimum": () => BASELINE.logRetentionDays,
  "cis-reuse-prevention": () => PASSWORD_POLICY.cisReusePrevention,
  "default-reuse-prevention": () => PASSWORD_POLICY.defaultReusePrevention,
  "layout-budget": layoutBudget,
  "aws-provider-version": () => {
    const version = /provider "registry\.terraform\.io\/hashicorp\/aws" \{\s*version\s*=\s*"([^"]+)"/.exec(readFileSync(join(ROOT, ".terraform.lock.hcl"), "utf8"))?.[1];
    if (!version) throw new Error(".terraform.lock.hcl pins no hashicorp/aws");
    return version;
  },
  "checkov-version": () => CHECKOV_VERSION,
  "pipeline-terraform-version": () => PIPELINE_TERRAFORM_VERSION,
  "pipeline-retention-days": () => PLAN_RETENTION_DAYS,
  "moto-version": () => EMULATOR_VERSION,
  "moto-range": () => `${EMULATOR_SUPPORTED.from} up to, not including, ${EMULATOR_SUPPORTED.below}`,
  "archive-transitions": () => ARCHIVE_TRANSITIONS.map((t) => `to ${t.storageClass} at ${t.days} days`).join(" and "),
  "archive-object-lock": () => `${ARCHIVE_OBJECT_LOCK.mode}, ${ARCHIVE_OBJECT_LOCK.days} days`,
  "accepted-findings": () => readAcceptances().length,
  "max-tags-per-resource": () => TAG_LIMITS.maxTagsPerResource,
  "max-user-tags": () => TAG_LIMITS.maxTagsPerResource - RESERVED_TAG_KEYS.length,
  "state-version-days": () => STATE_NONCURRENT_VERSION_EXPIRATION_DAYS,
  "kms-deletion-window": () => BASELINE.kmsDeletionWindowDays,
  "default-regions": () => accountStack().regions.length,
  "default-zones": () => accountStack().stack.availabilityZoneCount,
  "default-region-list": () => accountStack().regions.join(", "),
  "resources-per-region": () => perRegion().region,
  "resources-per-account": () => perRegion().account,
  "resources-default": () => perRegion().total,
  "skip-resources-per-region": () => perRegion(skipEnv()).region,
  "skip-resources-per-account": () => perRegion(skipEnv()).account,
  "skip-resources-total": () => perRegion(skipEnv()).total,
  "guarded-only-regions": () => regionStackFacts().regions,
  "guarded-only-resources-per-region": () => regionStackFacts().perRegion,
  "guarded-only-resources": () => regionStackFacts().total,
  "region-stacks": () => regionStackFacts().count,
  "region-stack-sizes": () => regionStackFacts().sizes.join(" or "),
  "regions-per-stack": () => regionStackFacts().perStack,
  "default-stacks": () => regionStackFacts().count + 1,
  "cis-alarms": () => CIS_ALARMS.length,
  "scps-per-target": () => SCP_LIMITS.maxPoliciesPerTarget,
  "example-units": () => exampleOrganization().units,
  "example-members": () => exampleOrganization().members,
  "unit-test-files": () => testFiles().find((t) => t.tier === "unit")?.files ?? 0,
  "bench-npm-test": () => benchRow("`npm test`"),
  "bench-apply-tier": () => benchRow("Apply tier (`npm run test:apply`"),
  "bench-unit-tier": () => benchRow("Jest unit tier"),
};

const VALUE = /<!-- value:([\w-]+) -->(.*?)<!-- \/value -->/g;
const SECTION_START = /<!-- generated:([\w-]+) \(npm run docs\) -->/g;

/** A page with every generated section and value rewritten; throws when a section of the page is missing or one of another page is present. */
export function renderPage(page: string, text: string): string {
  const sections = PAGES[page];
  if (!sections) throw new Error(`${page} is not a documentation page (PAGES in scripts/docs.ts)`);
  for (const [, name] of text.matchAll(SECTION_START)) {
    if (!sections.includes(name)) throw new Error(`${page} holds the generated section ${name}, which PAGES does not give it`);
  }
  let result = text;
  for (const name of sections) {
    const render = GENERATED_SECTIONS[name];
    if (!render) throw new Error(`no generated section ${name}`);
    const start = `<!-- generated:${name} (npm run docs) -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${page} has no ${start} ... ${end} section`);
    result = `${result.slice(0, from + start.length)}\n${render(page)}\n${result.slice(to)}`;
  }
  return result.replace(VALUE, (_, name: string) => {
    const value = GENERATED_VALUES[name];
    if (!value) throw new Error(`${page}: no generated value ${name}`);
    return `<!-- value:${name} -->${value()}<!-- /value -->`;
  });
}

/** The README with its generated sections rewritten (kept for callers of the single-page version). */
export function renderReadme(text: string): string {
  return renderPage("README.md", text);
}

/** Every page's current text, by path from the repository root. */
export function readPages(): Record<string, string> {
  return Object.fromEntries(Object.keys(PAGES).map((page) => [page, readFileSync(join(ROOT, page), "utf8")]));
}

/** The pages under docs/ on disk, so a page left out of PAGES is noticed. */
export function docsOnDisk(): string[] {
  const dir = join(ROOT, "docs");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`).sort() : [];
}

/** Lines outside fenced code blocks, with inline code removed (links and headings are read from them). */
function proseLines(text: string, { keepCode }: { keepCode: boolean }): string[] {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : keepCode ? line : line.replace(/`[^`]*`/g, "");
  });
}

/** The anchors GitHub gives a page's headings: lowercased, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of proseLines(text, { keepCode: true })) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const plain = heading[1].replace(/<!--.*?-->/g, "").replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1");
    const slug = plain.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Relative links of a page: `[text](target)` outside code, not to another site. */
export function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const line of proseLines(text, { keepCode: false })) {
    for (const [, target] of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (!/^[a-z][a-z+.-]*:/i.test(target)) links.push(target);
    }
  }
  return links;
}

/** Every relative link of `pages` that names no file, or a heading its page does not have. */
export function brokenLinks(pages: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [page, text] of Object.entries(pages)) {
    for (const link of relativeLinks(text)) {
      const [path, anchor] = link.split("#", 2);
      const target = path === "" ? page : posix.normalize(posix.join(posix.dirname(page), path));
      const targetText = pages[target] ?? (existsSync(join(ROOT, target)) && statSync(join(ROOT, target)).isFile() && target.endsWith(".md") ? readFileSync(join(ROOT, target), "utf8") : undefined);
      if (targetText === undefined && !existsSync(join(ROOT, target))) problems.push(`${page}: ${link}: no file ${target}`);
      else if (anchor !== undefined && (targetText === undefined || !anchors(targetText).has(anchor))) problems.push(`${page}: ${link}: ${target} has no heading #${anchor}`);
    }
  }
  return problems;
}

/** The pages no chain of links from the README reaches. */
export function unreachablePages(pages: Readonly<Record<string, string>>): string[] {
  const reached = new Set<string>(["README.md"]);
  const queue = ["README.md"];
  while (queue.length > 0) {
    const page = queue.shift() as string;
    for (const link of relativeLinks(pages[page] ?? "")) {
      const path = link.split("#")[0];
      if (path === "") continue;
      const target = posix.normalize(posix.join(posix.dirname(page), path));
      if (target in pages && !reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  return Object.keys(pages).filter((page) => !reached.has(page));
}

if (require.main === module) {
  for (const [page, text] of Object.entries(readPages())) writeFileSync(join(ROOT, page), renderPage(page, text));
  console.log(`docs: the generated sections and values of ${Object.keys(PAGES).length} pages are current`);
}
