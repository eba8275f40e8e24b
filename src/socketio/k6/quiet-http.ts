// k6 logs every request that fails on the network ("Request Failed") with its full URL, query
// and all, and the query may carry the user's token. A request made with `throw: true` throws
// instead of logging; these helpers turn that error back into the answer k6 would have returned
// (status 0, error, error_code), with the URL taken out of the error text.
import { redactUrl } from "../protocol/redact";

/** What a failed request answers: k6's response fields that callers read. */
export interface FailedRequest {
  status: 0;
  body: null;
  error: string;
  error_code: number;
  timings: { duration: number; connecting: number; tls_handshaking: number };
}

/** Request params with `throw: true` (a per-request k6 option that @types/k6 does not declare). */
export function throwing<P extends object>(params: P): P {
  return { ...params, throw: true };
}

/** Runs a blocking k6/http call made with throwing(params); a network failure comes back as a FailedRequest. */
export function quietly<R>(send: () => R): R | FailedRequest {
  try {
    return send();
  } catch (err) {
    return failedRequest(err);
  }
}

/** The same for http.asyncRequest, whose promise rejects on a network failure. */
export function quietlyAsync<R>(send: () => Promise<R>): Promise<R | FailedRequest> {
  try {
    return send().then((r) => r, failedRequest);
  } catch (err) {
    return Promise.resolve(failedRequest(err));
  }
}

export function failedRequest(err: unknown): FailedRequest {
  const raw = String((err as { message?: unknown } | null)?.message ?? err);
  // Go's url.Error reads `Get "http://host/path?query": dial tcp …: connection refused`.
  const error = raw.replace(/^(?:GoError: )?[A-Z]+[a-z]* "[^"]*": /, "").replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"]+/gi, (url) => redactUrl(url));
  // http.asyncRequest rejects with the Go error itself; a blocking request throws a GoError holding it as `value`.
  const goError = err as { err?: { code?: unknown }; value?: { err?: { code?: unknown } } } | null;
  const code = goError?.err?.code ?? goError?.value?.err?.code;
  return { status: 0, body: null, error, error_code: typeof code === "number" ? code : errorCode(error), timings: { duration: 0, connecting: 0, tls_handshaking: 0 } };
}

/** k6's error codes (docs: "Error codes") for the failures a thrown error names only in words. */
function errorCode(error: string): number {
  if (/request timeout|Client\.Timeout/i.test(error)) return 1050;
  if (/no such host|lookup /i.test(error)) return 1101;
  if (/i\/o timeout/i.test(error)) return 1211;
  if (/refused/i.test(error)) return 1212;
  if (/reset by peer/i.test(error)) return 1220;
  if (/x509|tls|certificate/i.test(error)) return 1300;
  return 1000;
}
