using System.Text.Json;
using Microsoft.Extensions.Logging;
using Gateway.Registry.Logging;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// One trusted issuer's signing keys on this edge: fetched over HTTPS (discovery, then the key set), used for
/// <see cref="FederationOptions.KeyRefreshInterval"/> and refreshed in the background after it, refetched at once for
/// an unknown <c>kid</c> but at most every <see cref="FederationOptions.MinimumRefreshInterval"/>, one fetch at a
/// time. A failed fetch keeps the keys it had (an issuer's outage does not refuse tokens whose keys are known); with
/// none at all, lookups answer "unavailable" (503), not "unknown" (401).
/// </summary>
public sealed partial class IssuerKeySource : IDisposable
{
    /// <summary>The largest discovery document or key set read.</summary>
    public const int MaxDocumentBytes = 512 * 1024;

    private readonly TrustedIssuerOptions _issuer;
    private readonly FederationOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly FederationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile Snapshot? _snapshot;
    private DateTimeOffset? _lastAttempt;
    private string? _lastError;

    /// <summary>Creates the source; nothing is fetched until a token needs a key.</summary>
    public IssuerKeySource(TrustedIssuerOptions issuer, FederationOptions options, HttpClient http, TimeProvider time, FederationMetrics metrics, ILogger logger)
    {
        _issuer = issuer;
        _options = options;
        _http = http;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The issuer's options.</summary>
    public TrustedIssuerOptions Issuer => _issuer;

    /// <summary>What this edge knows of the issuer's keys now.</summary>
    public IssuerKeyStatus Status
    {
        get
        {
            var snapshot = _snapshot;
            return new IssuerKeyStatus(
                _issuer.Issuer,
                snapshot?.JwksUri ?? _issuer.JwksUri,
                snapshot is null ? [] : snapshot.Keys.Keys.Keys.Order(StringComparer.Ordinal).ToList(),
                snapshot?.FetchedAt,
                _lastAttempt,
                _lastError);
        }
    }

    /// <summary>Finds the key with <paramref name="keyId"/>, fetching the issuer's keys when it must and may.</summary>
    public async ValueTask<KeyLookupResult> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && snapshot.Keys.Keys.TryGetValue(keyId, out var known))
        {
            if (_time.GetUtcNow() >= snapshot.FetchedAt + _options.KeyRefreshInterval)
            {
                RefreshInBackground();
            }

            return new(known, false);
        }

        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have fetched while this one waited.
            snapshot = _snapshot;
            if (snapshot is not null && snapshot.Keys.Keys.TryGetValue(keyId, out known))
            {
                return new(known, false);
            }

            if (!MayFetch())
            {
                return _lastError is null ? KeyLookupResult.Unknown : KeyLookupResult.Down;
            }

            var ok = await FetchAsync(snapshot is null ? "initial" : "unknown_kid", cancellationToken).ConfigureAwait(false);
            if (_snapshot is { } fresh && fresh.Keys.Keys.TryGetValue(keyId, out known))
            {
                return new(known, false);
            }

            return ok ? KeyLookupResult.Unknown : KeyLookupResult.Down;
        }
        finally
        {
            _fetching.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _fetching.Dispose();
        _http.Dispose();
    }

    private bool MayFetch() => _lastAttempt is not { } last || _time.GetUtcNow() - last >= _options.MinimumRefreshInterval;

    private void RefreshInBackground()
    {
        if (!MayFetch() || !_fetching.Wait(0))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await FetchAsync("expired", CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _fetching.Release();
            }
        });
    }

    /// <summary>One fetch; the caller holds <see cref="_fetching"/>. Never throws for the issuer's faults.</summary>
    private async Task<bool> FetchAsync(string reason, CancellationToken cancellationToken)
    {
        _lastAttempt = _time.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.FetchTimeout);
        try
        {
            var jwksUri = _issuer.JwksUri is { Length: > 0 } configured ? configured : await DiscoverAsync(timeout.Token).ConfigureAwait(false);
            var keys = JsonWebKeySet.TryParse(await GetAsync(jwksUri, timeout.Token).ConfigureAwait(false))
                ?? throw new FetchFailure("the key set is not a JWKS document");
            _snapshot = new Snapshot(keys, jwksUri, _time.GetUtcNow());
            _lastError = null;
            _metrics.KeysFetched(reason, ok: true);
            Log.KeysFetched(_logger, _issuer.Issuer, reason, string.Join(",", keys.Keys.Keys.Order(StringComparer.Ordinal)));
            return true;
        }
        catch (Exception ex) when (ex is FetchFailure or HttpRequestException or OperationCanceledException or IOException or JsonException)
        {
            _lastError = ex switch
            {
                FetchFailure failure => failure.Message,
                OperationCanceledException when !cancellationToken.IsCancellationRequested => $"no answer within {_options.FetchTimeout}",
                OperationCanceledException => "the request was cancelled",
                HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "TLS: the issuer's certificate is not trusted",
                JsonException => "the discovery document is not JSON",
                _ => "the issuer cannot be reached",
            };
            _metrics.KeysFetched(reason, ok: false);
            Log.FetchFailed(_logger, _issuer.Issuer, reason, _lastError, _snapshot is not null);
            return false;
        }
    }

    private async Task<string> DiscoverAsync(CancellationToken cancellationToken)
    {
        var url = _issuer.Issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        using var document = JsonDocument.Parse(await GetAsync(url, cancellationToken).ConfigureAwait(false));
        var root = document.RootElement;
        // OpenID Connect Discovery 1.0, 4.3: the document's issuer must be exactly the one asked for.
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String
            || !string.Equals(issuer.GetString(), _issuer.Issuer, StringComparison.Ordinal))
        {
            throw new FetchFailure("the discovery document names another issuer");
        }

        if (!root.TryGetProperty("jwks_uri", out var jwks) || jwks.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(jwks.GetString(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new FetchFailure("the discovery document has no https jwks_uri");
        }

        return uri.AbsoluteUri;
    }

    private async Task<byte[]> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new FetchFailure($"the issuer answered {(int)response.StatusCode}");
        }

        if (response.Content.Headers.ContentLength > MaxDocumentBytes)
        {
            throw new FetchFailure("the document is too large");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                throw new FetchFailure("the document is too large");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private sealed record Snapshot(JsonWebKeySet Keys, string JwksUri, DateTimeOffset FetchedAt);

    private sealed class FetchFailure(string message) : Exception(message);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.FederationKeysFetched, Level = LogLevel.Information, Message = "Keys of issuer {Issuer} fetched ({Reason}): {KeyIds}")]
        public static partial void KeysFetched(ILogger logger, string issuer, string reason, string keyIds);

        [LoggerMessage(EventId = EventIds.FederationKeysUnavailable, Level = LogLevel.Warning, Message = "Keys of issuer {Issuer} could not be fetched ({Reason}): {Error}; keys cached before kept: {KeptCached}")]
        public static partial void FetchFailed(ILogger logger, string issuer, string reason, string error, bool keptCached);
    }
}
