using Gateway.Registry.Policies;
using Gateway.Registry.Tokens;

namespace Gateway.Registry.Tests;

/// <summary>Each options class's messages, as its validator (beside it in src/) reports them at start.</summary>
internal static class ValidatorExtensions
{
    public static IReadOnlyList<string> Validate(this LockoutOptions options) => [.. new LockoutOptionsValidator().Validate(null, options).Failures ?? []];

    public static IReadOnlyList<string> Validate(this RateLimitOptions options) => [.. new RateLimitOptionsValidator().Validate(null, options).Failures ?? []];

    public static IReadOnlyList<string> Validate(this RegistryTokenOptions options) => [.. new RegistryTokenOptionsValidator().Validate(null, options).Failures ?? []];
}
