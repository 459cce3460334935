using System.Diagnostics.Metrics;

namespace Gateway.Edge.Telemetry;

/// <summary>
/// The edge's instruments (meter <c>Gateway.Edge</c>). Names start with <c>gateway.</c>, so Prometheus
/// shows them as <c>gateway_…</c>. Labels never carry user names, addresses or credentials.
/// </summary>
public sealed class EdgeMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Gateway.Edge";

    private readonly Counter<long> _bcryptVerifications;
    private readonly Histogram<double> _bcryptDuration;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _clusterFailures;

    /// <summary>Creates the instruments.</summary>
    public EdgeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _bcryptVerifications = meter.CreateCounter<long>("gateway.auth.bcrypt.verifications", "{verification}", "bcrypt verifications run on this edge, by result.");
        _bcryptDuration = meter.CreateHistogram<double>(
            "gateway.auth.bcrypt.duration",
            "s",
            "Duration of one bcrypt verification, waiting for a verification slot included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _decisions = meter.CreateCounter<long>("gateway.auth.decisions", "{decision}", "Access decisions for /v2/ requests, by outcome.");
        _cacheLookups = meter.CreateCounter<long>("gateway.auth.cache.lookups", "{lookup}", "Credential cache lookups in the user grains, by result (hit, miss, coalesced).");
        _clusterFailures = meter.CreateCounter<long>("gateway.cluster.call_failures", "{failure}", "Grain calls that failed (the request was retried once, then answered 503).");
    }

    /// <summary>Records one bcrypt verification.</summary>
    public void BcryptVerified(bool succeeded, TimeSpan duration)
    {
        var result = new KeyValuePair<string, object?>("result", succeeded ? "success" : "failure");
        _bcryptVerifications.Add(1, result);
        _bcryptDuration.Record(duration.TotalSeconds, result);
    }

    /// <summary>Records one access decision.</summary>
    public void Decision(string outcome) => _decisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Records one cache lookup.</summary>
    public void CacheLookup(string result) => _cacheLookups.Add(1, new KeyValuePair<string, object?>("result", result));

    /// <summary>Records one failed grain call.</summary>
    public void ClusterCallFailed() => _clusterFailures.Add(1);
}
