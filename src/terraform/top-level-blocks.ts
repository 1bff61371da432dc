import { Lazy, TerraformResource, TerraformStack } from "cdktf";

/** Each stack's top-level list blocks by kind; the stack's override reads the list when it synthesizes. */
const blocksByStack = new WeakMap<TerraformStack, Map<string, (() => Record<string, unknown>)[]>>();

/**
 * Adds a block to one of the stack's top-level lists (`moved`, `import`), which cdktf 0.21 writes
 * only through calls that run `terraform version` on every synth. The block is produced at synth,
 * so addresses follow any later logical-id override.
 */
export function addTopLevelBlock(stack: TerraformStack, kind: "moved" | "import", block: () => Record<string, unknown>): void {
  let kinds = blocksByStack.get(stack);
  if (!kinds) blocksByStack.set(stack, (kinds = new Map()));
  let blocks = kinds.get(kind);
  if (!blocks) {
    const list: (() => Record<string, unknown>)[] = (blocks = []);
    kinds.set(kind, list);
    stack.addOverride(kind, Lazy.anyValue({ produce: () => list.map((produce) => produce()) }));
  }
  blocks.push(block);
}

/** A resource's address in the synthesized configuration: `<type>.<logical id>`. */
export function addressOf(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}
