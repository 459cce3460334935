using System.Diagnostics;
using Gateway.Contracts;
using Gateway.Edge.Authentication;
using Gateway.Edge.Authorization;
using Gateway.Edge.Compatibility;
using Gateway.Edge.Responses;
using Gateway.Edge.Telemetry;
using Gateway.Edge.TokenServer;
using Gateway.Registry.Access;
using Gateway.Registry.Acl;
using Gateway.Registry.Tokens;
using Gateway.Registry.Challenges;
using Gateway.Registry.Credentials;
using Gateway.Registry.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access;

/// <summary>
/// The single gate in front of the registry. Every <c>/v2/</c> request passes here before anything is
/// forwarded: the recipe's legacy-client rule, the path checked against the registry's grammar (so what
/// is authorized is exactly what is forwarded), the credentials authenticated through the user grain, which
/// also applies lockouts and rate limits, and only then the proxy. Denials are answered here, in the registry's
/// JSON error format, always with <c>Docker-Distribution-Api-Version</c>; each decision is one audit event and
/// one <c>registry.access</c> span.
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
    private readonly AccessAudit _audit;
    private readonly ILogger<AccessMiddleware> _logger;
    private readonly AclStore _acl;
    private readonly string _service;
    private readonly string _challenge;
    private readonly TokenService? _tokens;
    private readonly bool _anonymous;

    /// <summary>Creates the middleware.</summary>
    public AccessMiddleware(RequestDelegate next, CredentialAuthenticator authenticator, AclStore acl, IOptions<AuthOptions> options, IOptions<RegistryTokenOptions> tokenOptions, IServiceProvider services, EdgeMetrics metrics, AccessAudit audit, ILogger<AccessMiddleware> logger)
    {
        _tokens = options.Value.IsTokenMode ? services.GetRequiredService<TokenService>() : null;
        _next = next;
        _authenticator = authenticator;
        _acl = acl;
        _service = tokenOptions.Value.Service ?? string.Empty;
        _metrics = metrics;
        _audit = audit;
        _logger = logger;
        _challenge = BasicChallenge.Format(options.Value.Realm);
        _anonymous = options.Value.Anonymous;
    }

    /// <summary>Decides one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(AddApiVersion, context);
        var request = context.Request;
        var client = ClientAddress(context);
        var decision = new Decision(context, client);
        using var activity = EdgeTelemetry.Source.StartActivity("registry.access");
        activity?.SetTag("client.address", client);

        if (LegacyClientFilter.IsBlocked(request.Headers.UserAgent))
        {
            await DenyAsync(decision, activity, "legacy_client", "docker 1.5 or older", new RegistryError(RegistryErrorCode.Unsupported, "registry API v2 is not available to this client version; upgrade Docker", 404));
            return;
        }

        if (string.IsNullOrEmpty(request.Host.Value))
        {
            // Go's server takes an empty Host, and the registry then builds upload URLs such as "http:///v2/…".
            await DenyAsync(decision, activity, "bad_request", "no Host", new RegistryError(RegistryErrorCode.Unsupported, "a Host header is required", 400));
            return;
        }

        var status = RegistryRequestReader.TryRead(request.Method, RawTarget(context), request.Headers.ContentType, out var read);
        if (status != RequestReadStatus.Ok)
        {
            decision.User = ClaimedUser(request);
            (decision.RefusedRoute, decision.Repository) = RouteOf(context);
            await DenyAsync(decision, activity, "bad_request", RefusalReason(status), RequestRefusals.ErrorFor(status));
            return;
        }

        var route = read!.Route;
        var scopes = read.Scopes;
        decision.Request = read;
        decision.Repository = route.Repository;
        activity?.SetTag("registry.repository", route.Repository);
        activity?.SetTag("registry.route", RegistryRouteNames.Of(route.Kind));

        decision.Actions = ActionsOf(scopes);
        activity?.SetTag("registry.actions", scopes.Count > 0 ? scopes[0].Actions.ToArray() : []);
        if (_tokens is not null)
        {
            await BearerAsync(decision, activity, route, scopes);
            return;
        }

        var parsed = BasicCredentialParser.TryParse(request.Headers.Authorization, out var credentials);
        if (parsed == CredentialParseStatus.Missing && _anonymous && scopes.Count > 0 && !_acl.Current.IsAllowAll && Refused(string.Empty, context, scopes, null).Count == 0)
        {
            await AnonymousAsync(decision, activity, route, scopes);
            return;
        }

        if (parsed != CredentialParseStatus.Ok)
        {
            var outcome = parsed == CredentialParseStatus.Malformed ? "malformed_credentials" : "unauthenticated";
            await ChallengeAsync(decision, activity, outcome, parsed == CredentialParseStatus.Malformed ? "malformed Authorization header" : "no Basic credentials");
            return;
        }

        decision.User = credentials!.UserName;
        activity?.SetTag("enduser.id", credentials.UserName);
        var result = await _authenticator.AuthenticateAsync(credentials, client, KindOf(decision.Request!), context.RequestAborted);
        activity?.SetTag("gateway.auth.cache", result.Cache);
        switch (result.Status)
        {
            case AuthenticationStatus.Unavailable:
                context.Response.Headers.RetryAfter = "1";
                await DenyAsync(decision, activity, "unavailable", "the cluster could not decide", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
                return;
            case AuthenticationStatus.InvalidCredentials:
                await ChallengeAsync(decision, activity, "invalid_credentials", result.Cache == "repeat" ? "unknown user or wrong password, repeated (not counted again)" : "unknown user or wrong password");
                return;
            case AuthenticationStatus.Locked:
            case AuthenticationStatus.RateLimited:
                // docker login and podman/buildah/skopeo login send an authenticated GET /v2/ and report nothing of a
                // refusal but what a redirect shows (see LimitRefusal).
                var surface = route.Kind == RegistryRouteKind.Base && HttpMethods.IsGet(request.Method) ? RefusalSurface.LoginCheck : RefusalSurface.Request;
                await TooManyAsync(decision, activity, result.Decision!, surface, scopes);
                return;
        }

        WritePullHeaders(context, credentials.UserName, result.Decision?.Pulls);
        var ceiling = result.Decision?.Scopes is { } limits ? ScopeCeiling.From(limits) : null;
        var refused = Refused(credentials.UserName, context, scopes, ceiling);
        if (refused.Count > 0)
        {
            // A mount's source is refused outright, never downgraded: the request is not forwarded at all. The answer
            // names what was refused (message and detail), so every client prints it and none retries.
            var mountSource = scopes.Count > 1 ? scopes[1].Resource : null;
            var onlyMountSource = refused.All(r => r.Resource.Equals(mountSource));
            var message = "requested access to the resource is denied: " + RegistryAccessRecord.Describe(refused) + (onlyMountSource ? " (the cross-repository mount source)" : string.Empty);
            await DenyAsync(decision, activity, "denied", onlyMountSource ? "mount source denied by the ACL" : "denied by the ACL", new RegistryError(RegistryErrorCode.Denied, message) { Detail = RegistryAccessRecord.From(refused) });
            return;
        }

        await AllowAsync(decision, activity, credentials.UserName, result.Cache == "hit" ? "cached credential" : "verified credential");
    }

    /// <summary>
    /// The one way through the gate: the decision is counted, audited and attached to the request, then the request
    /// is forwarded, or answered here when the registry has nothing to look up (a manifest reference that names none).
    /// </summary>
    private async Task AllowAsync(Decision decision, Activity? activity, string user, string reason)
    {
        var context = decision.Context;
        var read = decision.Request!;
        if (read.Answer == RegistryRequestAnswer.ManifestUnknown)
        {
            await DenyAsync(decision, activity, "not_found", "the reference is neither a tag nor a digest", new RegistryError(RegistryErrorCode.ManifestUnknown));
            return;
        }

        _metrics.Decision("allowed");
        activity?.SetTag("gateway.auth.outcome", "allowed");
        _audit.AccessDecided(decision.User, decision.Client, context.Request.Method, decision.Route, decision.Repository, decision.Actions, decision.Requested, "allowed", reason);
        activity?.Dispose();
        context.Features.Set(new RegistryAccessFeature(user, read.Route, read.Scopes));
        await _next(context);
    }

    /// <summary>
    /// Basic mode, <see cref="AuthOptions.Anonymous"/>: a request without credentials that the ACL grants to the account
    /// <c>""</c> goes through, within the anonymous rate limits of its client address.
    /// </summary>
    private async Task AnonymousAsync(Decision decision, Activity? activity, RegistryRoute route, IReadOnlyList<AccessScope> scopes)
    {
        var context = decision.Context;
        decision.User = string.Empty;
        var admitted = await _authenticator.AdmitAnonymousAsync(decision.Client, KindOf(decision.Request!));
        switch (admitted.Status)
        {
            case AuthenticationStatus.Authenticated:
                break;
            case AuthenticationStatus.Locked:
            case AuthenticationStatus.RateLimited:
                await TooManyAsync(decision, activity, admitted.Decision!, RefusalSurface.Request, scopes);
                return;
            default:
                context.Response.Headers.RetryAfter = "1";
                await DenyAsync(decision, activity, "unavailable", "the cluster could not decide", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
                return;
        }

        WritePullHeaders(context, decision.Client, admitted.Decision?.Pulls);
        await AllowAsync(decision, activity, string.Empty, "anonymous");
    }

    /// <summary>
    /// Token mode: the request must carry a Bearer token this gateway issued, granting every scope; answered as
    /// registry 2.8 answers (401 with a Bearer challenge naming the scopes, <c>error="invalid_token"</c> or
    /// <c>error="insufficient_scope"</c>). The subject's grain then admits it: a revoked token is 401
    /// <c>invalid_token</c>, a reached limit or an address block 429, as in basic mode. The token goes on to the registry.
    /// </summary>
    private async Task BearerAsync(Decision decision, Activity? activity, RegistryRoute route, IReadOnlyList<AccessScope> scopes)
    {
        var context = decision.Context;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length < 7 || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await BearerChallengeAsync(decision, activity, scopes, null, "unauthenticated", "no Bearer token");
            return;
        }

        var result = _tokens!.Validator.Validate(header[7..].Trim());
        decision.User = result.Claims?.Subject;
        if (!result.IsValid)
        {
            await BearerChallengeAsync(decision, activity, scopes, "invalid_token", "invalid_token", result.Status.ToString());
            return;
        }

        activity?.SetTag("enduser.id", result.Claims.Subject);
        if (!_tokens.StillHolds(result.Claims))
        {
            await BearerChallengeAsync(decision, activity, scopes, "invalid_token", "revoked_token", "the token's user was removed or changed password since it was issued");
            return;
        }

        var notGranted = result.Claims.Access.Refused(scopes);
        if (notGranted.Count > 0)
        {
            await BearerChallengeAsync(decision, activity, scopes, "insufficient_scope", "insufficient_scope", "the token does not grant the request", notGranted);
            return;
        }

        // The subject's grain counts the request against its limits and knows whether its tokens were revoked since.
        var admitted = await _authenticator.AdmitAsync(result.Claims.Subject, decision.Client, KindOf(decision.Request!), result.Claims.IssuedAt, isGrant: false);
        switch (admitted.Status)
        {
            case AuthenticationStatus.Unavailable:
                context.Response.Headers.RetryAfter = "1";
                await DenyAsync(decision, activity, "unavailable", "the cluster could not decide", new RegistryError(RegistryErrorCode.Unavailable, "the gateway cluster cannot decide right now; retry shortly"));
                return;
            case AuthenticationStatus.Revoked:
                await BearerChallengeAsync(decision, activity, scopes, "invalid_token", "revoked_token", "the token was revoked");
                return;
            case AuthenticationStatus.Locked:
            case AuthenticationStatus.RateLimited:
                await TooManyAsync(decision, activity, admitted.Decision!, RefusalSurface.Request, scopes);
                return;
        }

        WritePullHeaders(context, result.Claims.Subject, admitted.Decision?.Pulls);
        await AllowAsync(decision, activity, result.Claims.Subject, "bearer token");
    }

    /// <summary>
    /// Registry 2.8's token-mode 401: a Bearer challenge naming the scopes, and <c>UNAUTHORIZED</c> with the access records
    /// as detail (what was asked; for <c>insufficient_scope</c>, <paramref name="notGranted"/>, named in the message too).
    /// </summary>
    private Task BearerChallengeAsync(Decision decision, Activity? activity, IReadOnlyList<AccessScope> scopes, string? error, string outcome, string reason, IReadOnlyList<AccessScope>? notGranted = null)
    {
        var request = decision.Context.Request;
        var options = _tokens!.Options;
        var realm = options.Realm.StartsWith('/') ? $"{request.Scheme}://{request.Host.Value}{options.Realm}" : options.Realm;
        var challenge = $"Bearer realm={Quote(realm)},service={Quote(options.Service)}";
        if (scopes.Count > 0)
        {
            challenge += $",scope={Quote(string.Join(' ', scopes))}";
        }

        if (error is not null)
        {
            challenge += $",error={Quote(error)}";
        }

        var answer = notGranted is null
            ? new RegistryError(RegistryErrorCode.Unauthorized) { Detail = RegistryAccessRecord.From(scopes) }
            : new RegistryError(RegistryErrorCode.Unauthorized, "requested access to the resource is denied: " + RegistryAccessRecord.Describe(notGranted)) { Detail = RegistryAccessRecord.From(notGranted) };
        if (notGranted is not null)
        {
            // RFC 6750's error_description: docker reports an insufficient_scope challenge as DENIED with this text
            // (without it, the bare default message) and ignores the body.
            challenge += $",error_description={Quote(answer.Text)}";
        }

        decision.Context.Response.Headers.WWWAuthenticate = challenge;
        return DenyAsync(decision, activity, outcome, reason, answer);

        static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// What the ACL (and a machine account's <paramref name="ceiling"/>) does not grant of <paramref name="scopes"/>: each
    /// scope not fully granted, with only its refused actions; empty when all are granted.
    /// </summary>
    private IReadOnlyList<AccessScope> Refused(string user, HttpContext context, IReadOnlyList<AccessScope> scopes, ScopeCeiling? ceiling)
    {
        var acl = _acl.Current;
        if ((acl.IsAllowAll && ceiling is null) || scopes.Count == 0)
        {
            return [];
        }

        var address = context.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        List<AccessScope>? refused = null;
        for (var i = 0; i < scopes.Count; i++)
        {
            var granted = acl.IsAllowAll ? scopes[i] : acl.AuthorizeScope(user, scopes[i], _service, address);
            if (ceiling is not null)
            {
                granted = ceiling.Limit(granted);
            }

            if (granted.Actions.Count < scopes[i].Actions.Count)
            {
                var missing = scopes[i].Actions.Where(a => !granted.Actions.Contains(a, StringComparer.Ordinal)).ToArray();
                (refused ??= []).Add(missing.Length > 0 ? new AccessScope(scopes[i].Resource, missing) : scopes[i]);
            }
        }

        return refused is null ? [] : refused;
    }

    /// <summary>What the request counts as for the rate limits: a manifest GET is a pull (one that names no manifest is not).</summary>
    private static RequestKind KindOf(RegistryRequest read) => read.Route.Kind != RegistryRouteKind.Manifest || read.Answer != RegistryRequestAnswer.Forward
        ? RequestKind.Other
        : HttpMethods.IsGet(read.Method) ? RequestKind.ManifestGet : HttpMethods.IsHead(read.Method) ? RequestKind.ManifestHead : RequestKind.Other;

    private static string ActionsOf(IReadOnlyList<AccessScope> scopes)
    {
        if (scopes.Count == 0)
        {
            return string.Empty;
        }

        return scopes.Count == 1 ? string.Join(',', scopes[0].Actions) : string.Join(' ', scopes.Select(s => s.ToString()));
    }

    /// <summary>The request target exactly as the client sent it (path and query), which is what the proxy forwards.</summary>
    private static string RawTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return string.IsNullOrEmpty(raw) ? (context.Request.Path.Value ?? string.Empty) + context.Request.QueryString.Value : raw;
    }

    /// <summary>
    /// Who a refused request says it is, for its audit event: the user name of Basic credentials (as claimed, like every
    /// audit event's user), or the subject of a valid Bearer token in token mode; null when neither.
    /// </summary>
    private string? ClaimedUser(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (_tokens is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var result = _tokens.Validator.Validate(header[7..].Trim());
            return result.IsValid ? result.Claims.Subject : null;
        }

        return BasicCredentialParser.TryParse(request.Headers.Authorization, out var credentials) == CredentialParseStatus.Ok ? credentials!.UserName : null;
    }

    /// <summary>The route and repository of a refused request, for its audit event, when its path names them.</summary>
    private static (string Route, string? Repository) RouteOf(HttpContext context)
    {
        var raw = RawTarget(context);
        var question = raw.IndexOf('?', StringComparison.Ordinal);
        RegistryRouteParser.TryParse(question < 0 ? raw : raw[..question], out var route);
        return (RegistryRouteNames.Of(route.Kind), route.Repository);
    }

    private static string RefusalReason(RequestReadStatus status) => status switch
    {
        RequestReadStatus.FormBody => "form body refused (the registry would read form values from it)",
        RequestReadStatus.ContentTypeRepeated => "more than one Content-Type",
        RequestReadStatus.QueryInvalid => "query not plain",
        RequestReadStatus.ParameterRepeated => "registry query parameter repeated",
        RequestReadStatus.MountSourceInvalid => "invalid mount source",
        RequestReadStatus.MethodUnsupported => "unsupported method",
        _ => status.ToString(),
    };

    private static string ClientAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static void WritePullHeaders(HttpContext context, string user, PullBudget? pulls)
    {
        if (pulls is null)
        {
            return;
        }

        var window = (long)Math.Ceiling(pulls.Window.TotalSeconds);
        var headers = context.Response.Headers;
        headers["ratelimit-limit"] = $"{pulls.Limit};w={window}";
        headers["ratelimit-remaining"] = $"{pulls.Remaining};w={window}";
        headers["docker-ratelimit-source"] = user;
    }

    /// <summary>A lock, an address block or a rate limit, answered as <see cref="LimitRefusal"/> chooses for the <paramref name="surface"/>.</summary>
    private Task TooManyAsync(Decision decision, Activity? activity, CredentialDecision refused, RefusalSurface surface, IReadOnlyList<AccessScope> scopes)
    {
        var context = decision.Context;
        var answer = LimitRefusal.For(refused, surface, scopes);
        var headers = context.Response.Headers;
        headers.RetryAfter = answer.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (answer.Location is not null)
        {
            headers.Location = answer.Location;
        }

        if (answer.Challenge)
        {
            headers.WWWAuthenticate = _challenge;
        }

        WritePullHeaders(context, string.IsNullOrEmpty(decision.User) ? decision.Client : decision.User, refused.Pulls);
        if (answer.Outcome == "rate_limited")
        {
            _metrics.RateLimitRejected(refused.Reason == DenialReason.PullLimit ? "pulls" : "requests");
        }

        return DenyAsync(decision, activity, answer.Outcome, answer.Error.Text, answer.Error);
    }

    /// <summary>The Basic challenge, with <c>UNAUTHORIZED</c> and the requested access as detail (as registry 2.8's htpasswd mode answers).</summary>
    private Task ChallengeAsync(Decision decision, Activity? activity, string outcome, string reason)
    {
        decision.Context.Response.Headers.WWWAuthenticate = _challenge;
        var scopes = decision.Request?.Scopes ?? [];
        return DenyAsync(decision, activity, outcome, reason, new RegistryError(RegistryErrorCode.Unauthorized) { Detail = RegistryAccessRecord.From(scopes) });
    }

    private Task DenyAsync(Decision decision, Activity? activity, string outcome, string reason, RegistryError error)
    {
        var request = decision.Context.Request;
        _metrics.Decision(outcome);
        activity?.SetTag("gateway.auth.outcome", outcome);
        activity?.SetStatus(ActivityStatusCode.Ok);
        _audit.AccessDecided(decision.User, decision.Client, request.Method, decision.Route, decision.Repository, decision.Actions, decision.Requested, outcome, reason);
        Log.Denied(_logger, request.Method, request.Path, outcome, error.Status);
        return RegistryResponses.WriteErrorAsync(decision.Context, error);
    }

    /// <summary>What is known of a request as it passes the gate, for the audit event.</summary>
    private sealed class Decision(HttpContext context, string client)
    {
        public HttpContext Context { get; } = context;

        public string Client { get; } = client;

        public string? User { get; set; }

        public string? Repository { get; set; }

        public string Actions { get; set; } = string.Empty;

        /// <summary>What the gate read of the request, once it read one.</summary>
        public RegistryRequest? Request { get; set; }

        /// <summary>The route of a request refused before it was read whole (its path parsed, something else did not).</summary>
        public string RefusedRoute { get; set; } = "-";

        public string Route => Request is null ? RefusedRoute : RegistryRouteNames.Of(Request.Route.Kind);

        public string Requested => Request?.ScopeText ?? string.Empty;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Denied {Method} {Path}: {Outcome} ({Status})")]
        public static partial void Denied(ILogger logger, string method, PathString path, string outcome, int status);
    }
}
