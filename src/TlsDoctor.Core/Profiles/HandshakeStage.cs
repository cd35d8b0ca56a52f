namespace TlsDoctor.Core;

/// <summary>How far a complete handshake got: the last stage reached, which is where it stopped unless <see cref="Completed"/>.</summary>
public enum HandshakeStage
{
    /// <summary>No ServerHello arrived (not connected, or the peer never answered the ClientHello).</summary>
    Connect,
    /// <summary>The ServerHello arrived.</summary>
    ServerHello,
    /// <summary>The server's Certificate arrived.</summary>
    Certificate,
    /// <summary>The ServerKeyExchange arrived.</summary>
    ServerKeyExchange,
    /// <summary>The server's flight is over; the Finished exchange was under way.</summary>
    Finished,
    /// <summary>Both Finished messages verified.</summary>
    Completed,
}

/// <summary>The JSON spellings of <see cref="HandshakeStage"/> ("server-hello", …), both ways.</summary>
public static class HandshakeStages
{
    /// <summary>connect, server-hello, certificate, server-key-exchange, finished or completed.</summary>
    public static string Name(this HandshakeStage stage) => stage switch
    {
        HandshakeStage.Connect => "connect",
        HandshakeStage.ServerHello => "server-hello",
        HandshakeStage.Certificate => "certificate",
        HandshakeStage.ServerKeyExchange => "server-key-exchange",
        HandshakeStage.Finished => "finished",
        HandshakeStage.Completed => "completed",
        _ => stage.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads a JSON spelling; false for anything else.</summary>
    public static bool TryParse(string? name, out HandshakeStage stage)
    {
        foreach (var s in Enum.GetValues<HandshakeStage>())
            if (s.Name() == name) { stage = s; return true; }
        stage = default;
        return false;
    }
}
