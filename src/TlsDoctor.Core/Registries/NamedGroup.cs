namespace TlsDoctor.Core;

/// <summary>Kind of a TLS supported group.</summary>
public enum GroupKind { EllipticCurve, FiniteField, Hybrid, Unknown }

/// <summary>One entry of the IANA TLS Supported Groups registry.</summary>
/// <param name="Code">Two-byte code point.</param>
/// <param name="Name">IANA name (secp256r1, x25519, ffdhe2048, X25519MLKEM768); hex for unknown codes.</param>
/// <param name="Kind">Curve, finite-field group or hybrid.</param>
/// <param name="Bits">Field or curve size in bits (256 for secp256r1, 2048 for ffdhe2048).</param>
public sealed record NamedGroup(ushort Code, string Name, GroupKind Kind, int Bits, bool Known = true)
{
    public string Hex => $"0x{Code:x4}";
    public override string ToString() => Name;
}

/// <summary>One entry of the IANA TLS SignatureScheme registry (TLS 1.2 hash/signature pairs included).</summary>
/// <param name="Code">Two-byte code point (for TLS 1.2: hash byte then signature byte).</param>
/// <param name="Name">IANA name (rsa_pkcs1_sha256, ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256); hex for unknown codes.</param>
/// <param name="Hash">Hash algorithm (sha1, sha256, sha384, sha512, md5, none).</param>
/// <param name="Signature">Signature algorithm (rsa, rsa_pss, ecdsa, dsa, ed25519, ed448).</param>
public sealed record SignatureScheme(ushort Code, string Name, string Hash, string Signature, bool Known = true)
{
    public string Hex => $"0x{Code:x4}";
    public override string ToString() => Name;
}
