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
}
