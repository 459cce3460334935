using Gateway.Registry.Access;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Access;

/// <summary>What is known of a request as it passes the gate, for its audit event.</summary>
internal sealed class AccessDecision
{
    public AccessDecision(HttpContext context)
    {
        Context = context;
        var address = context.Connection.RemoteIpAddress;
        Client = address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    public HttpContext Context { get; }

    public string Client { get; }

    public string? User { get; set; }

    public string? Repository { get; set; }

    public string Actions { get; private set; } = string.Empty;

    /// <summary>What the gate read of the request, once it read one.</summary>
    public RegistryRequest? Request { get; private set; }

    /// <summary>The route of a request refused before it was read whole (its path parsed, something else did not).</summary>
    public string RefusedRoute { get; set; } = "-";

    public string Route => Request is null ? RefusedRoute : RegistryRouteNames.Of(Request.Route.Kind);

    public string Requested => Request?.ScopeText ?? string.Empty;

    /// <summary>Records what the gate read.</summary>
    public void Read(RegistryRequest read)
    {
        Request = read;
        Repository = read.Route.Repository;
        var scopes = read.Scopes;
        Actions = scopes.Count == 0 ? string.Empty : scopes.Count == 1 ? string.Join(',', scopes[0].Actions) : string.Join(' ', scopes.Select(s => s.ToString()));
    }
}
