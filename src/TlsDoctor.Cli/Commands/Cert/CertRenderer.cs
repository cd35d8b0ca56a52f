using Spectre.Console;
using TlsDoctor.Diagnosis.Certificates;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws what `cert new` wrote and how to install it.</summary>
public static class CertRenderer
{
    public static void Render(IAnsiConsole console, CertificateKitResult r)
    {
        var s = r.Server;
        var key = s.Curve is not null ? $"{s.KeyAlgorithm} {s.Curve}" : $"{s.KeyAlgorithm} {s.KeyBits}";
        console.MarkupLineInterpolated($"[bold]Server certificate[/] {s.Subject}: {key}, {s.SignatureAlgorithm}, valid {s.NotBefore:yyyy-MM-dd} to {s.NotAfter:yyyy-MM-dd}");
        console.MarkupLineInterpolated($"  issuer {s.Issuer}; SANs {string.Join(", ", s.SubjectAlternativeNames)}");
        console.MarkupLineInterpolated($"  SHA-256 {s.Sha256}");
        console.MarkupLineInterpolated($"  SHA-1 thumbprint (Windows) {r.Sha1Thumbprint}");
        if (r.Ca is { } ca) console.MarkupLineInterpolated($"[bold]CA[/] {ca.Subject}: SHA-256 {ca.Sha256}");

        var t = new Table().Border(TableBorder.Rounded).AddColumns("File", "Purpose", "Private");
        foreach (var f in r.Files)
            t.AddRow(new Text(f.Path), new Text(f.Purpose), new Markup(f.Private ? "[yellow]yes (owner-only)[/]" : "no"));
        console.Write(t);

        if (r.Password is { } pw)
            console.MarkupLineInterpolated($"[bold]PFX password[/] (shown once, not stored): {pw}");
        else if (!r.PasswordProtected)
            console.MarkupLine("[yellow]The PFX has no password: protect the file.[/]");

        console.MarkupLine("[bold]On the Windows server (Terminal Server)[/]");
        var i = 1;
        foreach (var step in r.WindowsSteps) console.WriteLine(step.StartsWith("  ", StringComparison.Ordinal) ? "   " + step.Trim() : $"{i++}. {step}");
        console.MarkupLine("[bold]On the device[/]");
        i = 1;
        foreach (var step in r.DeviceSteps) console.WriteLine($"{i++}. {step}");
        foreach (var w in r.Warnings) console.MarkupLineInterpolated($"[yellow]warning:[/] {w}");
    }
}
