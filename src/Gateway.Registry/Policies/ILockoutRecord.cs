namespace Gateway.Registry.Policies;

/// <summary>
/// The lockout state of one subject (a user from one address, a user, an address), held by whoever persists it
/// (a grain); <see cref="LockoutPolicy"/> reads and changes it.
/// </summary>
public interface ILockoutRecord
{
    /// <summary>Times of the failures still inside the window, oldest first.</summary>
    List<DateTimeOffset> Failures { get; }

    /// <summary>When the current lock ends; null when never locked.</summary>
    DateTimeOffset? LockedUntil { get; set; }

    /// <summary>How many locks in a row (each doubles the next); reset by a success or a long quiet period.</summary>
    int LockCount { get; set; }
}
