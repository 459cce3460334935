using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Edge.Access;
using Gateway.Registry.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.Edge.Caching;

/// <summary>
/// Serves content-addressed answers from memory. It runs after the access gate, on requests the gate let through only,
/// so it never decides access: a cached answer reaches exactly the requests that would have reached the registry. It
/// keeps only what proves itself: a 200 whose <c>Docker-Content-Digest</c> is the digest asked for and, for a manifest
/// body, whose bytes hash to it.
/// </summary>
public sealed partial class AnswerCacheMiddleware(
    RequestDelegate next,
    IOptions<CacheOptions> options,
    EdgeAnswerCache cache,
    ICacheInvalidationChannel channel,
    CacheMetrics metrics,
    ILogger<AnswerCacheMiddleware> logger)
{
    /// <summary>How long a <c>DELETE</c> waits to tell the other nodes before its answer goes out anyway.</summary>
    internal static readonly TimeSpan PublishBound = TimeSpan.FromSeconds(2);

    // Per-response or connection headers: never replayed (Kestrel writes its own Date).
    private static readonly HashSet<string> NotReplayed = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Date, HeaderNames.Server, HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.TransferEncoding,
        HeaderNames.SetCookie, HeaderNames.AltSvc, HeaderNames.Upgrade, HeaderNames.ProxyConnection, "Trailer",
    };

    private readonly bool _enabled = options.Value.Enabled;
    private readonly long _entryLimit = options.Value.EntryLimit;

    /// <summary>Answers, fills or invalidates, as <see cref="CachePlan"/> says.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (!_enabled)
        {
            return next(context);
        }

        var plan = CachePlan.For(context.Request.Method, context.Features.Get<RegistryAccessFeature>(), context.Request.Headers);
        return plan.Kind switch
        {
            CachePlanKind.Lookup => LookupAsync(context, plan),
            CachePlanKind.Invalidate => InvalidateAsync(context, plan.Key.Address),
            _ => next(context),
        };
    }

    private async Task LookupAsync(HttpContext context, CachePlan plan)
    {
        var key = plan.Key;
        if (!channel.IsListening)
        {
            metrics.Lookup(key.Address.Kind, "bypass");
            await next(context);
            return;
        }

        if (cache.TryGet(key, plan.NeedsBody) is { } answer)
        {
            metrics.Lookup(key.Address.Kind, "hit");
            Activity.Current?.SetTag("gateway.cache.result", "hit"); // no forwarding span follows: say why
            await WriteAsync(context, answer, plan.NeedsBody);
            return;
        }

        metrics.Lookup(key.Address.Kind, "miss");
        var generation = cache.Generation;
        var response = context.Response;
        var ours = new HashSet<string>(response.Headers.Keys, StringComparer.OrdinalIgnoreCase);
        var bodyFeature = context.Features.Get<IHttpResponseBodyFeature>();
        var capture = plan.NeedsBody ? new CaptureWriteStream(response.Body, _entryLimit) : null;
        if (capture is not null)
        {
            response.Body = capture;
        }

        try
        {
            await next(context);
        }
        finally
        {
            if (capture is not null && bodyFeature is not null)
            {
                context.Features.Set(bodyFeature);
            }
        }

        var body = capture?.Captured;
        if (context.RequestAborted.IsCancellationRequested || !Provable(response, key.Address.Digest, body, plan.NeedsBody))
        {
            return;
        }

        var headers = new List<KeyValuePair<string, StringValues>>();
        foreach (var header in response.Headers)
        {
            if (!ours.Contains(header.Key) && !NotReplayed.Contains(header.Key))
            {
                headers.Add(header);
            }
        }

        if (cache.TryAdd(key, headers, body, generation))
        {
            metrics.Lookup(key.Address.Kind, "stored");
        }
    }

    /// <summary>
    /// Drops the address here before the registry deletes it, and on every node once the registry has answered and before
    /// the client hears it: a client that sees its <c>DELETE</c> answered finds no node still serving the old answer.
    /// </summary>
    private async Task InvalidateAsync(HttpContext context, ContentAddress address)
    {
        metrics.Invalidated("local", cache.Invalidate(address));
        var told = 0;
        async Task TellAsync()
        {
            if (Interlocked.Exchange(ref told, 1) == 1)
            {
                return;
            }

            cache.Invalidate(address);
            using var bound = new CancellationTokenSource(PublishBound);
            bool sent;
            try
            {
                sent = await channel.PublishAsync(address, bound.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                sent = false;
            }

            if (!sent)
            {
                metrics.PublishFailed();
                Log.PublishFailed(logger, address.Kind, LogText.Escape(address.Repository), LogText.Escape(address.Digest));
            }
        }

        context.Response.OnStarting(static state => ((Func<Task>)state)(), (Func<Task>)TellAsync);
        try
        {
            await next(context);
        }
        finally
        {
            // The answer never started (the client went away): the registry may still have deleted.
            await TellAsync();
        }
    }

    private static async Task WriteAsync(HttpContext context, CachedAnswer answer, bool withBody)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        foreach (var (name, values) in answer.Headers)
        {
            response.Headers[name] = values;
        }

        if (withBody && answer.Body is { Length: > 0 } body)
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>
    /// Whether the registry's answer is the content asked for: a 200 naming the digest, with its length, and for a body
    /// bytes that hash to the digest (an algorithm the edge cannot check is not kept).
    /// </summary>
    internal static bool Provable(HttpResponse response, string digest, byte[]? body, bool needsBody)
    {
        if (response.StatusCode != StatusCodes.Status200OK
            || !string.Equals(response.Headers["Docker-Content-Digest"].ToString(), digest, StringComparison.Ordinal)
            || response.ContentLength is not { } length)
        {
            return false;
        }

        if (!needsBody)
        {
            return true;
        }

        return body is not null && body.Length == length && Hashes(body, digest);
    }

    private static bool Hashes(byte[] body, string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        byte[]? hash = digest[..colon] switch
        {
            "sha256" => SHA256.HashData(body),
            "sha384" => SHA384.HashData(body),
            "sha512" => SHA512.HashData(body),
            _ => null,
        };
        return hash is not null && string.Equals(Convert.ToHexStringLower(hash), digest[(colon + 1)..], StringComparison.Ordinal);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.EdgeCacheInvalidationNotSent, Level = LogLevel.Warning, Message = "Edge cache: the invalidation of {Kind} {Repository}@{Digest} could not be sent to, or was not confirmed by, every other node; those may serve it until Gateway:Cache:Ttl runs out")]
        public static partial void PublishFailed(ILogger logger, CachedResource kind, string repository, string digest);
    }
}
