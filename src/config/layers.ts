/**
 * The layers stack settings come from, most specific last: the file's top level, environment
 * variables, a fleet account's own settings (and, for an organization's members, what the
 * organization decides for them). Records such as tags merge entry by entry; everything else
 * is replaced by the layer above.
 */
import { Problems, Setting, StackSettingsView } from "../settings/problems";
import { formatJsonPath, INVALID, JsonPath, SchemaIssue } from "../settings/schema";
import { MERGED_BY_KEY, STACK_ENV, STACK_ENV_SCHEMAS, StackFields, StackSettingKey } from "./settings";

/** One layer of stack settings; a key in `invalid` was given but refused (and reported). */
export interface Layer {
  readonly settings: Partial<Record<StackSettingKey, Setting>>;
  readonly invalid: ReadonlySet<StackSettingKey>;
}

export function emptyLayer(): Layer {
  return { settings: {}, invalid: new Set() };
}

function entryOriginsOf(key: StackSettingKey, value: unknown, origin: string): Record<string, string> | undefined {
  if (!MERGED_BY_KEY.includes(key) || typeof value !== "object" || value === null) return undefined;
  return Object.fromEntries(Object.keys(value).map((entry) => [entry, origin]));
}

/** A layer from one value of the file (its top level, or a fleet account at `path`); `invalid` holds its refused keys. */
export function layerFromObject(fields: StackFields, object: Record<string, unknown>, invalid: ReadonlySet<string>, display: string, path: JsonPath): Layer {
  const settings: Partial<Record<StackSettingKey, Setting>> = {};
  for (const key of Object.keys(fields) as StackSettingKey[]) {
    if (object[key] === undefined) continue;
    const origin = `${display} ${formatJsonPath([...path, key])}`;
    settings[key] = { value: object[key], origin, entryOrigins: entryOriginsOf(key, object[key], origin) };
  }
  return { settings, invalid: new Set([...invalid].filter((key): key is StackSettingKey => key in fields)) };
}

/** The stack settings given as environment variables, each parsed from its text form. */
export function layerFromVariables(fields: StackFields, env: Readonly<Record<string, string>>, problems: Problems): Layer {
  const settings: Partial<Record<StackSettingKey, Setting>> = {};
  const invalid = new Set<StackSettingKey>();
  for (const [key, variable] of Object.entries(STACK_ENV) as [StackSettingKey, string][]) {
    const text = env[variable];
    if (text === undefined) continue;
    const schema = STACK_ENV_SCHEMAS[key] ?? fields[key];
    const issues: SchemaIssue[] = [];
    const raw = schema.fromText(text, [], issues);
    const value = raw === INVALID ? undefined : schema.parse(raw, [], issues);
    problems.report(issues, variable);
    if (value === undefined) invalid.add(key);
    else settings[key] = { value, origin: variable, entryOrigins: entryOriginsOf(key, value, variable) };
  }
  return { settings, invalid };
}

/** `over` wins; records in MERGED_BY_KEY merge entry by entry; a refused setting stays refused. */
export function mergeLayers(under: Layer, over: Layer): Layer {
  const settings: Partial<Record<StackSettingKey, Setting>> = { ...under.settings };
  for (const [key, setting] of Object.entries(over.settings) as [StackSettingKey, Setting][]) {
    const below = under.settings[key];
    settings[key] =
      MERGED_BY_KEY.includes(key) && below
        ? { value: { ...(below.value as object), ...(setting.value as object) }, origin: setting.origin, entryOrigins: { ...below.entryOrigins, ...setting.entryOrigins } }
        : setting;
  }
  const invalid = new Set([...under.invalid].filter((key) => !(key in over.settings)));
  for (const key of over.invalid) invalid.add(key);
  return { settings, invalid };
}

/**
 * What a concern reads of a merged layer. A setting nobody gave is placed where it would be set:
 * the fleet account's JSON path when `account` is given, else its variable.
 */
export function viewOf(layer: Layer, account?: { display: string; path: JsonPath }): StackSettingsView {
  const settings = layer.settings as Partial<Record<string, Setting>>;
  const refused = (key: string) => layer.invalid.has(key as StackSettingKey);
  const given = <T>(key: string) => (refused(key) ? undefined : (settings[key] as Setting<T> | undefined));
  return {
    given,
    valueOf: <T>(key: string, fallback: T) => (given<T>(key)?.value ?? fallback) as T,
    refused,
    isSet: (key) => settings[key] !== undefined,
    where: (key) => settings[key]?.origin ?? (account ? `${account.display} ${formatJsonPath([...account.path, key])}` : STACK_ENV[key as StackSettingKey]),
  };
}
