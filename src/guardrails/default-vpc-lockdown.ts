import { Construct } from "constructs";
import { TerraformIterator } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsVpcs } from "@cdktf/provider-aws/lib/data-aws-vpcs";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { nameTag, NameScope } from "../aws/naming";
import { DEFAULT_VPC_FILTER } from "./guardrail-facts";

export interface DefaultVpcLockdownProps {
  /** Provider of the region. */
  readonly provider: AwsProvider;
  /** Project, environment and region for the Name tag. */
  readonly naming: NameScope & { readonly region: string };
}

/**
 * Empties the default security group of the region's default VPC (FSBP EC2.2, CIS v3.0.0 5.4):
 * AWS creates it allowing all traffic among its members and all egress, and an instance launched
 * without a group lands in it. The default VPC is found with a data source, so a region without
 * one (deleted, or an account created without) gets nothing: `aws_default_vpc` would create one.
 * Its network ACL, subnets and routes stay as they are: workloads may run there.
 *
 * A VPC tap creates is not a default VPC (AWS marks only the one it made, or one made with
 * CreateDefaultVpc), so this never touches the default group RegionalNetwork manages.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2
 */
export class DefaultVpcLockdown extends Construct {
  constructor(scope: Construct, id: string, props: DefaultVpcLockdownProps) {
    super(scope, id);
    const defaultVpcs = new DataAwsVpcs(this, "default-vpcs", { provider: props.provider, filter: [{ name: DEFAULT_VPC_FILTER.name, values: [...DEFAULT_VPC_FILTER.values] }] });
    // One per id the lookup returns: none or one (AWS allows one default VPC per region).
    const each = TerraformIterator.fromList(defaultVpcs.ids);
    new DefaultSecurityGroup(this, "default-security-group", {
      provider: props.provider,
      forEach: each,
      vpcId: each.value,
      // Empty lists, not omitted ones: the provider then revokes every rule the group has.
      ingress: [],
      egress: [],
      tags: nameTag(props.naming, "default-vpc-default-sg"),
    });
  }
}
