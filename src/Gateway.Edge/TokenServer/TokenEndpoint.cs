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
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// The Docker token endpoint (<c>token.md</c>, <c>oauth.md</c>) at the path of <c>Gateway:Token:Realm</c>:
/// <c>GET</c> with Basic credentials, <c>service</c>, repeated and space-separated <c>scope</c>, <c>account</c>,
/// <c>client_id</c>, <c>offline_token</c>; <c>POST</c> form with <c>grant_type=password|refresh_token</c> and
/// <c>access_type=offline</c>. Passwords are checked through <see cref="CredentialAuthenticator"/>, so the grains'
/// cache, lockouts and rate limits apply as on <c>/v2/</c>. The grant is the ACL's intersection with the request,
/// never an error. Errors are in the registry's JSON format.
/// </summary>
public sealed partial class TokenEndpoint(
    TokenService tokens,
    CredentialAuthenticator authenticator,
    IOptions<AuthOptions> auth,
    EdgeMetrics metrics,
    AccessAudit audit,
    ILogger<TokenEndpoint> logger)
{
    private static readonly FormOptions FormLimits = new()
    {
        BufferBody = false,
        ValueCountLimit = 64,
        ValueLengthLimit = 64 * 1024,
        KeyLengthLimit = 64,
        MultipartBodyLengthLimit = 0,
    };

    private readonly string _challenge = BasicChallenge.Format(auth.Value.Realm);

    /// <summary>Answers one token request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        var address = context.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        var client = address?.ToString() ?? "unknown";
        var post = HttpMethods.IsPost(request.Method);
        var call = new Call(context, client, request.Method);

        string? service, account = null, refreshToken = null;
        bool offline, anonymous = false;
        IEnumerable<string?> scopeValues;
        BasicCredentials? credentials = null;
        if (post)
        {
            if (!request.HasFormContentType)
            {
                await FailAsync(call, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, "POST takes an application/x-www-form-urlencoded form (grant_type=password or refresh_token)", 400));
                return;
            }

            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(FormLimits, context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                await FailAsync(call, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, "the form is too large or malformed", 400));
                return;
            }

            service = Single(form["service"]);
            offline = string.Equals(Single(form["access_type"]), "offline", StringComparison.Ordinal);
            scopeValues = form["scope"];
            switch (Single(form["grant_type"]))
            {
                case "password":
                    call.Grant = "password";
                    var user = Single(form["username"]);
                    var password = Single(form["password"]);
                    if (string.IsNullOrEmpty(user) || password is null
                        || System.Text.Encoding.UTF8.GetByteCount(user) > BasicCredentialParser.MaxUserNameBytes || user.Contains(':', StringComparison.Ordinal)
                        || System.Text.Encoding.UTF8.GetByteCount(password) > BasicCredentialParser.MaxPasswordBytes)
                    {
                        await ChallengeAsync(call, "malformed_credentials", "grant_type=password needs username and password");
                        return;
                    }

                    credentials = new BasicCredentials(user, Secret.FromString(password));
                    break;
                case "refresh_token":
                    call.Grant = "refresh_token";
                    refreshToken = Single(form["refresh_token"]);
                    if (string.IsNullOrEmpty(refreshToken))
                    {
                        await FailAsync(call, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, "grant_type=refresh_token needs refresh_token", 400));
                        return;
                    }

                    break;
                default:
                    await FailAsync(call, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, "unsupported grant_type; use password or refresh_token", 400));
                    return;
            }
        }
        else
        {
            var query = request.Query;
            service = Single(query["service"]);
            account = Single(query["account"]);
            offline = string.Equals(Single(query["offline_token"]), "true", StringComparison.OrdinalIgnoreCase);
            scopeValues = query["scope"];
            var parsed = BasicCredentialParser.TryParse(request.Headers.Authorization, out credentials);
            anonymous = parsed == CredentialParseStatus.Missing && auth.Value.Anonymous && tokens.HasAcl && string.IsNullOrEmpty(account);
            call.Grant = anonymous ? "anonymous" : parsed == CredentialParseStatus.Ok ? "password" : "none";
            if (parsed != CredentialParseStatus.Ok && !anonymous)
            {
                await ChallengeAsync(call, parsed == CredentialParseStatus.Malformed ? "malformed_credentials" : "unauthenticated", "no valid Basic credentials");
                return;
            }

            if (!anonymous && !string.IsNullOrEmpty(account) && !string.Equals(account, credentials!.UserName, StringComparison.Ordinal))
            {
                await FailAsync(call, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, "account does not match the credentials' user", 400));
                return;
            }
        }

        if (!string.IsNullOrEmpty(service) && !string.Equals(service, tokens.Options.Service, StringComparison.Ordinal))
        {
            await FailAsync(call, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, $"tokens are issued for the service '{tokens.Options.Service}' only", 400));
            return;
        }

        var requested = new List<AccessScope>();
        foreach (var value in scopeValues)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!AccessScope.TryParseList(value, TokenService.MaxScopes - requested.Count, out var scopes))
            {
                await FailAsync(call, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, $"invalid scope, or more than {TokenService.MaxScopes} scopes", 400));
                return;
            }

            requested.AddRange(scopes);
        }

        call.Actions = string.Join(' ', requested);
        string subject;
        AuthenticationResult result;
        if (refreshToken is not null)
        {
            var validation = tokens.RefreshTokens.Validate(refreshToken, tokens.Options.Service, tokens.Generation);
            if (!validation.IsValid)
            {
                call.User = validation.Info?.User;
                await FailAsync(call, "invalid_refresh_token", new RegistryError(RegistryErrorCode.Unauthorized, "the refresh token is invalid, expired or revoked; log in again"));
                return;
            }

            subject = validation.Info.User;
            call.User = subject;

            // The grant is a login: the subject's grain refuses revoked tokens, locked accounts and spent budgets.
            result = await authenticator.AdmitAsync(subject, client, RequestKind.Other, validation.Info.IssuedAt, isGrant: true);
            switch (result.Status)
            {
                case AuthenticationStatus.Unavailable:
                    response.Headers.RetryAfter = "1";
                    await FailAsync(call, "unavailable", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
                    return;
                case AuthenticationStatus.Revoked:
                    await FailAsync(call, "revoked_refresh_token", new RegistryError(RegistryErrorCode.Unauthorized, "the refresh token is invalid, expired or revoked; log in again"));
                    return;
                case AuthenticationStatus.Locked:
                case AuthenticationStatus.RateLimited:
                    await TooManyAsync(call, result.Status, result.Decision!);
                    return;
            }
        }
        else if (anonymous)
        {
            // docker_auth's anonymous access: the ACL's account "", limited per client address; no refresh token.
            subject = string.Empty;
            call.User = subject;
            offline = false;
            result = await authenticator.AdmitAnonymousAsync(client, RequestKind.Other);
            switch (result.Status)
            {
                case AuthenticationStatus.Authenticated:
                    break;
                case AuthenticationStatus.Locked:
                case AuthenticationStatus.RateLimited:
                    await TooManyAsync(call, result.Status, result.Decision!);
                    return;
                default:
                    response.Headers.RetryAfter = "1";
                    await FailAsync(call, "unavailable", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
                    return;
            }
        }
        else
        {
            call.User = credentials!.UserName;
            result = await authenticator.AuthenticateAsync(credentials, client, RequestKind.Other, context.RequestAborted);
            switch (result.Status)
            {
                case AuthenticationStatus.Unavailable:
                    response.Headers.RetryAfter = "1";
                    await FailAsync(call, "unavailable", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
                    return;
                case AuthenticationStatus.InvalidCredentials:
                case AuthenticationStatus.Revoked:
                    await ChallengeAsync(call, "invalid_credentials", "unknown user or wrong password");
                    return;
                case AuthenticationStatus.Locked:
                case AuthenticationStatus.RateLimited:
                    await TooManyAsync(call, result.Status, result.Decision!);
                    return;
            }

            subject = credentials.UserName;
        }

        call.User = subject;
        var granted = tokens.Grant(subject, requested, address, result.Decision?.Scopes);
        var issued = tokens.Issuer.Issue(subject, granted);
        string? refresh = null;
        if (offline)
        {
            refresh = refreshToken ?? tokens.RefreshTokens.Create(subject, tokens.Options.Service, tokens.Generation(subject) ?? string.Empty, tokens.Options.RefreshLifetime).Value;
        }

        var body = TokenResponse.For(issued, refresh, includeScope: post).ToUtf8Json();
        audit.AccessDecided(subject, client, request.Method, null, issued.Claims.Access.ToScopeString(), "token_issued", refreshToken is not null ? "refresh token" : anonymous ? "anonymous" : "password");
        metrics.TokenRequest(call.Grant, "issued");
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = TokenResponse.ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;

    private Task TooManyAsync(Call call, AuthenticationStatus status, CredentialDecision refused)
    {
        var retryAfter = Math.Max(1, (long)Math.Ceiling(refused.RetryAfter.TotalSeconds));
        call.Context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var until = refused.LockedUntil?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var message = refused.Reason switch
        {
            DenialReason.PairLocked => $"account locked for this address until {until} after {refused.Failures} failed attempts",
            DenialReason.UserLocked => $"account locked until {until} after {refused.Failures} failed attempts",
            DenialReason.AddressBlocked => $"this client address is blocked until {until} after {refused.Failures} failed attempts",
            _ => $"request rate limit reached ({refused.Limit} per {(long)Math.Ceiling(refused.Window.TotalSeconds)} s), resets in {retryAfter} s",
        };
        return FailAsync(call, status == AuthenticationStatus.Locked ? "locked" : "rate_limited", new RegistryError(RegistryErrorCode.TooManyRequests, message));
    }

    private Task ChallengeAsync(Call call, string outcome, string reason)
    {
        call.Context.Response.Headers.WWWAuthenticate = _challenge;
        return FailAsync(call, outcome, new RegistryError(RegistryErrorCode.Unauthorized), reason);
    }

    private Task FailAsync(Call call, string outcome, RegistryError error, string? reason = null)
    {
        audit.AccessDecided(call.User, call.Client, call.Method, null, call.Actions, outcome, reason ?? error.Text);
        metrics.TokenRequest(call.Grant, outcome);
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

        public string Grant { get; set; } = "none";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1501, Level = LogLevel.Debug, Message = "Token request refused: {Method} {Outcome} ({Status})")]
        public static partial void Refused(ILogger logger, string method, string outcome, int status);
    }
}
