/**
 * npm run docs: the README's generated sections, written from what they describe (the rule pack,
 * the settings, the accepted checkov findings, the emulator allowances, the latest benchmark
 * results) so the README cannot drift from them. A unit test fails when the README is not current.
 */
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { BACKEND_ENV, STACK_ENV, STACK_FIELDS, TOOL_VARIABLES } from "../src/config/settings";
import { readAcceptances } from "./scan";
import { EMULATOR_DEVIATIONS, EMULATOR_UNDELETABLE, EMULATOR_UNSUPPORTED, projectRoot } from "./terraform/emulator";

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

function backendVariables(): string {
  const rows = Object.entries(BACKEND_ENV).map(([variable, { field, appliesTo }]) => `| \`${variable}\` | \`backend.${field}\` | ${appliesTo ?? "both (s3 or hcp)"} |`);
  return ["| Variable | File key | Backend |", "| --- | --- | --- |", ...rows, "", `Tool variables (read by the tests, scan and bench, ignored by the app): ${TOOL_VARIABLES.map((v) => `\`${v}\``).join(", ")}.`].join("\n");
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

export const GENERATED_SECTIONS: Readonly<Record<string, () => string>> = {
  controls,
  settings,
  "backend-variables": backendVariables,
  "accepted-findings": acceptedFindings,
  "emulator-allowances": emulatorAllowances,
  performance: benchmarkResults,
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
