import { readdirSync, readFileSync } from "fs";
import { builtinModules } from "module";
import { dirname, join, relative, resolve } from "path";

/**
 * The layout's promise: configuration and each concern's plain modules (names, limits, facts,
 * rules) load without cdktf, the provider bindings or any construct, so `npm run schema` and
 * every configuration error stay fast. Checked on the import graph, transitively.
 */
const ROOT = join(__dirname, "..", "..");
const SRC = join(ROOT, "src");
const CONCERNS = ["network", "storage", "identity", "audit", "guardrails", "organization"];

/** Relative imports of a module (type-only imports are erased, so they do not count), and its package imports. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^import\s+(?!type\b)(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm)].map((m) => m[1]);
  return {
    local: specifiers.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), `${s}.ts`)),
    packages: specifiers.filter((s) => !s.startsWith(".")),
  };
}

/** Every package a module pulls in, with the chain of modules that leads to it. */
function packagesReachedFrom(entry: string): { pkg: string; chain: string[] }[] {
  const found: { pkg: string; chain: string[] }[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { local, packages } = importsOf(file);
    for (const pkg of packages) if (!builtinModules.includes(pkg)) found.push({ pkg, chain: [...chain, file].map((f) => relative(ROOT, f)) });
    for (const next of local) visit(next, [...chain, file]);
  };
  visit(entry, []);
  return found;
}

const plainModules = [
  ...readdirSync(join(SRC, "config")).map((f) => join(SRC, "config", f)),
  ...readdirSync(join(SRC, "settings")).map((f) => join(SRC, "settings", f)),
  ...readdirSync(join(SRC, "aws")).map((f) => join(SRC, "aws", f)),
  ...CONCERNS.flatMap((concern) =>
    readdirSync(join(SRC, concern))
      .filter((f) => /-(facts|rules|settings)\.ts$/.test(f))
      .map((f) => join(SRC, concern, f)),
  ),
  join(SRC, "app", "rule-pack.ts"),
  join(SRC, "app", "stack-outputs.ts"),
  join(SRC, "app", "service-access.ts"),
];

/**
 * The floors of src/, lowest first: a module may import its own floor and those below, never one
 * above. The kit (the setting kit, AWS's names and limits, Terraform helpers), the rule engine,
 * the concerns, the configuration that composes their settings, the app that composes everything.
 */
const FLOORS: readonly (readonly string[])[] = [["settings", "aws", "terraform"], ["compliance"], CONCERNS, ["config"], ["app"]];
const floorOf = (folder: string) => FLOORS.findIndex((floor) => floor.includes(folder));

/** Every module a file loads from src/, type-only imports included, and `require(...)` or `import(...)` calls too. */
function loadedModules(file: string, text = readFileSync(file, "utf8")): string[] {
  const specifiers = [...text.matchAll(/(?:^import\s+(?:type\s+)?(?:[^"';]*?\s+from\s+)?|^export\s+(?:type\s+)?\{[^}]*\}\s+from\s+|\brequire\(|\bimport\()["']([^"']+)["']/gm)].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), `${s}.ts`));
}

/** Imports from a folder of src/ into one on a higher floor, as "from -> to". */
function upwardImports(file: string, text?: string): string[] {
  const folderOf = (path: string) => relative(SRC, path).split("/")[0];
  const from = floorOf(folderOf(file));
  return loadedModules(file, text)
    .filter((target) => target.startsWith(SRC) && floorOf(folderOf(target)) > from)
    .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
}

const SRC_FILES = readdirSync(SRC, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts") && f.includes("/"))
  .map((f) => join(SRC, f));

describe("layout", () => {
  test("every folder of src/ has its floor", () => {
    expect(SRC_FILES.map((file) => relative(SRC, file).split("/")[0]).filter((folder) => floorOf(folder) < 0)).toEqual([]);
  });

  test("no module imports from a floor above its own: concerns never reach config/ or app/, config/ never reaches app/", () => {
    expect(SRC_FILES.flatMap((file) => upwardImports(file))).toEqual([]);
  });

  test("the floor check sees an upward import, a type-only one and a lazy require alike", () => {
    const settings = join(SRC, "config", "settings.ts");
    expect(upwardImports(settings, 'const ids = (require("../app/rule-pack") as any).TAP_RULE_PACK;')).toEqual(["src/config/settings.ts -> src/app/rule-pack.ts"]);
    expect(upwardImports(join(SRC, "network", "network-settings.ts"), 'import type { StackConfig } from "../config/model";')).toEqual(["src/network/network-settings.ts -> src/config/model.ts"]);
    expect(upwardImports(join(SRC, "organization", "organization-settings.ts"), 'import { REGION_SCHEMA } from "../network/network-settings";')).toEqual([]);
  });

  test("each concern declares its settings in its own folder", () => {
    for (const concern of CONCERNS) expect(readdirSync(join(SRC, concern))).toContain(`${concern === "guardrails" ? "guardrail" : concern}-settings.ts`);
  });

  test("every concern folder has its plain facts module", () => {
    for (const concern of CONCERNS) expect(readdirSync(join(SRC, concern))).toContain(`${concern === "guardrails" ? "guardrail" : concern}-facts.ts`);
  });

  test.each(plainModules.map((file) => [relative(ROOT, file), file]))("%s imports no package: no cdktf, no provider binding, no construct", (_name, file) => {
    expect(packagesReachedFrom(file)).toEqual([]);
  });

  test("the check sees through a chain of local imports to a construct", () => {
    const found = packagesReachedFrom(join(SRC, "app", "tap-stack.ts"));
    expect(found.map((f) => f.pkg)).toEqual(expect.arrayContaining(["cdktf", "constructs"]));
    const viaConstruct = found.find((f) => f.chain.includes("src/network/regional-network.ts"));
    expect(viaConstruct?.chain[0]).toBe("src/app/tap-stack.ts");
  });

  test("every public attribute and method of a construct carries a doc comment", () => {
    const undocumented: string[] = [];
    for (const dir of [...CONCERNS, "app"]) {
      for (const file of readdirSync(join(SRC, dir)).filter((f) => f.endsWith(".ts"))) {
        const lines = readFileSync(join(SRC, dir, file), "utf8").split("\n");
        if (!lines.some((line) => /extends (Construct|SinglePassStack|TerraformStack)\b/.test(line))) continue;
        lines.forEach((line, index) => {
          const member = /^ {2}public (?:readonly |static )?(\w+)/.exec(line);
          if (member && !/\*\/\s*$/.test(lines[index - 1]) && !/^ {2}public (?:prepareStack|toTerraform)\(/.test(line)) undocumented.push(`src/${dir}/${file}: ${member[1]}`);
        });
      }
    }
    expect(undocumented).toEqual([]);
  });
});
