using System.Security.Cryptography;

namespace Gateway.Edge.Caching;

/// <summary>Ids that tell the nodes apart on the invalidation channel: 32 lowercase hex digits, new at every start.</summary>
public static class NodeIds
{
    /// <summary>A fresh id.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="text"/> has the form of <see cref="New"/>.</summary>
    public static bool IsValid(string? text) => text is { Length: 32 } && text.All(char.IsAsciiHexDigitLower);
}
