using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;

namespace TlsDoctor.Fleet;

/// <summary>
/// Renders a fleet report as one self-contained HTML file: inline CSS and JS, charts as inline SVG, sortable and
/// filterable tables. Nothing is fetched from the network, so it opens on an air-gapped server. Every value that
/// came from a device or the inventory is HTML-encoded.
/// </summary>
public static class FleetHtml
{
    public static string Render(FleetReportJson r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder(64 * 1024);
        sb.Append(Head);
        Header(sb, r);
        Cards(sb, r);
        Summary(sb, r);
        Groups(sb, "By model", "by-model", r.ByModel, r.Policy is not null);
        Groups(sb, "By site", "by-site", r.BySite, r.Policy is not null);
        DeviceTable(sb, r);
        sb.Append(Script);
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    // The device table scrolls inside its own box and its cells wrap, so the page never gets wider than the window.
    private const string Head = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
        <title>TlsDoctor fleet report</title>
        <style>
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
        .meta{color:#5a6270;font-size:12px}
        .cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
        .card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 16px;min-width:110px}
        .card b{display:block;font-size:24px}
        .charts{display:flex;flex-wrap:wrap;gap:16px}
        .chart{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 12px;max-width:100%;overflow-x:auto}
        .chart h3{font-size:13px;margin:0 0 4px}
        .table-scroll{max-width:100%;overflow-x:auto}
        table{border-collapse:collapse;background:#fff;font-size:12.5px}
        th,td{border:1px solid #dde1e6;padding:3px 7px;text-align:left;vertical-align:top}
        td{overflow-wrap:anywhere;max-width:22em}
        th{background:#eef1f4;cursor:pointer;user-select:none}
        th.asc::after{content:" \25B2"}th.desc::after{content:" \25BC"}
        td.num{text-align:right}
        .s-ok{color:#18794e}.s-bad{color:#b42318;font-weight:600}.s-warn{color:#b54708}
        .g-A{color:#18794e;font-weight:700}.g-B{color:#b54708;font-weight:700}.g-C,.g-F{color:#b42318;font-weight:700}
        input.filter{padding:5px 8px;width:320px;max-width:90%;margin:4px 0 8px;border:1px solid #b8c0cc;border-radius:4px}
        .count{color:#5a6270;margin-left:8px}
        </style></head><body>
        """;

    private static void Header(StringBuilder sb, FleetReportJson r)
    {
        sb.Append("<h1>TlsDoctor fleet report</h1>\n<div class=\"meta\">Generated ").Append(E(r.Generated.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)));
        foreach (var s in r.Scans)
            sb.Append(" · scan ").Append(s.Id).Append(s.Source is { } src ? $" from {E(src)} (its scan {s.SourceScanId})" : "")
              .Append(", started ").Append(E(s.Started.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)))
              .Append(s.Finished is null ? $", <span class=\"s-warn\">unfinished ({s.Results}/{s.Devices})</span>" : "");
        sb.Append("<br>Windows policy: ").Append(r.Policy is null ? "none given (run with --os … to simulate handshakes and list findings)" : E(r.Policy)).Append("</div>\n");
    }

    private static void Cards(StringBuilder sb, FleetReportJson r)
    {
        sb.Append("<div class=\"cards\">");
        Card(sb, "devices", r.Devices, "device-count");
        foreach (var (status, n) in r.Statuses) Card(sb, status, n, null);
        if (r.Policy is not null)
        {
            Card(sb, "handshake works", r.DeviceRows.Count(d => d.Outcome is { Healthy: true } && d.NotChecked.IsDefaultOrEmpty), null);
            Card(sb, "handshake fails", r.DeviceRows.Count(d => d.Outcome is { Healthy: false }), "broken-count");
        }
        var sslOnly = r.DeviceRows.Count(d => d.Rating?.Warning is not null);
        if (sslOnly > 0) Card(sb, "SSLv2/SSLv3 only", sslOnly, "ssl-only-count");
        sb.Append("</div>\n");
    }

    private static void Summary(StringBuilder sb, FleetReportJson r)
    {
        sb.Append("<h2>Summary</h2><div class=\"charts\">\n");
        Chart(sb, "Security rating", [.. r.DeviceRows.Where(d => d.Rating?.Grade is not null).GroupBy(d => d.Rating!.Grade!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CountJson(g.Key, g.Count()))], v => v == "A" ? "#12b76a" : v == "B" ? "#f79009" : "#d92d20");
        Chart(sb, "Protocol versions (devices)", r.Versions, v => v is "SSLv2" or "SSLv3" ? "#d92d20" : v is "TLSv1.0" or "TLSv1.1" ? "#f79009" : "#12b76a");
        Chart(sb, "Smallest DH group (bits)", r.DhSizes, v => int.TryParse(v, out var b) ? b < 1024 ? "#d92d20" : b < 2048 ? "#f79009" : "#12b76a" : "#98a2b3");
        Chart(sb, "Certificate keys", r.CertificateKeys, v => v.StartsWith("RSA ", StringComparison.Ordinal) && int.TryParse(v[4..], out var b) && b < 2048 ? "#f79009" : "#2e90fa");
        Chart(sb, "Certificate signatures", r.CertificateSignatures, v => v.Contains("sha1", StringComparison.OrdinalIgnoreCase) || v.Contains("md5", StringComparison.OrdinalIgnoreCase) ? "#f79009" : "#2e90fa");
        Chart(sb, "Device status", [.. r.Statuses.Select(kv => new CountJson(kv.Key, kv.Value))], v => v == "ok" ? "#12b76a" : "#d92d20");
        if (r.Policy is not null)
        {
            Chart(sb, "Findings", r.Findings, _ => "#d92d20");
            Chart(sb, "Handshake outcome", r.Outcomes, v => v == "completed" ? "#12b76a" : "#d92d20");
        }
        Chart(sb, "Preferred cipher suites", [.. r.CipherSuites.Take(12)], _ => "#2e90fa");
        sb.Append("</div>\n");
    }

    private static void DeviceTable(StringBuilder sb, FleetReportJson r)
    {
        sb.Append("<h2>Devices</h2>\n<input class=\"filter\" type=\"search\" placeholder=\"Filter devices (any text: name, model, TLSv1.0, TD001…)\" data-table=\"devices\">")
          .Append("<span class=\"count\" id=\"devices-count\">").Append(r.DeviceRows.Length).Append(" of ").Append(r.DeviceRows.Length).Append(" devices</span>\n");
        sb.Append("<div class=\"table-scroll\"><table id=\"devices\" class=\"sortable\"><thead><tr>");
        foreach (var h in new[] { "Device", "Host", "Port", "Model", "Site", "Status", "Grade", "Versions", "Preferred suite", "Weak suites", "DH bits", "Certificate key", "Signature", "Not after", "Outcome", "Findings", "Connections" })
            sb.Append("<th>").Append(h).Append("</th>");
        sb.Append("</tr></thead><tbody>\n");
        foreach (var d in r.DeviceRows) DeviceRow(sb, d);
        sb.Append("</tbody></table></div>\n");
    }

    private static void DeviceRow(StringBuilder sb, DeviceRowJson d)
    {
        sb.Append("<tr>");
        Td(sb, d.Key); Td(sb, d.Host); Num(sb, d.Port); Td(sb, d.Model); Td(sb, d.Site);
        sb.Append("<td class=\"").Append(d.Status == "ok" ? "s-ok" : "s-bad").Append("\" title=\"").Append(E(d.Error)).Append("\">").Append(E(d.Status)).Append("</td>");
        if (d.Rating is { Grade: { } grade } rating)
            sb.Append("<td class=\"g-").Append(grade).Append("\" title=\"").Append(E(string.Join("; ", rating.Reasons.Select(x => $"caps at {x.Cap}: {x.Reason}")))).Append("\">")
              .Append(grade).Append(rating.Warning is { } w ? $" <span class=\"s-bad\">⚠ {E(w)}</span>" : "").Append("</td>");
        else Td(sb, "");
        Td(sb, string.Join(" ", d.Versions));
        Td(sb, d.PreferredSuite);
        Num(sb, d.WeakSuites.Length);
        if (d.DhBits is { } dh) sb.Append("<td class=\"num ").Append(dh < 1024 ? "s-bad" : dh < 2048 ? "s-warn" : "").Append("\">").Append(dh).Append("</td>"); else Td(sb, "");
        Td(sb, d.CertificateKey); Td(sb, d.CertificateSignature); Td(sb, d.CertificateNotAfter?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (d.Outcome is { } o)
            sb.Append("<td class=\"").Append(!o.Healthy ? "s-bad" : d.Rating?.Warning is not null || !d.NotChecked.IsDefaultOrEmpty ? "s-warn" : "s-ok").Append("\" title=\"").Append(E(o.Explanation)).Append("\">")
              .Append(E(o.Healthy ? $"works ({o.Version}){(d.Rating?.Warning is not null ? ", insecure" : "")}" : o.Reason ?? "fails")).Append("</td>");
        else Td(sb, "");
        Td(sb, string.Join(" ", d.Findings.Select(f => f.Id).Concat((d.NotChecked.IsDefault ? [] : d.NotChecked).Select(n => $"{n.Split(' ')[0]} not checked"))));
        Num(sb, d.Handshakes);
        sb.Append("</tr>\n");
    }

    private static void Groups(StringBuilder sb, string title, string id, ImmutableArray<GroupJson> groups, bool policy)
    {
        sb.Append("<h2>").Append(title).Append("</h2>\n<table id=\"").Append(id).Append("\" class=\"sortable\"><thead><tr><th>Name</th><th>Devices</th><th>Statuses</th><th>Versions</th>");
        if (policy) sb.Append("<th>Works</th><th>Fails</th><th>Findings</th>");
        sb.Append("</tr></thead><tbody>\n");
        foreach (var g in groups)
        {
            sb.Append("<tr>");
            Td(sb, g.Name); Num(sb, g.Devices);
            Td(sb, string.Join(", ", g.Statuses.Select(kv => $"{kv.Key} {kv.Value}")));
            Td(sb, string.Join(", ", g.Versions.Select(c => $"{c.Name} {c.Devices}")));
            if (policy)
            {
                Num(sb, g.Works);
                sb.Append("<td class=\"num").Append(g.Broken > 0 ? " s-bad" : "").Append("\">").Append(g.Broken).Append("</td>");
                Td(sb, string.Join(", ", g.Findings.Select(c => $"{c.Name} {c.Devices}")));
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
    }

    private static void Card(StringBuilder sb, string label, int value, string? id)
    {
        sb.Append("<div class=\"card\"><b").Append(id is null ? "" : $" id=\"{id}\"").Append('>').Append(value).Append("</b>").Append(E(label)).Append("</div>");
    }

    // A horizontal bar chart: one row per value, bar length proportional to the device count.
    private static void Chart(StringBuilder sb, string title, ImmutableArray<CountJson> data, Func<string, string> color)
    {
        if (data.IsDefaultOrEmpty) return;
        const int labelWidth = 230, barWidth = 220, row = 22;
        var max = Math.Max(1, data.Max(d => d.Devices));
        var height = data.Length * row + 6;
        sb.Append("<div class=\"chart\"><h3>").Append(E(title)).Append("</h3>")
          .Append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"").Append(E(title)).Append("\" width=\"").Append(labelWidth + barWidth + 50)
          .Append("\" height=\"").Append(height).Append("\">");
        var y = 3;
        foreach (var d in data)
        {
            var w = Math.Max(2, (int)Math.Round((double)d.Devices / max * barWidth));
            var label = d.Name.Length > 34 ? d.Name[..33] + "…" : d.Name;
            sb.Append("<g><title>").Append(E(d.Name)).Append(": ").Append(d.Devices).Append(" devices</title>")
              .Append("<text x=\"").Append(labelWidth - 6).Append("\" y=\"").Append(y + 15).Append("\" text-anchor=\"end\" font-size=\"12\">").Append(E(label)).Append("</text>")
              .Append("<rect x=\"").Append(labelWidth).Append("\" y=\"").Append(y + 3).Append("\" width=\"").Append(w).Append("\" height=\"").Append(row - 6)
              .Append("\" fill=\"").Append(color(d.Name)).Append("\" rx=\"2\"/>")
              .Append("<text x=\"").Append(labelWidth + w + 5).Append("\" y=\"").Append(y + 15).Append("\" font-size=\"12\">").Append(d.Devices).Append("</text></g>");
            y += row;
        }
        sb.Append("</svg></div>\n");
    }

    private static void Td(StringBuilder sb, string? text) => sb.Append("<td>").Append(E(text)).Append("</td>");

    private static void Num(StringBuilder sb, long n) => sb.Append("<td class=\"num\">").Append(n.ToString(CultureInfo.InvariantCulture)).Append("</td>");

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    // Sorting compares numbers as numbers; the filter matches every cell's text, case-insensitively.
    private const string Script = """
        <script>
        (function(){
          document.querySelectorAll('table.sortable').forEach(function(t){
            t.querySelectorAll('th').forEach(function(th,i){
              th.addEventListener('click',function(){
                var asc=!th.classList.contains('asc');
                t.querySelectorAll('th').forEach(function(h){h.classList.remove('asc','desc');});
                th.classList.add(asc?'asc':'desc');
                var body=t.tBodies[0], rows=Array.prototype.slice.call(body.rows);
                rows.sort(function(a,b){
                  var x=a.cells[i].textContent.trim(), y=b.cells[i].textContent.trim();
                  var nx=parseFloat(x), ny=parseFloat(y);
                  var c=(!isNaN(nx)&&!isNaN(ny)&&/^-?[\d.]+$/.test(x)&&/^-?[\d.]+$/.test(y))?nx-ny:x.localeCompare(y,undefined,{numeric:true});
                  return asc?c:-c;
                });
                rows.forEach(function(r){body.appendChild(r);});
              });
            });
          });
          document.querySelectorAll('input.filter').forEach(function(inp){
            var t=document.getElementById(inp.dataset.table), counter=document.getElementById(inp.dataset.table+'-count');
            function apply(){
              var q=inp.value.toLowerCase().trim(), shown=0, rows=t.tBodies[0].rows;
              for(var k=0;k<rows.length;k++){var ok=!q||rows[k].textContent.toLowerCase().indexOf(q)>=0;rows[k].style.display=ok?'':'none';if(ok)shown++;}
              if(counter)counter.textContent=shown+' of '+rows.length+' devices';
            }
            inp.addEventListener('input',apply);
            var h=decodeURIComponent((location.hash||'').replace(/^#filter=/,''));
            if(location.hash.indexOf('#filter=')===0){inp.value=h;}
            apply();
          });
        })();
        </script>
        """;
}
