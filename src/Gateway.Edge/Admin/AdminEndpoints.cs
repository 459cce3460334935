using Gateway.Contracts;
using Gateway.Edge.Access.Identify.Federation;
using Gateway.Registry.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Admin;

/// <summary>
/// The operators' view of the grains: a user's or an address's failures, locks and budgets, unlocking, revoking a
/// user's tokens, and machine accounts (<see cref="MachineAccountEndpoints"/>).
/// Served under <see cref="AdminOptions.PathPrefix"/> only when <see cref="AdminOptions.Token"/> is set.
/// </summary>
public static class AdminEndpoints
{
    /// <summary>Maps the admin endpoints (nothing when no token is configured).</summary>
    public static IEndpointRouteBuilder MapRegistryAdmin(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value;
        if (options.Token is null)
        {
            return endpoints;
        }

        var admin = endpoints.MapGroup(options.PathPrefix).AddEndpointFilter<AdminTokenFilter>();
        admin.MapGet("/users/{user}", (string user, IGrainFactory grains) =>
            AdminResults.CallAsync(() => grains.GetGrain<IUserGrain>(user).GetStatusAsync()));
        admin.MapPost("/users/{user}/unlock", (string user, string? address, IGrainFactory grains) =>
            AdminResults.CallAsync(() => grains.GetGrain<IUserGrain>(user).UnlockAsync(address)));
        admin.MapPost("/users/{user}/revoke-tokens", (string user, IGrainFactory grains) =>
            AdminResults.CallAsync(() => grains.GetGrain<IUserGrain>(user).RevokeTokensAsync()));
        admin.MapGet("/addresses/{address}", (string address, IGrainFactory grains) =>
            AdminResults.CallAsync(() => grains.GetGrain<IAddressGrain>(ClientAddressKey.For(address)).GetStatusAsync()));
        admin.MapPost("/addresses/{address}/unblock", (string address, IGrainFactory grains) =>
            AdminResults.CallAsync(() => grains.GetGrain<IAddressGrain>(ClientAddressKey.For(address)).UnblockAsync()));
        admin.MapMachineAccounts();
        admin.MapFederation();
        return endpoints;
    }
}
