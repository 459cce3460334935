namespace Gateway.Registry.Access;

/// <summary>
/// What the gate read of a request, once, for every later step: the route, the scopes the registry will demand
/// for it and the mount source it will read. Built by <see cref="RegistryRequestReader"/> from the same bytes
/// the registry reads, with the registry's rules.
/// </summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The registry route.</param>
/// <param name="MountFrom">
/// The <c>from</c> value as the registry's <c>FormValue("from")</c> reads it; null when empty or absent. The
/// registry asks for pull on it on every repository route (<c>app.go</c>, <c>authorized</c>), and mounts from it
/// on an upload start with <c>mount</c>.
/// </param>
/// <param name="Scopes">The scopes needed: empty for <c>/v2/</c>; a second scope (pull) for a mount source.</param>
/// <param name="Answer">Whether an authorized request is forwarded or answered by the gate.</param>
public sealed record RegistryRequest(
    string Method,
    RegistryRoute Route,
    string? MountFrom,
    IReadOnlyList<AccessScope> Scopes,
    RegistryRequestAnswer Answer = RegistryRequestAnswer.Forward)
{
    /// <summary>The scopes in the token scope grammar, space-separated (e.g. <c>repository:a/b:pull,push</c>); empty when none.</summary>
    public string ScopeText => Scopes.Count switch
    {
        0 => string.Empty,
        1 => Scopes[0].ToString(),
        _ => string.Join(' ', Scopes),
    };
}
