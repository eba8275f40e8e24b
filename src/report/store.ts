// Keeps a run's recorded output: gzipped, with the values of secret-looking query keys masked
// (k6 tags its WebSocket samples with the URL, which may carry ?token=…), and the plain file
// k6 wrote (uncompressed, so that progress could follow it) removed.
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Redactor } from "../socketio/protocol/redact";

export async function storeRedacted(plain: string): Promise<string> {
  const gz = `${plain}.gz`;
  const redactor = new Redactor([]);
  async function* lines() {
    for await (const line of createInterface({ input: createReadStream(plain), crlfDelay: Infinity })) {
      // Only a URL carries a query: most lines are left as they are.
      yield `${line.includes("?") ? redactTags(line, redactor) : line}\n`;
    }
  }
  await pipeline(Readable.from(lines()), createGzip(), createWriteStream(gz));
  rmSync(plain);
  return gz;
}

/** The line with each tag value that holds a query masked (a line that is not JSON is kept: the reader refuses it). */
function redactTags(line: string, redactor: Redactor): string {
  let entry: { data?: { tags?: Record<string, string> } };
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  const tags = entry.data?.tags;
  if (!tags) return line;
  for (const [k, v] of Object.entries(tags)) if (typeof v === "string" && v.includes("?")) tags[k] = redactor.text(v);
  return JSON.stringify(entry);
}
