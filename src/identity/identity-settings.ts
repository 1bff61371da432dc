/**
 * Identity's settings: the IAM password policy's reuse prevention, and the tags every resource
 * (every role among them) carries, which IAM compares without regard to case.
 */
import { tagKeyProblem, tagValueProblem, TAG_KEYS_CASE_INSENSITIVE, TAG_LIMITS } from "../aws/limits";
import { RESERVED_TAG_KEYS } from "../aws/naming";
import { PASSWORD_POLICY, PASSWORD_REUSE_PREVENTION } from "./identity-facts";
import { Problems, RiskyValue, Setting } from "../settings/problems";
import { IntegerSchema, RecordSchema, StringSchema } from "../settings/schema";

export const IDENTITY_DEFAULTS = { passwordReusePrevention: PASSWORD_POLICY.defaultReusePrevention } as const;

/** Tap's own tags plus Name: user tags may fill the rest of AWS's 50 per resource. */
export const MAX_USER_TAGS = TAG_LIMITS.maxTagsPerResource - RESERVED_TAG_KEYS.length;

/** The product's own acceptance of its default reuse prevention (the spec asks for 5). */
export const DEFAULT_REUSE_ACCEPTANCE =
  `reuse prevention ${PASSWORD_POLICY.defaultReusePrevention} is the product default (TAP_PASSWORD_REUSE_PREVENTION unset); CIS 1.9 recommends ${PASSWORD_POLICY.cisReusePrevention}`;

/** Why `key` may not be a user tag: it is one of tap's own, in this case or another. */
function reservedTagKeyProblem(key: string): string | undefined {
  const reserved = RESERVED_TAG_KEYS.find((own) => own.toLowerCase() === key.toLowerCase());
  if (reserved === undefined) return undefined;
  const uses = `use keys other than ${RESERVED_TAG_KEYS.join(", ")}`;
  return reserved === key ? `is set by tap itself; ${uses}` : `is tap's own "${reserved}" in other case: ${TAG_KEYS_CASE_INSENSITIVE}; ${uses}`;
}

export const IDENTITY_FIELDS = {
  passwordReusePrevention: new IntegerSchema({
    description: "Previous passwords IAM users may not reuse. Below 24 (CIS 1.9) needs an accepted risk for IAM.PasswordReusePrevention, except the product default of 5.",
    min: PASSWORD_REUSE_PREVENTION.min,
    max: PASSWORD_REUSE_PREVENTION.max,
  }),
  tags: new RecordSchema(new StringSchema({ description: "Tag value.", check: (value) => tagValueProblem(value) }), {
    description: `Extra tags on every resource; the keys ${RESERVED_TAG_KEYS.join(", ")} are tap's own. At most ${MAX_USER_TAGS}, so no resource passes AWS's ${TAG_LIMITS.maxTagsPerResource}.`,
    keyCheck: (key) => reservedTagKeyProblem(key) ?? tagKeyProblem(key),
    maxEntries: MAX_USER_TAGS,
    caseInsensitiveKeys: TAG_KEYS_CASE_INSENSITIVE,
    textFormat: "json",
    example: '{"CostCenter":"1234"}',
  }),
} as const;

export const IDENTITY_VARIABLES: Readonly<Record<keyof typeof IDENTITY_FIELDS, string>> = {
  passwordReusePrevention: "TAP_PASSWORD_REUSE_PREVENTION",
  tags: "TAP_TAGS",
};

export const IDENTITY_RISKY_VALUES: readonly RiskyValue[] = [
  {
    setting: "passwordReusePrevention",
    ruleId: "IAM.PasswordReusePrevention",
    risky: (count: number) => count < PASSWORD_POLICY.cisReusePrevention,
    why: () => `is below the ${PASSWORD_POLICY.cisReusePrevention} that CIS 1.9 (rule IAM.PasswordReusePrevention) requires`,
  },
];

/**
 * Tags merge by key from layer to layer (file, variables, a fleet account), so `Team` in one
 * and `team` in another would both reach every role, which IAM refuses. Within one layer the
 * schema already refuses it.
 */
export function checkTagKeyCase(tags: Setting | undefined, problems: Problems): void {
  if (!tags) return;
  const seen = new Map<string, string>();
  for (const key of Object.keys(tags.value as object)) {
    const earlier = seen.get(key.toLowerCase());
    seen.set(key.toLowerCase(), key);
    const origins = tags.entryOrigins ?? {};
    if (earlier === undefined || origins[earlier] === origins[key]) continue;
    problems.error(`${origins[key] ?? tags.origin}: "${key}" and "${earlier}" (${origins[earlier]}) differ only by case: ${TAG_KEYS_CASE_INSENSITIVE}; use one spelling everywhere`);
  }
}
