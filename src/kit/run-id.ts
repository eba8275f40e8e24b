// A run id keeps names (players, teams, rooms) unique per run. k6 runs setup() once per
// instance, so a test split over several k6 processes must pass the same `-e RUN_ID=…` to
// each of them for partners in different instances to find each other.
import type { EnvReader } from "./env";

export function runIdFrom(env: EnvReader): string {
  const given = env.optionalString("RUN_ID");
  if (given !== undefined) {
    if (!/^[\w-]{1,32}$/.test(given)) throw new Error(`-e RUN_ID=${given}: use up to 32 letters, digits, - or _`);
    return given;
  }
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
