using System.Collections.Immutable;

namespace TlsDoctor.Wire;

/// <summary>Parses a Certificate message body in its TLS ≤ 1.2 or TLS 1.3 form; never throws.</summary>
public static class CertificateReader
{
    // TLS ≤ 1.2:  opaque ASN.1Cert<1..2^24-1>;
    //             struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
    // TLS 1.3:    struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; } CertificateEntry;
    //             struct { opaque certificate_request_context<0..2^8-1>;
    //                      CertificateEntry certificate_list<0..2^24-1>; } Certificate;
    /// <summary>The DER certificates, leaf first.</summary>
    public static WireStatus TryRead(ReadOnlySpan<byte> body, bool tls13, out ImmutableArray<ReadOnlyMemory<byte>> certificates, out WireError error)
    {
        certificates = default;
        var r = new TlsReader(body);
        if (tls13) r.ReadOpaque8("Certificate.certificate_request_context");
        var list = r.ReadVector24("Certificate.certificate_list");
        var b = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>();
        while (!list.IsAtEnd && !list.Failed)
        {
            var at = list.Offset;
            var cert = list.ReadOpaque24("Certificate.certificate_list.cert_data");
            if (list.Failed) break;
            if (cert.Length == 0) { list.FailAt(WireStatus.Malformed, at, "Certificate.certificate_list.cert_data", "empty certificate"); break; }
            if (tls13) list.ReadOpaque16("Certificate.certificate_list.extensions");
            if (!list.Failed) b.Add(cert.ToArray());
        }
        r.Absorb(list);
        r.ExpectEnd("Certificate");
        if (r.Failed) return r.Finish(out error);
        certificates = b.ToImmutable();
        error = default;
        return WireStatus.Done;
    }
}

/// <summary>A TLS ≤ 1.2 CertificateRequest: wanted certificate types, signature algorithms (TLS 1.2) and acceptable CA names (DER).</summary>
public sealed record CertificateRequest(
    ImmutableArray<byte> CertificateTypes,
    ImmutableArray<ushort>? SignatureAlgorithms,
    ImmutableArray<ReadOnlyMemory<byte>> CertificateAuthorities);

/// <summary>Parses a TLS ≤ 1.2 CertificateRequest body; never throws.</summary>
public static class CertificateRequestReader
{
    // struct {
    //     ClientCertificateType certificate_types<1..2^8-1>;
    //     SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;   (TLS 1.2 only)
    //     DistinguishedName certificate_authorities<0..2^16-1>;
    // } CertificateRequest;
    // opaque DistinguishedName<1..2^16-1>;
    public static WireStatus TryRead(ReadOnlySpan<byte> body, bool hasSignatureAlgorithms, out CertificateRequest request, out WireError error)
    {
        request = null!;
        var r = new TlsReader(body);
        var typesAt = r.Offset;
        var types = r.ReadOpaque8("CertificateRequest.certificate_types");
        if (!r.Failed && types.Length == 0)
            r.FailAt(WireStatus.Malformed, typesAt, "CertificateRequest.certificate_types", "empty list");
        var typeArray = types.ToArray().ToImmutableArray();
        ImmutableArray<ushort>? schemes = null;
        if (hasSignatureAlgorithms)
            schemes = HelloExtensions.DecodeUInt16VectorNoEnd(ref r, "CertificateRequest.supported_signature_algorithms");
        var cas = r.ReadVector16("CertificateRequest.certificate_authorities");
        var b = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>();
        while (!cas.IsAtEnd && !cas.Failed)
        {
            var at = cas.Offset;
            var dn = cas.ReadOpaque16("CertificateRequest.certificate_authorities.DistinguishedName");
            if (cas.Failed) break;
            if (dn.Length == 0) { cas.FailAt(WireStatus.Malformed, at, "CertificateRequest.certificate_authorities.DistinguishedName", "empty name"); break; }
            b.Add(dn.ToArray());
        }
        r.Absorb(cas);
        r.ExpectEnd("CertificateRequest");
        if (r.Failed) return r.Finish(out error);
        request = new CertificateRequest(typeArray, schemes, b.ToImmutable());
        error = default;
        return WireStatus.Done;
    }
}

/// <summary>Checks a ServerHelloDone body, which must be empty.</summary>
public static class ServerHelloDoneReader
{
    // struct { } ServerHelloDone;
    public static WireStatus TryRead(ReadOnlySpan<byte> body, out WireError error)
    {
        var r = new TlsReader(body);
        r.ExpectEnd("ServerHelloDone");
        return r.Finish(out error);
    }
}
