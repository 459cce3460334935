using Gateway.Registry.Configuration;
using System.Diagnostics;
using System.Reflection;
using Gateway.Edge.Telemetry;
using Gateway.Host.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Host.Telemetry;

/// <summary>
/// OpenTelemetry for one node, in the style of .NET's ServiceDefaults: Prometheus metrics always, OTLP traces,
/// metrics and logs when the standard <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables ask for them, and log lines that
/// carry the trace and span ids. What is traced and measured is listed in observability/README.md.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The service name when neither <c>OTEL_SERVICE_NAME</c> nor <c>OTEL_RESOURCE_ATTRIBUTES</c> gives one.</summary>
    public const string DefaultServiceName = "registry-gateway";

    /// <summary>Orleans' source of grain call spans (client and server). Its <c>Microsoft.Orleans.Runtime</c> source (membership, pings) is left out.</summary>
    public const string OrleansApplicationSource = "Microsoft.Orleans.Application";

    /// <summary>Every meter and activity source of ours: <c>Gateway.Edge</c>, and <c>Gateway.Grains</c> should the grains get one.</summary>
    public const string GatewayMeters = "Gateway.*";

    /// <summary>The resource attribute that tells an edge from a silo.</summary>
    public const string RoleAttribute = "gateway.role";

    /// <summary>Adds the node's telemetry. Throws <see cref="ConfigurationException"/> for a bad <c>OTEL_*</c> variable.</summary>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder, GatewayRole role)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        MetricsEndpoint.AddTo(builder.Configuration, options);
        builder.Services.AddSingleton<CertificateExpiryGauge>();
        var otlp = OtlpSettings.From(builder.Configuration);

        // Every log line written inside a request (or a grain call) carries TraceId and SpanId as a scope: the console
        // formatters print them with IncludeScopes (appsettings.json), the json formatter as fields.
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        // appsettings.json's TimestampFormat ends in a space, which the simple formatter needs before the level; the json
        // formatter reads the same options section, and there the space would end up inside the "Timestamp" value.
        builder.Services.PostConfigure<JsonConsoleFormatterOptions>(json => json.TimestampFormat = json.TimestampFormat?.TrimEnd());

        var roleName = role.ToString().ToLowerInvariant();
        var instanceId = Guid.NewGuid().ToString(); // once per process: the same on every signal
        var version = typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(DefaultServiceName, serviceVersion: version, serviceInstanceId: instanceId)
                .AddAttributes([new(RoleAttribute, roleName), new("host.name", Environment.MachineName)])
                .AddEnvironmentVariableDetector()); // last, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win

        telemetry.WithMetrics(metrics =>
        {
            metrics
                .AddMeter(EdgeMetrics.MeterName, GatewayMeters) // the edge's, and any the silos' grains add
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            if (otlp.Metrics)
            {
                metrics.AddOtlpExporter(exporter => otlp.Configure(exporter, "METRICS"));
            }
        });

        if (otlp.Traces)
        {
            var metricsPath = options.MetricsPath;
            telemetry.WithTracing(tracing => tracing
                .AddSource(EdgeTelemetry.ActivitySourceName, GatewayMeters)
                .AddSource(OrleansApplicationSource)
                .AddAspNetCoreInstrumentation(aspnet =>
                {
                    aspnet.Filter = context => IsTraced(context.Request.Path, metricsPath);
                    aspnet.RecordException = false;
                })
                .AddHttpClientInstrumentation(http =>
                {
                    // Only requests made for a traced request: YARP's health probes (every few seconds, per replica)
                    // would each be a trace of their own.
                    http.FilterHttpRequestMessage = _ => Activity.Current?.Parent is not null;
                    http.RecordException = false;
                })
                .AddProcessor(new RootGrainCallFilter()) // before the exporter
                .AddOtlpExporter(exporter => otlp.Configure(exporter, "TRACES")));
        }

        if (otlp.Logs)
        {
            telemetry.WithLogging(logs => logs.AddOtlpExporter(exporter => otlp.Configure(exporter, "LOGS")), logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = false;
            });
        }

        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint (<see cref="TelemetryOptions.MetricsPath"/>, on <see cref="TelemetryOptions.MetricsPort"/> only unless it is 0).</summary>
    public static IEndpointConventionBuilder MapGatewayMetrics(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        var port = options.MetricsPort;
        return endpoints.MapPrometheusScrapingEndpoint(options.MetricsPath, meterProvider: null, configureBranchedPipeline: branch =>
        {
            if (port > 0)
            {
                // The port the connection came in on, not the Host header (which a client chooses): a scrape through
                // the clients' port is not found, whatever the request says.
                branch.Use((context, next) =>
                {
                    if (context.Connection.LocalPort == port)
                    {
                        return next(context);
                    }

                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            }
        }, optionsName: null);
    }

    /// <summary>Whether a server request gets a span: not the probes (<c>/healthz/…</c>) nor the scrapes.</summary>
    public static bool IsTraced(PathString path, string metricsPath) =>
        !path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase)
        && !path.StartsWithSegments(metricsPath, StringComparison.OrdinalIgnoreCase);
}
