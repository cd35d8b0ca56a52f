using System.Text.Json;
using System.Text.Json.Serialization;

namespace TlsDoctor.Cli;

/// <summary>Why a command produced no result.</summary>
public enum ErrorKind
{
    /// <summary>The command line is wrong: unknown option, value out of range, missing argument.</summary>
    Usage,
    /// <summary>An input the command was given cannot be used: a file, a document, stored data.</summary>
    Input,
    /// <summary>Ctrl+C.</summary>
    Cancelled,
}

/// <summary>JSON spelling of <see cref="ErrorKind"/>.</summary>
public static class ErrorKinds
{
    public static string Name(this ErrorKind k) => k switch { ErrorKind.Usage => "usage", ErrorKind.Input => "input", _ => "cancelled" };
}

/// <summary>What `--json` prints instead of a result when the command fails: still exactly one JSON document.</summary>
public sealed record ErrorDocument(ErrorJson Error, int ExitCode)
{
    private static readonly ErrorJsonContext Relaxed = new(new JsonSerializerOptions(ErrorJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(ErrorDocument d) => JsonSerializer.Serialize(d, Relaxed.ErrorDocument);
}

/// <summary>The error: kind (usage, input, cancelled), the message, and where in the input when known.</summary>
/// <param name="Field">The field that is wrong (a wire field, a JSON property), else null.</param>
/// <param name="Offset">The byte offset of that field, or the line of a text file, else null.</param>
public sealed record ErrorJson(string Kind, string Message, string? Field, long? Offset);

/// <summary>Source-generated serializer settings of the error document: camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorDocument))]
public sealed partial class ErrorJsonContext : JsonSerializerContext;
