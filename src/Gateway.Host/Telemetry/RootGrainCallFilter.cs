using System.Diagnostics;
using OpenTelemetry;

namespace Gateway.Host.Telemetry;

/// <summary>
/// Keeps grain calls that start a trace of their own out of the export: a call whose caller was not traced (the edges'
/// readiness probes, which are not traced) arrives at the silo without trace context, and Orleans would start a new
/// root span for it, every few seconds per edge. Grain calls made for a traced request always carry its context.
/// </summary>
internal sealed class RootGrainCallFilter : BaseProcessor<Activity>
{
    /// <inheritdoc />
    public override void OnStart(Activity data)
    {
        if (data.Source.Name == TelemetryExtensions.OrleansApplicationSource && data.ParentSpanId == default)
        {
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
