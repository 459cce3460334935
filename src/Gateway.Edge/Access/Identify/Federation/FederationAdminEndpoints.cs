using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// The admin view of federation: <c>GET /federation/issuers</c> (each trusted issuer, its key ids and last refresh on
/// this edge) and <c>GET /federation/logins?account=ACCOUNT</c> (the account's recent verified logins on this edge).
/// </summary>
public static class FederationAdminEndpoints
{
    /// <summary>Maps the endpoints on the admin group.</summary>
    public static RouteGroupBuilder MapFederation(this RouteGroupBuilder admin)
    {
        admin.MapGet("/federation/issuers", (TrustedIssuers issuers) =>
            Results.Ok(issuers.All.Select(i => i.Keys.Status).ToList()));
        // The account is a query value: mapped accounts hold slashes (ci/acme/app).
        admin.MapGet("/federation/logins", (string? account, FederatedLoginJournal journal) =>
            account is not null && AccountTemplate.IsValidAccount(account)
                ? Results.Ok(journal.Recent(account))
                : Results.BadRequest(new { error = "?account= must name a valid account (e.g. ci/acme/app)" }));
        return admin;
    }
}
