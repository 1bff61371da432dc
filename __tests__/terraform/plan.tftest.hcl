# Plans the synthesized stack with the real hashicorp/aws provider, offline.
#
# The harness (harness.ts) copies this file next to cdk.tf.json together with an override
# file that gives every aliased provider fake credentials and the provider's skip_* flags.
# Assertions on the plan live in the Jest tests, because the expected resources depend on
# the configuration under test; this file only supplies what would otherwise call AWS.

# aws_caller_identity calls STS; give it a fixed account instead.
override_data {
  target = data.aws_caller_identity.caller_identity
  values = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/tap-terraform-test"
    user_id    = "AIDATAPTERRAFORMTEST"
  }
}

run "plan" {
  command = plan
}
