// Where a contract reads a field the flow needs: a dot path into the reply's view
// { event, data, args }, e.g. "data.created_at", "args.1", "data.players.0.id".
import { ContractError } from "./contract";

export function checkPath(raw: unknown, where: string): string {
  if (typeof raw !== "string" || !/^(data|args|event)(\.[\w$-]+)*$/.test(raw)) {
    throw new ContractError(`${where} must be a path such as "data.round_id" or "args.1.id" (from data: the first argument, args: all of them)`);
  }
  return raw;
}

/** The value at `path` of `view`, or undefined when any step is missing. */
export function readPath(view: unknown, path: string): unknown {
  let v: unknown = view;
  for (const step of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}
