// The Terraform project's globalSetup (jest.config.js): see tierGlobalSetup.
import { APPLY_TIER, TERRAFORM_TIER, tierGlobalSetup } from "../tiers";

export default tierGlobalSetup([TERRAFORM_TIER, APPLY_TIER]);
