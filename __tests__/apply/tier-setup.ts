// The apply project's globalSetup (jest.config.js): see tierGlobalSetup.
import { APPLY_TIER, tierGlobalSetup } from "../tiers";

export default tierGlobalSetup([APPLY_TIER]);
