import { isReference, PolicyStatement, StackElement, StackView } from "./rule";

/** The parts of a synthesized Terraform JSON document the rules read. */
export interface SynthesizedStack {
  readonly terraform?: { backend?: Record<string, Record<string, any>> };
  readonly provider?: Record<string, Record<string, any>[]>;
  readonly resource?: Record<string, Record<string, Record<string, any>>>;
  readonly data?: Record<string, Record<string, Record<string, any>>>;
}

const REFERENCE = /^\$\{((?:data\.)?[\w-]+\.[\w-]+)\.([\w.\[\]*-]+)\}$/;

/** An index over one synthesized stack, answering the rules' questions about it. */
export class SynthesizedStackView implements StackView {
  public readonly elements: readonly StackElement[];
  private readonly byAddress = new Map<string, StackElement>();
  private readonly byType = new Map<string, StackElement[]>();

  constructor(
    private readonly json: SynthesizedStack,
    private readonly taggableTypes: ReadonlySet<string>,
    stackPath: string,
  ) {
    const elements: StackElement[] = [];
    for (const kind of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries(json[kind] ?? {})) {
        for (const [name, body] of Object.entries(byName)) {
          const address = kind === "data" ? `data.${type}.${name}` : `${type}.${name}`;
          elements.push({ kind, type, name, address, path: body["//"]?.metadata?.path ?? address, body });
        }
      }
    }
    for (const [type, body] of Object.entries(json.terraform?.backend ?? {})) {
      elements.push({ kind: "backend", type, name: type, address: `terraform.backend.${type}`, path: stackPath, body });
    }
    for (const [type, configurations] of Object.entries(json.provider ?? {})) {
      for (const body of configurations) {
        const address = body.alias ? `${type}.${body.alias}` : type;
        elements.push({ kind: "provider", type, name: body.alias ?? type, address, path: `${stackPath}/provider ${address}`, body });
      }
    }
    elements.push({ kind: "stack", type: "stack", name: stackPath, address: "stack", path: stackPath, body: {} });
    this.elements = elements;
    for (const element of elements) {
      this.byAddress.set(element.address, element);
      const key = element.kind === "resource" || element.kind === "stack" ? element.type : `${element.kind}.${element.type}`;
      this.byType.set(key, [...(this.byType.get(key) ?? []), element]);
    }
  }

  ofType(type: string): readonly StackElement[] {
    return this.byType.get(type) ?? [];
  }

  referencing(type: string, attribute: string, target: StackElement): readonly StackElement[] {
    return this.ofType(type).filter((element) => this.referencedElement(element.body[attribute]) === target);
  }

  referencedElement(value: unknown): StackElement | undefined {
    if (typeof value !== "string") return undefined;
    const match = REFERENCE.exec(value);
    return match ? this.byAddress.get(match[1]) : undefined;
  }

  policyStatements(value: unknown): readonly PolicyStatement[] | undefined {
    const document = this.referencedElement(value);
    if (document?.kind === "data" && document.type === "aws_iam_policy_document") {
      return (document.body.statement ?? []).map(fromDocumentStatement);
    }
    if (typeof value === "string" && !isReference(value)) {
      try {
        const parsed = JSON.parse(value);
        return [parsed.Statement].flat().filter(Boolean).map(fromJsonStatement);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  resourcesOf(provider: StackElement): readonly StackElement[] {
    return this.elements.filter((element) => element.kind === "resource" && this.providerOf(element) === provider);
  }

  providerOf(element: StackElement): StackElement | undefined {
    const type = element.type.split("_")[0];
    const address = typeof element.body.provider === "string" ? element.body.provider : type;
    return this.byAddress.get(address);
  }

  effectiveTags(element: StackElement): Readonly<Record<string, string>> {
    const alias = typeof element.body.provider === "string" ? element.body.provider.replace(/^aws\.?/, "") : "";
    const provider = (this.json.provider?.aws ?? []).find((p) => (p.alias ?? "") === alias);
    const defaults = provider?.default_tags?.[0]?.tags ?? {};
    return { ...defaults, ...(element.body.tags ?? {}) };
  }

  isTaggable(type: string): boolean {
    return this.taggableTypes.has(type);
  }
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function fromDocumentStatement(statement: any): PolicyStatement {
  return {
    sid: statement.sid,
    effect: statement.effect === "Deny" ? "Deny" : "Allow",
    actions: list(statement.actions),
    resources: list(statement.resources),
    principals: (statement.principals ?? []).map((p: any) => ({ type: p.type, identifiers: list(p.identifiers) })),
    conditions: (statement.condition ?? []).map((c: any) => ({ test: c.test, variable: c.variable, values: list(c.values) })),
  };
}

function fromJsonStatement(statement: any): PolicyStatement {
  const principal = statement.Principal;
  const principals =
    principal === undefined
      ? []
      : principal === "*"
        ? [{ type: "*", identifiers: ["*"] }]
        : Object.entries(principal).map(([type, ids]) => ({ type, identifiers: list(ids) }));
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([test, byVariable]) =>
    Object.entries(byVariable as Record<string, unknown>).map(([variable, values]) => ({ test, variable, values: list(values) })),
  );
  return {
    sid: statement.Sid,
    effect: statement.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(statement.Action),
    resources: list(statement.Resource),
    principals,
    conditions,
  };
}
