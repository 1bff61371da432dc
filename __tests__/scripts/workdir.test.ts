import { regionOfAddress } from "../../scripts/terraform/workdir";

describe("regionOfAddress", () => {
  test("regional constructs carry their region in the address; account-wide ones belong to the home region", () => {
    expect(regionOfAddress("aws_vpc.network-eu-west-1_vpc_0A1B2C3D", "us-east-1")).toBe("eu-west-1");
    expect(regionOfAddress("data.aws_iam_policy_document.storage-ap-northeast-1_key-policy_0A1B2C3D", "us-east-1")).toBe("ap-northeast-1");
    expect(regionOfAddress("aws_api_gateway_account.identity_api-gateway-account-us-west-2_55B71751", "us-east-1")).toBe("us-west-2");
    expect(regionOfAddress("aws_s3_bucket_replication_configuration.replication_from-eu-central-1_0A1B2C3D", "us-east-1")).toBe("eu-central-1");
    expect(regionOfAddress("aws_iam_role.replication_role-eu-west-1_0A1B2C3D", "us-east-1")).toBe("eu-west-1");
    expect(regionOfAddress("aws_iam_role.identity_flow-logs-role_0A1B2C3D", "us-east-1")).toBe("us-east-1");
    expect(regionOfAddress("aws_cloudtrail.audit-trail_trail_0A1B2C3D", "eu-west-1")).toBe("eu-west-1");
  });
});
