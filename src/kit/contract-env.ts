// Which contract a run speaks: -e CONTRACT=<preset> (default "reference") or
// -e CONTRACT_FILE=path/to/contract.json. Read in the init context, so that `k6 archive` and
// cloud runs carry the file, and a bad name or file stops the test before any VU starts.
import { ContractError } from "../contracts/contract";
import { EnvError, type EnvReader } from "./env";
import { noteContract } from "./run-facts";

export function selectContract<T extends { name: string }>(env: EnvReader, scenario: string, presets: Record<string, T>, fromJson: (raw: unknown, source: string) => T): T {
  const contract = chooseContract(env, scenario, presets, fromJson);
  noteContract(contract.name);
  return contract;
}

function chooseContract<T extends { name: string }>(env: EnvReader, scenario: string, presets: Record<string, T>, fromJson: (raw: unknown, source: string) => T): T {
  const name = env.optionalString("CONTRACT");
  const file = env.optionalString("CONTRACT_FILE");
  if (name !== undefined && file !== undefined) throw new EnvError("-e CONTRACT and -e CONTRACT_FILE: give one, not both");
  if (file !== undefined) return fromFile(env, file, fromJson);
  const chosen = presets[name ?? "reference"];
  if (!chosen) {
    throw new EnvError(`-e CONTRACT=${name}: the ${scenario} scenario has no contract of that name; presets: ${Object.keys(presets).join(", ")}, or write your own and pass -e CONTRACT_FILE=path/to/contract.json`);
  }
  return chosen;
}

function fromFile<T>(env: EnvReader, file: string, fromJson: (raw: unknown, source: string) => T): T {
  const text = readTextFile(env, file, "-e CONTRACT_FILE");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EnvError(`-e CONTRACT_FILE=${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    return fromJson(raw, file);
  } catch (err) {
    if (err instanceof ContractError) throw new EnvError(`-e CONTRACT_FILE=${file}: ${err.message.startsWith(`${file}: `) ? err.message.slice(file.length + 2) : err.message}`);
    throw err;
  }
}

/** A file's text, read in the init context (so `k6 archive` carries it); a relative path is from the directory k6 runs in. */
export function readTextFile(env: EnvReader, file: string, label: string): string {
  // k6's open() resolves a relative path against the script; a user means the directory k6 ran in.
  const pwd = env.optionalString("PWD");
  const path = file.startsWith("/") || !pwd ? file : `${pwd}/${file}`;
  try {
    return open(path);
  } catch (err) {
    throw new EnvError(`${label}=${file}: cannot read ${path} (${err instanceof Error ? err.message : String(err)})`);
  }
}
