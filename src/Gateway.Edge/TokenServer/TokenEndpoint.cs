using System.Globalization;
using System.Net;
using Gateway.Contracts;
using Gateway.Edge.Authentication;
using Gateway.Edge.Responses;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Access;
using Gateway.Registry.Challenges;
using Gateway.Registry.Credentials;
using Gateway.Registry.Errors;
using Gateway.Registry.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// The Docker token endpoint (<c>token.md</c>, <c>oauth.md</c>) at the path of <c>Gateway:Token:Realm</c>:
/// <c>GET</c> with Basic credentials, <c>service</c>, repeated and space-separated <c>scope</c>, <c>account</c>,
/// <c>client_id</c>, <c>offline_token</c>; <c>POST</c> form with <c>grant_type=password|refresh_token</c> and
/// <c>access_type=offline</c> (read by <see cref="TokenRequestReader"/>). Passwords are checked through
/// <see cref="CredentialAuthenticator"/>, so the grains' cache, lockouts and rate limits apply as on <c>/v2/</c>; refresh
/// grants and anonymous requests are admitted by the grains too. The grant is the ACL's intersection with the request
/// (within a machine account's scopes), never an error. Errors are in the registry's JSON format.
/// </summary>
public sealed partial class TokenEndpoint(
    TokenService tokens,
    CredentialAuthenticator authenticator,
    IOptions<AuthOptions> auth,
    EdgeMetrics metrics,
    AccessAudit audit,
    ILogger<TokenEndpoint> logger)
{
    /// <summary>
    /// The message of a refused password: not the code's default, which docker reduces to a bare <c>unauthorized</c>
    /// when no scope was asked (a login); the same for an unknown user and a wrong password.
    /// </summary>
    internal const string InvalidCredentials = "authentication required: unknown user or wrong password";

    private readonly string _challenge = BasicChallenge.Format(auth.Value.Realm);

    /// <summary>Answers one token request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        var address = context.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        var call = new Call(context, address?.ToString() ?? "unknown", context.Request.Method);
        var (request, refusal) = await TokenRequestReader.ReadAsync(context, tokens.Options.Service, auth.Value.Anonymous && tokens.HasAcl);
        if (refusal is not null)
        {
            call.Grant = refusal.Grant;
            if (refusal.Challenge)
            {
                context.Response.Headers.WWWAuthenticate = _challenge;
            }

            await FailAsync(call, refusal.Outcome, refusal.Error, refusal.Reason);
            return;
        }

        call.Grant = request!.Grant;
        call.Scopes = request.Scopes;
        call.Actions = string.Join(' ', request.Scopes);
        var (subject, result) = request.Grant switch
        {
            TokenGrant.RefreshToken => await RefreshAsync(call, request.RefreshToken!),
            TokenGrant.Anonymous => await AnonymousAsync(call),
            _ => await PasswordAsync(call, request.Credentials!),
        };
        if (subject is null)
        {
            return; // refused, and answered
        }

        call.User = subject;
        var granted = tokens.Grant(subject, request.Scopes, address, result.Decision?.Scopes);
        var issued = tokens.Issuer.Issue(subject, granted, tokens.CredentialBinding(subject));
        string? refresh = null;
        if (request.Offline)
        {
            refresh = request.RefreshToken ?? tokens.RefreshTokens.Create(subject, tokens.Options.Service, tokens.Generation(subject) ?? string.Empty, tokens.Options.RefreshLifetime).Value;
        }

        var body = TokenResponse.For(issued, refresh, includeScope: request.IsOAuth).ToUtf8Json();
        audit.AccessDecided(subject, call.Client, call.Method, "token", null, issued.Claims.Access.ToScopeString(), call.Actions, "token_issued", request.Grant switch
        {
            TokenGrant.RefreshToken => "refresh token",
            TokenGrant.Anonymous => "anonymous",
            _ => "password",
        });
        metrics.TokenRequest(GrantName(call.Grant), "issued");
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

    /// <summary>The refresh grant: a valid token of a user who still exists, then the grain as for a login.</summary>
    private async Task<(string? Subject, AuthenticationResult Result)> RefreshAsync(Call call, string refreshToken)
    {
        var validation = tokens.RefreshTokens.Validate(refreshToken, tokens.Options.Service, tokens.Generation);
        if (!validation.IsValid)
        {
            call.User = validation.Info?.User;
            await FailAsync(call, "invalid_refresh_token", new RegistryError(RegistryErrorCode.Unauthorized, "the refresh token is invalid, expired or revoked; log in again"));
            return default;
        }

        var subject = validation.Info.User;
        call.User = subject;

        // The grant is a login: the subject's grain refuses revoked tokens, locked accounts and spent budgets.
        var result = await authenticator.AdmitAsync(subject, call.Client, RequestKind.Other, validation.Info.IssuedAt, isGrant: true);
        switch (result.Status)
        {
            case AuthenticationStatus.Authenticated:
                return (subject, result);
            case AuthenticationStatus.Revoked:
                await FailAsync(call, "revoked_refresh_token", new RegistryError(RegistryErrorCode.Unauthorized, "the refresh token is invalid, expired or revoked; log in again"));
                return default;
            default:
                await RefuseAsync(call, result);
                return default;
        }
    }

    /// <summary>docker_auth's anonymous access: the ACL's account <c>""</c>, limited per client address; no refresh token.</summary>
    private async Task<(string? Subject, AuthenticationResult Result)> AnonymousAsync(Call call)
    {
        call.User = string.Empty;
        var result = await authenticator.AdmitAnonymousAsync(call.Client, RequestKind.Other);
        if (result.Status == AuthenticationStatus.Authenticated)
        {
            return (string.Empty, result);
        }

        await RefuseAsync(call, result);
        return default;
    }

    /// <summary>A password (or a machine account's secret), through the same grains as <c>/v2/</c>.</summary>
    private async Task<(string? Subject, AuthenticationResult Result)> PasswordAsync(Call call, BasicCredentials credentials)
    {
        call.User = credentials.UserName;
        var result = await authenticator.AuthenticateAsync(credentials, call.Client, RequestKind.Other, call.Context.RequestAborted);
        switch (result.Status)
        {
            case AuthenticationStatus.Authenticated:
                return (credentials.UserName, result);
            case AuthenticationStatus.InvalidCredentials:
            case AuthenticationStatus.Revoked:
                call.Context.Response.Headers.WWWAuthenticate = _challenge;
                // containerd POSTs, is refused, and GETs with the same credential: the grain counts that once.
                await FailAsync(call, "invalid_credentials", new RegistryError(RegistryErrorCode.Unauthorized, InvalidCredentials) { Detail = RegistryAccessRecord.From(call.Scopes) }, result.Cache == "repeat" ? "unknown user or wrong password, repeated (not counted again)" : "unknown user or wrong password");
                return default;
            default:
                await RefuseAsync(call, result);
                return default;
        }
    }

    /// <summary>Locks and limits (429), or an undecidable cluster (503).</summary>
    private Task RefuseAsync(Call call, AuthenticationResult result)
    {
        if (result.Status is AuthenticationStatus.Locked or AuthenticationStatus.RateLimited)
        {
            return TooManyAsync(call, result.Decision!);
        }

        call.Context.Response.Headers.RetryAfter = "1";
        return FailAsync(call, "unavailable", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
    }

    /// <summary>
    /// A lock or a limit, answered as <see cref="LimitRefusal"/> chooses: a request without scopes is a login check
    /// (<c>docker login</c>, <c>podman login</c>, …), one with scopes precedes a pull or a push.
    /// </summary>
    private Task TooManyAsync(Call call, CredentialDecision refused)
    {
        var answer = LimitRefusal.For(refused, call.Scopes.Count == 0 ? RefusalSurface.LoginCheck : RefusalSurface.TokenRequest, call.Scopes);
        var headers = call.Context.Response.Headers;
        headers.RetryAfter = answer.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        if (answer.Location is not null)
        {
            headers.Location = answer.Location;
        }

        if (answer.Challenge)
        {
            headers.WWWAuthenticate = _challenge;
        }

        return FailAsync(call, answer.Outcome, answer.Error);
    }

    private Task FailAsync(Call call, string outcome, RegistryError error, string? reason = null)
    {
        audit.AccessDecided(call.User, call.Client, call.Method, "token", null, call.Actions, call.Actions, outcome, reason ?? error.Text);
        metrics.TokenRequest(GrantName(call.Grant), outcome);
        Log.Refused(logger, call.Method, outcome, error.Status);
        return RegistryResponses.WriteErrorAsync(call.Context, error);
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
        [LoggerMessage(EventId = 1501, Level = LogLevel.Debug, Message = "Token request refused: {Method} {Outcome} ({Status})")]
        public static partial void Refused(ILogger logger, string method, string outcome, int status);
    }
}
