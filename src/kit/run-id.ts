// A run id keeps names (players, teams, rooms) unique per run. k6 runs setup() once per
// instance, so a test split over several k6 processes must pass the same `-e RUN_ID=…` to
// each of them for partners in different instances to find each other.
// The run id is also recorded with the run's facts (src/kit/run-facts.ts): the merge of a split
// run refuses outputs of different run ids. Drawn once per context, so that setup()'s scenario
// code and the kit's record of the facts agree.
import type { EnvReader } from "./env";

let drawn: string | undefined;

export function runIdFrom(env: EnvReader): string {
  const given = env.optionalString("RUN_ID");
  if (given !== undefined) {
    if (!/^[\w-]{1,32}$/.test(given)) throw new Error(`-e RUN_ID=${given}: use up to 32 letters, digits, - or _`);
    return given;
  }
  drawn ??= `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return drawn;
}
