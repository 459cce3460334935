using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge.Tests.Support;

/// <summary>A stand-in registry on loopback that records what reached it and answers as each test asks.</summary>
public sealed class FakeBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeBackend(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>How the backend answers; by default 200 with the registry's version header and <c>{}</c>.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = DefaultHandler;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FakeBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Limits.MaxRequestBodySize = null).UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new FakeBackend(app);
        app.Run(async context =>
        {
            var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            long bytes = 0;
            var buffer = new byte[81920];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                bytes += read;
            }

            // YARP's active health probes (GET /v2/ with no forwarding headers) are not client traffic.
            if (!context.Request.Headers.ContainsKey("X-Forwarded-Host"))
            {
                await DefaultHandler(context);
                return;
            }

            backend.Received.Enqueue(new ReceivedRequest(
                context.Request.Method,
                raw,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                bytes));
            await backend.Handler(context);
        });
        await app.StartAsync();
        backend.BaseAddress = new Uri(app.Urls.First());
        return backend;
    }

    public static Task DefaultHandler(HttpContext context)
    {
        context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync("{}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedRequest(string Method, string RawTarget, IReadOnlyDictionary<string, string> Headers, long BodyBytes);
