using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Edge.Transfer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Benchmarks.Floor;

/// <summary>
/// The <c>yarp-floor</c> target: Kestrel with TLS and YARP forwarding to the registry, nothing else — no auth, no
/// middleware, no telemetry. It is what the gateway costs at least with this stack; the gateway's CPU per request over
/// this one's is what the gateway's own work costs. Kestrel and the forwarder are set as the gateway sets them
/// (HTTP/1.1 and HTTP/2, no Server header, no body limit, the gateway's buffer blocks (<c>Gateway:Transfer</c>, from the
/// environment as the gateway reads it), HTTP/1.1 to the registry, no response buffering).
/// </summary>
public static class YarpFloorProgram
{
    /// <summary>The line printed once it listens.</summary>
    public const string ReadyLine = "yarp-floor ready";

    /// <summary><c>yarp-floor --port P --backend URL --cert CHAIN.pem --key KEY.pem</c></summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is required.");
        var port = int.Parse(Arg("--port"), CultureInfo.InvariantCulture);
        var backend = Arg("--backend");
        using var certificate = X509Certificate2.CreateFromPemFile(Arg("--cert"), Arg("--key"));

        // The file holds the chain, leaf first: the intermediates go to clients too, as the gateway sends them.
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(Arg("--cert"));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ServerCertificateChain = chain,
                });
            });
        });
        builder.Services.AddTransferMemoryPool(builder.Configuration.GetSection(TransferOptions.SectionName).Get<TransferOptions>() ?? new TransferOptions());
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "registry", Match = new RouteMatch { Path = "{**rest}" }, MaxRequestBodySize = -1 }],
            [
                new ClusterConfig
                {
                    ClusterId = "registry",
                    Destinations = new Dictionary<string, DestinationConfig> { ["registry"] = new() { Address = backend } },
                    HttpClient = new HttpClientConfig { EnableMultipleHttp2Connections = true },
                    HttpRequest = new ForwarderRequestConfig
                    {
                        Version = HttpVersion.Version11,
                        VersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionOrLower,
                        AllowResponseBuffering = false,
                    },
                },
            ]);
        await using var app = builder.Build();
        app.MapReverseProxy();
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(ReadyLine));
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
