// Reads a browser's HAR export (Chrome, Edge, Firefox: "Save all as HAR") into a Capture. A
// WebSocket's frames are the entry's `_webSocketMessages` ({type: send|receive, time in epoch
// seconds, opcode 1 text / 2 binary as base64, data}); long-polling requests are ordinary
// entries, tied together by their `sid` query parameter (the handshake's open packet names it).
import type { Capture, EngineSession, HttpExchange, WireFrame } from "./capture";
import { engineRequest } from "./capture";

interface HarHeader {
  name: string;
  value: string;
}
interface HarEntry {
  startedDateTime: string;
  time?: number;
  request: { method: string; url: string; headers?: HarHeader[]; postData?: { text?: string; mimeType?: string } };
  response: { status: number; headers?: HarHeader[]; content?: { text?: string; mimeType?: string; encoding?: string } };
  _resourceType?: string;
  _webSocketMessages?: { type: string; time: number; opcode: number; data: string }[];
}

export class HarError extends Error {
  override name = "HarError";
}

/** Resources a page loads for itself: never part of the server's contract. */
const STATIC = /^(text\/css|text\/html|image\/|font\/|application\/(x-)?javascript|text\/javascript|application\/wasm)/;

export function readHar(text: string, source = "session.har"): Capture {
  let har: unknown;
  try {
    har = JSON.parse(text);
  } catch (err) {
    throw new HarError(`${source} is not JSON (${(err as Error).message}): export it with the browser's "Save all as HAR"`);
  }
  const entries = (har as { log?: { entries?: unknown } })?.log?.entries;
  if (!Array.isArray(entries)) throw new HarError(`${source} has no log.entries: not a HAR file`);
  const valid = (entries as HarEntry[]).filter((e) => typeof e?.request?.url === "string" && !Number.isNaN(Date.parse(e.startedDateTime)));
  if (valid.length === 0) throw new HarError(`${source} holds no requests`);
  const zero = Math.min(...valid.map((e) => Date.parse(e.startedDateTime)));
  const capture: Capture = { source, http: [], sessions: [], skipped: [] };
  const bySid = new Map<string, EngineSession>();
  const sorted = [...valid].sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));

  for (const entry of sorted) {
    const t = Date.parse(entry.startedDateTime) - zero;
    const engine = engineRequest(entry.request.url);
    if (!engine) {
      const exchange = httpExchange(entry, t);
      if (exchange) capture.http.push(exchange);
      continue;
    }
    const received = t + (entry.time ?? 0);
    if (engine.transport === "polling") {
      const body = responseText(entry);
      if (!engine.sid) {
        // The handshake: its answer is the open packet, which names the session's sid.
        const sid = body === undefined ? undefined : /"sid"\s*:\s*"([^"]+)"/.exec(body)?.[1];
        if (!sid) {
          capture.skipped.push(`${entry.request.url}: a polling handshake without an open packet in its answer (HTTP ${entry.response.status})`);
          continue;
        }
        const session = newSession(engine, entry, t, "polling");
        session.frames.push({ t: received, dir: "received", via: "polling", text: body });
        bySid.set(sid, session);
        capture.sessions.push(session);
        continue;
      }
      const session = bySid.get(engine.sid);
      if (!session) {
        capture.skipped.push(`${entry.request.url}: polling for sid ${engine.sid}, whose handshake is not in the HAR`);
        continue;
      }
      if (entry.request.method === "POST") {
        const sent = entry.request.postData?.text;
        if (sent !== undefined) session.frames.push({ t, dir: "sent", via: "polling", text: sent });
      } else if (body !== undefined && body !== "") session.frames.push({ t: received, dir: "received", via: "polling", text: body });
      continue;
    }
    // A WebSocket: an upgrade of a polling session (its sid in the URL), or a session of its own.
    const upgraded = engine.sid ? bySid.get(engine.sid) : undefined;
    const session = upgraded ?? newSession(engine, entry, t, "websocket");
    if (upgraded) upgraded.upgraded = true;
    else capture.sessions.push(session);
    for (const m of entry._webSocketMessages ?? []) {
      const frame: WireFrame = { t: m.time * 1000 - zero, dir: m.type === "send" ? "sent" : "received", via: "websocket" };
      if (m.opcode === 2) frame.base64 = m.data;
      else frame.text = m.data;
      session.frames.push(frame);
    }
    if (!entry._webSocketMessages) capture.skipped.push(`${entry.request.url}: a WebSocket without _webSocketMessages (export the HAR from Chrome, Edge or Firefox with the connection still listed)`);
  }
  for (const s of capture.sessions) s.frames.sort((a, b) => a.t - b.t);
  return capture;
}

function newSession(engine: NonNullable<ReturnType<typeof engineRequest>>, entry: HarEntry, t: number, transport: "websocket" | "polling"): EngineSession {
  return { t, endpoint: engine.endpoint, query: engine.query, headers: headerRecord(entry.request.headers), eio: engine.eio, transport, upgraded: false, frames: [] };
}

function httpExchange(entry: HarEntry, t: number): HttpExchange | undefined {
  const mimeType = (entry.response.content?.mimeType ?? "").split(";")[0]!.trim();
  if (entry.request.method === "GET" && STATIC.test(mimeType)) return undefined;
  if (!/^https?:/.test(entry.request.url)) return undefined;
  return {
    t,
    method: entry.request.method,
    url: entry.request.url,
    status: entry.response.status,
    requestHeaders: headerRecord(entry.request.headers),
    requestBody: entry.request.postData?.text,
    responseHeaders: headerRecord(entry.response.headers),
    responseBody: responseText(entry),
    mimeType,
  };
}

function responseText(entry: HarEntry): string | undefined {
  const content = entry.response.content;
  if (content?.text === undefined) return undefined;
  return content.encoding === "base64" ? Buffer.from(content.text, "base64").toString("utf8") : content.text;
}

/** HAR headers as a record, lower-case names; HTTP/2 pseudo-headers (":path") left out. */
function headerRecord(headers: HarHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) if (!h.name.startsWith(":")) out[h.name.toLowerCase()] = h.value;
  return out;
}
