using Gateway.Edge.Caching;

namespace Gateway.Edge.Tests.Caching;

public sealed class CacheOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(new CacheOptionsValidator().Validate(null, new CacheOptions()).Succeeded);
        Assert.False(new CacheOptions().Enabled);
    }

    [Theory]
    [InlineData(1024L * 1024 - 1, "00:05:00", "Gateway:Cache:MaxBytes")]
    [InlineData(16L * 1024 * 1024 * 1024 + 1, "00:05:00", "Gateway:Cache:MaxBytes")]
    [InlineData(64L * 1024 * 1024, "00:00:00.5", "Gateway:Cache:Ttl")]
    [InlineData(64L * 1024 * 1024, "1.00:00:01", "Gateway:Cache:Ttl")]
    public void Validate_OutOfRange_FailsNamingTheKey(long maxBytes, string ttl, string key)
    {
        var result = new CacheOptionsValidator().Validate(null, new CacheOptions { MaxBytes = maxBytes, Ttl = TimeSpan.Parse(ttl, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.StartsWith(key, Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void EntryLimit_SmallCache_IsAnEighthOfIt()
    {
        Assert.Equal(128 * 1024, new CacheOptions { MaxBytes = 1024 * 1024 }.EntryLimit);
        Assert.Equal(CacheOptions.MaxEntryBytes, new CacheOptions().EntryLimit);
    }
}
