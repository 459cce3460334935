using System.Collections.Concurrent;
using Gateway.Contracts;

namespace Gateway.Edge.Authentication;

/// <summary>
/// The credential cache backed by one <see cref="IUserGrain"/> per user name. Grain references are kept per user:
/// <c>GetGrain</c> resolves the grain type by reflection on every call, which showed as a third of the edge's
/// authentication CPU in a profile of cached requests.
/// </summary>
public sealed class GrainCredentialCache(IGrainFactory grains) : ICredentialCache
{
    /// <summary>References kept at most (a bound against many distinct user names); past it the map starts over.</summary>
    internal const int MaxReferences = 65_536;

    private readonly ConcurrentDictionary<string, IUserGrain> _references = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<CredentialDecision> CheckAsync(string userName, CredentialCheck check) => Grain(userName).CheckAsync(check);

    /// <inheritdoc />
    public Task<CredentialDecision> ReportAsync(string userName, VerificationReport report) => Grain(userName).ReportAsync(report);

    private IUserGrain Grain(string userName)
    {
        if (_references.TryGetValue(userName, out var grain))
        {
            return grain;
        }

        if (_references.Count >= MaxReferences)
        {
            _references.Clear();
        }

        return _references.GetOrAdd(userName, static (name, factory) => factory.GetGrain<IUserGrain>(name), grains);
    }
}
