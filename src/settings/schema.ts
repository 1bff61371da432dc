/**
 * A small declarative schema: each node validates a JSON value (from the configuration file)
 * or a text (from an environment variable), reports problems with the JSON path they were
 * found at, and describes itself as JSON Schema. One definition serves all three, so the
 * published schema can never disagree with what synth accepts.
 *
 * Measured against zod 4.6.7 (which also emits JSON Schema): zod loads 95 files, 987 KB, in
 * about 80 ms on these machines, a quarter of a default synth; this module costs about 1 ms.
 */
import { duplicateKeys } from "./json-text";
import { closest } from "./suggest";

export type JsonPath = readonly (string | number)[];

/** A problem with one value: `problem` reads after the quoted value ("is not ...; expected ..."). */
export interface SchemaIssue {
  readonly path: JsonPath;
  readonly value: unknown;
  readonly problem: string;
  /** True when the key itself is unknown (the value is then the key name). */
  readonly unknownKey?: boolean;
}

export type JsonSchema = { [key: string]: unknown };

/** Returned by `fromText` when the text was refused (the issue is already reported). */
export const INVALID: unique symbol = Symbol("invalid");
export type TextResult = unknown | typeof INVALID;

export abstract class Schema<T> {
  constructor(public readonly description: string) {}

  /** Checks a JSON value; pushes one issue per problem and returns undefined when there is any. */
  abstract parse(value: unknown, path: JsonPath, issues: SchemaIssue[]): T | undefined;

  /** Turns an environment variable's text into the JSON value `parse` takes, or INVALID (reported). */
  abstract fromText(text: string, path: JsonPath, issues: SchemaIssue[]): TextResult;

  abstract toJsonSchema(): JsonSchema;

  /** What a valid value looks like, for messages. */
  abstract expected(): string;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

interface StringOptions {
  readonly description: string;
  /** Allowed values; a near miss gets a "did you mean". */
  readonly enum?: readonly string[];
  /** JSON Schema pattern (also checked here). */
  readonly pattern?: RegExp;
  readonly maxLength?: number;
  /** What a valid value looks like, e.g. "an IPv4 CIDR (a.b.c.d/n)". */
  readonly expected?: string;
  /** How a refused value is described. @default "is not allowed" */
  readonly refusal?: string;
  /** A further check; returns the problem, for rules a pattern cannot state. */
  readonly check?: (value: string) => string | undefined;
}

export class StringSchema extends Schema<string> {
  constructor(private readonly options: StringOptions) {
    super(options.description);
  }

  parse(value: unknown, path: JsonPath, issues: SchemaIssue[]): string | undefined {
    if (typeof value !== "string") return reject(issues, path, value, `is not a string; expected ${this.expected()}`);
    const { enum: allowed, pattern, maxLength, check, refusal = "is not allowed" } = this.options;
    if (allowed && !allowed.includes(value)) {
      const suggestion = closest(value, allowed);
      return reject(issues, path, value, `${refusal};${suggestion ? ` did you mean "${suggestion}"?` : ""} expected ${this.expected()}`);
    }
    if (maxLength !== undefined && value.length > maxLength) {
      return reject(issues, path, value, `has ${value.length} characters; expected ${this.expected()}`);
    }
    if (pattern && !pattern.test(value)) return reject(issues, path, value, `${refusal}; expected ${this.expected()}`);
    const problem = check?.(value);
    return problem ? reject(issues, path, value, problem) : value;
  }

  fromText(text: string): TextResult {
    return text;
  }

  expected(): string {
    if (this.options.expected) return this.options.expected;
    if (this.options.enum) return `one of ${this.options.enum.join(", ")}`;
    return "a string";
  }

  toJsonSchema(): JsonSchema {
    const { enum: allowed, pattern, maxLength } = this.options;
    return compact({
      type: "string",
      description: this.description,
      enum: allowed ? [...allowed] : undefined,
      pattern: pattern?.source,
      maxLength,
    });
  }
}

interface IntegerOptions {
  readonly description: string;
  readonly min?: number;
  readonly max?: number;
  /** The only values allowed (CloudWatch retention, for example). */
  readonly oneOf?: readonly number[];
  /** How a refused value is described. @default "is not allowed" */
  readonly refusal?: string;
}

export class IntegerSchema extends Schema<number> {
  constructor(private readonly options: IntegerOptions) {
    super(options.description);
  }

  parse(value: unknown, path: JsonPath, issues: SchemaIssue[]): number | undefined {
    const { min, max, oneOf, refusal = "is not allowed" } = this.options;
    if (typeof value !== "number" || !Number.isInteger(value)) return reject(issues, path, value, `is not a whole number; expected ${this.expected()}`);
    if ((oneOf && !oneOf.includes(value)) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
      return reject(issues, path, value, `${refusal}; expected ${this.expected()}`);
    }
    return value;
  }

  /** Plain decimal digits only: `0x16d` and `3.65e2` are not 365. */
  fromText(text: string, path: JsonPath, issues: SchemaIssue[]): TextResult {
    if (!/^\d+$/.test(text)) return invalid(issues, path, text, `is not a whole number written in decimal digits; expected ${this.expected()}`);
    return Number(text);
  }

  expected(): string {
    const { min, max, oneOf } = this.options;
    if (oneOf) return `one of ${oneOf.join(", ")}`;
    if (min !== undefined && max !== undefined) return `a whole number from ${min} to ${max}`;
    return "a whole number";
  }

  toJsonSchema(): JsonSchema {
    const { min, max, oneOf } = this.options;
    return compact({ type: "integer", description: this.description, enum: oneOf ? [...oneOf] : undefined, minimum: min, maximum: max });
  }
}

export class BooleanSchema extends Schema<boolean> {
  parse(value: unknown, path: JsonPath, issues: SchemaIssue[]): boolean | undefined {
    return typeof value === "boolean" ? value : reject(issues, path, value, `is not allowed; expected ${this.expected()}`);
  }

  fromText(text: string): TextResult {
    return text === "true" ? true : text === "false" ? false : text;
  }

  expected(): string {
    return "true or false";
  }

  toJsonSchema(): JsonSchema {
    return { type: "boolean", description: this.description };
  }
}

interface ListOptions {
  readonly description: string;
  readonly unique?: boolean;
  readonly minItems?: number;
  /** At most this many entries, with the reason (it ends "...; at most N are allowed <why>"). */
  readonly maxItems?: { readonly count: number; readonly why: string };
  /** An environment value with this exact text means the empty list (for example "none"). */
  readonly emptyText?: string;
}

export class ListSchema<T> extends Schema<T[]> {
  constructor(
    private readonly item: Schema<T>,
    private readonly options: ListOptions,
  ) {
    super(options.description);
  }

  parse(value: unknown, path: JsonPath, issues: SchemaIssue[]): T[] | undefined {
    if (!Array.isArray(value)) return reject(issues, path, value, `is not a list; expected ${this.expected()}`);
    const before = issues.length;
    if (this.options.minItems !== undefined && value.length < this.options.minItems) {
      reject(issues, path, value, `has ${value.length} entries; expected at least ${this.options.minItems}`);
    }
    const max = this.options.maxItems;
    if (max !== undefined && value.length > max.count) {
      reject(issues, path, value, `has ${value.length} entries; at most ${max.count} are allowed ${max.why}`);
    }
    const items: T[] = [];
    value.forEach((entry, index) => {
      if (this.options.unique && value.indexOf(entry) !== index) {
        reject(issues, [...path, index], entry, "is listed more than once; each entry may appear once");
        return;
      }
      const parsed = this.item.parse(entry, [...path, index], issues);
      if (parsed !== undefined) items.push(parsed);
    });
    return issues.length === before ? items : undefined;
  }

  /** Comma-separated; spaces or semicolons between entries get a "use commas". */
  fromText(text: string, path: JsonPath, issues: SchemaIssue[]): TextResult {
    if (this.options.emptyText !== undefined && text === this.options.emptyText) return [];
    const entries = text.split(",").map((entry) => entry.trim());
    if (entries.some((entry) => /[\s;]/.test(entry))) {
      const commas = text.split(/[\s;,]+/).filter(Boolean).join(",");
      return invalid(issues, path, text, `separates entries with spaces or semicolons; use commas, for example "${commas}"`);
    }
    if (entries.includes("")) return invalid(issues, path, text, `has an empty entry; expected ${this.expected()}`);
    const items = entries.map((entry, index) => this.item.fromText(entry, [...path, index], issues));
    return items.includes(INVALID) ? INVALID : items;
  }

  expected(): string {
    const empty = this.options.emptyText ? ` (in a variable: comma-separated, or "${this.options.emptyText}")` : " (in a variable: comma-separated)";
    return `a list of ${this.item.expected()}${empty}`;
  }

  toJsonSchema(): JsonSchema {
    return compact({
      type: "array",
      description: this.description,
      items: this.item.toJsonSchema(),
      uniqueItems: this.options.unique || undefined,
      minItems: this.options.minItems,
      maxItems: this.options.maxItems?.count,
    });
  }
}

interface RecordOptions {
  readonly description: string;
  /** Checks a key; returns the problem. */
  readonly keyCheck?: (key: string) => string | undefined;
  /** JSON Schema pattern for keys. */
  readonly keyPattern?: RegExp;
  readonly maxEntries?: number;
  /** Keys that differ only by case are refused, for this reason. */
  readonly caseInsensitiveKeys?: string;
  /** How an environment variable writes it: a JSON object, or `key=value` pairs separated by ";". */
  readonly textFormat: "json" | "pairs";
  readonly example: string;
}

export class RecordSchema<T> extends Schema<Record<string, T>> {
  constructor(
    private readonly value: Schema<T>,
    private readonly options: RecordOptions,
  ) {
    super(options.description);
  }

  parse(input: unknown, path: JsonPath, issues: SchemaIssue[]): Record<string, T> | undefined {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return reject(issues, path, input, `is not an object; expected ${this.expected()}`);
    }
    const before = issues.length;
    const entries = Object.entries(input);
    const { maxEntries, keyCheck } = this.options;
    if (maxEntries !== undefined && entries.length > maxEntries) {
      reject(issues, path, input, `has ${entries.length} entries; at most ${maxEntries} are allowed`);
    }
    const result: Record<string, T> = {};
    const byCase = new Map<string, string>();
    for (const [key, entry] of entries) {
      const sameButCase = this.options.caseInsensitiveKeys ? byCase.get(key.toLowerCase()) : undefined;
      byCase.set(key.toLowerCase(), sameButCase ?? key);
      const keyProblem = keyCheck?.(key) ?? (sameButCase ? `and "${sameButCase}" differ only by case: ${this.options.caseInsensitiveKeys}; keep one` : undefined);
      if (keyProblem) {
        issues.push({ path: [...path, key], value: key, problem: keyProblem, unknownKey: true });
        continue;
      }
      const parsed = this.value.parse(entry, [...path, key], issues);
      if (parsed !== undefined) result[key] = parsed;
    }
    return issues.length === before ? result : undefined;
  }

  fromText(text: string, path: JsonPath, issues: SchemaIssue[]): TextResult {
    // A key given twice is refused, as the file refuses it: the last would win silently.
    const twice = (key: string) => invalid(issues, path, text, `gives "${key}" twice; the last would win silently, so keep one`);
    if (this.options.textFormat === "json") {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return invalid(issues, path, text, `is not valid JSON; expected ${this.expected()}`);
      }
      const duplicate = duplicateKeys(text).find((at) => at.length === 1);
      return duplicate ? twice(String(duplicate[0])) : value;
    }
    const result: Record<string, string> = {};
    for (const pair of text.split(";").map((p) => p.trim()).filter(Boolean)) {
      const equals = pair.indexOf("=");
      if (equals <= 0) return invalid(issues, path, text, `has an entry without "key=value" (${JSON.stringify(pair)}); expected ${this.expected()}`);
      const key = pair.slice(0, equals).trim();
      if (key in result) return twice(key);
      result[key] = pair.slice(equals + 1).trim();
    }
    return result;
  }

  expected(): string {
    const form = this.options.textFormat === "json" ? "a JSON object" : 'entries "key=value" separated by ";"';
    return `${form}, for example ${this.options.example}`;
  }

  toJsonSchema(): JsonSchema {
    return compact({
      type: "object",
      description: this.description,
      propertyNames: this.options.keyPattern ? { pattern: this.options.keyPattern.source } : undefined,
      additionalProperties: this.value.toJsonSchema(),
      maxProperties: this.options.maxEntries,
    });
  }
}

type Fields = Record<string, Schema<any>>;
export type ObjectValue<F extends Fields> = { -readonly [K in keyof F]?: Infer<F[K]> };

interface ObjectOptions<F extends Fields> {
  readonly description: string;
  readonly required?: readonly (keyof F & string)[];
  /** An environment variable may give it as a JSON object. @default - it cannot be set from one variable */
  readonly textFormat?: "json";
}

/** An object whose keys are all known: an unknown key is an error with a suggestion. */
export class ObjectSchema<F extends Fields> extends Schema<ObjectValue<F>> {
  constructor(
    public readonly fields: F,
    private readonly options: ObjectOptions<F>,
  ) {
    super(options.description);
  }

  /** The keys that must be given. */
  get required(): readonly (keyof F & string)[] {
    return this.options.required ?? [];
  }

  parse(value: unknown, path: JsonPath, issues: SchemaIssue[]): ObjectValue<F> | undefined {
    const before = issues.length;
    const fields = this.parseFields(value, path, issues);
    return fields && issues.length === before ? fields.value : undefined;
  }

  /**
   * Like `parse`, but keeps the valid fields of an object with problems and names the bad
   * ones, so a mistake in one setting neither hides nor causes problems in the others.
   */
  parseFields(value: unknown, path: JsonPath, issues: SchemaIssue[]): { value: ObjectValue<F>; invalid: Set<string> } | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return reject(issues, path, value, `is not an object; expected ${this.expected()}`);
    }
    const known = Object.keys(this.fields);
    const result: Record<string, unknown> = {};
    const invalid = new Set<string>();
    for (const [key, entry] of Object.entries(value)) {
      const field = this.fields[key];
      if (!field) {
        const suggestion = closest(key, known);
        issues.push({
          path: [...path, key],
          value: key,
          unknownKey: true,
          problem: `is not a setting tap knows;${suggestion ? ` did you mean "${suggestion}"?` : ""} settings here: ${known.join(", ")}`,
        });
        continue;
      }
      const parsed = field.parse(entry, [...path, key], issues);
      if (parsed !== undefined) result[key] = parsed;
      else invalid.add(key);
    }
    for (const key of this.options.required ?? []) {
      if (!(key in value)) {
        reject(issues, [...path, key], undefined, `is required; expected ${this.fields[key].expected()}`);
        invalid.add(key);
      }
    }
    return { value: result as ObjectValue<F>, invalid };
  }

  fromText(text: string, path: JsonPath, issues: SchemaIssue[]): TextResult {
    if (this.options.textFormat !== "json") return invalid(issues, path, text, "cannot be set from one variable");
    try {
      return JSON.parse(text);
    } catch {
      return invalid(issues, path, text, `is not valid JSON; expected ${this.expected()} as a JSON object`);
    }
  }

  expected(): string {
    return `an object with ${Object.keys(this.fields).join(", ")}`;
  }

  toJsonSchema(): JsonSchema {
    return compact({
      type: "object",
      description: this.description,
      properties: Object.fromEntries(Object.entries(this.fields).map(([key, field]) => [key, field.toJsonSchema()])),
      required: this.options.required?.length ? [...this.options.required] : undefined,
      additionalProperties: false,
    });
  }
}

/** One of several object shapes, chosen by a `type` field (`{"type": "s3", ...}`). */
export class TaggedUnionSchema<V extends Record<string, ObjectSchema<any>>> extends Schema<{ [K in keyof V]: Infer<V[K]> & { type: K } }[keyof V]> {
  constructor(
    public readonly variants: V,
    description: string,
  ) {
    super(description);
  }

  parse(value: unknown, path: JsonPath, issues: SchemaIssue[]): any {
    const tag = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
    const names = Object.keys(this.variants);
    if (typeof tag !== "string" || !names.includes(tag)) {
      return reject(issues, [...path, "type"], tag, `is not allowed; expected one of ${names.join(", ")}`);
    }
    const { type: _type, ...rest } = value as Record<string, unknown>;
    const parsed = this.variants[tag].parse(rest, path, issues);
    return parsed === undefined ? undefined : { type: tag, ...parsed };
  }

  fromText(text: string, path: JsonPath, issues: SchemaIssue[]): TextResult {
    return invalid(issues, path, text, "cannot be set from one variable");
  }

  expected(): string {
    return `an object with "type": ${Object.keys(this.variants).join(" or ")}`;
  }

  toJsonSchema(): JsonSchema {
    return {
      description: this.description,
      oneOf: Object.entries(this.variants).map(([tag, variant]) => {
        const schema = variant.toJsonSchema() as { properties: JsonSchema; required?: string[] };
        return { ...schema, properties: { type: { const: tag }, ...schema.properties }, required: ["type", ...(schema.required ?? [])] };
      }),
    };
  }
}

function reject(issues: SchemaIssue[], path: JsonPath, value: unknown, problem: string): undefined {
  issues.push({ path, value, problem });
  return undefined;
}

function invalid(issues: SchemaIssue[], path: JsonPath, value: unknown, problem: string): typeof INVALID {
  issues.push({ path, value, problem });
  return INVALID;
}

function compact(schema: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([, value]) => value !== undefined));
}

/** `$.fleet.accounts[0].regions[1]` */
export function formatJsonPath(path: JsonPath): string {
  return path.reduce<string>(
    (text, part) => (typeof part === "number" ? `${text}[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `${text}.${part}` : `${text}[${JSON.stringify(part)}]`),
    "$",
  );
}
