import type { StackConfig, TapConfig } from "../config/model";

/**
 * One line per stack saying what synth just wrote and the decisions a reviewer should see
 * before a deploy: where it goes, its home region and why, who owns the account's settings (which paid guardrails
 * are on, which singletons it adopts or leaves to others), whether data is replicated, and whether data survives a
 * destroy (and why).
 */
export function describeStacks(config: TapConfig): string[] {
  return config.stacks.map(describeStack);
}

function describeStack(stack: StackConfig): string {
  const target = stack.account ? `account ${stack.account.id} via ${stack.account.roleArn}` : "ambient credentials";
  const regions = stack.regions.map((r) => r.region).join(", ");
  const retiring = stack.retiringRegions.length > 0 ? `; retiring: ${stack.retiringRegions.join(", ")} (providers only)` : "";
  const protection = `${stack.protectData.enabled ? "on" : "off"} (${stack.protectData.reason})`;
  const { guardDuty, securityHub, awsConfig } = stack.guardrails;
  const paid = [guardDuty && "GuardDuty", securityHub && "Security Hub", awsConfig && "AWS Config"].filter(Boolean).join(", ") || "no paid guardrails";
  // Singletons not created here, by mode: what the plan imports and what it leaves to others.
  const byMode = (mode: string) => Object.entries(stack.singletons).filter(([, m]) => m === mode).map(([key]) => key);
  const notCreated = [
    byMode("adopt").length > 0 && `adopting ${byMode("adopt").join(", ")}`,
    byMode("external").length > 0 && `external: ${byMode("external").join(", ")}`,
  ].filter(Boolean);
  const settings = stack.manageAccountSettings
    ? `managed here (trail, alarms, guardrails; ${paid}${notCreated.length > 0 ? `; ${notCreated.join("; ")}` : ""})`
    : `skipped (the owner deployment covers ${stack.ownerRegions?.join(", ") ?? "?"})`;
  const home = `home region: ${stack.homeRegion.region} (${stack.homeRegion.reason})`;
  const replication = stack.replication
    ? `${[...stack.regions, stack.regions[0]].map((r) => r.region).join(" -> ")}`
    : stack.regions.length === 1
      ? "none (single region)"
      : "off (accepted risk)";
  return `tap: stack ${stack.stackName} (${stack.environment}, ${target}): ${regions}${retiring}; ${home}; account settings: ${settings}; replication: ${replication}; data protection: ${protection}`;
}
