namespace TlsDoctor.Core;

/// <summary>Reads back the JSON spelling of a vocabulary enum, given the function that writes it.</summary>
public static class Spellings
{
    /// <summary>The value whose spelling equals <paramref name="text"/> (ordinal); false when none does.</summary>
    public static bool TryParse<T>(string? text, Func<T, string> name, out T value) where T : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var v in Enum.GetValues<T>())
            if (string.Equals(name(v), text, StringComparison.Ordinal)) { value = v; return true; }
        value = default;
        return false;
    }
}
