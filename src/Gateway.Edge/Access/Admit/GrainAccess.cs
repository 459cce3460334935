using System.Collections.Concurrent;
using Gateway.Contracts;

namespace Gateway.Edge.Access.Admit;

/// <summary>
/// The credential cache backed by one <see cref="IUserGrain"/> per user name and one <see cref="IMachineAccountGrain"/>
/// per machine account. Grain references are kept: <c>GetGrain</c> resolves the grain type by reflection on every
/// call, which showed as a third of the edge's authentication CPU in a profile of cached requests.
/// </summary>
public sealed class GrainAccess(IGrainFactory grains) : IAccessGrains
{
    /// <summary>References kept at most per grain type (a bound against many distinct names); past it the map starts over.</summary>
    internal const int MaxReferences = 65_536;

    private readonly ConcurrentDictionary<string, IUserGrain> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IMachineAccountGrain> _machines = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<CredentialDecision> CheckAsync(string userName, CredentialCheck check) => Reference(_users, userName).CheckAsync(check);

    /// <inheritdoc />
    public Task<CredentialDecision> ReportAsync(string userName, VerificationReport report) => Reference(_users, userName).ReportAsync(report);

    /// <inheritdoc />
    public Task<CredentialDecision> AdmitUserAsync(string userName, Admission admission) => Reference(_users, userName).AdmitAsync(admission);

    /// <inheritdoc />
    public Task<CredentialDecision> AuthenticateMachineAsync(string accountName, MachineCheck check) => Reference(_machines, accountName).AuthenticateAsync(check);

    /// <inheritdoc />
    public Task<CredentialDecision> AdmitMachineAsync(string accountName, Admission admission) => Reference(_machines, accountName).AdmitAsync(admission);

    private TGrain Reference<TGrain>(ConcurrentDictionary<string, TGrain> references, string name)
        where TGrain : IGrainWithStringKey
    {
        if (references.TryGetValue(name, out var grain))
        {
            return grain;
        }

        if (references.Count >= MaxReferences)
        {
            references.Clear();
        }

        return references.GetOrAdd(name, static (key, factory) => factory.GetGrain<TGrain>(key), grains);
    }
}
