import { fail, PASS, Rule } from "../compliance/rule";
import { companion, isOutcome, isAccessLogTarget } from "./s3-bucket-view";

/** What a bucket reports: server access logs and EventBridge notifications. */
export const S3_LOGGING_RULES: readonly Rule[] = [
  {
    id: "S3.AccessLogging",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket has no server access logging (a bucket that is itself an access-log target excepted).",
    explanation: "Server access logs record every request to the bucket, including those CloudTrail data events do not cover (anonymous and failed requests).",
    fix: "Add an aws_s3_bucket_logging that delivers to the region's access-log bucket.",
    cis: "3.4 (the CloudTrail bucket)",
    checkov: "CKV_AWS_18",
    fsbp: ["S3.9"],
    check(bucket, stack) {
      if (isAccessLogTarget(stack, bucket)) return PASS;
      const logging = companion(stack, "aws_s3_bucket_logging", bucket);
      if (isOutcome(logging)) return logging;
      const target = stack.referencedElement(logging.body.target_bucket);
      if (target === bucket) return fail("the bucket logs to itself, so every delivery is logged again");
      return PASS;
    },
  },
  {
    id: "S3.EventNotifications",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket sends no event notifications to EventBridge.",
    explanation: "With EventBridge on, every object event can drive detection and automation without changing the bucket again.",
    fix: "Add an aws_s3_bucket_notification with eventbridge = true.",
    checkov: "CKV2_AWS_62",
    fsbp: [],
    check(bucket, stack) {
      const notification = companion(stack, "aws_s3_bucket_notification", bucket);
      if (isOutcome(notification)) return notification;
      return notification.body.eventbridge === true ? PASS : fail("eventbridge is not true");
    },
  },
];
