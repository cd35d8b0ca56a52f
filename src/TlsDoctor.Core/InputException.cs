namespace TlsDoctor.Core;

/// <summary>
/// Input a command cannot use — a file, an option value, a document, stored data — at any layer. The message is one
/// line for the user; the command line maps every such error, whatever its layer, to exit code 2.
/// </summary>
public class InputException : Exception
{
    public InputException(string message) : base(message) { }

    public InputException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>The field that is wrong (a wire field such as ServerHello.cipher_suite, a JSON property), when known.</summary>
    public string? Field { get; init; }

    /// <summary>Where in the input: the byte offset of a wire field, or the line of a text file; null when unknown.</summary>
    public long? Offset { get; init; }

    /// <summary>The input names a server that could not be reached (a database, say): exit code 3 rather than 2.</summary>
    public virtual bool Unreachable => false;
}

/// <summary>Reads files named by the user, turning every I/O failure into an <see cref="InputException"/> that names the file.</summary>
public static class InputFiles
{
    /// <summary>The whole file as text; <paramref name="what"/> prefixes the message (an option name such as "--reg").</summary>
    public static string ReadAllText(string path, string what) => Read(path, what, File.ReadAllText);

    /// <summary>The whole file as bytes.</summary>
    public static byte[] ReadAllBytes(string path, string what) => Read(path, what, File.ReadAllBytes);

    private static T Read<T>(string path, string what, Func<string, T> read)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InputException($"{what}: no file given");
        if (Directory.Exists(path)) throw new InputException($"{what} {path}: is a directory, not a file");
        try
        {
            return read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException($"{what} {path}: {Reason(e)}", e);
        }
    }

    /// <summary>A short reason for a file error: "file not found", "access denied", or the system's message.</summary>
    public static string Reason(Exception e) => e switch
    {
        FileNotFoundException => "file not found",
        DirectoryNotFoundException => "directory not found",
        UnauthorizedAccessException => "access denied",
        _ => e.Message,
    };
}
