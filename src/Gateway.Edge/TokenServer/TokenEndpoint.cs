using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Answer;
using Gateway.Edge.Access.Identify;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Access;
using Gateway.Registry.Logging;
using Gateway.Registry.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// The Docker token endpoint (<c>token.md</c>, <c>oauth.md</c>) at the path of <c>Gateway:Token:Realm</c>:
/// <c>GET</c> with Basic credentials, <c>service</c>, repeated and space-separated <c>scope</c>, <c>account</c>,
/// <c>client_id</c>, <c>offline_token</c>; <c>POST</c> form with <c>grant_type=password|refresh_token</c> and
/// <c>access_type=offline</c> (read by <see cref="TokenRequestReader"/>). Passwords go through the same identity
/// providers as <c>/v2/</c> (<see cref="IdentityChain"/>), so the grains' cache, lockouts and rate limits apply alike;
/// refresh grants and anonymous requests are admitted by the grains too (<see cref="GrainAdmission"/>). The grant is the
/// ACL's intersection with the request (within a machine account's scopes), never an error. Refusals are written by
/// <see cref="AccessAnswers"/>, as on <c>/v2/</c>.
/// </summary>
public sealed partial class TokenEndpoint(
    TokenService tokens,
    IdentityChain identities,
    GrainAdmission admission,
    AccessAnswers answers,
    EdgeMetrics metrics,
    AccessAudit audit,
    ILogger<TokenEndpoint> logger)
{
    /// <summary>Answers one token request (measured by the request telemetry as route class <c>token</c>).</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        var (request, refusal) = await TokenRequestReader.ReadAsync(context, tokens.Options.Service, tokens.AnonymousAllowed);
        var access = AccessRequest.ForToken(context, request?.Credentials, request?.Scopes ?? []);
        var call = new Call(context, access.ClientAddress, context.Request.Method);
        if (refusal is not null)
        {
            call.Grant = refusal.Grant;
            await RefuseAsync(call, new AccessRefusal(refusal.Outcome, refusal.Error, refusal.Reason ?? refusal.Error.Text) { Challenge = refusal.Challenge ? ChallengeKind.Basic : ChallengeKind.None });
            return;
        }

        call.Grant = request!.Grant;
        call.Scopes = request.Scopes;
        call.Actions = string.Join(' ', request.Scopes);
        call.User = request.Grant switch
        {
            TokenGrant.Anonymous => string.Empty,
            TokenGrant.Password => request.Credentials!.UserName,
            _ => null,
        };
        var identified = request.Grant switch
        {
            TokenGrant.RefreshToken => await RefreshAsync(access, call, request.RefreshToken!),
            _ => await identities.IdentifyAsync(access, context.RequestAborted),
        };
        if (identified.Status != IdentityStatus.Identified)
        {
            await RefuseAsync(call, identified.Refusal!);
            return;
        }

        var identity = identified.Identity!;
        var subject = identity.Account;
        call.User = subject;
        var granted = tokens.Grant(subject, request.Scopes, access.ClientIp, identity.Admission?.Scopes);
        // A credential with an end of its own (a federated CI token) gets tokens that end with it, and no refresh token.
        var issued = identity.ValidUntil is { } until
            ? tokens.Issuer.Issue(subject, granted, tokens.FederatedBinding(subject), until)
            : tokens.Issuer.Issue(subject, granted, tokens.CredentialBinding(subject));
        string? refresh = null;
        if (request.Offline && identity.ValidUntil is null)
        {
            refresh = request.RefreshToken ?? tokens.RefreshTokens.Create(subject, tokens.Options.Service, tokens.Generation(subject) ?? string.Empty, tokens.Options.RefreshLifetime).Value;
        }

        var body = TokenResponse.For(issued, refresh, includeScope: request.IsOAuth).ToUtf8Json();
        audit.AccessDecided(subject, call.Client, call.Method, "token", null, issued.Claims.Access.ToScopeString(), call.Actions, AccessOutcome.TokenIssued.Label(), request.Grant switch
        {
            TokenGrant.RefreshToken => "refresh token",
            TokenGrant.Anonymous => "anonymous",
            _ => identity.Reason,
        });
        metrics.TokenRequest(GrantName(call.Grant), "issued"); // the metric's label since it exists (dashboards use it)
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = TokenResponse.ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static string GrantName(TokenGrant grant) => grant switch
    {
        TokenGrant.Password => "password",
        TokenGrant.RefreshToken => "refresh_token",
        TokenGrant.Anonymous => "anonymous",
        _ => "none",
    };

    /// <summary>The refresh grant: a valid token of a user who still exists, then the grain as for a login (locks refuse it too).</summary>
    private async Task<IdentityResult> RefreshAsync(AccessRequest access, Call call, string refreshToken)
    {
        var validation = tokens.RefreshTokens.Validate(refreshToken, tokens.Options.Service, tokens.Generation);
        call.User = validation.Info?.User;
        if (!validation.IsValid)
        {
            return IdentityResult.Refused(AccessRefusals.BadRefreshToken(AccessOutcome.InvalidRefreshToken));
        }

        return await admission.AdmitTokenAsync(access, validation.Info.User, validation.Info.IssuedAt, isGrant: true, AccessRefusals.BadRefreshToken(AccessOutcome.RevokedRefreshToken));
    }

    private Task RefuseAsync(Call call, AccessRefusal refusal)
    {
        var outcome = refusal.Outcome.Label();
        audit.AccessDecided(call.User, call.Client, call.Method, "token", null, call.Actions, call.Actions, outcome, refusal.Reason);
        metrics.TokenRequest(GrantName(call.Grant), outcome);
        if (refusal.LimitName is { } limit)
        {
            metrics.RateLimitRejected(limit);
        }

        Log.Refused(logger, call.Method, outcome, refusal.Error.Status);
        return answers.WriteAsync(call.Context, refusal, call.Scopes, string.IsNullOrEmpty(call.User) ? call.Client : call.User);
    }

    private sealed class Call(HttpContext context, string client, string method)
    {
        public HttpContext Context { get; } = context;

        public string Client { get; } = client;

        public string Method { get; } = method;

        public string? User { get; set; }

        public string Actions { get; set; } = string.Empty;

        public TokenGrant Grant { get; set; }

        /// <summary>The scopes asked for, once the request was read.</summary>
        public IReadOnlyList<AccessScope> Scopes { get; set; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TokenRequestRefused, Level = LogLevel.Debug, Message = "Token request refused: {Method} {Outcome} ({Status})")]
        public static partial void Refused(ILogger logger, string method, string outcome, int status);
    }
}
