using Gateway.Contracts;

namespace Gateway.Edge.Authentication;

/// <summary>The credential cache backed by one <see cref="IUserGrain"/> per user name.</summary>
public sealed class GrainCredentialCache(IGrainFactory grains) : ICredentialCache
{
    /// <inheritdoc />
    public Task<CredentialDecision> CheckAsync(string userName, CredentialCheck check) => grains.GetGrain<IUserGrain>(userName).CheckAsync(check);

    /// <inheritdoc />
    public Task<CredentialDecision> ReportAsync(string userName, VerificationReport report) => grains.GetGrain<IUserGrain>(userName).ReportAsync(report);
}
