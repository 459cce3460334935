using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Cluster;

/// <summary>What a push and pull loop saw: how many requests, and each one answered otherwise than a registry success.</summary>
public sealed class PushPullLoopResult
{
    private readonly List<string> _failures = [];

    public int Requests { get; private set; }

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Counts one answer; false (and a failure listed with its time on <paramref name="clock"/>) unless it is <paramref name="expected"/>.</summary>
    public bool Record(Stopwatch clock, GatewayNode node, string step, HttpStatusCode status, HttpStatusCode expected)
    {
        Requests++;
        if (status == expected)
        {
            return true;
        }

        _failures.Add(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0.00}s {step} via :{node.Port} -> {(int)status}"));
        return false;
    }
}
