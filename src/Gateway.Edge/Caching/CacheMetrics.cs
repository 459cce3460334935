using System.Diagnostics.Metrics;
using Gateway.Edge.Telemetry;

namespace Gateway.Edge.Caching;

/// <summary>The cache's instruments, on the edge's meter (<see cref="EdgeMetrics.MeterName"/>).</summary>
public sealed class CacheMetrics
{
    private readonly Counter<long> _lookups;
    private readonly Counter<long> _invalidations;
    private readonly Counter<long> _publishFailures;

    /// <summary>Creates the instruments; the gauges read <paramref name="cache"/>.</summary>
    public CacheMetrics(IMeterFactory meterFactory, EdgeAnswerCache cache)
    {
        var meter = meterFactory.Create(EdgeMetrics.MeterName);
        _lookups = meter.CreateCounter<long>("gateway.cache.lookups", "{lookup}", "Content-addressed requests looked up in the edge cache, by kind (manifest, blob) and result (hit, miss, stored, bypass).");
        _invalidations = meter.CreateCounter<long>("gateway.cache.invalidations", "{invalidation}", "Invalidations applied to the edge cache, by source (local, received, channel_lost).");
        _publishFailures = meter.CreateCounter<long>("gateway.cache.publish_failures", "{failure}", "Invalidations that could not be sent to the other nodes (they are then bounded by Gateway:Cache:Ttl).");
        meter.CreateObservableGauge("gateway.cache.bytes", () => cache.Bytes, "By", "Bytes held by the edge cache (bounded by Gateway:Cache:MaxBytes).");
        meter.CreateObservableGauge("gateway.cache.entries", () => cache.Count, "{entry}", "Answers held by the edge cache.");
    }

    /// <summary>Counts a lookup.</summary>
    public void Lookup(CachedResource kind, string result) =>
        _lookups.Add(1, new KeyValuePair<string, object?>("kind", kind == CachedResource.Manifest ? "manifest" : "blob"), new KeyValuePair<string, object?>("result", result));

    /// <summary>Counts an invalidation.</summary>
    public void Invalidated(string source, int dropped) => _invalidations.Add(1, new KeyValuePair<string, object?>("source", source));

    /// <summary>Counts an invalidation that did not reach the channel.</summary>
    public void PublishFailed() => _publishFailures.Add(1);
}
