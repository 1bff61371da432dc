import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { invokeAspects } from "cdktf/lib/synthesize/synthesizer";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SINGLE_STACK_NAME } from "../src/config/load";
import { loadConfig } from "../src/app/load-config";
import type { StackConfig } from "../src/config/model";
import { TapStack } from "../src/app/tap-stack";

export const ACCOUNT_ID = "123456789012";
export const PARTITION = "aws";

/** A synthesized Terraform JSON document. */
export interface SynthJson {
  terraform?: Record<string, any>;
  provider?: Record<string, any[]>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  /** Terraform import blocks (adopted resources). */
  import?: { to: string; id: string; provider?: string }[];
  /** Terraform moved blocks. */
  moved?: { from: string; to: string }[];
}

/** The one stack's configuration as a user would give it: environment variables over the defaults, no file. */
export function configFrom(env: Record<string, string> = {}): StackConfig {
  return loadConfig(env, { file: null }).stacks[0];
}

export function synthStack(env: Record<string, string> = {}): SynthJson {
  return synthWithMetadata(new TapStack(Testing.app(), SINGLE_STACK_NAME, configFrom(env)));
}

/**
 * Like `Testing.synth(stack, true)` but keeps the `//` metadata, whose construct paths let
 * tests find a resource by where it was declared instead of by its hashed logical id.
 */
export function synthWithMetadata(stack: TerraformStack): SynthJson {
  invokeAspects(stack);
  stack.runAllValidations();
  return JSON.parse(JSON.stringify(stack.toTerraform()));
}

/**
 * Publishes `value` as an output named `probe_<name>` of the stack holding `scope`, so a test
 * reads what a construct method returned (references as `${type.id.attribute}`) in the synthesized JSON.
 */
export function probe(scope: Construct, name: string, value: unknown): void {
  new TerraformOutput(TerraformStack.of(scope), `probe_${name}`, { value });
}

/** The value a `probe` published. */
export function probed(json: SynthJson, name: string): any {
  return json.output?.[`probe_${name}`]?.value;
}

type ConstructBuilder = (scope: Construct, provider: AwsProvider) => void;

/** Synthesizes what `build` adds next to an aliased provider for `region`, with construct-path metadata. */
export function synthConstruct(region: string, build: ConstructBuilder): SynthJson {
  const stack = new TerraformStack(Testing.app(), "test");
  build(stack, new AwsProvider(stack, "aws", { alias: region, region }));
  return synthWithMetadata(stack);
}

/** `Testing.synthScope` output for `build`: deterministic and key-sorted, for snapshots. */
export function synthScopeOf(region: string, build: ConstructBuilder): unknown {
  return JSON.parse(Testing.synthScope((scope) => build(scope, new AwsProvider(scope, "aws", { alias: region, region }))));
}

/** Resources of one type as [logical id, body] pairs. */
export function resourcesOf(json: SynthJson, type: string): [string, any][] {
  return Object.entries(json.resource?.[type] ?? {});
}

export function dataSourcesOf(json: SynthJson, type: string): [string, any][] {
  return Object.entries(json.data?.[type] ?? {});
}

/** The one resource of `type` whose construct path ends with `pathSuffix`. */
export function resourceAt(json: SynthJson, type: string, pathSuffix: string): any {
  const found = resourcesOf(json, type).filter(([, body]) => body["//"].metadata.path.endsWith(pathSuffix));
  if (found.length !== 1) throw new Error(`expected one ${type} at *${pathSuffix}, found ${found.length}`);
  return found[0][1];
}

export function dataSourceAt(json: SynthJson, type: string, pathSuffix: string): any {
  const found = dataSourcesOf(json, type).filter(([, body]) => body["//"].metadata.path.endsWith(pathSuffix));
  if (found.length !== 1) throw new Error(`expected one data.${type} at *${pathSuffix}, found ${found.length}`);
  return found[0][1];
}

/** The Terraform reference `${type.id.attribute}` to the resource at `pathSuffix`. */
export function referenceTo(json: SynthJson, type: string, pathSuffix: string, attribute: string): string {
  const found = resourcesOf(json, type).find(([, body]) => body["//"].metadata.path.endsWith(pathSuffix));
  if (!found) throw new Error(`no ${type} at *${pathSuffix}`);
  return `\${${type}.${found[0]}.${attribute}}`;
}

export function dataReferenceTo(json: SynthJson, type: string, pathSuffix: string, attribute: string): string {
  const found = dataSourcesOf(json, type).find(([, body]) => body["//"].metadata.path.endsWith(pathSuffix));
  if (!found) throw new Error(`no data.${type} at *${pathSuffix}`);
  return `\${data.${type}.${found[0]}.${attribute}}`;
}

/** Every resource and data source body in the document, with its type. */
export function allBlocks(json: SynthJson): { kind: "resource" | "data"; type: string; name: string; body: any }[] {
  const blocks: { kind: "resource" | "data"; type: string; name: string; body: any }[] = [];
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries(json[kind] ?? {})) {
      for (const [name, body] of Object.entries(byName)) blocks.push({ kind, type, name, body });
    }
  }
  return blocks;
}
