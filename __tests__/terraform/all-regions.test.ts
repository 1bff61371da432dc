import { SUPPORTED_REGION_NAMES } from "../../src/network/regions";
import { describePlannedStack } from "./planned-stack";

// The largest deployment tap supports: every region, and the longest project and environment
// names configuration accepts (16 and 13 characters: the data bucket's name then has S3's 63).
// Every policy must still fit AWS's limits (the rule pack's size rules) and the real provider plan it,
// with the default VPC lockdown and the sharing blocks in every region.
describePlannedStack("all 17 regions with the longest names", {
  TAP_REGIONS: SUPPORTED_REGION_NAMES.join(","),
  TAP_PROJECT: "p".repeat(16),
  ENVIRONMENT_SUFFIX: "e".repeat(13),
  // The account's security contact at AWS's longest lengths (Account.1): the plan carries it as given.
  TAP_SECURITY_CONTACT: JSON.stringify({ name: "n".repeat(64), title: "t".repeat(50), email: `${"s".repeat(240)}@example.com`, phone: "+1 (206) 555-0100 123456" }),
});
