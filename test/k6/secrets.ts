// Secrets where users put them (the CONNECT auth, the URL query, a header) over both clients and
// every transport, connected and failing: test/integration/secrets.test.ts greps every output
// (console, --out json, the summary export) for them. The server requires all three, so a
// session that connects proves they went where they belong.
import { check } from "k6";
import { connect, connectAsync, type ConnectOptions, systemTagsWithoutUrl } from "k6-socketio";

const url = __ENV.TARGET_URL!; // with ?token=<the query secret>
const closedUrl = __ENV.CLOSED_URL!; // nothing listens there; the same query
const base: ConnectOptions = { auth: { token: __ENV.AUTH_SECRET! }, headers: { "X-Api-Key": __ENV.HEADER_SECRET! }, connectTimeout: 5_000, sessionTimeout: 10_000 };
const blocking = ["websocket", "polling"] as const;
const eventLoop = ["websocket", "polling", "polling-only"] as const;
// engine.io refuses a handshake its allowRequest rejects with 403 over polling, 400 on a WebSocket upgrade.

// -e KEEP_URL_TAG=1 keeps k6's default system tags, to see the k6/ws warning about its url tag.
export const options = { vus: 1, iterations: 1, thresholds: { checks: ["rate==1"] }, ...(__ENV.KEEP_URL_TAG ? {} : { systemTags: systemTagsWithoutUrl }) };

const echoThenLeave = (s: Parameters<Parameters<typeof connect>[2]>[0]): void => {
  s.on("connect", () => s.request("echo", ["hello"], () => s.disconnect()));
};

export default async function (): Promise<void> {
  for (const transport of blocking) {
    check(connect(url, { ...base, transport }, echoThenLeave), { [`k6/ws ${transport}: connected with all three secrets`]: (r) => r.connected });
    check(connect(url, { ...base, transport, headers: { "X-Api-Key": "wrong" } }, () => {}), { [`k6/ws ${transport}: refused without the header`]: (r) => /^http_40[03]$/.test(r.connectError?.reason ?? "") });
    check(connect(closedUrl, { ...base, transport }, () => {}), { [`k6/ws ${transport}: a closed port fails`]: (r) => r.connectError?.reason === "network" });
  }
  for (const transport of eventLoop) {
    check(await connectAsync(url, { ...base, transport }, echoThenLeave), { [`k6/websockets ${transport}: connected with all three secrets`]: (r) => r.connected });
    check(await connectAsync(url, { ...base, transport, headers: { "X-Api-Key": "wrong" } }, () => {}), { [`k6/websockets ${transport}: refused without the header`]: (r) => /^http_40[03]$/.test(r.connectError?.reason ?? "") });
    check(await connectAsync(closedUrl, { ...base, transport }, () => {}), { [`k6/websockets ${transport}: a closed port fails`]: (r) => r.connectError?.reason === "network" });
  }
}
