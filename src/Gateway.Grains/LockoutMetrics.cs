using System.Diagnostics.Metrics;

namespace Gateway.Grains;

/// <summary>
/// The silos' instruments (meter <c>Gateway.Grains</c>): locks are imposed here, in the grains, so they are counted
/// here (the edges only see refusals, counted as <c>gateway.auth.decisions{outcome="locked"}</c>).
/// </summary>
internal static class LockoutMetrics
{
    /// <summary>The meter's name (exported by every node: <c>Gateway.*</c>).</summary>
    public const string MeterName = "Gateway.Grains";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Lockouts = Meter.CreateCounter<long>(
        "gateway.lockouts", "{lockout}", "Lockouts and blocks imposed after repeated failures, by scope (pair: a user at one address, user: a user everywhere, address: every user at one address).");

    /// <summary>Records one lock imposed; <paramref name="scope"/> is <c>pair</c>, <c>user</c> or <c>address</c>.</summary>
    public static void Imposed(string scope) => Lockouts.Add(1, new KeyValuePair<string, object?>("scope", scope));
}
