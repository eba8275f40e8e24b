// A target URL as reports and logs may show it: user info and the values of secret-looking
// query keys (token, auth, key, secret, password, signature, jwt, session…) masked. Pure, and
// free of imports so that the Node side (reports) shares it: the caller passes the library's
// Redactor. One call site on purpose: a fuller URL redaction in the library can replace the body.
export function redactTarget(url: string, redactText: (text: string) => string): string {
  // scheme://user:password@host -> scheme://[redacted]@host
  return redactText(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1[redacted]@"));
}
