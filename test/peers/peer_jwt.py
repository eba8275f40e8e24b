"""HS256 JWT checking for the mimic peers (the standard library only)."""
import base64
import hashlib
import hmac
import json
import time


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_hs256(token, secret):
    """The claims of a valid, unexpired HS256 token signed with `secret`, else None."""
    try:
        head, body, sig = token.split(".")
        want = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(want, b64url(sig)) or json.loads(b64url(head)).get("alg") != "HS256":
            return None
        claims = json.loads(b64url(body))
        if not isinstance(claims, dict) or ("exp" in claims and claims["exp"] < time.time()):
            return None
        return claims
    except (ValueError, TypeError, AttributeError):
        return None
