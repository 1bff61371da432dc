import { S3Backend, TerraformStack } from "cdktf";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TAGGING_RULES } from "../../src/app/tagging-rules";
import { BACKEND_RULES } from "../../src/app/backend-rules";
import { BrokenExamples, describeBrokenExamples } from "../compliance/rule-harness";

const BROKEN: BrokenExamples = {
  "Tags.Required": [(s, p) => new Vpc(s, "untagged", { provider: p, cidrBlock: "10.0.0.0/16" }), "rules/untagged"],
  "Tags.CaseUnique": [(s, p) => new Vpc(s, "twice", { provider: p, cidrBlock: "10.0.0.0/16", tags: { Name: "v", environment: "dev" } }), "rules/twice"],
  "Backend.Encryption": [(s) => new S3Backend(s as TerraformStack, { bucket: "b", key: "k", region: "us-east-1", useLockfile: true } as any), "rules"],
  "Backend.Locking": [(s) => new S3Backend(s as TerraformStack, { bucket: "b", key: "k", region: "us-east-1", encrypt: true }), "rules"],
};

describe("app rules", () => {
  describeBrokenExamples([...TAGGING_RULES, ...BACKEND_RULES], BROKEN);
});
