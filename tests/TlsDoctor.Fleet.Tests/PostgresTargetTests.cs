using Npgsql;

namespace TlsDoctor.Fleet.Tests;

/// <summary>How --db text becomes an Npgsql connection: defaults a queue worker needs, and the user's own values kept.</summary>
public sealed class PostgresTargetTests
{
    [Theory]
    [InlineData("postgres://scanner@db.example/fleet")]
    [InlineData("Host=db.example;Username=scanner;Database=fleet")]
    public void Statements_are_prepared_and_the_pool_stays_small(string db)
    {
        Assert.True(PostgresTarget.TryParse(db, out var t));
        var b = new NpgsqlConnectionStringBuilder(t!.ConnectionString);
        Assert.Equal(32, b.MaxAutoPrepare);
        Assert.Equal(2, b.AutoPrepareMinUsages);
        Assert.Equal(8, b.MaxPoolSize);
        Assert.True(b.NoResetOnClose);
        Assert.Equal("postgres://scanner@db.example:5432/fleet", t.Display);
    }

    [Fact]
    public void Values_the_user_gave_win_over_the_defaults()
    {
        Assert.True(PostgresTarget.TryParse("Host=db.example;Username=s;Database=f;Max Auto Prepare=0;Maximum Pool Size=50;Password=secret", out var t));
        var b = new NpgsqlConnectionStringBuilder(t!.ConnectionString);
        Assert.Equal(0, b.MaxAutoPrepare);
        Assert.Equal(50, b.MaxPoolSize);
        Assert.DoesNotContain("secret", t.Display);
    }

    [Theory]
    [InlineData("fleet.db")]
    [InlineData("/var/lib/tlsdoctor/fleet.db")]
    public void A_file_name_is_not_a_database_server(string db) => Assert.False(PostgresTarget.TryParse(db, out _));
}
