namespace Gateway.Registry.Policies;

/// <summary>Failed-login lockouts (section <c>Gateway:Lockout</c>). Read by the silos, which enforce them.</summary>
public sealed class LockoutOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Lockout";

    /// <summary>Failed verifications of one user from one client address within <see cref="Window"/> that lock that pair. Default: 5.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>The sliding window failures are counted in. Default: 15 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the first lock lasts; each repeated lock doubles it. Default: 15 minutes.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest a lock lasts, however often it repeats. Default: 24 hours.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Failures of one user from all addresses together that lock the user everywhere, except from addresses where
    /// the user authenticated successfully before the failures began. Default: 50.
    /// </summary>
    public int MaxFailuresPerUser { get; set; } = 50;

    /// <summary>Failures from one address (IPv6: its /64) across all user names that block the address for every user. Default: 100.</summary>
    public int MaxFailuresPerAddress { get; set; } = 100;

    /// <summary>
    /// How often each silo looks for lockout state whose time is over (an unknown user name's single failure once the
    /// window ends, a lock once its doubling memory ends) and deletes it, so spraying names leaves storage bounded.
    /// Default: 1 minute.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The rule for one user from one address.</summary>
    public LockoutRule PairRule => new(MaxFailures, Window, Duration, MaxDuration);

    /// <summary>The rule for one user from every address.</summary>
    public LockoutRule UserRule => new(MaxFailuresPerUser, Window, Duration, MaxDuration);

    /// <summary>The rule for one address across all user names.</summary>
    public LockoutRule AddressRule => new(MaxFailuresPerAddress, Window, Duration, MaxDuration);

    /// <summary>Every invalid value, each message naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        Check(failures, MaxFailures is >= 1 and <= 1000, nameof(MaxFailures), "between 1 and 1000", MaxFailures);
        Check(failures, MaxFailuresPerUser is >= 1 and <= 100_000, nameof(MaxFailuresPerUser), "between 1 and 100000", MaxFailuresPerUser);
        Check(failures, MaxFailuresPerAddress is >= 1 and <= 100_000, nameof(MaxFailuresPerAddress), "between 1 and 100000", MaxFailuresPerAddress);
        Check(failures, Window >= TimeSpan.FromSeconds(1) && Window <= TimeSpan.FromDays(7), nameof(Window), "between 00:00:01 and 7.00:00:00", Window);
        Check(failures, Duration >= TimeSpan.FromSeconds(1) && Duration <= TimeSpan.FromDays(7), nameof(Duration), "between 00:00:01 and 7.00:00:00", Duration);
        Check(failures, MaxDuration >= Duration && MaxDuration <= TimeSpan.FromDays(30), nameof(MaxDuration), "at least Duration and at most 30.00:00:00", MaxDuration);
        Check(failures, SweepInterval >= TimeSpan.FromMilliseconds(100) && SweepInterval <= TimeSpan.FromHours(1), nameof(SweepInterval), "between 00:00:00.1 and 01:00:00", SweepInterval);
        return failures;
    }

    private static void Check(List<string> failures, bool ok, string key, string rule, object value)
    {
        if (!ok)
        {
            failures.Add($"{SectionName}:{key} must be {rule} (was {value}).");
        }
    }
}
