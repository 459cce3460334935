using Gateway.Registry.Policies;

namespace Gateway.Grains;

/// <summary>The persisted lockout state of one subject (see <see cref="LockoutPolicy"/>).</summary>
[GenerateSerializer, Alias("gw.LockoutEntry")]
public sealed class LockoutEntry : ILockoutRecord
{
    /// <inheritdoc />
    [Id(0)] public List<DateTimeOffset> Failures { get; set; } = [];

    /// <inheritdoc />
    [Id(1)] public DateTimeOffset? LockedUntil { get; set; }

    /// <inheritdoc />
    [Id(2)] public int LockCount { get; set; }
}
