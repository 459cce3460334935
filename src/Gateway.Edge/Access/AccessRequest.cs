using System.Net;
using Gateway.Contracts;
using Gateway.Edge.Access.Answer;
using Gateway.Registry.Access;
using Gateway.Registry.Credentials;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Access;

/// <summary>
/// What the identity providers see of one request: who sent it (the client address), what it asks for (the scopes the
/// gate read, as the registry reads them), its credentials (parsed once), and which answer a lock gets on this surface.
/// Made by the access middleware for <c>/v2/</c> and by the token endpoint for <c>/token</c>.
/// </summary>
public sealed class AccessRequest
{
    private AccessRequest(HttpContext context, IReadOnlyList<AccessScope> scopes, RequestKind kind, RefusalSurface surface)
    {
        Context = context;
        Scopes = scopes;
        Kind = kind;
        Surface = surface;
        var address = context.Connection.RemoteIpAddress;
        ClientIp = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
        ClientAddress = ClientIp?.ToString() ?? "unknown";
    }

    /// <summary>The HTTP request.</summary>
    public HttpContext Context { get; }

    /// <summary>The client's address (IPv4-mapped addresses as IPv4), or null when the transport has none.</summary>
    public IPAddress? ClientIp { get; }

    /// <summary>The client's address as text (<c>unknown</c> when none): the key of address locks and anonymous limits.</summary>
    public string ClientAddress { get; }

    /// <summary>The access the request needs (at <c>/token</c>: the scopes asked for).</summary>
    public IReadOnlyList<AccessScope> Scopes { get; }

    /// <summary>What the request counts as for the rate limits.</summary>
    public RequestKind Kind { get; }

    /// <summary>Which answer a lock or a limit gets (<see cref="AccessRefusals.Limit"/>).</summary>
    public RefusalSurface Surface { get; }

    /// <summary>What the gate read of a <c>/v2/</c> request; null at the token endpoint.</summary>
    public RegistryRequest? Registry { get; private init; }

    /// <summary>True at the token endpoint.</summary>
    public bool AtTokenEndpoint => Registry is null;

    /// <summary>Whether Basic credentials came, and could be read.</summary>
    public CredentialParseStatus BasicStatus { get; private init; }

    /// <summary>The Basic credentials (or the token endpoint's form credentials), when <see cref="BasicStatus"/> is <see cref="CredentialParseStatus.Ok"/>.</summary>
    public BasicCredentials? Basic { get; private init; }

    /// <summary>A <c>/v2/</c> request, with its <c>Authorization</c> header read as Basic credentials.</summary>
    public static AccessRequest ForRegistry(HttpContext context, RegistryRequest read)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(read);
        var status = BasicCredentialParser.TryParse(context.Request.Headers.Authorization, out var credentials);

        // docker login and podman/buildah/skopeo login send an authenticated GET /v2/ and report nothing of a refusal
        // but what a redirect shows (see AccessRefusals.Limit).
        var surface = read.Route.Kind == RegistryRouteKind.Base && HttpMethods.IsGet(read.Method) ? RefusalSurface.LoginCheck : RefusalSurface.Request;
        return new AccessRequest(context, read.Scopes, KindOf(read), surface) { Registry = read, BasicStatus = status, Basic = credentials };
    }

    /// <summary>A token request with a password grant (<paramref name="credentials"/>) or none (anonymous, refresh).</summary>
    public static AccessRequest ForToken(HttpContext context, BasicCredentials? credentials, IReadOnlyList<AccessScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(scopes);

        // A token request without a scope is a login check (docker login, podman login, ...); one with scopes precedes a pull or a push.
        var surface = scopes.Count == 0 ? RefusalSurface.LoginCheck : RefusalSurface.TokenRequest;
        return new AccessRequest(context, scopes, RequestKind.Other, surface)
        {
            BasicStatus = credentials is null ? CredentialParseStatus.Missing : CredentialParseStatus.Ok,
            Basic = credentials,
        };
    }

    /// <summary>What a request counts as for the rate limits: a manifest GET is a pull (one that names no manifest is not).</summary>
    private static RequestKind KindOf(RegistryRequest read) => read.Route.Kind != RegistryRouteKind.Manifest || read.Answer != RegistryRequestAnswer.Forward
        ? RequestKind.Other
        : HttpMethods.IsGet(read.Method) ? RequestKind.ManifestGet : HttpMethods.IsHead(read.Method) ? RequestKind.ManifestHead : RequestKind.Other;
}
