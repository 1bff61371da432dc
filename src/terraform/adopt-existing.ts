import { TerraformResource, TerraformStack } from "cdktf";
import { addressOf, addTopLevelBlock } from "./top-level-blocks";

/**
 * Adopts something the account already has: a Terraform `import` block brings it into state at
 * `resource`'s address on the next plan, so the apply updates it instead of creating a second
 * one (which AWS refuses for a singleton). Once in state the block changes nothing.
 *
 * `id` is the identifier the provider imports by, and may reference data sources: Terraform
 * resolves import ids at plan time. The block names the resource's provider, so an aliased
 * (regional) provider imports in its own region (Terraform refuses a block whose provider is not
 * its resource's).
 */
export function adoptExisting(resource: TerraformResource, id: string): void {
  addTopLevelBlock(TerraformStack.of(resource), "import", () => ({ to: addressOf(resource), id, provider: resource.provider?.fqn }));
}
