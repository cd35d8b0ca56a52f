using System.Globalization;
using Spectre.Console;
using TlsDoctor.Core;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws a simulated handshake: the two sides, the outcome, and the assumptions it rests on.</summary>
public static class SimulateRenderer
{
    public static void Render(IAnsiConsole console, LoadedProfile<ClientProfile> client, LoadedProfile<ServerProfile> server, HandshakeOutcome o)
    {
        console.Heading($"[bold]{Markup.Escape(client.Name)}[/] → [bold]{Markup.Escape(server.Name)}[/]");
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        var result = o switch
        {
            { Healthy: true } => "[green]completes[/]",
            { Completed: true } => "[yellow]completes, but fails intermittently[/]",
            _ => "[red]fails[/]",
        };
        grid.AddRow(new Markup("[bold]Handshake[/]"), new Markup(result));
        grid.AddRow(new Text("Version"), new Text(o.Version?.Name() ?? "none"));
        grid.AddRow(new Text("Cipher suite"), new Text(o.CipherSuite?.Name ?? "none"));
        if (o.KeyExchange is { } kx)
        {
            var detail = kx.Name() + (o.KeyExchangeBits is { } b ? $" {b} bits" : "") + (o.Group is { } g ? $" ({g.Name})" : "");
            grid.AddRow(new Text("Key exchange"), new Text(detail));
        }
        if (o.Reason is { } reason)
        {
            grid.AddRow(new Text("Reason"), new Markup($"[bold]{Markup.Escape(reason.Name())}[/]"));
            grid.AddRow(new Text("Aborting side"), new Text(o.AbortingSide?.Name() ?? ""));
            grid.AddRow(new Text("Alert"), new Text(o.Alert?.Name() ?? "none (the connection is closed)"));
        }
        if (o.FailureRate is { } rate)
            grid.AddRow(new Text("Failure rate"), new Text($"{rate.ToString("0.####", CultureInfo.InvariantCulture)} (about 1 in {Math.Round(1 / rate).ToString(CultureInfo.InvariantCulture)} handshakes)"));
        grid.AddRow(new Text("Explanation"), new Text(o.Explanation));
        if (!o.AdditionalReasons.IsDefaultOrEmpty)
            grid.AddRow(new Text("Also"), new Text(string.Join(", ", o.AdditionalReasons.Select(r => r.Name()))));
        console.Write(grid);

        // Both Windows sides share most assumptions: list each once with the sides it applies to.
        var assumptions = client.Assumptions.Select(a => (Side: "client", A: a)).Concat(server.Assumptions.Select(a => (Side: "server", A: a)))
            .GroupBy(x => x.A.Id).ToList();
        if (assumptions.Count > 0)
        {
            var t = new Table().Border(TableBorder.Simple).Title("Assumptions").AddColumns("Id", "Side", "Assumption");
            foreach (var g in assumptions)
                t.AddRow(new Text(g.Key), new Text(string.Join(", ", g.Select(x => x.Side).Distinct())), new Text(g.First().A.Text));
            console.Write(t);
        }
        console.WriteLine();
    }
}
