import { AUDIT_DRIFT_CONTROLS } from "../audit/audit-facts";
import type { DriftControl } from "../compliance/drift";
import { GUARDRAIL_DRIFT_CONTROLS } from "../guardrails/guardrail-facts";
import { IDENTITY_DRIFT_CONTROLS } from "../identity/identity-facts";
import { NETWORK_DRIFT_CONTROLS } from "../network/network-facts";
import { STORAGE_DRIFT_CONTROLS } from "../storage/storage-facts";

/**
 * Every attribute that carries a control, for `npm run drift`: each concern lists its own
 * beside its constructs; this only assembles them, like the rule pack. Tags of any resource
 * carry Tags.Required.
 */
export const TAP_DRIFT_CONTROLS: readonly DriftControl[] = [
  ...STORAGE_DRIFT_CONTROLS,
  ...NETWORK_DRIFT_CONTROLS,
  ...IDENTITY_DRIFT_CONTROLS,
  ...AUDIT_DRIFT_CONTROLS,
  ...GUARDRAIL_DRIFT_CONTROLS,
  { type: "*", attributes: ["tags", "tags_all"], rule: "Tags.Required" },
];
