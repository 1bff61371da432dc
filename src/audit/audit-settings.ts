/**
 * The audit trail's settings: the home region (where the trail, its bucket and the account-wide
 * resources live), how long log groups keep logs, and who is told when a CIS alarm fires.
 */
import { BASELINE } from "../aws/baseline";
import { LOG_RETENTION_DAYS_ALLOWED } from "../aws/limits";
import { SUPPORTED_REGION_NAMES } from "../network/regions";
import { Problems, RiskyValue, StackSettingsView } from "../settings/problems";
import { IntegerSchema, StringSchema } from "../settings/schema";
import { DEFAULT_FINDINGS_SEVERITY, SEVERITY_LABELS } from "./findings-facts";

export const AUDIT_DEFAULTS = { logRetentionDays: BASELINE.logRetentionDays, findingsSeverity: DEFAULT_FINDINGS_SEVERITY } as const;

export const AUDIT_FIELDS = {
  homeRegion: new StringSchema({
    description: "Region of the account-wide resources: the trail and its bucket, IAM on its provider, AWS Config's recording of global resources. One of regions. Default: the first of regions; set it so reordering regions never moves the trail (docs/configuration.md: Moving the home region).",
    enum: SUPPORTED_REGION_NAMES,
    refusal: "is not a supported region",
    expected: `one of ${SUPPORTED_REGION_NAMES.join(", ")}`,
  }),
  logRetentionDays: new IntegerSchema({
    description: "Retention of every log group in days (0 = never expire). Below 365 needs an accepted risk for Logs.Retention.",
    oneOf: LOG_RETENTION_DAYS_ALLOWED,
    refusal: "is not a retention CloudWatch Logs accepts",
  }),
  alarmEmail: new StringSchema({
    description: "E-mail address subscribed to the CIS alarm topic (the subscription must be confirmed from the mail).",
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    expected: "an e-mail address",
  }),
  findingsSeverity: new StringSchema({
    description: `Lowest Security Hub severity label whose new, active findings (GuardDuty's among them) EventBridge sends to the security topic: it and every label above it. One of ${SEVERITY_LABELS.join(", ")}. Default: ${DEFAULT_FINDINGS_SEVERITY} (HIGH and CRITICAL).`,
    enum: SEVERITY_LABELS,
    refusal: "is not a Security Hub severity label",
    expected: `one of ${SEVERITY_LABELS.join(", ")}`,
  }),
} as const;

export const AUDIT_VARIABLES: Readonly<Record<keyof typeof AUDIT_FIELDS, string>> = {
  homeRegion: "TAP_HOME_REGION",
  logRetentionDays: "TAP_LOG_RETENTION_DAYS",
  alarmEmail: "TAP_ALARM_EMAIL",
  findingsSeverity: "TAP_FINDINGS_SEVERITY",
};

export const AUDIT_RISKY_VALUES: readonly RiskyValue[] = [
  {
    setting: "logRetentionDays",
    ruleId: "Logs.Retention",
    risky: (days: number) => days !== 0 && days < BASELINE.logRetentionDays,
    why: () => `is below the ${BASELINE.logRetentionDays} days rule Logs.Retention requires (0 keeps logs forever)`,
  },
];

/**
 * The home region holds the trail and the account-wide resources. By default the first of
 * `regions`; once pinned, reordering `regions` never moves it.
 */
export function resolveHomeRegion(view: StackSettingsView, regions: readonly string[], problems: Problems): { region: string; reason: string } {
  const given = view.given<string>("homeRegion");
  if (!given) return { region: regions[0] ?? "", reason: "the first of regions; set homeRegion to keep it when regions are reordered" };
  if (!regions.includes(given.value)) {
    problems.error(
      `${given.origin}: "${given.value}" is not one of ${view.where("regions")} (${regions.join(", ")}): the home region holds the trail and the account-wide resources, so it must be deployed`,
    );
  }
  return { region: given.value, reason: `set by ${given.origin}` };
}
