"""RSA keys for the JWT bearer flow: a demo key pair, a self-signed certificate (what a Salesforce
connected app is given), and loading the public half from either PEM form."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def generate_demo_keypair() -> tuple[str, str]:
    """A fresh RSA 2048 key pair as ``(private_key_pem, public_key_pem)`` (PKCS#8, SubjectPublicKeyInfo)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    return private_pem, public_pem


def self_signed_certificate(private_key_pem: str | bytes, common_name: str = "portal-sandbox", days: int = 365) -> str:
    """A self-signed X.509 certificate (PEM) for the key: the form a connected app stores."""
    key = serialization.load_pem_private_key(_bytes(private_key_pem), password=None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """The RSA public key of a PEM public key or certificate; ``ValueError`` for anything else."""
    data = _bytes(pem)
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a PEM public key or certificate: {exc}") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the JWT bearer flow needs an RSA key")
    return key


def _bytes(value: str | bytes) -> bytes:
    return value.encode("ascii") if isinstance(value, str) else value
