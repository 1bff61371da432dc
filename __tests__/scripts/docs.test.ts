import { readdirSync, readFileSync, statSync } from "fs";
import { join, relative } from "path";
import { anchors, brokenLinks, docsOnDisk, PAGES, readPages, renderPage, unreachablePages } from "../../scripts/docs";
import { KNOWN_VARIABLES } from "../../src/config/settings";

const ROOT = join(__dirname, "..", "..");
const pages = readPages();

describe("the README and the pages under docs/", () => {
  test.each(Object.keys(PAGES))("%s: its generated sections and numbers are current (npm run docs)", (page) => {
    expect(renderPage(page, pages[page])).toBe(pages[page]);
  });

  test("every page under docs/ is one npm run docs renders", () => {
    expect(docsOnDisk()).toEqual(Object.keys(PAGES).filter((page) => page.startsWith("docs/")).sort());
  });

  test("every relative link between them resolves, anchors included", () => {
    expect(brokenLinks(pages)).toEqual([]);
  });

  test("every page is reachable from the README", () => {
    expect(unreachablePages(pages)).toEqual([]);
  });

  test("name every variable tap reads", () => {
    const text = Object.values(pages).join("\n");
    expect(KNOWN_VARIABLES.filter((variable) => !text.includes(variable))).toEqual([]);
  });

  test("code that points at a page names one that exists, and a heading it has", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith(".ts")) files.push(path);
      }
    };
    for (const dir of ["src", "scripts", "bench", "__tests__"]) walk(join(ROOT, dir));
    const problems: string[] = [];
    for (const file of files) {
      for (const [, page, heading] of readFileSync(file, "utf8").matchAll(/\b(docs\/[\w-]+\.md): ([A-Z][\w' -]*\w)/g)) {
        const slug = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
        if (!(page in pages)) problems.push(`${relative(ROOT, file)}: ${page} is not a page`);
        else if (![...anchors(pages[page])].some((anchor) => anchor.startsWith(slug))) problems.push(`${relative(ROOT, file)}: ${page} has no heading "${heading}"`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("the link checker", () => {
  test("computes GitHub's anchors: punctuation dropped, repeats numbered, code kept, fenced lines ignored", () => {
    const text = "# Who owns the account's settings\n## `npm run drift`\n## Layouts\n## Layouts\n```sh\n# not a heading\n```\n";
    expect([...anchors(text)]).toEqual(["who-owns-the-accounts-settings", "npm-run-drift", "layouts", "layouts-1"]);
  });

  test("reports a missing page, a missing heading and an unreachable page", () => {
    const fake = { "README.md": "[a](docs/a.md#nowhere) [b](docs/missing.md)", "docs/a.md": "# A\n", "docs/c.md": "# C\n[back](../README.md)" };
    expect(brokenLinks(fake)).toEqual(["README.md: docs/a.md#nowhere: docs/a.md has no heading #nowhere", "README.md: docs/missing.md: no file docs/missing.md"]);
    expect(unreachablePages(fake)).toEqual(["docs/c.md"]);
  });
});
