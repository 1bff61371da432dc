import { IConstruct, IValidation } from "constructs";
import { Annotations, TerraformResource, TerraformStack } from "cdktf";
import { Rule, StackElement } from "./rule";
import { SynthesizedStack, SynthesizedStackView } from "./stack-view";
import { collectSuppressions, Suppression } from "./suppressions";

/** One rule applied to one element. */
export interface Finding {
  readonly rule: Rule;
  readonly element: StackElement;
  readonly status: "pass" | "fail" | "unknown" | "suppressed";
  readonly detail?: string;
  /** The suppression that silenced a failure or an unknown. */
  readonly suppression?: Suppression;
}

export interface RuleSummary {
  readonly rule: Rule;
  /** `fail` if any element fails; `suppressed` if failures exist and all are suppressed. */
  readonly status: "pass" | "fail" | "suppressed" | "not-applicable";
  readonly findings: readonly Finding[];
}

export interface ComplianceReport {
  readonly rules: readonly RuleSummary[];
  readonly failures: readonly Finding[];
  /** Values known only at apply time: reported, never counted as a silent pass. */
  readonly warnings: readonly Finding[];
  readonly suppressed: readonly Finding[];
  /** Suppressions naming a rule the pack does not have (likely a typo). */
  readonly unknownSuppressions: readonly Suppression[];
  /** Suppressions of a known rule that silenced nothing: the accepted risk no longer exists. */
  readonly unusedSuppressions: readonly Suppression[];
}

/** Runs `rules` over the synthesized form of `stack`, honouring the suppressions declared in it. */
export function auditStack(stack: TerraformStack, rules: readonly Rule[]): ComplianceReport {
  const json = stack.toTerraform() as SynthesizedStack;
  const view = new SynthesizedStackView(json, taggableTypes(stack), stack.node.path);
  return evaluate(view, rules, collectSuppressions(stack));
}

export function evaluate(view: SynthesizedStackView, rules: readonly Rule[], suppressions: readonly Suppression[]): ComplianceReport {
  const summaries = rules.map((rule): RuleSummary => {
    const targets = rule.appliesTo.includes("*")
      ? view.elements.filter((e) => e.kind === "resource")
      : rule.appliesTo.flatMap((type) => view.ofType(type));
    const findings = targets.map((element): Finding => {
      const outcome = rule.check(element, view);
      if (outcome.status === "pass") return { rule, element, status: "pass" };
      const suppression = suppressions.find((s) => s.ruleId === rule.id && (element.path === s.path || element.path.startsWith(`${s.path}/`)));
      if (suppression) return { rule, element, status: "suppressed", detail: outcome.detail, suppression };
      return { rule, element, status: outcome.status, detail: outcome.detail };
    });
    const status =
      findings.length === 0
        ? "not-applicable"
        : findings.some((f) => f.status === "fail")
          ? "fail"
          : findings.some((f) => f.status === "suppressed")
            ? "suppressed"
            : "pass";
    return { rule, status, findings };
  });
  const all = summaries.flatMap((s) => s.findings);
  const ids = new Set(rules.map((r) => r.id));
  const suppressed = all.filter((f) => f.status === "suppressed");
  return {
    rules: summaries,
    failures: all.filter((f) => f.status === "fail"),
    warnings: all.filter((f) => f.status === "unknown"),
    suppressed,
    unknownSuppressions: suppressions.filter((s) => !ids.has(s.ruleId)),
    unusedSuppressions: suppressions.filter((s) => ids.has(s.ruleId) && !suppressed.some((f) => f.suppression === s)),
  };
}

/** True when nothing fails: no unsuppressed failure and no suppression naming an unknown rule. */
export function isCompliant(report: ComplianceReport): boolean {
  return report.failures.length === 0 && report.unknownSuppressions.length === 0;
}

export function describeUnknownSuppression(suppression: Suppression): string {
  return `${suppression.path}: suppression names unknown rule "${suppression.ruleId}"`;
}

export function describeUnusedSuppression(suppression: Suppression): string {
  return `${suppression.path}: ${suppression.ruleId} is accepted but nothing fails it; remove the acceptance (${suppression.reason})`;
}

/** `[S3.Versioning] tap/storage-us-east-1/bucket: versioning status is Suspended. Fix: ... (CIS 2.1.4; checkov CKV_AWS_21)` */
export function describeFinding(finding: Finding): string {
  const { rule } = finding;
  const refs = [rule.cis && `CIS ${rule.cis}`, rule.checkov && `checkov ${rule.checkov}`].filter(Boolean).join("; ");
  return `[${rule.id}] ${finding.element.path}: ${finding.detail}. ${rule.info} Fix: ${rule.fix}${refs ? ` (${refs})` : ""}`;
}

/**
 * Fails synth when the stack breaks a rule; warnings and suppressions become annotations,
 * which `cdktf synth` prints, so nothing is silenced out of sight.
 */
export class ComplianceValidation implements IValidation {
  constructor(
    private readonly stack: TerraformStack,
    private readonly rules: readonly Rule[],
  ) {}

  validate(): string[] {
    const report = auditStack(this.stack, this.rules);
    const annotations = Annotations.of(this.stack);
    for (const finding of report.warnings) annotations.addWarning(`compliance: ${describeFinding(finding)}`);
    for (const suppression of report.unusedSuppressions) annotations.addWarning(`compliance: ${describeUnusedSuppression(suppression)}`);
    // One line per rule and reason, naming every element it holds for (a region's providers, the data buckets, ...).
    const folded = new Map<string, { rule: string; reason: string; paths: string[] }>();
    for (const finding of report.suppressed) {
      const key = `${finding.rule.id}\n${finding.suppression!.reason}`;
      const entry = folded.get(key) ?? { rule: finding.rule.id, reason: finding.suppression!.reason, paths: [] };
      entry.paths.push(finding.element.path);
      folded.set(key, entry);
    }
    for (const { rule, reason, paths } of folded.values()) {
      const where = paths.length === 1 ? paths[0] : `${paths.length} elements (${paths.join(", ")})`;
      annotations.addInfo(`compliance: ${rule} suppressed on ${where}: ${reason}`);
    }
    return [
      ...report.failures.map(describeFinding),
      ...report.unknownSuppressions.map((s) => `[compliance] ${describeUnknownSuppression(s)}`),
    ];
  }
}

/** Resource types whose provider binding has a `tags` argument. */
function taggableTypes(root: IConstruct): Set<string> {
  const types = new Set<string>();
  for (const node of root.node.findAll()) {
    if (node instanceof TerraformResource && "tagsInput" in node) types.add(node.terraformResourceType);
  }
  return types;
}
