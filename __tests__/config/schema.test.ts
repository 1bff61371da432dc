import { formatJsonPath, INVALID, IntegerSchema, ListSchema, ObjectSchema, SchemaIssue, StringSchema } from "../../src/settings/schema";
import { closest, editDistance } from "../../src/settings/suggest";

describe("schema primitives", () => {
  const name = new StringSchema({ description: "n", enum: ["alpha", "beta"] });
  const count = new IntegerSchema({ description: "c", min: 1, max: 3 });

  test("an object keeps its valid fields and names the refused ones, so one mistake does not hide the rest", () => {
    const schema = new ObjectSchema({ name, count }, { description: "o", required: ["name"] });
    const issues: SchemaIssue[] = [];
    expect(schema.parseFields({ name: "alpha", count: 9, extra: 1 }, ["x"], issues)).toEqual({ value: { name: "alpha" }, invalid: new Set(["count"]) });
    expect(issues.map((issue) => [formatJsonPath(issue.path), issue.problem])).toEqual([
      ["$.x.count", "is not allowed; expected a whole number from 1 to 3"],
      ["$.x.extra", 'is not a setting tap knows; settings here: name, count'],
    ]);
    expect(schema.parse({ name: "alpha", count: 9 }, [], [])).toBeUndefined();
  });

  test("a near miss of an allowed value gets a suggestion; a far one does not", () => {
    const issues: SchemaIssue[] = [];
    name.parse("alhpa", [], issues);
    name.parse("zzzzzz", [], issues);
    expect(issues.map((issue) => issue.problem)).toEqual([
      'is not allowed; did you mean "alpha"? expected one of alpha, beta',
      "is not allowed; expected one of alpha, beta",
    ]);
  });

  test("text from a variable: plain decimal integers only, commas between list entries, and one report per mistake", () => {
    const list = new ListSchema(count, { description: "l" });
    const issues: SchemaIssue[] = [];
    expect(list.fromText("1, 2,3", [], issues)).toEqual([1, 2, 3]);
    expect(list.fromText("1 2", [], issues)).toBe(INVALID);
    expect(count.fromText("1e0", [], issues)).toBe(INVALID);
    expect(count.fromText("-1", [], issues)).toBe(INVALID);
    expect(issues.map((issue) => issue.problem)).toEqual([
      'separates entries with spaces or semicolons; use commas, for example "1,2"',
      "is not a whole number written in decimal digits; expected a whole number from 1 to 3",
      "is not a whole number written in decimal digits; expected a whole number from 1 to 3",
    ]);
  });

  test("JSON paths quote keys that are not identifiers", () => {
    expect(formatJsonPath(["vpcCidrs", "us-east-1"])).toBe('$.vpcCidrs["us-east-1"]');
    expect(formatJsonPath(["fleet", "accounts", 0, "id"])).toBe("$.fleet.accounts[0].id");
  });
});

describe("suggestions", () => {
  test("count a swap of neighbours as one edit", () => {
    expect(editDistance("eu-wset-1", "eu-west-1")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  test("suggest only what is close enough to be a typo", () => {
    expect(closest("TAP_REGION", ["TAP_REGIONS", "TAP_TAGS"])).toBe("TAP_REGIONS");
    expect(closest("TAP_SOMETHING_ELSE", ["TAP_REGIONS", "TAP_TAGS"])).toBeUndefined();
  });
});
