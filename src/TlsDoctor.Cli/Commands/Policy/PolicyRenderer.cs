using System.Globalization;
using Spectre.Console;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws a policy report as tables: per role protocols and suites, then .NET, product setting, assumptions, warnings.</summary>
public static class PolicyRenderer
{
    public static void Render(IAnsiConsole console, PolicyReport r)
    {
        var build = r.Os.Ubr is { } ubr ? $"{r.Os.Build}.{ubr}" : r.Os.Build.ToString(CultureInfo.InvariantCulture);
        console.Heading($"[bold]{Markup.Escape(r.Os.Name)}[/] (build {build}, {Markup.Escape(r.Os.ClientName)})");

        if (r.Updates.IsEmpty)
            console.MarkupLine("[bold]Updates:[/] none installed");
        else
        {
            var assumed = r.Updates.Any(u => u.Assumed);
            var ut = new Table().Border(TableBorder.Simple)
                .Title(assumed ? "Updates (none given: every known update assumed installed)" : "Updates (as given)")
                .AddColumns("KB", "Title", "Effects");
            foreach (var u in r.Updates)
                ut.AddRow(new Text(u.Id), new Text(u.Title ?? "(not in the knowledge base)"), new Text(string.Join(", ", u.Effects)));
            console.Write(ut);
        }

        Role(console, "Client role: outbound (Terminal Server → devices)", r.Client, client: true);
        Role(console, "Server role: inbound (devices → Terminal Server)", r.Server, client: false);

        var dt = new Table().Border(TableBorder.Rounded).Title(".NET Framework").AddColumns("Setting", "Value", "Source");
        dt.AddRow(new Text("Framework"), new Text(r.Dotnet.Framework), new Text(r.Dotnet.FrameworkSource));
        dt.AddRow(new Text("SchUseStrongCrypto"), YesNo(r.Dotnet.SchUseStrongCrypto), new Text(r.Dotnet.SchUseStrongCryptoSource));
        dt.AddRow(new Text("SystemDefaultTlsVersions"), YesNo(r.Dotnet.SystemDefaultTlsVersions), new Text(r.Dotnet.SystemDefaultTlsVersionsSource));
        dt.AddRow(new Text("Versions named explicitly"), YesNo(r.Dotnet.ExplicitVersions), new Text(r.Dotnet.ExplicitVersionsSource));
        console.Write(dt);

        console.MarkupLineInterpolated($"[bold]Product setting[/] {r.ProductSetting.Name} = {r.ProductSetting.Value ?? "(not set)"}");
        console.MarkupLineInterpolated($"  {r.ProductSetting.Effect}");

        if (!r.Assumptions.IsEmpty)
        {
            var at = new Table().Border(TableBorder.Simple).Title("Assumptions").AddColumns("Id", "Assumption", "Ref");
            foreach (var a in r.Assumptions) at.AddRow(new Text(a.Id), new Text(a.Text), new Text(a.Ref));
            console.Write(at);
        }
        foreach (var w in r.Warnings) console.MarkupLineInterpolated($"[yellow]warning:[/] {w}");
        console.WriteLine();
    }

    private static void Role(IAnsiConsole console, string title, PolicyReportRole role, bool client)
    {
        console.Heading($"[bold]{Markup.Escape(title)}[/]");
        var pt = new Table().Border(TableBorder.Rounded).AddColumns("Protocol", "SCHANNEL state", "Used", "Source");
        foreach (var p in role.Protocols)
        {
            var state = p.State switch
            {
                "enabled" => p.Version is "SSLv2" or "SSLv3" ? "[yellow]enabled[/]" : "[green]enabled[/]",
                "disabled-by-default" => "[yellow]disabled-by-default[/]",
                "disabled" => "[red]disabled[/]",
                _ => "[grey]not-supported[/]",
            };
            var used = p.Used ? "[green]yes[/]" + (p.UsedBecause is { } why && why != p.Source ? $" ({Markup.Escape(why)})" : "") : "[grey]no[/]";
            pt.AddRow(new Text(p.Version), new Markup(state), new Markup(used), new Text(p.Source));
        }
        console.Write(pt);

        // One shared source (the usual case) goes into the title instead of repeating on every row.
        var sources = role.CipherSuites.Select(s => s.Source).Distinct().ToList();
        var shared = sources.Count == 1 ? sources[0] : null;
        var st = new Table().Border(TableBorder.Simple)
            .Title((client ? "Cipher suites offered, in order" : "Cipher suites accepted, in server order") + (shared is null ? "" : $" ({Markup.Escape(shared)})"))
            .AddColumns("#", "Suite", "Code", "Versions");
        if (shared is null) st.AddColumn("Source");
        var i = 1;
        foreach (var s in role.CipherSuites)
        {
            var cells = new List<Spectre.Console.Rendering.IRenderable>
            {
                new Text((i++).ToString(CultureInfo.InvariantCulture)), new Text(s.Name), new Text(s.Code), new Text(string.Join(", ", s.Versions)),
            };
            if (shared is null) cells.Add(new Text(s.Source));
            st.AddRow(cells);
        }
        if (role.CipherSuites.IsEmpty) console.MarkupLine("[red]no cipher suites in this role[/]");
        else console.Write(st);

        console.MarkupLineInterpolated($"[bold]Groups:[/] {(role.Groups.IsEmpty ? "none" : string.Join(", ", role.Groups))} [grey]({role.GroupsSource})[/]");
        if (!role.SignatureSchemes.IsEmpty)
            console.MarkupLineInterpolated($"[bold]Signature schemes:[/] {string.Join(", ", role.SignatureSchemes)}");
        if (client)
        {
            console.MarkupLineInterpolated($"[bold]DH minimum:[/] {Bits(role.DhMinBits)} [grey]({role.DhSource})[/]");
            if (role.DhMaxBits is { } max) console.MarkupLineInterpolated($"[bold]DH maximum:[/] {max} bits");
            if (role.RsaMinBits is { } rsa) console.MarkupLineInterpolated($"[bold]RSA certificate minimum:[/] {rsa} bits");
            if (role.Sha512InTls12 is { } sha)
                console.MarkupLineInterpolated($"[bold]SHA-512 signatures in TLS 1.2:[/] {(sha ? "supported" : "not supported")} [grey]({role.Sha512InTls12Source ?? ""})[/]");
        }
        else
            console.MarkupLineInterpolated($"[bold]DH group:[/] {Bits(role.DhBits)} [grey]({role.DhSource})[/]");
        console.MarkupLineInterpolated($"[bold]DH leading-zero fix:[/] {(role.DhLeadingZeroFixed ? "installed" : "missing")} [grey]({role.DhLeadingZeroSource})[/]");
        console.MarkupLineInterpolated($"[bold]Strong crypto:[/] {(role.StrongCrypto ? "on" : "off")} [grey]({role.StrongCryptoSource})[/]");
    }

    private static string Bits(int? bits) => bits is { } b ? $"{b} bits" : "none";

    private static Markup YesNo(bool value) => new(value ? "yes" : "no");
}
