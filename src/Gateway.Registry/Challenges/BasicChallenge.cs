namespace Gateway.Registry.Challenges;

/// <summary>The <c>WWW-Authenticate</c> value for HTTP Basic, as the registry's htpasswd controller sends it.</summary>
public static class BasicChallenge
{
    /// <summary>Formats <c>Basic realm="…"</c>, escaping quotes and backslashes in the realm.</summary>
    public static string Format(string realm)
    {
        var escaped = realm.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return $"Basic realm=\"{escaped}\"";
    }
}
