/**
 * Findings to people: which Security Hub findings page the security topic, the EventBridge
 * pattern that selects them, and the rule's name and ARN (plain module, no cdktf), shared by
 * the constructs, the settings and the rule pack.
 */
import { NameScope, resourceName } from "../aws/naming";

/** Security Hub's severity labels (ASFF `Severity.Label`), highest first. */
export const SEVERITY_LABELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"] as const;
export type SeverityLabel = (typeof SEVERITY_LABELS)[number];

/** The lowest severity notified by default: HIGH and CRITICAL findings page, the rest wait in Security Hub. */
export const DEFAULT_FINDINGS_SEVERITY: SeverityLabel = "HIGH";

/** The event Security Hub sends to EventBridge for each new or updated finding (GuardDuty's among them). */
export const SECURITY_HUB_FINDINGS_EVENT = { source: "aws.securityhub", detailType: "Security Hub Findings - Imported" } as const;

/** The labels notified for a threshold: it and every label above it. */
export function severitiesAtOrAbove(threshold: SeverityLabel): SeverityLabel[] {
  return SEVERITY_LABELS.slice(0, SEVERITY_LABELS.indexOf(threshold) + 1);
}

/**
 * The EventBridge pattern for Security Hub's imported findings of these labels that are still
 * active and not yet handled (workflow NEW): a finding resolved, suppressed or archived does not page.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-all-findings.html
 */
export function findingsEventPattern(labels: readonly SeverityLabel[]) {
  return {
    source: [SECURITY_HUB_FINDINGS_EVENT.source],
    "detail-type": [SECURITY_HUB_FINDINGS_EVENT.detailType],
    detail: { findings: { Severity: { Label: [...labels] }, Workflow: { Status: ["NEW"] }, RecordState: ["ACTIVE"] } },
  };
}

/** The findings rule's name: one per account (its home region), on the default event bus. */
export function findingsRuleName(naming: Omit<NameScope, "region">): string {
  return resourceName({ project: naming.project, environment: naming.environment }, "security-findings");
}

/** The rule's ARN from its name, known at plan time so the topic's and key's policies can be read before apply. */
export function findingsRuleArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:events:${region}:${accountId}:rule/${name}`;
}
