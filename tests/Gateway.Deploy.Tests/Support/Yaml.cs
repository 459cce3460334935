using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.Deploy.Tests.Support;

/// <summary>YAML documents as node trees, with merge keys (<c>&lt;&lt;: *anchor</c>) applied as Compose applies them.</summary>
public static partial class Yaml
{
    public static YamlMappingNode LoadMapping(string text)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        stream.Load(new MergingParser(new Parser(reader)));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlMappingNode Map(this YamlNode node, string key) =>
        node.Get(key) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"'{key}' is not a mapping at {node.Start}");

    public static string? Text(this YamlNode? node) => (node as YamlScalarNode)?.Value;

    public static string? Text(this YamlNode node, string key) => node.Get(key).Text();

    public static IEnumerable<string> Keys(this YamlMappingNode node) => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    /// <summary>The items of a sequence as text (scalars) or, for mappings, their "source"/"target" text; empty when absent.</summary>
    public static IReadOnlyList<YamlNode> Items(this YamlNode node, string key) =>
        node.Get(key) is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    /// <summary>
    /// A service's environment as a dictionary, whether written as a mapping or as a list of NAME=value; values
    /// keep Compose's <c>${NAME:-default}</c> replaced by the default (what a clean checkout gets).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(this YamlNode service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (service.Get("environment"))
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    result[((YamlScalarNode)key).Value!] = WithDefaults(value.Text() ?? "");
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children.Select(c => c.Text() ?? ""))
                {
                    var equals = item.IndexOf('=', StringComparison.Ordinal);
                    result[equals < 0 ? item : item[..equals]] = equals < 0 ? "" : WithDefaults(item[(equals + 1)..]);
                }

                break;
        }

        return result;
    }

    /// <summary><c>${NAME:-default}</c> / <c>${NAME-default}</c> → default; <c>$$</c> → <c>$</c>.</summary>
    public static string WithDefaults(string value) =>
        DefaultedVariable().Replace(value, m => m.Groups[1].Value).Replace("$$", "$", StringComparison.Ordinal);

    [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")]
    private static partial Regex DefaultedVariable();
}
