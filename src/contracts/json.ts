// Contracts written as JSON (-e CONTRACT_FILE=path): the request's arguments as a template
// ("${player.id}"), and each reply class as a partial-match pattern over { event, data, args }
// (event is "ack" for an ack). Checked when loaded, so a bad file stops the test at init.
import type { Exchange, Reply } from "./contract";
import { ContractError } from "./contract";
import { checkPattern, fill, matches, type Pattern } from "./pattern";

export interface JsonExchange {
  event: string;
  args?: unknown[];
  reply?: "ack" | { events: string[] };
  /** Class name -> pattern; the first class whose pattern matches wins, in the file's order. */
  classes: Record<string, Pattern>;
}

export function obj(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ContractError(`${where} must be an object`);
  return value as Record<string, unknown>;
}

export function str(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") throw new ContractError(`${where} must be a non-empty string`);
  return value;
}

/** The template variables of a context: { player: { id } } gives "player.id". */
export function flatten(ctx: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(ctx)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}

/** The view of a reply that JSON patterns match: { event: "ack" | name, data, args }. */
export function replyView(reply: Reply): { event: string; data: unknown; args: unknown[] } {
  return { event: reply.event ?? "ack", data: reply.data, args: reply.args };
}

/** An Exchange from its JSON form; `known` lists the class names the flow acts on. */
export function exchangeFromJson<Ctx extends Record<string, unknown>, C extends string>(raw: unknown, where: string, known: readonly C[]): Exchange<Ctx, C> {
  const o = obj(raw, where);
  const event = str(o.event, `${where}.event`);
  const args = o.args === undefined ? [] : o.args;
  if (!Array.isArray(args)) throw new ContractError(`${where}.args must be an array of the event's arguments`);
  const reply = o.reply ?? "ack";
  if (reply !== "ack" && !(typeof reply === "object" && reply !== null && Array.isArray((reply as { events?: unknown }).events))) {
    throw new ContractError(`${where}.reply must be "ack" or { "events": ["name", …] }`);
  }
  const classes = obj(o.classes, `${where}.classes`);
  const entries = Object.entries(classes);
  if (entries.length === 0) throw new ContractError(`${where}.classes must name at least one class (${known.join(", ")})`);
  for (const [name, pattern] of entries) {
    if (!(known as readonly string[]).includes(name)) throw new ContractError(`${where}.classes.${name}: unknown class; this flow knows ${known.join(", ")}`);
    try {
      checkPattern(pattern, `${where}.classes.${name}`);
    } catch (err) {
      throw new ContractError(err instanceof Error ? err.message : String(err));
    }
  }
  return {
    event,
    args: (ctx) => fill(args, flatten(ctx)) as unknown[],
    reply: reply as Exchange<Ctx, C>["reply"],
    classify: (r, ctx) => {
      const view = replyView(r);
      const vars = flatten(ctx);
      for (const [name, pattern] of entries) if (matches(view, fill(pattern, vars) as Pattern)) return name as C;
      return undefined;
    },
    expects: entries.map(([name, p]) => `${name} ${JSON.stringify(p)}`).join("; "),
  };
}

/** A one-way step (leave a queue, a room, a conversation): `{event, args (template), reply: "ack" | "none"}`. */
export function leaveFromJson<Ctx>(raw: unknown, where: string, defaultReply: "ack" | "none"): { event: string; args(ctx: Ctx): unknown[]; reply: "ack" | "none" } {
  const o = obj(raw, where);
  const args = o.args ?? [];
  if (!Array.isArray(args)) throw new ContractError(`${where}.args must be an array`);
  const reply = o.reply ?? defaultReply;
  if (reply !== "ack" && reply !== "none") throw new ContractError(`${where}.reply must be "ack" or "none"`);
  return { event: str(o.event, `${where}.event`), args: (ctx) => fill(args, flatten(ctx as unknown as Record<string, unknown>)) as unknown[], reply };
}
