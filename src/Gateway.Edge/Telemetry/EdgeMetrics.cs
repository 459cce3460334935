using System.Diagnostics.Metrics;

namespace Gateway.Edge.Telemetry;

/// <summary>
/// The edge's instruments (meter <c>Gateway.Edge</c>). Names start with <c>gateway.</c>, so Prometheus
/// shows them as <c>gateway_…</c>. Labels never carry user names, addresses or credentials: every label
/// value comes from a small fixed set (listed in observability/README.md).
/// </summary>
public sealed class EdgeMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Gateway.Edge";

    // Up to an hour: a transfer may stream as long as it moves (only 15 idle minutes cut it, Gateway:Backend:ActivityTimeout),
    // and a push of large layers over a slow link takes many minutes; a last bucket at 300 s hid all of them.
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600];

    private readonly Counter<long> _bcryptVerifications;
    private readonly Histogram<double> _bcryptDuration;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _clusterFailures;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _transferred;
    private readonly Histogram<double> _grainCallDuration;
    private readonly Counter<long> _backendErrors;
    private readonly Counter<long> _rateLimitRejections;
    private readonly Counter<long> _tokenRequests;

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
        _requestDuration = meter.CreateHistogram<double>(
            "gateway.request.duration",
            "s",
            "Duration of /v2/ requests through the edge (decision, proxying and streaming), by route class, method and status.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _transferred = meter.CreateCounter<long>("gateway.proxy.transferred", "By", "Body bytes streamed through the proxy, by direction (up: client to registry, down: registry to client) and route class.");
        _grainCallDuration = meter.CreateHistogram<double>(
            "gateway.grain.call.duration",
            "s",
            "Duration of grain calls made by this edge, by method and result.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _backendErrors = meter.CreateCounter<long>("gateway.backend.errors", "{error}", "Proxied requests that failed to reach or stream from the registry, by YARP error.");
        _tokenRequests = meter.CreateCounter<long>("gateway.token.requests", "{request}", "Requests to the token endpoint, by grant (password, refresh_token, anonymous, none) and outcome (issued or why not).");
        _rateLimitRejections = meter.CreateCounter<long>("gateway.ratelimit.rejections", "{rejection}", "Requests rejected by a rate limit, by limit.");
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

    /// <summary>Records one finished <c>/v2/</c> request.</summary>
    /// <param name="routeClass">One of <see cref="RouteClasses"/>.</param>
    /// <param name="method">The HTTP method (normalised to the known ones by the caller).</param>
    /// <param name="status">The response status code.</param>
    /// <param name="duration">From the request's start to the end of its response.</param>
    public void RequestCompleted(string routeClass, string method, int status, TimeSpan duration)
    {
        var tags = new System.Diagnostics.TagList
        {
            { "route_class", routeClass },
            { "http.request.method", method },
            { "http.response.status_code", status },
        };
        _requestDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Records body bytes streamed through the proxy.</summary>
    /// <param name="direction"><c>up</c> (client to registry) or <c>down</c> (registry to client).</param>
    /// <param name="routeClass">One of <see cref="RouteClasses"/>.</param>
    /// <param name="bytes">How many.</param>
    public void Transferred(string direction, string routeClass, long bytes)
    {
        if (bytes > 0)
        {
            _transferred.Add(bytes, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("route_class", routeClass));
        }
    }

    /// <summary>Records one grain call made by this edge.</summary>
    /// <param name="duration">How long it took.</param>
    /// <param name="method">The grain method, e.g. <c>IUserGrain.CheckAsync</c>.</param>
    /// <param name="ok">False when it threw.</param>
    public void RecordGrainCall(TimeSpan duration, string method, bool ok) =>
        _grainCallDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("result", ok ? "ok" : "error"));

    /// <summary>Records one proxied request that failed at the backend.</summary>
    /// <param name="error">YARP's <c>ForwarderError</c> name, e.g. <c>Request</c>.</param>
    public void BackendError(string error) => _backendErrors.Add(1, new KeyValuePair<string, object?>("error", error));

    /// <summary>Records one request rejected by a rate limit.</summary>
    /// <param name="limit">Which limit, a fixed name such as <c>user</c>, <c>client</c> or <c>bcrypt</c>.</param>
    public void RateLimitRejected(string limit) => _rateLimitRejections.Add(1, new KeyValuePair<string, object?>("limit", limit));

    /// <summary>Counts one token request: <paramref name="grant"/> is <c>password</c>, <c>refresh_token</c>, <c>anonymous</c> or <c>none</c> (refused before one was known); <paramref name="outcome"/> <c>issued</c> or the refusal.</summary>
    public void TokenRequest(string grant, string outcome) =>
        _tokenRequests.Add(1, new KeyValuePair<string, object?>("grant", grant), new KeyValuePair<string, object?>("outcome", outcome));
}
