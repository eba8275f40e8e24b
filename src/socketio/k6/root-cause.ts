// Records a root cause found in this VU as a failed check named after it (protocol/root-cause.ts),
// once per cause and VU.
import { check } from "k6";
import { type RootCause, rootCauseName } from "../protocol/root-cause";

const noted = new Set<string>();

export function noteRootCause(c: RootCause): void {
  const name = rootCauseName(c);
  if (noted.has(name)) return;
  noted.add(name);
  check(null, { [name]: () => false });
}
