namespace Gateway.Registry.Credentials;

/// <summary>One bcrypt entry of an htpasswd file.</summary>
/// <param name="UserName">The user name.</param>
/// <param name="Hash">The bcrypt hash (<c>$2y$</c>, <c>$2a$</c> or <c>$2b$</c>).</param>
/// <param name="Cost">The bcrypt cost (log2 of the rounds).</param>
public sealed record HtpasswdEntry(string UserName, string Hash, int Cost)
{
    /// <summary>Never prints the hash.</summary>
    public override string ToString() => $"{UserName} (bcrypt cost {Cost})";
}
