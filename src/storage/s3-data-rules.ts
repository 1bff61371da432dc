import { fail, firstBlock, PASS, Rule } from "../compliance/rule";
import { companion, isOutcome, isDataBucket } from "./s3-bucket-view";

/** What keeps a bucket's data: versioning, a lifecycle that cleans up, a copy in another region. */
export const S3_DATA_RULES: readonly Rule[] = [
  {
    id: "S3.Versioning",
    appliesTo: ["aws_s3_bucket"],
    info: "Versioning is not enabled on the bucket.",
    explanation: "Without versions, an overwrite or delete loses data for good.",
    fix: "Add an aws_s3_bucket_versioning with versioning_configuration status Enabled.",
    checkov: "CKV_AWS_21",
    fsbp: [],
    check(bucket, stack) {
      const versioning = companion(stack, "aws_s3_bucket_versioning", bucket);
      if (isOutcome(versioning)) return versioning;
      const status = firstBlock(versioning.body.versioning_configuration)?.status;
      return status === "Enabled" ? PASS : fail(`versioning status is ${status ?? "unset"}`);
    },
  },
  {
    id: "S3.AbortIncompleteUploads",
    appliesTo: ["aws_s3_bucket"],
    info: "No lifecycle rule aborts incomplete multipart uploads.",
    explanation: "Parts of abandoned uploads are stored, and billed, until someone deletes them.",
    fix: "Add an aws_s3_bucket_lifecycle_configuration rule with abort_incomplete_multipart_upload.",
    checkov: "CKV_AWS_300",
    fsbp: ["S3.10", "S3.13"],
    check(bucket, stack) {
      const lifecycle = companion(stack, "aws_s3_bucket_lifecycle_configuration", bucket);
      if (isOutcome(lifecycle)) return lifecycle;
      const rules: any[] = [lifecycle.body.rule ?? []].flat();
      return rules.some((r) => r.status === "Enabled" && firstBlock(r.abort_incomplete_multipart_upload)?.days_after_initiation > 0)
        ? PASS
        : fail("no enabled rule with abort_incomplete_multipart_upload");
    },
  },
  {
    id: "S3.CrossRegionReplication",
    appliesTo: ["aws_s3_bucket"],
    info: "The data bucket does not replicate to another region with KMS-encrypted replicas, keeping deletes in their region.",
    explanation: "A second region keeps the data when a region, a key or a bucket is lost; replicating delete markers would carry a mistaken delete to the copy.",
    fix: "Add an aws_s3_bucket_replication_configuration to a bucket in another region: sse_kms_encrypted_objects enabled, replica_kms_key_id set, delete_marker_replication Disabled.",
    checkov: "CKV_AWS_144",
    fsbp: [],
    check(bucket, stack) {
      if (!isDataBucket(stack, bucket)) return PASS;
      const replication = companion(stack, "aws_s3_bucket_replication_configuration", bucket);
      if (isOutcome(replication)) return replication;
      const rules: any[] = [replication.body.rule ?? []].flat();
      const enabled = rules.filter((rule) => rule.status === "Enabled");
      if (enabled.length === 0) return fail("no enabled replication rule");
      for (const rule of enabled) {
        const destination = stack.referencedElement(firstBlock(rule.destination)?.bucket);
        if (destination && stack.providerOf(destination) === stack.providerOf(bucket)) return fail(`rule ${rule.id} replicates within the same region`);
        if (firstBlock(rule.delete_marker_replication)?.status !== "Disabled") return fail(`rule ${rule.id} replicates delete markers`);
        if (!firstBlock(firstBlock(rule.destination)?.encryption_configuration)?.replica_kms_key_id) return fail(`rule ${rule.id} sets no replica_kms_key_id`);
        if (firstBlock(firstBlock(rule.source_selection_criteria)?.sse_kms_encrypted_objects)?.status !== "Enabled") return fail(`rule ${rule.id} skips SSE-KMS objects`);
      }
      return PASS;
    },
  },
];
