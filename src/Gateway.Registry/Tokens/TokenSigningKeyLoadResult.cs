using System.Diagnostics.CodeAnalysis;

namespace Gateway.Registry.Tokens;

/// <summary>The outcome of loading a token signing key: the key, or why it cannot be used.</summary>
/// <param name="Key">The loaded key; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">What is wrong, naming the file (or source) and the problem; null on success.</param>
public sealed record TokenSigningKeyLoadResult(TokenSigningKey? Key, string? Error)
{
    /// <summary>True when <see cref="Key"/> is usable.</summary>
    [MemberNotNullWhen(true, nameof(Key))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Key is not null;

    internal static TokenSigningKeyLoadResult Fail(string error) => new(null, error);
}
