namespace TlsDoctor.Core;

/// <summary>TLS alert descriptions with their IANA values; unknown values survive the cast.</summary>
public enum AlertDescription : byte
{
    CloseNotify = 0,
    UnexpectedMessage = 10,
    BadRecordMac = 20,
    DecryptionFailed = 21,
    RecordOverflow = 22,
    DecompressionFailure = 30,
    HandshakeFailure = 40,
    NoCertificate = 41,
    BadCertificate = 42,
    UnsupportedCertificate = 43,
    CertificateRevoked = 44,
    CertificateExpired = 45,
    CertificateUnknown = 46,
    IllegalParameter = 47,
    UnknownCa = 48,
    AccessDenied = 49,
    DecodeError = 50,
    DecryptError = 51,
    ExportRestriction = 60,
    ProtocolVersion = 70,
    InsufficientSecurity = 71,
    InternalError = 80,
    InappropriateFallback = 86,
    UserCanceled = 90,
    NoRenegotiation = 100,
    MissingExtension = 109,
    UnsupportedExtension = 110,
    CertificateUnobtainable = 111,
    UnrecognizedName = 112,
    BadCertificateStatusResponse = 113,
    BadCertificateHashValue = 114,
    UnknownPskIdentity = 115,
    CertificateRequired = 116,
    NoApplicationProtocol = 120,
    EchRequired = 121,
}

/// <summary>Alert level byte.</summary>
public enum AlertLevel : byte { Warning = 1, Fatal = 2 }

/// <summary>RFC spellings of alerts (bad_record_mac).</summary>
public static class AlertNames
{
    /// <summary>The RFC's snake_case name, or alert_NNN for values the registry lacks.</summary>
    public static string Name(this AlertDescription alert)
    {
        if (!Enum.IsDefined(alert)) return $"alert_{(byte)alert}";
        var s = alert.ToString();
        var sb = new System.Text.StringBuilder(s.Length + 8);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsUpper(s[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(s[i]));
        }
        return sb.ToString();
    }

    /// <summary>Parses an RFC name (bad_record_mac) or a decimal value.</summary>
    public static bool TryParse(string? text, out AlertDescription alert)
    {
        alert = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (byte.TryParse(text, out var b)) { alert = (AlertDescription)b; return true; }
        foreach (var v in Enum.GetValues<AlertDescription>())
            if (string.Equals(v.Name(), text.Trim(), StringComparison.OrdinalIgnoreCase)) { alert = v; return true; }
        return false;
    }
}
