import { TAG_KEYS_CASE_INSENSITIVE } from "../aws/limits";
import { fail, PASS, Rule } from "../compliance/rule";

export const REQUIRED_TAGS = ["Environment", "Name"] as const;

export const TAGGING_RULES: readonly Rule[] = [
  {
    id: "Tags.Required",
    appliesTo: ["*"],
    info: `A taggable resource lacks one of the tags ${REQUIRED_TAGS.join(", ")}.`,
    explanation: "Cost reports, access policies and incident response find resources by these tags.",
    fix: "Set the common tags in the provider's default_tags and a Name tag on the resource (naming.ts nameTag).",
    fsbp: [],
    check(resource, stack) {
      if (!stack.isTaggable(resource.type)) return PASS;
      const tags = stack.effectiveTags(resource);
      const missing = REQUIRED_TAGS.filter((key) => !tags[key]);
      return missing.length === 0 ? PASS : fail(`missing ${missing.join(", ")}`);
    },
  },
  {
    id: "Tags.CaseUnique",
    appliesTo: ["*"],
    info: "A resource ends up with two tag keys that differ only by case (its own tags and the provider's default_tags together).",
    explanation: `${TAG_KEYS_CASE_INSENSITIVE}, so the apply fails; other services keep both and reports split.`,
    fix: "Use one spelling of each tag key in default_tags, the resource's tags and the configuration's tags.",
    fsbp: [],
    check(resource, stack) {
      if (!stack.isTaggable(resource.type)) return PASS;
      const seen = new Map<string, string>();
      for (const key of Object.keys(stack.effectiveTags(resource))) {
        const earlier = seen.get(key.toLowerCase());
        if (earlier !== undefined) return fail(`tag keys "${earlier}" and "${key}" differ only by case`);
        seen.set(key.toLowerCase(), key);
      }
      return PASS;
    },
  },
];
