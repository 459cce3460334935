namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>The answer to "which key has this kid": found, unknown (refuse), or unknowable now (503).</summary>
/// <param name="Key">The key, when found.</param>
/// <param name="Unavailable">True when the keys could not be fetched and none is cached for the kid.</param>
public readonly record struct KeyLookupResult(SigningKey? Key, bool Unavailable)
{
    /// <summary>No published key has the kid.</summary>
    public static KeyLookupResult Unknown => new(null, false);

    /// <summary>The issuer's keys cannot be had now.</summary>
    public static KeyLookupResult Down => new(null, true);
}
