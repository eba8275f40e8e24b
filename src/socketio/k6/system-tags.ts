// k6 tags every http and ws sample with the full URL by default. A polling-then-upgrade
// session puts its sid in the URL, so each session would become its own time series, and a
// token in the query would be in every output. The library sets the `name` tag to the bare
// endpoint (k6/http and k6/websockets then tag `url` with it too; k6/ws does not), and
// scenarios drop `url` with this list.
import exec from "k6/execution";
import { isSensitiveKey } from "../protocol/redact";

export const systemTagsWithoutUrl = [
  "proto",
  "subproto",
  "status",
  "method",
  "name",
  "group",
  "check",
  "error",
  "error_code",
  "tls_version",
  "scenario",
  "service",
  "expected_response",
];

let urlTagWarned = false;

/**
 * k6/ws tags every sample with the dialed URL in `url`, whatever tags the script passes; when
 * the query holds a secret (a token), every output would carry it. Says so once per VU, with
 * the fix, naming the keys only.
 */
export function warnIfUrlTagged(target: { query: Record<string, string> }, query: Record<string, string>): void {
  if (urlTagWarned) return;
  const keys = [...Object.keys(target.query), ...Object.keys(query)].filter(isSensitiveKey);
  if (keys.length === 0) return;
  const tags = (exec.test.options as { systemTags?: string[] }).systemTags;
  if (tags && !tags.includes("url")) return;
  urlTagWarned = true;
  console.warn(
    `k6-socketio: k6/ws tags every sample with its full URL, and the query carries ${keys.join(", ")}: ` +
      "drop the url system tag (export const options = { systemTags: systemTagsWithoutUrl, … }, from k6-socketio) or connect with io()/connectAsync() (k6/websockets), which tag the bare endpoint",
  );
}
