import { spawnSync } from "child_process";
import { join } from "path";

// Runs in a plain node process: Jest keeps its own module registry, not Node's require.cache.
const DIST = join(__dirname, "..", "..", "dist", "src");

function node(script: string) {
  const result = spawnSync(process.execPath, ["-e", script], { cwd: join(__dirname, "..", ".."), encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe("defer-archiver", () => {
  test("cdktf loads without loading archiver", () => {
    const state = node(`
      const { ARCHIVER_PATH } = require(${JSON.stringify(join(DIST, "app", "defer-archiver"))});
      require("cdktf");
      const loaded = Object.keys(require.cache).filter((f) => f.includes("/node_modules/archiver/") && f !== ARCHIVER_PATH);
      console.log(JSON.stringify({ loaded }));
    `);
    expect(state.loaded).toEqual([]);
  });

  test("a TerraformAsset archive still synthesizes (the real archiver loads on first use)", () => {
    const state = node(`
      require(${JSON.stringify(join(DIST, "app", "defer-archiver"))});
      const fs = require("fs"), os = require("os"), path = require("path");
      const { App, TerraformStack, TerraformAsset, AssetType } = require("cdktf");
      const source = fs.mkdtempSync(path.join(os.tmpdir(), "tap-asset-src-"));
      fs.writeFileSync(path.join(source, "index.js"), "exports.handler = () => 1;");
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "tap-asset-out-"));
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "assets");
      const asset = new TerraformAsset(stack, "code", { path: source, type: AssetType.ARCHIVE });
      app.synth();
      setTimeout(() => {
        const zip = path.join(outdir, "stacks", "assets", asset.path);
        console.log(JSON.stringify({ bytes: fs.statSync(zip).size, magic: fs.readFileSync(zip).subarray(0, 2).toString("latin1") }));
      }, 500);
    `);
    expect(state.magic).toBe("PK");
    expect(state.bytes).toBeGreaterThan(20);
  });
});
