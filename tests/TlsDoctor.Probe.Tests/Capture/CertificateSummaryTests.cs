using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Probe.Tests.Capture;

/// <summary>What certificate verdicts imply about a device, and the certificates the probe presents.</summary>
public sealed class CertificateSummaryTests
{
    private static CertificateProbeAttempt A(string label, string key, int bits, string sig, CertificateVerdict v, AlertDescription? alert = null) =>
        new(1, label, key, bits, sig, "00", v, alert, alert is not null, true, TlsVersion.TLSv1_0, null, "");

    [Fact]
    public void Old_device_limits_are_inferred_from_contrasts()
    {
        var s = CertificateProbeSummary.From(
        [
            A("RSA-2048/SHA-256", "RSA", 2048, "sha256WithRSAEncryption", CertificateVerdict.Rejected, AlertDescription.UnsupportedCertificate),
            A("RSA-2048/SHA-1", "RSA", 2048, "sha1WithRSAEncryption", CertificateVerdict.Rejected, AlertDescription.UnsupportedCertificate),
            A("RSA-1024/SHA-1", "RSA", 1024, "sha1WithRSAEncryption", CertificateVerdict.Untrusted, AlertDescription.UnknownCa),
            A("ECDSA-P256/SHA-256", "EC", 256, "ecdsa-with-SHA256", CertificateVerdict.NotApplicable),
            A("RSA-1024/SHA-256", "RSA", 1024, "sha256WithRSAEncryption", CertificateVerdict.Rejected, AlertDescription.BadCertificate),
        ]);
        Assert.Equal("RSA-1024/SHA-1", s.Strongest);
        Assert.Equal(1024, s.RsaMaxBits);
        Assert.Equal(["sha1"], s.AcceptedCertificateHashes.ToArray());
        Assert.Empty(s.AcceptedCertificateKeys); // EC was never tried, so nothing is known about it
        Assert.True(s.ChecksTrust);
        var p = s.ApplyTo(new ClientProfile("d", [TlsVersion.TLSv1_0], [CipherSuites.Get(0x002F)], [], [], []));
        Assert.Equal(1024, p.RsaMaxBits);
        Assert.Equal(["sha1"], p.AcceptedCertificateHashes.ToArray());
    }

    [Fact]
    public void Modern_device_gets_no_limits()
    {
        var s = CertificateProbeSummary.From(
        [
            A("RSA-2048/SHA-256", "RSA", 2048, "sha256WithRSAEncryption", CertificateVerdict.Untrusted, AlertDescription.UnknownCa),
            A("RSA-2048/SHA-1", "RSA", 2048, "sha1WithRSAEncryption", CertificateVerdict.Untrusted, AlertDescription.UnknownCa),
            A("ECDSA-P256/SHA-256", "EC", 256, "ecdsa-with-SHA256", CertificateVerdict.Untrusted, AlertDescription.UnknownCa),
        ]);
        Assert.Equal("RSA-2048/SHA-256", s.Strongest);
        Assert.Null(s.RsaMaxBits);
        Assert.Empty(s.AcceptedCertificateHashes);
        Assert.Empty(s.AcceptedCertificateKeys);
    }

    [Fact]
    public void Default_probe_set_has_the_advertised_keys_and_signatures()
    {
        var set = CertificateProbe.CreateDefaultSet();
        Assert.Equal(["RSA-2048/SHA-256", "RSA-2048/SHA-1", "RSA-1024/SHA-1", "ECDSA-P256/SHA-256", "RSA-1024/SHA-256"], set.Select(c => c.Label));
        Assert.Equal([2048, 2048, 1024, 256, 1024], set.Select(c => c.Info.KeyBits));
        Assert.Equal(["sha256WithRSAEncryption", "sha1WithRSAEncryption", "sha1WithRSAEncryption", "ecdsa-with-SHA256", "sha256WithRSAEncryption"],
            set.Select(c => c.Info.SignatureAlgorithm));
        Assert.Equal("secp256r1", set[3].Info.Curve);
        Assert.Equal(5, set.Select(c => c.Info.Sha256).Distinct().Count());
    }
}
