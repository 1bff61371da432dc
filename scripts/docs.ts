/**
 * npm run docs: the README's generated sections, written from what they describe (the rule pack,
 * the settings, the accepted checkov findings, the emulator allowances, the latest benchmark
 * results) so the README cannot drift from them. A unit test fails when the README is not current.
 */
import { readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { buildApp } from "../src/app/app";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { auditStack } from "../src/compliance/audit";
import { loadConfig } from "../src/app/load-config";
import { SUPPORTED_REGION_NAMES } from "../src/network/regions";
import { DOCUMENTED_REQUESTS, MANAGED_GRANTS } from "../src/app/service-access";
import { STACK_OUTPUTS } from "../src/app/stack-outputs";
import { SINGLETONS, SingletonFacts } from "../src/aws/singletons";
import { BACKEND_ENV, ORGANIZATION_SCHEMA, STACK_ENV, STACK_FIELDS, TOOL_VARIABLES } from "../src/config/settings";
import { readAcceptances } from "./scan";
import { EMULATOR_DEVIATIONS, EMULATOR_EXTENSIONS, EMULATOR_UNDELETABLE, EMULATOR_UNSUPPORTED, projectRoot } from "./terraform/emulator";
import { GUARDRAIL_POLICIES, guardrailDocuments, SCP_LIMITS, scpSize } from "../src/organization/organization-facts";

export const README = join(projectRoot(), "README.md");

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function controls(): string {
  const rows = TAP_RULE_PACK.map((rule) => `| \`${rule.id}\` | ${cell(rule.info)} | ${rule.appliesTo.map((t) => `\`${t}\``).join(", ")} | ${rule.cis ?? "-"} | ${cell(rule.checkov ?? "-")} |`);
  return ["| Rule | Fails when | Checks | CIS v3.0.0 | checkov |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
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
  guardrails: "account S3 public access block, AWS Config's service-linked role; per region EBS default encryption, Access Analyzer, GuardDuty, Security Hub, Config",
};

function layout(): string {
  const root = projectRoot();
  const files = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith(".ts")).sort();
  const code = (names: string[]) => (names.length > 0 ? names.map((n) => `\`${n}\``).join(", ") : "-");
  const rows = Object.entries(CONCERNS).map(([concern, what]) => {
    const sources = files(`src/${concern}`);
    const constructs = sources.filter((f) => /extends Construct\b/.test(readFileSync(join(root, "src", concern, f), "utf8")));
    const rules = sources.filter((f) => f.endsWith("-rules.ts"));
    const plain = sources.filter((f) => !constructs.includes(f) && !rules.includes(f));
    return `| \`src/${concern}/\` | ${cell(what)} | ${code(constructs)} | ${code(plain)} | ${code(rules)} | ${code(files(`__tests__/${concern}`))} |`;
  });
  return ["| Folder | Controls | Constructs | Names, limits, facts (no cdktf) | Rules | Tests (`__tests__/<concern>/`) |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
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

/** The latest `npm run bench` results (bench/results/results.md), headings one level down, images beside it. */
function benchmarkResults(): string {
  const results = readFileSync(join(projectRoot(), "bench", "results", "results.md"), "utf8");
  return results
    .replace(/^# .*\n+/, "")
    .replace(/^(#+) /gm, "#$1 ")
    .replace(/\]\(([^)/]+\.svg)\)/g, "](bench/results/$1)")
    .trim();
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
  const example = { project: "tap", allowedRegions: ["eu-west-1", "eu-central-1"], deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy"] };
  const rows = GUARDRAIL_POLICIES.map((policy) => {
    const size = policy.statements(example).reduce((sum, statement) => sum + JSON.stringify(statement).length, 0);
    return `| \`${policy.id}\` | ${cell(policy.denies)} | ${cell(policy.except)} | ${size} |`;
  });
  const documents = guardrailDocuments(example);
  return [
    "| Guardrail | Denies | Except | Characters (two Regions) |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    `AWS allows an SCP ${SCP_LIMITS.maxCharacters} characters and a root, OU or account ${SCP_LIMITS.maxPoliciesPerTarget} SCPs, ${SCP_LIMITS.attachedByAws.join(", ")} among them. With every guardrail on, tap writes ${documents.length} SCP${documents.length === 1 ? "" : "s"} (${documents.map((document) => `${scpSize(document)} characters`).join(", ")}).`,
  ].join("\n");
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

export const GENERATED_SECTIONS: Readonly<Record<string, () => string>> = {
  controls,
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
  "region-coverage": regionCoverage,
  performance: benchmarkResults,
  "layout-results": layoutResults,
  "organization-results": organizationResults,
};

/** The README with every generated section rewritten between its `<!-- generated:<name> -->` markers. */
export function renderReadme(text: string): string {
  let result = text;
  for (const [name, render] of Object.entries(GENERATED_SECTIONS)) {
    const start = `<!-- generated:${name} (npm run docs) -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} section`);
    result = `${result.slice(0, from + start.length)}\n${render()}\n${result.slice(to)}`;
  }
  return result;
}

if (require.main === module) {
  writeFileSync(README, renderReadme(readFileSync(README, "utf8")));
  console.log(`docs: ${Object.keys(GENERATED_SECTIONS).length} generated sections of README.md are current`);
}
