using System.Diagnostics;
using Gateway.Edge.Access.Answer;
using Gateway.Edge.Access.Authorize;
using Gateway.Edge.Access.Identify;
using Gateway.Edge.Access.Identify.IssuedTokens;
using Gateway.Edge.Compatibility;
using Gateway.Edge.Responses;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Access;
using Gateway.Registry.Credentials;
using Gateway.Registry.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access;

/// <summary>
/// The single gate in front of the registry. Every <c>/v2/</c> request passes here before anything is forwarded:
/// read (the path and query as the registry reads them, so what is authorized is exactly what is forwarded) →
/// identify and admit (<see cref="IdentityChain"/>: one grain call applies lockouts, limits and revocation) →
/// authorize (<see cref="AclAuthorizer"/>) → forward, or answer (<see cref="AccessAnswers"/>, the registry's JSON error
/// format, always with <c>Docker-Distribution-Api-Version</c>). Each decision is one audit event and one
/// <c>registry.access</c> span.
/// </summary>
public sealed partial class AccessMiddleware(
    RequestDelegate next,
    IdentityChain identities,
    AclAuthorizer acl,
    AccessAnswers answers,
    IssuedTokenIdentityProvider tokens,
    IOptions<AuthOptions> options,
    EdgeMetrics metrics,
    AccessAudit audit,
    ILogger<AccessMiddleware> logger)
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

    /// <summary>Decides one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(AddApiVersion, context);
        using var activity = EdgeTelemetry.Source.StartActivity("registry.access");
        var decision = new AccessDecision(context);
        activity?.SetTag("client.address", decision.Client);

        if (LegacyClientFilter.IsBlocked(context.Request.Headers.UserAgent))
        {
            await RefuseAsync(decision, activity, AccessRefusals.LegacyClient());
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Host.Value))
        {
            await RefuseAsync(decision, activity, AccessRefusals.NoHost());
            return;
        }

        var status = RegistryRequestReader.TryRead(context.Request.Method, RawTarget(context), context.Request.Headers.ContentType, out var parsed);
        if (status != RequestReadStatus.Ok || parsed is not { } read)
        {
            decision.User = ClaimedUser(context.Request);
            (decision.RefusedRoute, decision.Repository) = RouteOf(context);
            await RefuseAsync(decision, activity, AccessRefusals.Unreadable(status));
            return;
        }

        decision.Read(read);
        activity?.SetTag("registry.repository", read.Route.Repository);
        activity?.SetTag("registry.route", RegistryRouteNames.Of(read.Route.Kind));
        activity?.SetTag("registry.actions", read.Scopes.Count > 0 ? read.Scopes[0].Actions.ToArray() : []);

        var request = AccessRequest.ForRegistry(context, read);
        decision.User = request.Basic?.UserName;
        var identified = await identities.IdentifyAsync(request, context.RequestAborted);
        if (identified.Status != IdentityStatus.Identified)
        {
            decision.User ??= identified.Refusal!.Outcome is AccessOutcome.InvalidToken or AccessOutcome.RevokedToken or AccessOutcome.InsufficientScope ? tokens.SubjectOf(context.Request) : null;
            await RefuseAsync(decision, activity, identified.Refusal!, request.Scopes);
            return;
        }

        var identity = identified.Identity!;
        decision.User = identity.Account;
        activity?.SetTag("enduser.id", identity.Account);
        activity?.SetTag("gateway.auth.cache", identity.Cache.Label());
        PullHeaders.Write(context.Response, PullSource(decision, identity.Account), identity.Admission?.Pulls);

        var refused = acl.Refused(identity, request);
        if (refused.Count > 0)
        {
            // A mount's source is refused outright, never downgraded: the request is not forwarded at all.
            var mountSource = read.Scopes.Count > 1 ? read.Scopes[1].Resource : null;
            await RefuseAsync(decision, activity, AccessRefusals.Denied(refused, refused.All(r => r.Resource.Equals(mountSource))), request.Scopes);
            return;
        }

        if (read.Answer == RegistryRequestAnswer.ManifestUnknown)
        {
            await RefuseAsync(decision, activity, AccessRefusals.ManifestUnknown(), request.Scopes);
            return;
        }

        metrics.Decision(AccessOutcome.Allowed.Label());
        activity?.SetTag("gateway.auth.outcome", AccessOutcome.Allowed.Label());
        audit.AccessDecided(decision.User, decision.Client, context.Request.Method, decision.Route, decision.Repository, decision.Actions, decision.Requested, AccessOutcome.Allowed.Label(), identity.Reason);
        activity?.Dispose();
        context.Features.Set(new RegistryAccessFeature(identity.Account, read.Route, read.Scopes) { Request = read, Identity = identity });
        await next(context);
    }

    private Task RefuseAsync(AccessDecision decision, Activity? activity, AccessRefusal refusal, IReadOnlyList<AccessScope>? scopes = null)
    {
        var context = decision.Context;
        var outcome = refusal.Outcome.Label();
        metrics.Decision(outcome);
        if (refusal.LimitName is { } limit)
        {
            metrics.RateLimitRejected(limit);
        }

        activity?.SetTag("gateway.auth.outcome", outcome);
        activity?.SetStatus(ActivityStatusCode.Ok);
        audit.AccessDecided(decision.User, decision.Client, context.Request.Method, decision.Route, decision.Repository, decision.Actions, decision.Requested, outcome, refusal.Reason);
        Log.Denied(logger, context.Request.Method, context.Request.Path, outcome, refusal.Error.Status);
        return answers.WriteAsync(context, refusal, scopes ?? [], PullSource(decision, decision.User));
    }

    /// <summary>Who a pull budget is counted for: the account, or the client address of anonymous clients.</summary>
    private static string PullSource(AccessDecision decision, string? account) => string.IsNullOrEmpty(account) ? decision.Client : account;

    /// <summary>The request target exactly as the client sent it (path and query), which is what the proxy forwards.</summary>
    private static string RawTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return string.IsNullOrEmpty(raw) ? (context.Request.Path.Value ?? string.Empty) + context.Request.QueryString.Value : raw;
    }

    /// <summary>
    /// Who a request refused before it was read says it is, for its audit event: the user name of Basic credentials (as
    /// claimed, like every audit event's user), or the subject of a valid Bearer token in token mode; null when neither.
    /// </summary>
    private string? ClaimedUser(HttpRequest request) =>
        options.Value.IsTokenMode
            ? tokens.SubjectOf(request)
            : BasicCredentialParser.TryParse(request.Headers.Authorization, out var credentials) == CredentialParseStatus.Ok ? credentials!.UserName : null;

    /// <summary>The route and repository of a refused request, for its audit event, when its path names them.</summary>
    private static (string Route, string? Repository) RouteOf(HttpContext context)
    {
        var raw = RawTarget(context);
        var question = raw.IndexOf('?', StringComparison.Ordinal);
        RegistryRouteParser.TryParse(question < 0 ? raw : raw[..question], out var route);
        return (RegistryRouteNames.Of(route.Kind), route.Repository);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AccessDenied, Level = LogLevel.Debug, Message = "Denied {Method} {Path}: {Outcome} ({Status})")]
        public static partial void Denied(ILogger logger, string method, PathString path, string outcome, int status);
    }
}
