using System.Net;
using Gateway.Edge;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Edge.Admin;
using Gateway.Edge.Configuration;
using Gateway.Edge.Transfer;
using Gateway.Host.Cluster;
using Gateway.Host.Policies;
using Gateway.Host.Shutdown;
using Gateway.Host.Telemetry;
using Gateway.Registry.Configuration;
using Gateway.Registry.Logging;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Hosting;

/// <summary>Composes one gateway node from configuration: edge, silo or both.</summary>
public static partial class GatewayApplication
{
    /// <summary>
    /// Builds the node. An invalid setting throws <see cref="OptionsValidationException"/> (from the validator beside its
    /// options), something a setting names that cannot be used throws <see cref="ConfigurationException"/>: both exit 2.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        // The content root is the program's folder, so appsettings.json is found from any working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // First, before any socket exists: .NET reads whether socket completions run inline only once.
        var transfer = StartupOptions.BindValidated(builder.Configuration, TransferOptions.SectionName, new TransferOptionsValidator());
        InlineSocketCompletions.Apply(transfer.InlineScheduling);
        var role = StartupOptions.BindValidated(builder.Configuration, NodeOptions.SectionName, new NodeOptionsValidator()).ParsedRole!.Value;
        var cluster = ClusterSettings.From(builder.Configuration);

        var shutdown = builder.Configuration.GetSection(ShutdownOptions.SectionName).Get<ShutdownOptions>() ?? new ShutdownOptions();
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown.DrainDelay + shutdown.Timeout + TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddHostedService<DrainService>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new FingerprintKey(cluster.Secret));
        var health = builder.Services.AddHealthChecks().AddCheck<DrainReadinessCheck>("drain", tags: [EdgeServiceCollectionExtensions.ReadyTag]);

        PortCheck.EnsureEndpointsFree(builder.Configuration);
        if (role != GatewayRole.Edge)
        {
            var bind = cluster.Provider == ClusterProvider.Localhost ? IPAddress.Loopback : cluster.AdvertisedAddress;
            PortCheck.EnsureFree(bind, cluster.Options.SiloPort, $"{GatewayClusterOptions.SectionName}:SiloPort");
            PortCheck.EnsureFree(bind, cluster.Options.GatewayPort, $"{GatewayClusterOptions.SectionName}:GatewayPort");
            builder.Services.AddGatewayPolicies();
            builder.Services.AddSingleton(Gateway.Grains.GrainClock.System);
            builder.UseOrleans(silo => silo.ConfigureGatewaySilo(cluster));
            health.AddCheck<SiloReadinessCheck>("silo", tags: [EdgeServiceCollectionExtensions.ReadyTag]);
        }
        else
        {
            builder.UseOrleansClient(client => client.ConfigureGatewayClient(cluster));
        }

        if (role != GatewayRole.Silo)
        {
            builder.Services.AddCacheInvalidationChannel(cluster);
            builder.Services.AddRegistryEdge(builder.Configuration);
        }

        builder.AddGatewayTelemetry(role);
        builder.WebHost.UseGatewayKestrel(builder.Configuration);

        var app = builder.Build();

        // Validate every options class now, so a bad value stops the process with its message alone
        // (not after a "Hosting failed to start" stack trace).
        app.Services.GetService<IStartupValidator>()?.Validate();
        app.Services.GetRequiredService<CertificateExpiryGauge>(); // registers its gauge
        if (role != GatewayRole.Silo)
        {
            // Load the htpasswd file now: an unusable one stops the start with the lines at fault.
            app.Services.GetRequiredService<HtpasswdStore>();
            app.Services.GetRequiredService<Gateway.Edge.Access.Authorize.AclStore>();
        }
        if (role != GatewayRole.Silo)
        {
            app.UseRegistryClientAddress();
        }

        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(EdgeServiceCollectionExtensions.ReadyTag) });
        app.MapGatewayMetrics(); // /metrics unless Gateway:Telemetry says otherwise
        if (role != GatewayRole.Silo)
        {
            app.MapRegistryEdge();
            app.MapRegistryAdmin();
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Log.Ready(app.Logger, role.ToString().ToLowerInvariant(), string.Join(", ", urls), cluster.ToString());
        });
        return app;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.Ready, Level = LogLevel.Information, Message = "Gateway ready: role={Role} listening on {Urls} ({Cluster})")]
        public static partial void Ready(ILogger logger, string role, string urls, string cluster);
    }
}
