"""Field encryption for personal data: SM4-GCM (GB/T 32907) and an SM3-HMAC blind index.

Both primitives come from OpenSSL through `cryptography`, so there is no pure-Python
cipher on the hot path. The key is JICENG_DATA_KEY (64 hex characters): the first 16
bytes key SM4, the last 16 key the HMAC. Ciphertext is stored as text:
"sm4gcm:v1:" + base64(nonce || ciphertext || tag).
"""

import base64
import functools
import os

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

PREFIX = "sm4gcm:v1:"
NONCE_BYTES = 12
TAG_BYTES = 16


@functools.cache
def _keys(data_key_hex: str) -> tuple[bytes, bytes]:
    raw = bytes.fromhex(data_key_hex)
    if len(raw) != 32:
        raise ValueError("JICENG_DATA_KEY must be 64 hex characters (32 bytes)")
    return raw[:16], raw[16:]


def _cipher_key() -> bytes:
    return _keys(settings.DATA_KEY)[0]


def _index_key() -> bytes:
    return _keys(settings.DATA_KEY)[1]


def encrypt(plaintext: str | None) -> str:
    if plaintext is None or plaintext == "":
        return ""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_cipher_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(token: str | None) -> str:
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted field value")
    raw = base64.b64decode(token[len(PREFIX) :])
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_cipher_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def blind_index(value: str | None, *, purpose: str) -> str:
    """Keyed SM3-HMAC of a normalized value: equality lookups without decrypting.

    `purpose` separates indexes (an ID number and a phone never collide)."""
    if not value:
        return ""
    mac = hmac.HMAC(_index_key(), hashes.SM3())
    mac.update(purpose.encode() + b"\x00" + value.encode())
    return mac.finalize().hex()
