import { tmpdir } from "os";
import { Testing } from "cdktf";

describe("test housekeeping", () => {
  test("every temporary folder of a run lands in the run's own folder, which is removed at the end", () => {
    expect(process.env.TAP_TEST_TMPDIR).toMatch(/tap-tests-/);
    expect(tmpdir()).toBe(process.env.TAP_TEST_TMPDIR);
    expect(Testing.app().outdir.startsWith(process.env.TAP_TEST_TMPDIR!)).toBe(true);
  });
});
