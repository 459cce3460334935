using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Answer;
using Gateway.Edge.TokenServer;
using Gateway.Registry.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Edge.Access.Identify.IssuedTokens;

/// <summary>
/// Token mode's only identity: a Bearer token this gateway issued, granting every scope of the request, answered as
/// registry 2.8 answers (401 with a Bearer challenge naming the scopes, <c>error="invalid_token"</c> or
/// <c>error="insufficient_scope"</c>). The subject's grain then admits it: a revoked token is 401 <c>invalid_token</c>,
/// a reached limit or an address block as in basic mode. The token goes on to the registry.
/// </summary>
public sealed class IssuedTokenIdentityProvider(IServiceProvider services, GrainAdmission admission) : IIdentityProvider
{
    // Resolved on first use: the token service exists only when Gateway:Token:SigningKey is set.
    private TokenService Tokens => field ??= services.GetRequiredService<TokenService>();

    /// <inheritdoc />
    public string Name => "issued-tokens";

    /// <inheritdoc />
    public async ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        var scopes = request.Scopes;
        if (BearerToken(request) is not { } token)
        {
            return IdentityResult.Refused(AccessRefusals.BadToken(AccessOutcome.Unauthenticated, scopes, "no Bearer token"));
        }

        var result = Tokens.Validator.Validate(token);
        if (!result.IsValid)
        {
            return IdentityResult.Refused(AccessRefusals.BadToken(AccessOutcome.InvalidToken, scopes, result.Status.ToString()));
        }

        if (!Tokens.StillHolds(result.Claims))
        {
            return IdentityResult.Refused(AccessRefusals.BadToken(AccessOutcome.RevokedToken, scopes, "the token's user was removed or changed password since it was issued"));
        }

        var notGranted = result.Claims.Access.Refused(scopes);
        if (notGranted.Count > 0)
        {
            return IdentityResult.Refused(AccessRefusals.InsufficientScope(notGranted));
        }

        // The subject's grain counts the request against its limits and knows whether its tokens were revoked since.
        return await admission.AdmitTokenAsync(request, result.Claims.Subject, result.Claims.IssuedAt, isGrant: false,
            AccessRefusals.BadToken(AccessOutcome.RevokedToken, scopes, "the token was revoked")).ConfigureAwait(false);
    }

    /// <summary>The subject of a valid token the request carries, or null (for the audit event of a request refused before it was read).</summary>
    public string? SubjectOf(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var result = Tokens.Validator.Validate(header[7..].Trim());
        return result.IsValid ? result.Claims.Subject : null;
    }

    private static string? BearerToken(AccessRequest request)
    {
        var header = request.Context.Request.Headers.Authorization.ToString();
        return header.Length >= 7 && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
