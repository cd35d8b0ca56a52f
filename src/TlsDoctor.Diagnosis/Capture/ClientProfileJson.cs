using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Diagnosis;

/// <summary>A capture file that cannot be turned into a ClientProfile.</summary>
public sealed class CaptureFormatException(string message) : InputException(message);

/// <summary>Turns a capture file into the device's ClientProfile (inbound diagnosis).</summary>
public interface IClientProfileLoader
{
    /// <summary>Reads the profile; throws <see cref="CaptureFormatException"/> for content it cannot use.</summary>
    ClientProfile Load(string json, string origin);
}

/// <summary>
/// Reads a ClientProfile with <see cref="ClientProfileFiles"/>, the one reader `simulate --client` uses too, so both
/// commands accept the same files (see that class and docs/json.md "ClientProfile JSON" for the accepted forms).
/// </summary>
public sealed class ClientProfileJsonLoader : IClientProfileLoader
{
    public static ClientProfileJsonLoader Instance { get; } = new();

    public ClientProfile Load(string json, string origin)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(origin);
        try
        {
            var p = ClientProfileFiles.Parse(json, origin);
            return p.Origin is null ? p with { Origin = origin } : p;
        }
        catch (ClientProfileFileException e)
        {
            throw Translate(e, origin);
        }
    }

    /// <summary>Reads a file; unreadable files throw <see cref="CaptureFormatException"/> too; <paramref name="option"/> prefixes the message.</summary>
    public ClientProfile LoadFile(string path, string? option = null)
    {
        try
        {
            return ClientProfileFiles.Load(path);
        }
        catch (ClientProfileFileException e)
        {
            var error = Translate(e, path);
            throw option is null ? error : new CaptureFormatException($"{option}: {error.Message}");
        }
    }

    // The reader's messages already start with the file; the prefix covers any that would not.
    private static CaptureFormatException Translate(ClientProfileFileException e, string? origin) =>
        new(string.IsNullOrEmpty(origin) || e.Message.StartsWith(origin, StringComparison.Ordinal) ? e.Message : $"{origin}: {e.Message}");
}
