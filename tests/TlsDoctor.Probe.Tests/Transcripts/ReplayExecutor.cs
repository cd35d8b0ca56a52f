namespace TlsDoctor.Probe.Tests.Transcripts;

/// <summary>Answers each request from the recording, after checking it is the request the live scan made.</summary>
internal sealed class ReplayExecutor(TranscriptFixture fixture)
{
    public int Served { get; private set; }

    public Task<(ProbeAnswer Answer, Transcript Transcript)> ExecuteAsync(ProbeRequest request, CancellationToken ct)
    {
        Assert.True(Served < fixture.Attempts.Length, $"the scan asked for more connections than were recorded: {request.Purpose}");
        var recorded = fixture.Attempts[Served++];
        Assert.Equal(recorded.Purpose, request.Purpose);
        var transcript = recorded.Transcript;
        ProbeAnswer answer = request switch
        {
            HelloRequest h => Same(h.Record, transcript, ServerFlight.Replay),
            Sslv2HelloRequest s => Same(s.Hello, transcript, ServerFlight.Replay),
            FullHandshakeRequest => recorded.Handshake!.ToResult(),
            _ => throw new InvalidOperationException($"no recording for {request.GetType().Name}"),
        };
        return Task.FromResult((answer, transcript));
    }

    private static HelloResponse Same(ReadOnlyMemory<byte> hello, Transcript transcript, Func<Transcript, HelloResponse> replay)
    {
        Assert.Equal(Convert.ToHexString(transcript.Sent.Span), Convert.ToHexString(hello.Span));
        return replay(transcript);
    }
}
