using TlsDoctor.Core;

namespace TlsDoctor.Schannel.Policy;

/// <summary>Registry locations the policy reads (knowledge §1, §6.3, §10.3).</summary>
public static class RegistryPaths
{
    public const string Schannel = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL";
    public const string Protocols = Schannel + @"\Protocols";
    public const string KeyExchange = Schannel + @"\KeyExchangeAlgorithms";
    public const string DiffieHellman = KeyExchange + @"\Diffie-Hellman";
    public const string Pkcs = KeyExchange + @"\PKCS";
    public const string Ecdh = KeyExchange + @"\ECDH";
    public const string Ciphers = Schannel + @"\Ciphers";
    public const string Hashes = Schannel + @"\Hashes";
    public const string SuitePolicy = @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002";
    public const string SuiteLocal = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Cryptography\Configuration\Local\SSL\00010002";
    public const string DotNet64 = @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v4.0.30319";
    public const string DotNet32 = @"HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319";
    public const string CurrentVersion = @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion";

    /// <summary>Subtrees a snapshot keeps.</summary>
    public static IReadOnlyList<string> SnapshotRoots { get; } = [Schannel, SuitePolicy, SuiteLocal, DotNet64, DotNet32, CurrentVersion];

    /// <summary>Registry key name of a version: "TLS 1.2", "SSL 3.0".</summary>
    public static string ProtocolKeyName(TlsVersion v) => v switch
    {
        TlsVersion.SSLv2 => "SSL 2.0",
        TlsVersion.SSLv3 => "SSL 3.0",
        TlsVersion.TLSv1_0 => "TLS 1.0",
        TlsVersion.TLSv1_1 => "TLS 1.1",
        TlsVersion.TLSv1_2 => "TLS 1.2",
        TlsVersion.TLSv1_3 => "TLS 1.3",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    /// <summary>Protocols\TLS 1.2\Client (role "Client" or "Server").</summary>
    public static string ProtocolKey(TlsVersion v, string role) => $@"{Protocols}\{ProtocolKeyName(v)}\{role}";
}
