using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TlsDoctor.Core;

namespace TlsDoctor.Probe.Capture;

/// <summary>A JA3 fingerprint: the classic string and its MD5.</summary>
public sealed record Ja3Fingerprint(string Text, string Hash);

/// <summary>TLS client fingerprints of a ClientHello: JA3 (Salesforce) and JA4 (FoxIO).</summary>
public static class Fingerprints
{
    /// <summary>
    /// JA3: "SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats", decimal values joined by '-', GREASE removed,
    /// MD5 in lower-case hex. SSLVersion is ClientHello.legacy_version (for SSLv2 format, its version field).
    /// </summary>
    public static Ja3Fingerprint Ja3(ClientHelloFacts hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        static string Join(IEnumerable<int> values) => string.Join('-', values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        var text = string.Join(',',
            hello.LegacyVersion.ToString(CultureInfo.InvariantCulture),
            Join(hello.CipherSuites.Where(c => !Grease.IsGrease(c)).Select(c => (int)c)),
            Join(hello.Extensions.Where(e => !Grease.IsGrease(e)).Select(e => (int)e)),
            Join(hello.Groups.Where(g => !Grease.IsGrease(g)).Select(g => (int)g)),
            Join(hello.EcPointFormats.Select(p => (int)p)));
#pragma warning disable CA5351 // JA3 is defined as MD5; it is an identifier, not a security control.
        var hash = Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(text)));
#pragma warning restore CA5351
        return new Ja3Fingerprint(text, hash);
    }

    /// <summary>
    /// JA4 (FoxIO, technical_details/JA4.md): a_b_c where a = protocol ('t' TCP) + version + SNI (d/i) + cipher count +
    /// extension count + ALPN first/last character; b = sha256[:12] of the sorted cipher hex list; c = sha256[:12] of the
    /// sorted extension hex list without SNI and ALPN, then '_' and the signature algorithms in their order.
    /// GREASE is ignored everywhere; empty lists give 000000000000.
    /// </summary>
    public static string Ja4(ClientHelloFacts hello, char protocol = 't')
    {
        ArgumentNullException.ThrowIfNull(hello);
        var ciphers = hello.CipherSuites.Where(c => !Grease.IsGrease(c)).ToArray();
        var extensions = hello.Extensions.Where(e => !Grease.IsGrease(e)).ToArray();
        var versions = hello.SupportedVersions.Where(v => !Grease.IsGrease(v)).ToArray();
        // supported_versions wins when present; the record-layer version is ignored.
        var version = hello.Has(Wire.ExtensionType.SupportedVersions) && versions.Length > 0 ? versions.Max() : hello.LegacyVersion;
        var a = new StringBuilder();
        a.Append(protocol);
        a.Append(VersionCode(version));
        a.Append(hello.Has(Wire.ExtensionType.ServerName) ? 'd' : 'i');
        a.Append(Math.Min(99, ciphers.Length).ToString("00", CultureInfo.InvariantCulture));
        a.Append(Math.Min(99, extensions.Length).ToString("00", CultureInfo.InvariantCulture));
        a.Append(AlpnCode(hello.FirstAlpn.AsSpan()));

        var b = ciphers.Length == 0 ? Empty : Hash12(string.Join(',', ciphers.Order().Select(Hex)));
        var sorted = extensions.Where(e => e is not 0x0000 and not 0x0010).Order().Select(Hex).ToArray();
        string c;
        if (sorted.Length == 0) c = Empty;
        else
        {
            var sigs = hello.SignatureAlgorithms.Where(s => !Grease.IsGrease(s)).Select(Hex).ToArray();
            var text = string.Join(',', sorted);
            if (sigs.Length > 0) text += "_" + string.Join(',', sigs);
            c = Hash12(text);
        }
        return $"{a}_{b}_{c}";
    }

    private const string Empty = "000000000000";

    private static string Hex(ushort v) => v.ToString("x4", CultureInfo.InvariantCulture);

    private static string Hash12(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..12];

    private static string VersionCode(ushort v) => v switch
    {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    };

    // First and last byte of the first ALPN value when both are alphanumeric, else the first and last hex digit of
    // the value's hex form; "00" when there is none.
    private static string AlpnCode(ReadOnlySpan<byte> first)
    {
        if (first.IsEmpty) return "00";
        static bool Alnum(byte x) => x is >= 0x30 and <= 0x39 or >= 0x41 and <= 0x5A or >= 0x61 and <= 0x7A;
        var f = first[0];
        var l = first[^1];
        if (Alnum(f) && Alnum(l)) return $"{(char)f}{(char)l}";
        var hex = Convert.ToHexStringLower(first);
        return $"{hex[0]}{hex[^1]}";
    }
}
