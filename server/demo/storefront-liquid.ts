import type { DocumentNode } from "@shopify/liquid-html-parser";

// A small Liquid renderer for the demo storefront, so /demo/storefront shows the widget's REAL
// block and snippet files rather than a copy. Parsing is Shopify's own parser (the one theme
// check uses); this file evaluates the subset of Liquid the widget uses and throws on anything
// else, so a block that starts using an unsupported tag or filter fails loudly in the demo and its
// tests instead of rendering wrong. Shopify's storefront renderer is what runs in production.

// The parser is a dev dependency (it comes with theme check): loaded only when the demo renders.
type Parser = typeof import("@shopify/liquid-html-parser");
let parser: Promise<Parser> | undefined;
const loadParser = () => (parser ??= import("@shopify/liquid-html-parser"));

interface Pos {
  start: number;
  end: number;
}
interface Node {
  type: string;
  name?: string | null;
  position: Pos;
  blockStartPosition?: Pos;
  blockEndPosition?: Pos;
  whitespaceStart?: string;
  whitespaceEnd?: string;
  delimiterWhitespaceStart?: string;
  delimiterWhitespaceEnd?: string;
  markup?: unknown;
  children?: Node[];
}
interface Expr {
  type: string;
  value?: unknown;
  name?: string | null;
  keyword?: string;
  lookups?: Expr[];
  comparator?: string;
  relation?: "and" | "or";
  left?: Expr;
  right?: Expr;
  condition?: Expr;
  start?: Expr;
  end?: Expr;
}
interface Filter {
  name: string;
  args: (Expr | { type: "NamedArgument"; name: string; value: Expr })[];
}
interface Variable {
  type: "LiquidVariable";
  expression: Expr;
  filters: Filter[];
}

export type Scope = Record<string, unknown>;

export class LiquidRenderError extends Error {}

export interface LiquidEnvironment {
  /** Snippet source by name (`{% render 'name' %}`). */
  snippet(name: string): string;
  /** The shopper's translations (locales/<lang>.json, falling back to the default file). */
  translate(key: string): string;
  /** URL of an extension asset (`'file.js' | asset_url`). */
  assetUrl(name: string): string;
}

const BLANK = Symbol("blank");

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === false || value === "" || (Array.isArray(value) && value.length === 0);
}

function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(toText).join("");
  return String(value);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** WCAG relative luminance of a #rgb / #rrggbb colour. */
function luminance(color: string): number {
  const hex = color.trim().replace(/^#/, "");
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new LiquidRenderError(`color_contrast: not a hex colour: ${color}`);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const channel = parseInt(full.slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Shopify's `color_contrast`: the WCAG contrast ratio, to one decimal. */
export function colorContrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return Math.round(((light + 0.05) / (dark + 0.05)) * 10) / 10;
}

class Output {
  private parts: string[] = [];
  private trimNext = false;

  push(text: string) {
    if (this.trimNext) {
      text = text.replace(/^\s+/, "");
      if (text) this.trimNext = false;
    }
    if (text) this.parts.push(text);
  }

  /** `{%-` / `{{-`: drop whitespace already written. */
  trimEnd() {
    while (this.parts.length) {
      const last = this.parts.length - 1;
      this.parts[last] = this.parts[last].replace(/\s+$/, "");
      if (this.parts[last]) return;
      this.parts.pop();
    }
  }

  /** `-%}` / `-}}`: drop the whitespace that follows. */
  trimStart() {
    this.trimNext = true;
  }

  /** Trimming is lexical: it stops at the end of the text between two tags. */
  settle() {
    this.trimNext = false;
  }

  text() {
    return this.parts.join("");
  }
}

export class LiquidRenderer {
  private readonly cache = new Map<string, DocumentNode>();

  /**
   * `globals`: the objects every template sees (shop, request, routes, customer, cart, product);
   * the `locals` given to render() (e.g. `block`) are seen by that template only.
   */
  constructor(
    private readonly env: LiquidEnvironment,
    private readonly globals: Scope,
  ) {}

  /** Renders a template source (a block or snippet file). */
  async render(source: string, locals: Scope = {}): Promise<string> {
    const scope: Scope = { ...this.globals, ...locals };
    const { toLiquidAST } = await loadParser();
    const parse = (text: string) => {
      let doc = this.cache.get(text);
      if (!doc) {
        doc = toLiquidAST(text);
        this.cache.set(text, doc);
      }
      return doc;
    };
    const out = new Output();
    const doc = parse(source);
    this.renderRange(doc.children as unknown as Node[], source, 0, source.length, scope, out, parse);
    return out.text();
  }

  private renderRange(nodes: Node[], source: string, from: number, to: number, scope: Scope, out: Output, parse: (s: string) => DocumentNode) {
    let cursor = from;
    for (const node of nodes) {
      if (node.type === "TextNode") continue; // covered by the source slices below, spaces included
      out.push(source.slice(cursor, node.position.start));
      this.renderNode(node, source, scope, out, parse);
      cursor = node.position.end;
    }
    out.push(source.slice(cursor, to));
    out.settle();
  }

  private renderNode(node: Node, source: string, scope: Scope, out: Output, parse: (s: string) => DocumentNode) {
    if (node.whitespaceStart === "-") out.trimEnd();
    switch (node.type) {
      case "LiquidVariableOutput":
        out.push(toText(this.evaluateVariable(node.markup as Variable, scope)));
        if (node.whitespaceEnd === "-") out.trimStart();
        return;
      case "LiquidRawTag":
        if (node.name !== "comment" && node.name !== "schema" && node.name !== "doc") throw new LiquidRenderError(`unsupported raw tag: ${node.name}`);
        if (node.delimiterWhitespaceEnd === "-") out.trimStart();
        return;
      case "LiquidTag":
        this.renderTag(node, source, scope, out, parse);
        return;
      default:
        throw new LiquidRenderError(`unsupported node: ${node.type}`);
    }
  }

  private renderTag(node: Node, source: string, scope: Scope, out: Output, parse: (s: string) => DocumentNode) {
    const afterOpen = () => {
      if (node.whitespaceEnd === "-") out.trimStart();
    };
    const renderBranch = (branches: Node[], index: number, inner: Scope) => {
      const b = branches[index];
      const trimsAfterOpen = index === 0 ? node.whitespaceEnd === "-" : b.whitespaceEnd === "-";
      if (trimsAfterOpen) out.trimStart();
      this.renderRange(b.children ?? [], source, (b.blockStartPosition as Pos).end, (b.blockEndPosition as Pos).start, inner, out, parse);
      const next = branches[index + 1];
      if (next ? next.whitespaceStart === "-" : node.delimiterWhitespaceStart === "-") out.trimEnd();
    };
    const afterClose = () => {
      if (node.delimiterWhitespaceEnd === "-") out.trimStart();
    };
    switch (node.name) {
      case "liquid": {
        // Tags only: whatever text lies between them is not output.
        const sink = new Output();
        for (const inner of node.markup as Node[]) this.renderTag(inner, source, scope, sink, parse);
        afterOpen();
        return;
      }
      case "assign": {
        const markup = node.markup as { name: string; value: Variable };
        scope[markup.name] = this.evaluateVariable(markup.value, scope);
        afterOpen();
        return;
      }
      case "if":
      case "unless": {
        const branches = node.children ?? [];
        const first = this.truthy(this.evaluate(node.markup as Expr, scope));
        let chosen = (node.name === "if" ? first : !first) ? 0 : -1;
        for (let i = 1; chosen < 0 && i < branches.length; i++) {
          const b = branches[i];
          if (b.name === "else" || (b.name === "elsif" && this.truthy(this.evaluate(b.markup as Expr, scope)))) chosen = i;
        }
        if (chosen >= 0) renderBranch(branches, chosen, scope);
        afterClose();
        return;
      }
      case "for": {
        const markup = node.markup as { variableName: string; collection: Expr; reversed: boolean; args: unknown[] };
        if (markup.args.length) throw new LiquidRenderError("for: limit/offset are not supported");
        const items = this.evaluate(markup.collection, scope);
        const list = Array.isArray(items) ? [...items] : [];
        if (markup.reversed) list.reverse();
        const branches = node.children ?? [];
        if (list.length === 0 && branches[1]?.name === "else") renderBranch(branches, 1, scope);
        list.forEach((item, index) => {
          const inner: Scope = { ...scope, [markup.variableName]: item, forloop: { index: index + 1, index0: index, first: index === 0, last: index === list.length - 1, length: list.length } };
          renderBranch(branches, 0, inner);
          // Variables assigned inside a loop stay visible after it, as in Liquid.
          for (const key of Object.keys(inner)) if (key !== markup.variableName && key !== "forloop") scope[key] = inner[key];
        });
        afterClose();
        return;
      }
      case "render": {
        const markup = node.markup as { snippet: Expr; variable: unknown; alias: unknown; args: { name: string; value: Expr }[] };
        if (markup.variable || markup.alias || markup.snippet.type !== "String") throw new LiquidRenderError("render: only `render 'name', key: value` is supported");
        const name = String(markup.snippet.value);
        const snippetSource = this.env.snippet(name);
        // A rendered snippet sees the global objects and its arguments, not the caller's variables.
        const inner: Scope = { ...this.globals };
        for (const arg of markup.args) inner[arg.name] = this.evaluate(arg.value, scope);
        const out2 = new Output();
        this.renderRange(parse(snippetSource).children as unknown as Node[], snippetSource, 0, snippetSource.length, inner, out2, parse);
        out.push(out2.text());
        afterOpen();
        return;
      }
      default:
        throw new LiquidRenderError(`unsupported tag: ${node.name}`);
    }
  }

  private truthy(value: unknown): boolean {
    return value !== null && value !== undefined && value !== false;
  }

  private evaluateVariable(variable: Variable, scope: Scope): unknown {
    let value = this.evaluate(variable.expression, scope);
    for (const filter of variable.filters) {
      const positional: unknown[] = [];
      const named: Record<string, unknown> = {};
      for (const arg of filter.args) {
        if (arg.type === "NamedArgument") {
          const namedArg = arg as { name: string; value: Expr };
          named[namedArg.name] = this.evaluate(namedArg.value, scope);
        } else positional.push(this.evaluate(arg as Expr, scope));
      }
      value = this.applyFilter(filter.name, value, positional, named);
    }
    return value === BLANK ? "" : value;
  }

  private applyFilter(name: string, input: unknown, args: unknown[], named: Record<string, unknown>): unknown {
    switch (name) {
      case "t": {
        let text = this.env.translate(String(input));
        for (const [key, value] of Object.entries(named)) text = text.replace(new RegExp(`\\{\\{\\s*${key}\\s*\\}\\}`, "g"), toText(value));
        return text;
      }
      case "json":
        return JSON.stringify(input ?? null);
      case "escape":
        return escapeHtml(toText(input));
      case "append":
        return toText(input) + toText(args[0]);
      case "strip":
        return toText(input).trim();
      case "split":
        return toText(input).split(String(args[0]));
      case "first":
        return Array.isArray(input) ? input[0] : undefined;
      case "default":
        return isBlank(input) ? args[0] : input;
      case "color_contrast":
        return colorContrast(toText(input), toText(args[0]));
      case "asset_url":
        return this.env.assetUrl(toText(input));
      default:
        throw new LiquidRenderError(`unsupported filter: ${name}`);
    }
  }

  private evaluate(expr: Expr, scope: Scope): unknown {
    switch (expr.type) {
      case "String":
        return expr.value;
      case "Number":
        return Number(expr.value);
      case "LiquidLiteral":
        return expr.keyword === "blank" || expr.keyword === "empty" ? BLANK : expr.value;
      case "VariableLookup": {
        let value: unknown = expr.name === null || expr.name === undefined ? scope : scope[expr.name];
        for (const lookup of expr.lookups ?? []) {
          const key = lookup.type === "String" ? String(lookup.value) : String(this.evaluate(lookup, scope));
          if (value === null || value === undefined) return undefined;
          if (Array.isArray(value) && key === "size") value = value.length;
          else if (Array.isArray(value) && key === "first") value = value[0];
          else if (Array.isArray(value) && key === "last") value = value[value.length - 1];
          else value = (value as Record<string, unknown>)[key];
        }
        return value;
      }
      case "Comparison": {
        const left = this.evaluate(expr.left as Expr, scope);
        const right = this.evaluate(expr.right as Expr, scope);
        if (left === BLANK || right === BLANK) {
          const blankSide = left === BLANK ? right : left;
          const same = isBlank(blankSide) || (typeof blankSide === "string" && blankSide.trim() === "");
          if (expr.comparator === "==") return same;
          if (expr.comparator === "!=") return !same;
        }
        switch (expr.comparator) {
          case "==":
            return left === right;
          case "!=":
            return left !== right;
          case ">":
            return Number(left) > Number(right);
          case ">=":
            return Number(left) >= Number(right);
          case "<":
            return Number(left) < Number(right);
          case "<=":
            return Number(left) <= Number(right);
          case "contains":
            return Array.isArray(left) ? left.includes(right) : toText(left).includes(toText(right));
          default:
            throw new LiquidRenderError(`unsupported comparison: ${expr.comparator}`);
        }
      }
      case "LogicalExpression": {
        const left = this.truthy(this.evaluate(expr.left as Expr, scope));
        return expr.relation === "and" ? left && this.truthy(this.evaluate(expr.right as Expr, scope)) : left || this.truthy(this.evaluate(expr.right as Expr, scope));
      }
      case "BooleanExpression":
        return this.evaluate(expr.condition as Expr, scope);
      default:
        throw new LiquidRenderError(`unsupported expression: ${expr.type}`);
    }
  }
}
