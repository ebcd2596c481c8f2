"""The installation as an Open Badges issuer: its signing keys, its did:web identity and what
it publishes about itself (DID document, JWK set, issuer profile).

Each installation has its own Ed25519 key, generated once into the instance folder (like the
secret key) as ``issuer_keys/key-1.pem``; its public half is kept beside it as
``key-1.pub.pem``. Rotating makes ``key-2`` the signing key and deletes ``key-1.pem``, keeping
``key-1.pub.pem``: the DID document lists every public key, the current one first, so what an
old key signed stays verifiable. Every signature names its key (``kid``).

The issuer's identifier is the did:web of ``BASE_URL``: ``https://oep.example.org`` is
``did:web:oep.example.org``, whose document a verifier fetches from
``https://oep.example.org/.well-known/did.json`` (with a path, ``.../path/did.json``).
Several machines serving one installation must share the key folder (``ISSUER_KEY_DIR``).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from openbadgeslib.keys import public_jwk_from_pem
from openbadgeslib.ob3 import build_did_document, did_web_from_url

log = logging.getLogger(__name__)

#: Ed25519 signs both proof formats OB 3.0 allows: VC-JWT (EdDSA) and Data Integrity
#: (eddsa-rdfc-2022).
ALGORITHM = "EdDSA"
_PRIVATE = re.compile(r"^key-(\d+)\.pem$")
_PUBLIC = re.compile(r"^key-(\d+)\.pub\.pem$")


@dataclass(frozen=True)
class IssuerKey:
    """One issuer key: its number, its public key (PEM) and, for the current key only, its
    private key."""

    number: int
    public_pem: bytes
    private_key: Ed25519PrivateKey | None = None

    @property
    def fragment(self) -> str:
        return f"key-{self.number}"

    @property
    def kid(self) -> str:
        """The DID URL that names this key in the DID document and in signatures."""
        return f"{issuer_did()}#{self.fragment}"

    @property
    def public_jwk(self) -> dict:
        return {**public_jwk_from_pem(self.public_pem), "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    @property
    def private_pem(self) -> bytes:
        if self.private_key is None:
            raise RuntimeError(f"{self.fragment} is retired: it no longer signs")
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def key_dir() -> Path:
    return Path(current_app.config["ISSUER_KEY_DIR"])


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _write_once(path: Path, content: bytes, mode: int) -> bool:
    """Write ``path`` whole or not at all; False if it exists already. A hard link is atomic
    and refuses to replace, so two processes generating the first key at once end up sharing
    one of them, never a half-written file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)


def _generate(number: int) -> bool:
    private = Ed25519PrivateKey.generate()
    directory = key_dir()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    if not _write_once(directory / f"key-{number}.pem", pem, 0o600):
        return False
    _write_once(directory / f"key-{number}.pub.pem", _public_pem(private.public_key()), 0o644)
    log.info("Generated issuer key %d in %s", number, directory)
    return True


def _numbers(pattern: re.Pattern) -> list[int]:
    directory = key_dir()
    if not directory.is_dir():
        return []
    return sorted(int(m.group(1)) for name in os.listdir(directory) if (m := pattern.match(name)))


def all_keys() -> list[IssuerKey]:
    """Every published key, the current (signing) one first, then the retired ones newest
    first. Generates the first key when there is none."""
    key_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _numbers(_PRIVATE) and not _numbers(_PUBLIC):
        _generate(1)
    signing = max(_numbers(_PRIVATE), default=None)
    found = []
    for number in sorted(set(_numbers(_PUBLIC)) | set(_numbers(_PRIVATE)), reverse=True):  # newest first
        private = None
        if number == signing:
            loaded = serialization.load_pem_private_key((key_dir() / f"key-{number}.pem").read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise RuntimeError(f"key-{number}.pem is not an Ed25519 key")
            private = loaded
            public = _public_pem(loaded.public_key())
        else:
            public = (key_dir() / f"key-{number}.pub.pem").read_bytes()
        found.append(IssuerKey(number, public, private))
    if signing is None:
        raise RuntimeError(f"No issuer signing key in {key_dir()}: run `flask --app oep oep rotate-issuer-key`.")
    return sorted(found, key=lambda key: key.private_key is None)  # stable: the signing key, then newest first


def signing_key() -> IssuerKey:
    """The key that signs new credentials and the status lists."""
    return all_keys()[0]


def rotate() -> IssuerKey:
    """Make a new signing key and retire the current one: its private key is deleted, its
    public key stays published. Returns the new key."""
    current = all_keys()[0]
    number = max(_numbers(_PRIVATE) + _numbers(_PUBLIC)) + 1
    while not _generate(number):
        number += 1
    if current.private_key is not None:
        (key_dir() / f"key-{current.number}.pem").unlink(missing_ok=True)
    return all_keys()[0]


# --- identity and what is published -----------------------------------------------------------------


def issuer_did() -> str:
    """did:web of BASE_URL. did:web always resolves over HTTPS, so an http:// BASE_URL (a
    development machine) gives the same DID its https:// twin would."""
    parts = urlsplit(current_app.config["BASE_URL"].rstrip("/"))
    return did_web_from_url(f"https://{parts.netloc}{parts.path}")


def did_document() -> dict:
    """The DID document: every key, the signing key first (a verifier that reads only the
    first one checks status lists with it), each usable for assertions."""
    return build_did_document(issuer_did(), [(key.fragment, public_jwk_from_pem(key.public_pem)) for key in all_keys()])


def jwk_set() -> dict:
    """The same public keys as a JWK set, each with its kid."""
    return {"keys": [key.public_jwk for key in all_keys()]}


def sign_jwt(payload: dict, key: IssuerKey | None = None) -> str:
    """A compact JWS of ``payload`` by the signing key, its header naming the key (``kid``)
    and carrying its public JWK, as OB 3.0 asks of a VC-JWT."""
    key = key or signing_key()
    return jwt.encode(
        payload,
        key.private_key,
        algorithm=ALGORITHM,
        headers={"kid": key.kid, "jwk": public_jwk_from_pem(key.public_pem)},
    )
