import { fail, isReference, Outcome, PASS, Rule, StackElement, StackView, unknown } from "../compliance/rule";
import { SECURITY_HUB_FINDINGS_EVENT } from "./findings-facts";

/** Whether an EventBridge rule's pattern selects Security Hub's imported findings, CRITICAL ones among them. */
function selectsFindings(rule: StackElement): Outcome {
  const text = rule.body.event_pattern;
  if (text === undefined) return fail("no event_pattern");
  if (isReference(text)) return unknown(`${rule.path}: event_pattern is only known at apply time`);
  let pattern: any;
  try {
    pattern = JSON.parse(String(text));
  } catch {
    return fail(`${rule.path}: event_pattern is not JSON`);
  }
  const has = (value: unknown, wanted: string) => Array.isArray(value) && value.includes(wanted);
  if (!has(pattern?.source, SECURITY_HUB_FINDINGS_EVENT.source) || !has(pattern?.["detail-type"], SECURITY_HUB_FINDINGS_EVENT.detailType)) {
    return fail(`${rule.path} does not match source ${SECURITY_HUB_FINDINGS_EVENT.source} with detail-type "${SECURITY_HUB_FINDINGS_EVENT.detailType}"`);
  }
  const labels = pattern?.detail?.findings?.Severity?.Label;
  if (labels !== undefined && !has(labels, "CRITICAL")) return fail(`${rule.path} leaves out CRITICAL findings (Severity.Label ${JSON.stringify(labels)})`);
  return PASS;
}

/** The SNS topics a rule's targets publish to. */
function topicTargets(stack: StackView, rule: StackElement): StackElement[] {
  return stack
    .ofType("aws_cloudwatch_event_target")
    .filter((target) => stack.referencedElement(target.body.rule) === rule)
    .map((target) => stack.referencedElement(target.body.arn))
    .filter((element): element is StackElement => element?.type === "aws_sns_topic");
}

export const FINDINGS_RULES: readonly Rule[] = [
  {
    // Security Hub has no FSBP control for routing its own findings.
    id: "SecurityHub.FindingsNotified",
    appliesTo: ["stack"],
    info: "Security Hub is on, but no EventBridge rule sends its findings to an SNS topic in a region where it runs.",
    explanation: "Findings that nobody is told about wait in the console: a HIGH or CRITICAL finding (GuardDuty's among them) should reach the security team when it appears.",
    fix: `Add an aws_cloudwatch_event_rule matching source ${SECURITY_HUB_FINDINGS_EVENT.source}, detail-type "${SECURITY_HUB_FINDINGS_EVENT.detailType}" (CRITICAL among its Severity.Label values), with an aws_cloudwatch_event_target on an encrypted SNS topic whose topic and key policies let events.amazonaws.com publish for that rule (AuditTrail.notifyFindings does; TAP_FINDINGS_SEVERITY sets the threshold).`,
    fsbp: [],
    check(_stack, stack) {
      const hubs = stack.ofType("aws_securityhub_account");
      if (hubs.length === 0) return PASS;
      const hubRegions = new Set(hubs.map((hub) => stack.providerOf(hub)));
      const outcomes = stack
        .ofType("aws_cloudwatch_event_rule")
        .filter((rule) => hubRegions.has(stack.providerOf(rule)))
        .map((rule): Outcome => {
          const selects = selectsFindings(rule);
          if (selects.status !== "pass") return selects;
          return topicTargets(stack, rule).length > 0 ? PASS : fail(`${rule.path} has no target on an SNS topic of this stack`);
        });
      if (outcomes.length === 0) return fail("no aws_cloudwatch_event_rule in a region where Security Hub runs");
      return outcomes.find((outcome) => outcome.status === "pass") ?? outcomes.find((outcome) => outcome.status === "unknown") ?? outcomes[0];
    },
  },
];
