using System.Text;

namespace TlsDoctor.Fleet.Tests;

public class InventoryTests
{
    [Fact]
    public void Columns_in_any_order_quoted_fields_and_attributes_are_kept()
    {
        var csv = "Site,Port,Host,Model,Name,Owner,Serial\r\n" +
                  "\"Brno, HQ\",443,10.0.0.7,\"Ricoh \"\"MP\"\" C3004\",mfd-1,\"Jane\",S1\r\n" +
                  "Prague,,printer.example,HP,mfd-2,,S2\r\n";
        var inv = InventoryCsv.Parse(csv);
        Assert.Empty(inv.Errors);
        Assert.Equal(2, inv.Devices.Length);
        var a = inv.Devices[0];
        Assert.Equal(("mfd-1", "10.0.0.7", 443, "Ricoh \"MP\" C3004", "Brno, HQ"), (a.Name, a.Host, a.Port, a.Model, a.Site));
        Assert.Equal(["Owner", "Serial"], a.Attributes.Keys);
        Assert.Equal("Jane", a.Attributes["Owner"]);
        Assert.Equal(2, a.Line);
        var b = inv.Devices[1];
        Assert.Equal(443, b.Port); // empty port = default
        Assert.False(b.Attributes.ContainsKey("Owner")); // empty attribute left out
        Assert.Equal(3, b.Line);
    }

    [Fact]
    public void Bad_rows_are_reported_with_their_line_and_skipped()
    {
        var csv = string.Join("\n",
            "name,host,port,model,site",          // 1
            "ok-1,10.0.0.1,443,m,s",              // 2
            "bad-port,10.0.0.2,99999,m,s",        // 3
            "no-host,,443,m,s",                   // 4
            "",                                   // 5 blank: ignored
            "\"multi\nline\",10.0.0.3,443,m,s",   // 6-7: one row spanning two lines
            "too,many,443,m,s,extra",             // 8
            "ok-1,10.0.0.9,443,m,s",              // 9 duplicate name
            "dup-endpoint,10.0.0.1,443,m,s",      // 10 duplicate endpoint
            "word,10.0.0.4,https,m,s",            // 11
            "after,10.0.0.5,8443,m,s",            // 12
            "\"open,10.0.0.6,443,m,s");           // 13: quote never closed
        var inv = InventoryCsv.Parse(csv);
        Assert.Equal(["ok-1", "multi\nline", "after"], inv.Devices.Select(d => d.Name));
        Assert.Equal(8443, inv.Devices[2].Port);
        Assert.Equal(12, inv.Devices[2].Line); // the multi-line row shifted later line numbers correctly
        Assert.Equal([3, 4, 8, 9, 10, 11, 13], inv.Errors.Select(e => e.Line));
        Assert.Contains("99999", inv.Errors[0].Message);
        Assert.Contains("empty host", inv.Errors[1].Message);
        Assert.Contains("first at line 2", inv.Errors[3].Message);
        Assert.Contains("duplicate endpoint", inv.Errors[4].Message);
        Assert.Contains("not closed", inv.Errors[6].Message);
    }

    [Fact]
    public void Host_with_port_name_defaulting_semicolons_and_bom()
    {
        var csv = "host;model\n[fe80::1]:8443;X\nprinter.local;Y\n";
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, csv, new UTF8Encoding(true));
            var inv = InventoryCsv.ReadFile(path);
            Assert.Empty(inv.Errors);
            Assert.Equal(("fe80::1", 8443, "[fe80::1]:8443"), (inv.Devices[0].Host, inv.Devices[0].Port, inv.Devices[0].Name));
            Assert.Equal("printer.local:443", inv.Devices[1].Name);
            Assert.Equal(64, inv.Sha256.Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_host_column_is_fatal()
    {
        var e = Assert.Throws<InventoryException>(() => InventoryCsv.Parse("name,port\nx,443\n"));
        Assert.Contains("no host column", e.Message);
        Assert.Throws<InventoryException>(() => InventoryCsv.Parse("\n\n"));
    }

    [Fact]
    public void Quoting_mistakes_text_after_a_closing_quote_is_a_row_error_a_stray_quote_stays_text()
    {
        var csv = "name,host\n\"a\"x,10.0.0.1\nb\"c,10.0.0.2\n   \n  \"d, e\"  ,10.0.0.3\n";
        var inv = InventoryCsv.Parse(csv);
        Assert.Equal([(2, "text after a closing quote")], inv.Errors.Select(e => (e.Line, e.Message)));
        Assert.Equal(["b\"c", "d, e"], inv.Devices.Select(d => d.Name));
        Assert.Equal(5, inv.Devices[1].Line); // the whitespace-only line 4 is skipped, not counted as a row
    }
}
