// k6 tags every http and ws sample with the full URL by default. A polling-then-upgrade
// session puts its sid in the URL, so each session would become its own time series. The
// library sets a stable `name` tag instead; scenarios drop `url` with this list.
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
