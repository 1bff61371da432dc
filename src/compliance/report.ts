import { TerraformStack } from "cdktf";
import { Rule } from "./rule";
import { auditStack, ComplianceReport, describeFinding, describeUnknownSuppression, describeUnusedSuppression, isCompliant } from "./audit";

/**
 * The compliance report as text: one row per rule (result, elements covered, CIS item,
 * checkov id), then suppressions, warnings and failures, ending with `N passed, M failed`.
 */
export function formatReport(report: ComplianceReport, options: { verbose?: boolean } = {}): string {
  const rows = report.rules.map((summary) => [
    summary.rule.id,
    summary.status,
    String(summary.findings.length),
    summary.rule.cis ?? "-",
    summary.rule.checkov ?? "-",
  ]);
  const header = ["RULE", "RESULT", "COVERED", "CIS", "CHECKOV"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  const out = [line(header)];
  for (const [i, summary] of report.rules.entries()) {
    out.push(line(rows[i]));
    if (options.verbose) for (const finding of summary.findings) out.push(`    ${finding.status.padEnd(10)} ${finding.element.path}`);
  }
  const section = (title: string, lines: string[]) => {
    if (lines.length > 0) out.push("", `${title} (${lines.length}):`, ...lines.map((l) => `  ${l}`));
  };
  section(
    "Suppressed",
    report.suppressed.map((f) => `[${f.rule.id}] ${f.element.path}: ${f.suppression!.reason}`),
  );
  section("Warnings (known only at apply time)", report.warnings.map(describeFinding));
  section("Accepted but not needed", report.unusedSuppressions.map(describeUnusedSuppression));
  section("Failures", [
    ...report.failures.map(describeFinding),
    ...report.unknownSuppressions.map(describeUnknownSuppression),
  ]);
  const count = (status: string) => report.rules.filter((r) => r.status === status).length;
  const others = [
    count("suppressed") && `${count("suppressed")} suppressed`,
    count("not-applicable") && `${count("not-applicable")} not applicable`,
  ].filter(Boolean);
  out.push("");
  if (others.length > 0) out.push(`Rules ${others.join(", ")}; see above.`);
  out.push(`${count("pass")} passed, ${count("fail") + (report.unknownSuppressions.length > 0 ? 1 : 0)} failed`);
  return out.join("\n");
}

/** The report of every stack, headed by its name when there are several; compliant only if all are. */
export function auditStacks(stacks: readonly TerraformStack[], rules: readonly Rule[], options: { verbose?: boolean } = {}): { text: string; compliant: boolean } {
  const reports = stacks.map((stack) => ({ name: stack.node.id, report: auditStack(stack, rules) }));
  const text = reports
    .map(({ name, report }) => `${reports.length > 1 ? `Stack ${name}\n\n` : ""}${formatReport(report, options)}`)
    .join("\n\n");
  return { text, compliant: reports.every(({ report }) => isCompliant(report)) };
}
