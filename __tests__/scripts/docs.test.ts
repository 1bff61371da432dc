import { readFileSync } from "fs";
import { README, renderReadme } from "../../scripts/docs";
import { KNOWN_VARIABLES } from "../../src/config/settings";

describe("README", () => {
  const text = readFileSync(README, "utf8");

  test("its generated tables (controls, settings, accepted findings, emulator allowances) are current: npm run docs", () => {
    expect(renderReadme(text)).toBe(text);
  });

  test("names every variable tap reads", () => {
    expect(KNOWN_VARIABLES.filter((variable) => !text.includes(variable))).toEqual([]);
  });
});
