/** A fleet's accounts (src/organization/organization-settings.ts): one stack each, unique ids, names and VPC CIDRs. */
import { rmSync } from "fs";
import { join } from "path";
import { loadConfig } from "../../src/app/load-config";
import { folderWithConfig, problemsOf } from "../settings-fixtures";

describe("loadConfig: a fleet", () => {
  const fleetFile = (accounts: unknown[], extra: object = {}) => ({ project: "acme", regions: ["us-east-1", "eu-west-1"], ...extra, fleet: { accounts } });
  const account = (id: string, name: string, cidrBase: number, extra: object = {}) => ({
    id,
    name,
    environment: "prod",
    role: "TapDeploy",
    vpcCidrs: { "us-east-1": `10.${cidrBase}.0.0/16`, "eu-west-1": `10.${cidrBase + 1}.0.0/16` },
    ...extra,
  });
  const folders: string[] = [];
  const cwdWith = (content: unknown) => {
    const dir = folderWithConfig(content);
    folders.push(dir);
    return dir;
  };
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test("a fleet keeps every member's state in one bucket of its deployment account (accountId), which the bootstrap stack creates", () => {
    const cwd = cwdWith(fleetFile([account("111111111111", "prod-app", 100), account("222222222222", "dev-app", 102)], { accountId: "999988887777" }));
    const config = loadConfig({}, { cwd });
    expect(config.stacks.map((s) => [s.stackName, s.accountId, s.backend])).toEqual([
      ["prod-app", "111111111111", { type: "s3", bucket: "acme-tfstate-999988887777-us-east-1", key: "acme/prod-app/terraform.tfstate", region: "us-east-1" }],
      ["dev-app", "222222222222", { type: "s3", bucket: "acme-tfstate-999988887777-us-east-1", key: "acme/dev-app/terraform.tfstate", region: "us-east-1" }],
    ]);
    expect(config.bootstrap).toEqual({
      stackName: "bootstrap",
      project: "acme",
      accountId: "999988887777",
      bucket: "acme-tfstate-999988887777-us-east-1",
      accessLogBucket: "acme-tflogs-999988887777-us-east-1",
      region: "us-east-1",
      tags: {},
    });
  });

  test("an account named like the bootstrap stack is refused", () => {
    const cwd = cwdWith(fleetFile([account("111111111111", "bootstrap", 100)], { accountId: "999988887777" }));
    expect(problemsOf({}, { cwd })).toEqual([expect.stringMatching(/^fleet account name "bootstrap": is the state bucket's own stack \(npm run bootstrap\); choose another name$/)]);
  });

  test("each account becomes a stack with its own name, role, state key and settings over the shared ones", () => {
    const cwd = cwdWith(fleetFile([account("111111111111", "prod-app", 100, { tags: { Owner: "app" } }), account("222222222222", "dev-app", 102, { environment: "dev", regions: ["us-east-1"], vpcCidrs: { "us-east-1": "10.102.0.0/16" }, role: "arn:aws:iam::222222222222:role/Deploy" })], { tags: { CostCenter: "7" }, backend: { type: "s3", bucket: "acme-state", region: "eu-west-1" } }));
    const { stacks } = loadConfig({}, { cwd });
    expect(stacks.map((s) => [s.stackName, s.account, s.environment, s.regions.map((r) => r.region), s.tags, s.backend])).toEqual([
      ["prod-app", { id: "111111111111", name: "prod-app", roleArn: "arn:aws:iam::111111111111:role/TapDeploy" }, "prod", ["us-east-1", "eu-west-1"], { CostCenter: "7", Owner: "app" }, { type: "s3", bucket: "acme-state", key: "acme/prod-app/terraform.tfstate", region: "eu-west-1" }],
      ["dev-app", { id: "222222222222", name: "dev-app", roleArn: "arn:aws:iam::222222222222:role/Deploy" }, "dev", ["us-east-1"], { CostCenter: "7" }, { type: "s3", bucket: "acme-state", key: "acme/dev-app/terraform.tfstate", region: "eu-west-1" }],
    ]);
    expect(stacks[0].protectData.enabled).toBe(true);
    expect(stacks[1].replication).toBe(false);
  });

  test("account ids have 12 digits and appear once; names are unique; each role lives in its account", () => {
    const cwd = cwdWith(fleetFile([account("12345", "a", 100), account("111111111111", "b", 102), account("111111111111", "b", 104, { role: "arn:aws:iam::999999999999:role/X" })]));
    expect(problemsOf({}, { cwd })).toEqual([
      'tap.config.json $.fleet.accounts[0].id: "12345" is not allowed; expected a 12-digit AWS account id',
      'tap.config.json $.fleet.accounts[2].role: "arn:aws:iam::999999999999:role/X" is a role in account 999999999999, not 111111111111; expected a role in the account it reaches',
      'tap.config.json $.fleet.accounts[2].id: "111111111111" is already used by $.fleet.accounts[1]; each account appears once',
      'tap.config.json $.fleet.accounts[2].name: "b" is already used by $.fleet.accounts[1]; each account appears once',
    ]);
  });

  test("VPC CIDRs must not overlap anywhere in the fleet, default CIDRs included", () => {
    const cwd = cwdWith(fleetFile([account("111111111111", "a", 100), { id: "222222222222", name: "b", environment: "dev", role: "TapDeploy", vpcCidrs: { "us-east-1": "10.100.128.0/17" } }]));
    expect(problemsOf({}, { cwd })).toEqual([
      expect.stringMatching(/^tap.config.json \$\.fleet\.accounts\[1\]\.vpcCidrs: us-east-1 "10.100.128.0\/17" overlaps us-east-1 "10.100.0.0\/16" of account "a"; VPC CIDRs must not overlap across the fleet/),
    ]);
    const defaults = cwdWith(fleetFile([{ id: "111111111111", name: "a", environment: "dev", role: "R" }, { id: "222222222222", name: "b", environment: "dev", role: "R" }]));
    expect(problemsOf({}, { cwd: defaults })).toEqual([
      expect.stringMatching(/^tap.config.json \$\.fleet\.accounts\[1\]\.vpcCidrs: us-east-1 "10.10.0.0\/16" overlaps .* of account "a"; .* give each account its own vpcCidrs$/),
      expect.stringMatching(/^tap.config.json \$\.fleet\.accounts\[1\]\.vpcCidrs: eu-west-1 "10.21.0.0\/16" overlaps/),
    ]);
  });

  test("a required account setting that is missing is named", () => {
    const cwd = cwdWith(fleetFile([{ id: "111111111111", name: "a", role: "R" }]));
    expect(problemsOf({}, { cwd })).toEqual([expect.stringMatching(/^tap.config.json \$\.fleet\.accounts\[0\]\.environment: is required; expected lowercase letters/)]);
  });

  test("a fleet cannot share one state key, said once however many accounts it has", () => {
    const backend = { type: "s3", bucket: "acme-state", region: "us-east-1", key: "one.tfstate" };
    const cwd = cwdWith(fleetFile([account("111111111111", "a", 100), account("222222222222", "b", 102), account("333333333333", "c", 104)], { backend }));
    expect(problemsOf({}, { cwd })).toEqual([expect.stringMatching(/^tap.config.json \$\.backend\.key: a fleet cannot share one state key; remove it and set backend\.keyPrefix/)]);
  });

  test("a state bucket name S3 refuses is said once for the fleet, not once per account", () => {
    const cwd = cwdWith(fleetFile([account("111111111111", "a", 100), account("222222222222", "b", 102)], { backend: { type: "s3", bucket: "Acme_State", region: "us-east-1" } }));
    expect(problemsOf({}, { cwd })).toEqual([expect.stringMatching(/^tap.config.json \$\.backend\.bucket: "Acme_State" is not a valid S3 bucket name/)]);
  });

  test("the sample fleet file in the repository loads: one stack per account", () => {
    const config = loadConfig({}, { file: join(__dirname, "..", "..", "examples", "fleet.tap.config.json") });
    expect(config.stacks.map((stack) => stack.stackName)).toEqual(["prod-app", "dev-app"]);
  });
});
