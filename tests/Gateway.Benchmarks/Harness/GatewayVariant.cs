using System.Text.RegularExpressions;

namespace Gateway.Benchmarks.Harness;

/// <summary>
/// One more single-node gateway target with settings of its own (<c>--variant NAME:KEY=VALUE;KEY=VALUE</c>), measured
/// in the same interleaved rounds as the others: how a setting's trade-off is measured side by side in one run.
/// </summary>
public sealed partial record GatewayVariant(string Name, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>The target's name in the report: <c>gateway-1.NAME</c>.</summary>
    public string TargetName => $"{TargetNames.Gateway1}.{Name}";

    /// <summary>The settings as the report shows them.</summary>
    public string Describe() => string.Join("; ", Settings.Select(s => $"{s.Key}={s.Value}"));

    /// <summary>Parses <c>NAME:KEY=VALUE;KEY=VALUE</c> (keys as environment variables, e.g. <c>Gateway__Transfer__BlockSize</c>).</summary>
    public static GatewayVariant Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon > 0 ? text[..colon] : "";
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"--variant: '{text}' must be NAME:KEY=VALUE[;KEY=VALUE…] with a NAME of lower-case letters, digits and '-'.");
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text[(colon + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--variant {name}: '{pair}' is not KEY=VALUE.");
            }

            settings[pair[..equals]] = pair[(equals + 1)..];
        }

        return settings.Count == 0 ? throw new ArgumentException($"--variant {name}: no KEY=VALUE given.") : new GatewayVariant(name, settings);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,23}$")]
    private static partial Regex NamePattern();
}
