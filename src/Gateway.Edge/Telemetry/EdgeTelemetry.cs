using System.Diagnostics;

namespace Gateway.Edge.Telemetry;

/// <summary>
/// The edge's own trace source. Spans: <c>registry.access</c> (the access decision) and
/// <c>gateway.bcrypt.verify</c> (one bcrypt verification). Names and attributes are listed in observability/README.md.
/// </summary>
public static class EdgeTelemetry
{
    public const string ActivitySourceName = "Gateway.Edge";

    public static ActivitySource Source { get; } = new(ActivitySourceName);
}
