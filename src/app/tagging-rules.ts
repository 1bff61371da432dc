import { fail, PASS, Rule } from "../compliance/rule";

export const REQUIRED_TAGS = ["Environment", "Name"] as const;

export const TAGGING_RULES: readonly Rule[] = [
  {
    id: "Tags.Required",
    appliesTo: ["*"],
    info: `A taggable resource lacks one of the tags ${REQUIRED_TAGS.join(", ")}.`,
    explanation: "Cost reports, access policies and incident response find resources by these tags.",
    fix: "Set the common tags in the provider's default_tags and a Name tag on the resource (naming.ts nameTag).",
    check(resource, stack) {
      if (!stack.isTaggable(resource.type)) return PASS;
      const tags = stack.effectiveTags(resource);
      const missing = REQUIRED_TAGS.filter((key) => !tags[key]);
      return missing.length === 0 ? PASS : fail(`missing ${missing.join(", ")}`);
    },
  },
];
