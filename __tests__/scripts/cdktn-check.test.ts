// The comparison of `npm run check:cdktn`: what it tolerates between cdktf's synth and cdktn's.
const { difference } = require("../../scripts/cdktn-check.js") as {
  difference: (file: string, cdktf: Buffer, cdktn: Buffer, versions: { cdktf: string; cdktn: string }, tolerated: { stamps: string[]; empties: number }) => string | undefined;
};

const versions = { cdktf: "0.21.0", cdktn: "0.24.0" };
/** A cdk.tf.json as cdktf 0.21 writes it (empty containers with a line break inside) or as cdktn does. */
function stack(version: string, layout: "cdktf" | "cdktn", bucket = "tap-data") {
  const text = JSON.stringify({ "//": { metadata: { backend: "s3", stackName: "tap", version } }, resource: { aws_s3_bucket: { data: { bucket, depends_on: [], filter: [{}] } } } }, undefined, 2);
  return Buffer.from(layout === "cdktf" ? text.replace("[]", "[\n        ]").replace("{}", "{\n          }") : text);
}
const compare = (file: string, a: Buffer, b: Buffer) => {
  const tolerated = { stamps: [] as string[], empties: 0 };
  return { why: difference(file, a, b, versions, tolerated), tolerated };
};

describe("npm run check:cdktn: the comparison", () => {
  test("tolerates the version stamp and the line breaks inside empty arrays and objects, and counts them", () => {
    expect(compare("stacks/tap/cdk.tf.json", stack("0.21.0", "cdktf"), stack("0.24.0", "cdktn"))).toEqual({ why: undefined, tolerated: { stamps: ["stacks/tap/cdk.tf.json"], empties: 2 } });
    const manifest = (version: string) => Buffer.from(JSON.stringify({ version, stacks: {} }, undefined, 2));
    expect(compare("manifest.json", manifest("0.21.0"), manifest("0.24.0")).why).toBeUndefined();
  });

  test("any other difference is reported, naming the field it looked at", () => {
    expect(compare("stacks/tap/cdk.tf.json", stack("0.21.0", "cdktf"), stack("0.24.0", "cdktn", "tap-other")).why).toBe(
      'differs beyond "//".metadata.version and the line breaks inside empty arrays and objects',
    );
    // The stamp must name each library: cdktn's output that still says 0.21.0 was not written by cdktn 0.24.0.
    expect(compare("stacks/tap/cdk.tf.json", stack("0.21.0", "cdktf"), stack("0.21.0", "cdktn")).why).toBe('"//".metadata.version is "0.21.0" and "0.21.0", not 0.21.0 (cdktf) and 0.24.0 (cdktn)');
    expect(compare("stacks/tap/.terraform.lock.hcl", Buffer.from("a"), Buffer.from("b")).why).toBe("differs (no difference is tolerated in this file)");
    expect(compare("stacks/tap/.terraform.lock.hcl", Buffer.from("a"), Buffer.from("a")).why).toBeUndefined();
  });
});
