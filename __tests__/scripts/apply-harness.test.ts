import { failedAddresses } from "../apply/deployment";

/** The apply tier's recovery from the emulator's duplicates reads the failed resources from Terraform's error. */
describe("the apply tier's harness", () => {
  test("names each address Terraform's apply errors point at, and nothing from its progress lines", () => {
    const message = [
      "aws_vpc_security_group_ingress_rule.network-eu-west-1_endpoint-https-from-vpc_122A399F: Creating...",
      "Error: creating VPC Security Group Rule",
      "",
      "  with aws_vpc_security_group_ingress_rule.network-eu-west-1_endpoint-https-from-vpc_122A399F,",
      "  on cdk.tf.json line 4809, in resource.aws_vpc_security_group_ingress_rule.network-eu-west-1_endpoint-https-from-vpc_122A399F:",
      "Error: creating EC2 Network ACL Entry",
      "  with aws_network_acl_rule.network-us-east-1_ssh_1A2B3C4D,",
    ].join("\n");
    expect(failedAddresses(message)).toEqual(["aws_vpc_security_group_ingress_rule.network-eu-west-1_endpoint-https-from-vpc_122A399F", "aws_network_acl_rule.network-us-east-1_ssh_1A2B3C4D"]);
    expect(failedAddresses("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.")).toEqual([]);
  });
});
