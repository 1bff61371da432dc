import { Construct, Node } from "constructs";
import { copyFileSync } from "fs";
import { join } from "path";
import { Manifest, TerraformResource, TerraformStack } from "cdktf";
import { addressOf, addTopLevelBlock } from "../terraform/top-level-blocks";

export interface SinglePassStackOptions {
  /**
   * A Terraform dependency lock file to place beside the synthesized stack, so every
   * `terraform init` of it verifies the provider's checksums.
   * @default - none; terraform init writes one on first use
   */
  readonly providerLockFile?: string;
}

/**
 * A TerraformStack with tap's synth adjustments, each in one place and each saying why. The
 * stack subclass only composes constructs.
 * - No cross-stack preparation pass: cdktf's prepareStack resolves the whole stack once only to
 *   discover tokens of other stacks (a third of a synth). No stack of this app uses another's
 *   tokens: a region stack reads the account stack's named output through its own
 *   `terraform_remote_state` (RegionStack), so prepare only makes sure a backend exists.
 * - One resolution per synth pass: nothing changes between the validations (after aspects) and
 *   the file write, so both use one `toTerraform()` instead of two (a quarter of a 17-region synth).
 * - The provider lock file beside the synthesized stack, so `terraform init` verifies the provider.
 * - Former addresses: a resource whose construct moved is given a `moved` block from the address
 *   it had, so existing state follows it instead of Terraform destroying and recreating it. The
 *   blocks are written directly (terraform/top-level-blocks.ts) rather than with cdktf's
 *   moveFromId, which makes every synth run `terraform version` (a third of a synth, and a failure
 *   where Terraform is not installed) to check for Terraform 1.5; the stack already requires 1.11
 *   (`required_version`), which Terraform itself enforces.
 */
export abstract class SinglePassStack extends TerraformStack {
  /** Set only while cdktf synthesizes this stack; holds the one resolution that pass needs. */
  private synthPass?: { json?: { [key: string]: any } };

  constructor(scope: Construct, id: string, options: SinglePassStackOptions = {}) {
    super(scope, id);
    const synthesizer = this.synthesizer;
    this.synthesizer = {
      synthesize: (session) => {
        this.synthPass = {};
        try {
          synthesizer.synthesize(session);
        } finally {
          this.synthPass = undefined;
        }
        if (options.providerLockFile) copyFileSync(options.providerLockFile, join(session.outdir, Manifest.stacksFolder, this.node.id, ".terraform.lock.hcl"));
      },
    };
  }

  public prepareStack(): void {
    this.ensureBackendExists();
  }

  public toTerraform(): { [key: string]: any } {
    if (!this.synthPass) return super.toTerraform();
    return (this.synthPass.json ??= super.toTerraform());
  }

  /**
   * Declares that `resource` lived at `formerPath` (construct ids below the stack) in an earlier
   * version of the app: Terraform moves its state instead of replacing it.
   */
  protected movedFrom(resource: TerraformResource, formerPath: readonly string[]): void {
    const from = `${resource.terraformResourceType}.${this.formerLogicalId(formerPath)}`;
    addTopLevelBlock(this, "moved", () => ({ from, to: addressOf(resource) }));
  }

  /**
   * The logical id cdktf gave a resource at `formerPath`: the stack's own allocation, asked for
   * a node with that path (it reads only the scopes' ids), so it follows any override.
   */
  protected formerLogicalId(formerPath: readonly string[]): string {
    const scopes = [this, ...formerPath.map((id) => ({ node: { id } }))];
    return this.allocateLogicalId({ scopes } as unknown as Node);
  }
}
