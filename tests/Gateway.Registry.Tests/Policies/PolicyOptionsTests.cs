using Gateway.Registry.Policies;

namespace Gateway.Registry.Tests.Policies;

public sealed class PolicyOptionsTests
{
    [Fact]
    public void LockoutOptions_Defaults_ValidAndAsDocumented()
    {
        var options = new LockoutOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(5, options.MaxFailures);
        Assert.Equal(TimeSpan.FromMinutes(15), options.Window);
        Assert.Equal(TimeSpan.FromMinutes(15), options.Duration);
        Assert.Equal(TimeSpan.FromHours(24), options.MaxDuration);
        Assert.Equal(50, options.MaxFailuresPerUser);
        Assert.Equal(100, options.MaxFailuresPerAddress);
        Assert.Equal("Gateway:Lockout", LockoutOptions.SectionName);
    }

    [Fact]
    public void LockoutOptions_Rules_CarryTheirOwnThresholdAndTheSharedTimes()
    {
        var options = new LockoutOptions
        {
            MaxFailures = 2,
            MaxFailuresPerUser = 20,
            MaxFailuresPerAddress = 200,
            Window = TimeSpan.FromMinutes(3),
            Duration = TimeSpan.FromMinutes(4),
            MaxDuration = TimeSpan.FromMinutes(50),
        };

        Assert.Equal(new LockoutRule(2, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(50)), options.PairRule);
        Assert.Equal(new LockoutRule(20, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(50)), options.UserRule);
        Assert.Equal(new LockoutRule(200, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(50)), options.AddressRule);
    }

    public static TheoryData<string, Action<LockoutOptions>> BadLockoutValues => new()
    {
        { "Gateway:Lockout:MaxFailures", o => o.MaxFailures = 0 },
        { "Gateway:Lockout:MaxFailures", o => o.MaxFailures = 1001 },
        { "Gateway:Lockout:MaxFailuresPerUser", o => o.MaxFailuresPerUser = 0 },
        { "Gateway:Lockout:MaxFailuresPerUser", o => o.MaxFailuresPerUser = 100_001 },
        { "Gateway:Lockout:MaxFailuresPerAddress", o => o.MaxFailuresPerAddress = -1 },
        { "Gateway:Lockout:MaxFailuresPerAddress", o => o.MaxFailuresPerAddress = 100_001 },
        { "Gateway:Lockout:Window", o => o.Window = TimeSpan.Zero },
        { "Gateway:Lockout:Window", o => o.Window = TimeSpan.FromDays(8) },
        { "Gateway:Lockout:Duration", o => o.Duration = TimeSpan.FromMilliseconds(500) },
        { "Gateway:Lockout:Duration", o => { o.Duration = TimeSpan.FromDays(8); o.MaxDuration = TimeSpan.FromDays(9); } },
        { "Gateway:Lockout:MaxDuration", o => o.MaxDuration = TimeSpan.FromMinutes(14) },
        { "Gateway:Lockout:MaxDuration", o => o.MaxDuration = TimeSpan.FromDays(31) },
    };

    [Theory]
    [MemberData(nameof(BadLockoutValues))]
    public void LockoutOptionsValidate_BadValue_OneMessageNamingItsKey(string key, Action<LockoutOptions> spoil)
    {
        var options = new LockoutOptions();
        spoil(options);

        var failure = Assert.Single(options.Validate());

        Assert.StartsWith(key + " must be ", failure);
    }

    [Fact]
    public void LockoutOptionsValidate_BadValue_MessageShowsTheValue()
    {
        var failure = Assert.Single(new LockoutOptions { MaxFailures = 0 }.Validate());

        Assert.Equal("Gateway:Lockout:MaxFailures must be between 1 and 1000 (was 0).", failure);
    }

    [Fact]
    public void LockoutOptionsValidate_SeveralBadValues_EveryOneReported()
    {
        var options = new LockoutOptions { MaxFailures = 0, Window = TimeSpan.Zero, MaxFailuresPerAddress = 0 };

        var failures = options.Validate();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Gateway:Lockout:MaxFailures ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Lockout:Window ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Lockout:MaxFailuresPerAddress ", StringComparison.Ordinal));
    }

    [Fact]
    public void LockoutOptionsValidate_BoundaryValues_Valid()
    {
        var low = new LockoutOptions { MaxFailures = 1, MaxFailuresPerUser = 1, MaxFailuresPerAddress = 1, Window = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(1), MaxDuration = TimeSpan.FromSeconds(1) };
        var high = new LockoutOptions { MaxFailures = 1000, MaxFailuresPerUser = 100_000, MaxFailuresPerAddress = 100_000, Window = TimeSpan.FromDays(7), Duration = TimeSpan.FromDays(7), MaxDuration = TimeSpan.FromDays(30) };

        Assert.Empty(low.Validate());
        Assert.Empty(high.Validate());
    }

    [Fact]
    public void RateLimitOptions_Defaults_UnlimitedAndValid()
    {
        var options = new RateLimitOptions();

        Assert.Empty(options.Validate());
        Assert.False(options.Requests.IsLimited);
        Assert.False(options.Pulls.IsLimited);
        Assert.Equal(TimeSpan.FromHours(1), options.Requests.Window);
        Assert.Equal(TimeSpan.FromHours(6), options.Pulls.Window);
        Assert.Equal("Gateway:RateLimit", RateLimitOptions.SectionName);
    }

    public static TheoryData<string, Action<RateLimitOptions>> BadRateValues => new()
    {
        { "Gateway:RateLimit:Requests:Limit", o => o.Requests.Limit = 0 },
        { "Gateway:RateLimit:Requests:Limit", o => o.Requests.Limit = 100_000_001 },
        { "Gateway:RateLimit:Requests:Window", o => o.Requests.Window = TimeSpan.Zero },
        { "Gateway:RateLimit:Requests:Window", o => o.Requests.Window = TimeSpan.FromDays(32) },
        { "Gateway:RateLimit:Pulls:Limit", o => o.Pulls.Limit = -5 },
        { "Gateway:RateLimit:Pulls:Limit", o => o.Pulls.Limit = int.MaxValue },
        { "Gateway:RateLimit:Pulls:Window", o => o.Pulls.Window = TimeSpan.FromMilliseconds(999) },
        { "Gateway:RateLimit:Pulls:Window", o => o.Pulls.Window = TimeSpan.FromDays(31) + TimeSpan.FromTicks(1) },
    };

    [Theory]
    [MemberData(nameof(BadRateValues))]
    public void RateLimitOptionsValidate_BadValue_OneMessageNamingItsKey(string key, Action<RateLimitOptions> spoil)
    {
        var options = new RateLimitOptions();
        spoil(options);

        var failure = Assert.Single(options.Validate());

        Assert.StartsWith(key + " must be ", failure);
    }

    [Fact]
    public void RateLimitOptionsValidate_BoundaryValues_Valid()
    {
        var options = new RateLimitOptions
        {
            Requests = new RateLimitRule { Limit = 1, Window = TimeSpan.FromSeconds(1) },
            Pulls = new RateLimitRule { Limit = 100_000_000, Window = TimeSpan.FromDays(31) },
        };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void RateLimitOptionsValidate_BadLimitAndWindowOnBothRules_FourMessages()
    {
        var options = new RateLimitOptions
        {
            Requests = new RateLimitRule { Limit = 0, Window = TimeSpan.Zero },
            Pulls = new RateLimitRule { Limit = 0, Window = TimeSpan.Zero },
        };

        var failures = options.Validate();

        Assert.Equal(
            new[] { "Gateway:RateLimit:Requests:Limit", "Gateway:RateLimit:Requests:Window", "Gateway:RateLimit:Pulls:Limit", "Gateway:RateLimit:Pulls:Window" },
            failures.Select(f => f[..f.IndexOf(' ')]));
    }
}
