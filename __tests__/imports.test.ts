import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";

const ROOT = join(__dirname, "..");
// `@cdktf/provider-aws` (the package root) loads all ~1,500 bindings: seconds and >1 GB per process.
const ROOT_IMPORT = /(?:from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-aws["']/;
const NAMESPACE_IMPORT = /["']@cdktf\/provider-aws\/lib\/?["']/;

describe("provider imports", () => {
  const sources = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.js", "*.mjs", "*.cjs"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);

  test("finds the project's sources", () => {
    expect(sources).toEqual(expect.arrayContaining(["main.ts", "src/app/tap-stack.ts"]));
  });

  test("no file imports the root or the lib index of @cdktf/provider-aws", () => {
    const offenders = sources.filter((file) => {
      const text = readFileSync(join(ROOT, file), "utf8");
      return ROOT_IMPORT.test(text) || NAMESPACE_IMPORT.test(text);
    });
    expect(offenders).toEqual([]);
  });

  test("the check recognises a root import", () => {
    const pkg = ["@cdktf", "provider-aws"].join("/"); // assembled so this file does not flag itself
    expect(ROOT_IMPORT.test(`import { vpc } from "${pkg}";`)).toBe(true);
    expect(ROOT_IMPORT.test(`const aws = require("${pkg}");`)).toBe(true);
    expect(NAMESPACE_IMPORT.test(`import * as aws from "${pkg}/lib";`)).toBe(true);
    expect(ROOT_IMPORT.test(`import { Vpc } from "${pkg}/lib/vpc";`) || NAMESPACE_IMPORT.test(`import { Vpc } from "${pkg}/lib/vpc";`)).toBe(false);
  });
});
