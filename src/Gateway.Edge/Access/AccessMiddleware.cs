using Gateway.Edge.Authentication;
using Gateway.Edge.Compatibility;
using Gateway.Edge.Responses;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Access;
using Gateway.Registry.Challenges;
using Gateway.Registry.Credentials;
using Gateway.Registry.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access;

/// <summary>
/// The single gate in front of the registry. Every <c>/v2/</c> request passes here before anything is
/// forwarded: the recipe's legacy-client rule, the path checked against the registry's grammar (so what
/// is authorized is exactly what is forwarded), the credentials authenticated through the user grain,
/// and only then the proxy. Denials are answered here, in the registry's JSON error format, always
/// with <c>Docker-Distribution-Api-Version</c>.
/// </summary>
public sealed partial class AccessMiddleware
{
    private static readonly Func<object, Task> AddApiVersion = static state =>
    {
        var headers = ((HttpContext)state).Response.Headers;
        if (!headers.ContainsKey(RegistryResponses.ApiVersionHeader))
        {
            headers[RegistryResponses.ApiVersionHeader] = RegistryResponses.ApiVersion;
        }

        return Task.CompletedTask;
    };

    private readonly RequestDelegate _next;
    private readonly CredentialAuthenticator _authenticator;
    private readonly EdgeMetrics _metrics;
    private readonly ILogger<AccessMiddleware> _logger;
    private readonly string _challenge;

    /// <summary>Creates the middleware.</summary>
    public AccessMiddleware(RequestDelegate next, CredentialAuthenticator authenticator, IOptions<AuthOptions> options, EdgeMetrics metrics, ILogger<AccessMiddleware> logger)
    {
        _next = next;
        _authenticator = authenticator;
        _metrics = metrics;
        _logger = logger;
        _challenge = BasicChallenge.Format(options.Value.Realm);
    }

    /// <summary>Decides one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(AddApiVersion, context);
        var request = context.Request;

        if (LegacyClientFilter.IsBlocked(request.Headers.UserAgent))
        {
            await DenyAsync(context, "legacy_client", new RegistryError(RegistryErrorCode.Unsupported, "registry API v2 is not available to this client version; upgrade Docker", 404));
            return;
        }

        var rawPath = RawPath(context);
        var status = RegistryRouteParser.TryParse(rawPath, out var route);
        if (status != RouteParseStatus.Ok)
        {
            await DenyAsync(context, "bad_request", RouteError(status));
            return;
        }

        // The registry reads form values from url-encoded bodies too (Go's FormValue): a 'from' there would
        // mount from a repository this gate never saw. No registry request needs such a body.
        if (request.HasFormContentType)
        {
            await DenyAsync(context, "bad_request", new RegistryError(RegistryErrorCode.Unsupported, "form bodies are not accepted on the registry API", 400));
            return;
        }

        string? mountFrom = null;
        if (route.Kind == RegistryRouteKind.BlobUploadStart && request.Query.TryGetValue("from", out var from))
        {
            if (from.Count != 1 || !RepositoryName.IsValid(from[0]))
            {
                await DenyAsync(context, "bad_request", new RegistryError(RegistryErrorCode.NameInvalid, "invalid repository name in 'from'"));
                return;
            }

            mountFrom = from[0];
        }

        if (!AccessRequestMapper.TryMap(request.Method, route, mountFrom, out var scopes))
        {
            await DenyAsync(context, "bad_request", new RegistryError(RegistryErrorCode.Unsupported));
            return;
        }

        var parsed = BasicCredentialParser.TryParse(request.Headers.Authorization, out var credentials);
        if (parsed != CredentialParseStatus.Ok)
        {
            await ChallengeAsync(context, parsed == CredentialParseStatus.Malformed ? "malformed_credentials" : "unauthenticated");
            return;
        }

        var client = ClientAddress(context);
        var result = await _authenticator.AuthenticateAsync(credentials!, client, context.RequestAborted);
        switch (result.Status)
        {
            case AuthenticationStatus.Unavailable:
                context.Response.Headers.RetryAfter = "1";
                await DenyAsync(context, "unavailable", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
                return;
            case AuthenticationStatus.InvalidCredentials:
                Log.InvalidCredentials(_logger, credentials!.UserName, client, request.Method, rawPath);
                await ChallengeAsync(context, "invalid_credentials");
                return;
        }

        _metrics.Decision("allowed");
        context.Features.Set(new RegistryAccessFeature(credentials!.UserName, route, scopes));
        await _next(context);
    }

    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return context.Request.Path.Value ?? string.Empty;
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private static string ClientAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static RegistryError RouteError(RouteParseStatus status) => status switch
    {
        RouteParseStatus.NameInvalid => new RegistryError(RegistryErrorCode.NameInvalid),
        RouteParseStatus.ReferenceInvalid => new RegistryError(RegistryErrorCode.TagInvalid, "invalid tag or digest in the manifest reference"),
        RouteParseStatus.DigestInvalid => new RegistryError(RegistryErrorCode.DigestInvalid, "invalid digest"),
        RouteParseStatus.PathInvalid => new RegistryError(RegistryErrorCode.NameInvalid, "invalid request path: encoded characters, empty or dot segments are not allowed"),
        _ => new RegistryError(RegistryErrorCode.Unsupported, "unknown registry API endpoint", 404),
    };

    private Task ChallengeAsync(HttpContext context, string outcome)
    {
        context.Response.Headers.WWWAuthenticate = _challenge;
        return DenyAsync(context, outcome, new RegistryError(RegistryErrorCode.Unauthorized));
    }

    private Task DenyAsync(HttpContext context, string outcome, RegistryError error)
    {
        _metrics.Decision(outcome);
        Log.Denied(_logger, context.Request.Method, context.Request.Path, outcome, error.Status);
        return RegistryResponses.WriteErrorAsync(context, error);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Denied {Method} {Path}: {Outcome} ({Status})")]
        public static partial void Denied(ILogger logger, string method, PathString path, string outcome, int status);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Invalid credentials for user '{User}' from {Client} on {Method} {Path}")]
        public static partial void InvalidCredentials(ILogger logger, string user, string client, string method, string path);
    }
}
