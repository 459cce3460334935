using Gateway.Registry.Tokens;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// Loads the token signing key (and certificate) once per process: the start-up validator reports a key that cannot be
/// used, and the token service signs with the same loaded key.
/// </summary>
public sealed class TokenSigningKeys : IDisposable
{
    private readonly Lock _gate = new();
    private (string Key, string? Certificate, TokenSigningKeyLoadResult Result)? _loaded;

    /// <summary>The key <paramref name="options"/> name, loaded on first use.</summary>
    public TokenSigningKeyLoadResult Load(RegistryTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = options.SigningKey ?? string.Empty;
        lock (_gate)
        {
            if (_loaded is { } loaded && loaded.Key == key && loaded.Certificate == options.Certificate)
            {
                return loaded.Result;
            }

            _loaded?.Result.Key?.Dispose();
            var result = TokenSigningKey.Load(key, options.Certificate);
            _loaded = (key, options.Certificate, result);
            return result;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _loaded?.Result.Key?.Dispose();
            _loaded = null;
        }
    }
}
