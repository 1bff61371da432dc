import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { homedir, tmpdir } from "os";
import { join } from "path";
import {
  AWS_PROVIDER_VERSION,
  cliConfig,
  findProviderSource,
  MIRROR_ENV,
  PLUGIN_CACHE_ENV,
  providerUnavailable,
  regionOfAddress,
  SKIP_ENV,
  terraformPlatform,
} from "../../scripts/terraform/workdir";

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

describe("where the Terraform tier gets hashicorp/aws (a mirror here; the registry through a plugin cache elsewhere)", () => {
  const root = mkdtempSync(join(tmpdir(), "tap-provider-source-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A folder laid out as a mirror (or a plugin cache) holding the provider for this platform. */
  function holdingProvider(name: string): string {
    const dir = join(root, name);
    const platform = join(dir, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION, terraformPlatform());
    mkdirSync(platform, { recursive: true });
    writeFileSync(join(platform, `terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x5`), "");
    return dir;
  }

  /** A PATH whose only terraform prints `output` and exits with `code`. */
  function fakeTerraform(name: string, code: number, output: string): string {
    const bin = join(root, name);
    mkdirSync(bin);
    writeFileSync(join(bin, "terraform"), `#!/bin/sh\necho '${output}'\nexit ${code}\n`, { mode: 0o755 });
    return bin;
  }

  test("a mirror first: the variable's, else the first candidate that holds the provider", () => {
    const mirror = holdingProvider("mirror");
    expect(findProviderSource({ [MIRROR_ENV]: mirror }, [])).toEqual({ kind: "mirror", path: mirror });
    expect(findProviderSource({}, [join(root, "nothing"), mirror])).toEqual({ kind: "mirror", path: mirror });
    expect(() => findProviderSource({ [MIRROR_ENV]: join(root, "nothing") }, [])).toThrow(`${MIRROR_ENV}="${join(root, "nothing")}" does not hold the AWS provider`);
  });

  test("without a mirror, the registry through the plugin cache: TF_PLUGIN_CACHE_DIR, else ~/.terraform.d/plugin-cache", () => {
    expect(findProviderSource({ [PLUGIN_CACHE_ENV]: "/var/cache/terraform" }, [])).toEqual({ kind: "registry", pluginCache: "/var/cache/terraform" });
    expect(findProviderSource({}, [])).toEqual({ kind: "registry", pluginCache: join(homedir(), ".terraform.d", "plugin-cache") });
    expect(cliConfig({ kind: "registry", pluginCache: "/var/cache/terraform" })).toBe('plugin_cache_dir = "/var/cache/terraform"\n');
    expect(cliConfig({ kind: "mirror", path: "/opt/mirror" })).toContain('filesystem_mirror {\n    path    = "/opt/mirror"');
  });

  test("a mirror, or a cache that already holds the provider, needs no download", () => {
    const failing = { PATH: fakeTerraform("never-called", 1, "Error: must not run") };
    expect(providerUnavailable({ kind: "mirror", path: holdingProvider("a-mirror") }, failing)).toBeUndefined();
    expect(providerUnavailable({ kind: "registry", pluginCache: holdingProvider("a-cache") }, failing)).toBeUndefined();
  });

  test("an empty cache is filled by one terraform init from the registry; when that fails, one message says what to set", () => {
    const cache = join(root, "empty-cache");
    expect(providerUnavailable({ kind: "registry", pluginCache: cache }, { PATH: fakeTerraform("online", 0, "Terraform has been successfully initialized!") })).toBeUndefined();
    const offline = fakeTerraform("offline", 1, "Error: Failed to query available provider packages");
    const message = providerUnavailable({ kind: "registry", pluginCache: cache }, { PATH: offline });
    expect(message).toBe(
      `hashicorp/aws ${AWS_PROVIDER_VERSION} is not available: there is no local mirror, and fetching it from the Terraform registry into the plugin cache ${cache} failed (Error: Failed to query available provider packages). ` +
        `Set ${MIRROR_ENV} to a mirror that holds registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION}/${terraformPlatform()}, fill ${cache} (${PLUGIN_CACHE_ENV}) on a machine with network, or set ${SKIP_ENV}=1 to skip the Terraform tier`,
    );
  });
});
