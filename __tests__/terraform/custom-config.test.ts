import { CUSTOM_SETTINGS } from "../custom-settings";
import { describePlannedStack } from "./planned-stack";

// Every configuration path at once (CUSTOM_SETTINGS), in production, with its own state bucket.
describePlannedStack("two regions, production, custom settings", {
  ...CUSTOM_SETTINGS,
  ENVIRONMENT_SUFFIX: "prod",
  TERRAFORM_STATE_BUCKET: "acme-terraform-state",
  TERRAFORM_STATE_BUCKET_REGION: "eu-west-1",
});
