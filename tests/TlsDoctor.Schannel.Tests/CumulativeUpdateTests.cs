using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Schannel.Tests;

/// <summary>Patched servers list only their latest rollups; the fixes those contain are installed (issue 11 item 1).</summary>
public sealed class CumulativeUpdateTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    private static SchannelPolicy FromList(string os, string fixture) =>
        WindowsPolicy.Build(new PolicyOptions { Os = os, UpdatesFileText = Fixture(fixture) });

    private const string Gcm = "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384";

    [Theory]
    [InlineData("hotfix-2012r2-2024-02.txt")]
    [InlineData("systeminfo-2012r2-2024-02.txt")]
    public void A_2024_rollup_on_2012_r2_contains_the_dh_sha512_and_gcm_fixes(string fixture)
    {
        var p = FromList("2012r2", fixture);
        Assert.True(p.UpdatesKnown);
        Assert.Contains("KB5034819", p.Updates);
        Assert.DoesNotContain("KB3061518", p.Updates);
        Assert.Equal(1024, p.DhClientMinBits.Value);
        Assert.StartsWith("KB5034819 — monthly rollup of 2024-02-13, which contains KB3061518", p.DhClientMinBits.Source.Detail);
        Assert.True(p.Sha512InTls12.Value);
        Assert.Contains("KB5034819", p.Sha512InTls12.Source.Detail);
        Assert.Contains(p.CipherSuites, s => s.Suite.Name == Gcm);
        Assert.Contains(p.Assumptions, a => a.Id == "rollups-contain-earlier-fixes");
        Assert.DoesNotContain(p.Assumptions, a => a.Id is "updates-unknown-assume-current" or "gcm-suites-without-kb3042058");
        Assert.Contains(p.Warnings, w => w.StartsWith("KB2919442, KB3000850", StringComparison.Ordinal) && w.Contains("not a fix or rollup the knowledge base knows", StringComparison.Ordinal));
        var rollup = p.ToReport().Updates.Single(u => u.Id == "KB5034819");
        Assert.Equal("Monthly rollup of 2024-02-13 for Windows Server 2012 R2", rollup.Title);
        Assert.Equal(["adds-gcm-suites", "dh-client-min-1024", "server-min-key-bit-length", "sha512-tls12"], rollup.Effects.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void The_same_list_without_the_rollup_leaves_the_fixes_missing()
    {
        var text = Fixture("hotfix-2012r2-2024-02.txt").Replace("KB5034819", "KB5034809", StringComparison.Ordinal); // a security-only update instead
        var p = WindowsPolicy.Build(new PolicyOptions { Os = "2012r2", UpdatesFileText = text });
        Assert.Equal(512, p.DhClientMinBits.Value);
        Assert.False(p.Sha512InTls12.Value);
        Assert.DoesNotContain(p.CipherSuites, s => s.Suite.Name == Gcm);
    }

    [Fact]
    public void A_rollup_from_before_they_became_fully_cumulative_does_not_contain_2015_fixes()
    {
        var p = WindowsPolicy.Build(new PolicyOptions { Os = "2012r2", Updates = ["KB3205401"] }); // December 2016 monthly rollup
        Assert.Equal(512, p.DhClientMinBits.Value);
        Assert.Equal("monthly-rollup", SchannelKnowledge.Default.Rollup(p.Release, "KB3205401")!.Kind);
    }

    [Fact]
    public void A_2024_rollup_on_2008_r2_contains_the_fixes_too()
    {
        var p = FromList("2008r2", "systeminfo-2008r2-2024-01.txt");
        Assert.Equal(1024, p.DhClientMinBits.Value);
        Assert.True(p.Sha512InTls12.Value);
        Assert.Contains(p.CipherSuites, s => s.Suite.Name == Gcm);
        Assert.Contains("KB5034169", p.DhClientMinBits.Source.Detail);
    }

    [Theory]
    [InlineData("hotfix-2016-2024-02.txt")]
    [InlineData("systeminfo-2016-2024-02.txt")]
    public void A_2024_cumulative_update_on_2016_brings_the_leading_zero_fix(string fixture)
    {
        var p = FromList("2016", fixture);
        Assert.True(p.DhLeadingZeroFixed.Value);
        Assert.Equal("KB5034767 — cumulative of 2024-02-13 (OS build 14393.6709) ≥ 14393.3542", p.DhLeadingZeroFixed.Source.Detail);
        Assert.DoesNotContain(p.Assumptions, a => a.Id == "dh-leading-zero-model");
        Assert.DoesNotContain(p.ToServerProfile(null).Behaviours, b => b.Kind == BehaviourKind.DhLeadingZeroBug);
    }

    [Theory]
    [InlineData("14393.3542", true)]
    [InlineData("14393.3541", false)]
    [InlineData("10.0.14393.6709", true)]
    public void The_build_and_revision_decide_the_leading_zero_fix(string build, bool fixedThere)
    {
        var p = WindowsPolicy.Build(new PolicyOptions { Build = build, Updates = ["none"] });
        Assert.Equal("2016", p.Release.Id);
        Assert.Equal(fixedThere, p.DhLeadingZeroFixed.Value);
        Assert.Equal(14393, p.Build);
    }

    [Theory]
    [InlineData("14393.3541", false)]
    [InlineData("14393.3542", true)]
    public void With_updates_unknown_the_build_still_bounds_what_is_assumed_installed(string build, bool fixedThere)
    {
        // No update list: every known update is assumed, but not one the machine's revision has not reached.
        var p = WindowsPolicy.Build(new PolicyOptions { Build = build });
        Assert.Contains(p.Assumptions, a => a.Id == "updates-unknown-assume-current");
        Assert.Equal(fixedThere, p.DhLeadingZeroFixed.Value);
        Assert.Equal(fixedThere, p.Updates.Contains("KB4537806"));
        Assert.DoesNotContain("KB4540670", p.Updates); // 14393.3564
        Assert.Contains("KB3163018", p.Updates);       // 2016-06, long before
    }

    [Fact]
    public void A_build_of_another_release_is_an_input_error()
    {
        var e = Assert.Throws<PolicyInputException>(() => WindowsPolicy.Build(new PolicyOptions { Os = "2012r2", Build = "14393.3542" }));
        Assert.Contains("Windows Server 2016, not Windows Server 2012 R2", e.Message);
        Assert.Throws<PolicyInputException>(() => WindowsPolicy.Build(new PolicyOptions { Build = "latest" }));
    }

    [Fact]
    public void A_list_naming_no_known_fix_or_rollup_is_an_assumption_not_nothing_installed()
    {
        var p = WindowsPolicy.Build(new PolicyOptions { Os = "2012r2", Updates = ["KB4601392", "KB5034767"] }); // 2016 updates on a 2012 R2
        Assert.False(p.UpdatesKnown);
        Assert.Contains(p.Assumptions, a => a.Id == "updates-unrecognised-assume-current");
        Assert.Equal(1024, p.DhClientMinBits.Value);
        Assert.Contains(p.Warnings, w => w.Contains("KB5034767 (cumulative of 2024-02-13 (OS build 14393.6709) of Windows Server 2016)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_rollup_table_has_a_source_and_one_row_per_release_and_kb()
    {
        var k = SchannelKnowledge.Default;
        Assert.True(k.Rollups.Length > 500);
        Assert.Equal(k.Rollups.Length, k.Rollups.Select(r => (r.Release, r.Kb)).Distinct().Count());
        Assert.All(k.Rollups, r => k.Release(r.Release));
        Assert.All(k.Rollups.Where(r => r.Build is not null), r => Assert.Equal(k.Release(r.Release).Build, OsBuilds.Parse(r.Build)!.Value.Build));
        Assert.Equal("14393.3542", k.Rollup(k.Release("2016"), "KB4537806")!.Build); // the build KB4557473 names for the leading-zero fix
    }
}
