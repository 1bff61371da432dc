import { fail, PASS, Rule } from "../compliance/rule";

export const BACKEND_RULES: readonly Rule[] = [
  {
    id: "Backend.Encryption",
    appliesTo: ["backend.s3"],
    info: "The S3 state backend does not encrypt state.",
    explanation: "Terraform state holds every resource attribute, secrets included.",
    fix: "Set encrypt = true on the S3 backend (and SSE-KMS on the state bucket).",
    fsbp: [],
    check: (backend) => (backend.body.encrypt === true ? PASS : fail("encrypt is not true")),
  },
  {
    id: "Backend.Locking",
    appliesTo: ["backend.s3"],
    info: "The S3 state backend does not lock state.",
    explanation: "Two concurrent applies against unlocked state corrupt it.",
    fix: "Set use_lockfile = true (Terraform >= 1.11) or a dynamodb_table on the S3 backend.",
    fsbp: [],
    check: (backend) => (backend.body.use_lockfile === true || backend.body.dynamodb_table ? PASS : fail("neither use_lockfile nor dynamodb_table is set")),
  },
];
