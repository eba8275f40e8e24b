// Records a root cause found in this VU as an empty k6 group named after it
// (protocol/root-cause.ts), once per cause and VU: k6 hands every group's name to
// handleSummary(), and a group, unlike a failed check, leaves the user's `checks` untouched.
import { group } from "k6";
import { type RootCause, rootCauseName } from "../protocol/root-cause";

const noted = new Set<string>();

export function noteRootCause(c: RootCause): void {
  const name = rootCauseName(c);
  if (noted.has(name)) return;
  noted.add(name);
  group(name, () => undefined);
}
