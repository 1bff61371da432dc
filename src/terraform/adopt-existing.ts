import { Lazy, TerraformResource, TerraformStack } from "cdktf";

interface Adoption {
  readonly resource: TerraformResource;
  readonly id: string;
}

/** Each stack's adoptions; the stack's `import` override reads the list when it synthesizes. */
const adoptionsByStack = new WeakMap<TerraformStack, Adoption[]>();

/**
 * Adopts something the account already has: a Terraform `import` block brings it into state at
 * `resource`'s address on the next plan, so the apply updates it instead of creating a second
 * one (which AWS refuses for a singleton). Once in state the block changes nothing.
 *
 * `id` is the identifier the provider imports by, and may reference data sources: Terraform
 * resolves import ids at plan time. The block names the resource's provider, so an aliased
 * (regional) provider imports in its own region.
 *
 * Written as an override rather than with cdktf's `importFrom`, which runs `terraform version`
 * on every synth to check for Terraform 1.5 (the stack requires 1.11, which Terraform enforces).
 */
export function adoptExisting(resource: TerraformResource, id: string): void {
  const stack = TerraformStack.of(resource);
  let adoptions = adoptionsByStack.get(stack);
  if (!adoptions) {
    const list: Adoption[] = (adoptions = []);
    adoptionsByStack.set(stack, list);
    stack.addOverride(
      "import",
      Lazy.anyValue({
        produce: () =>
          list.map(({ resource: adopted, id: importId }) => ({
            to: `${adopted.terraformResourceType}.${adopted.friendlyUniqueId}`,
            id: importId,
            provider: adopted.provider?.fqn,
          })),
      }),
    );
  }
  adoptions.push({ resource, id });
}
