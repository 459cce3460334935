using System.Text.RegularExpressions;
using Gateway.Registry.Access;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.Registry.Acl;

/// <summary>
/// Reads docker_auth's static ACL (<c>acl:</c> in its <c>auth_config.yml</c>), so a file written for docker_auth
/// works unchanged. The file may be a whole docker_auth configuration: only <c>acl</c> is read.
/// </summary>
/// <remarks>
/// <para>Each rule is <c>match: {account, type, name, service, ip, labels}</c> (values are globs with Go
/// <c>path.Match</c> semantics, or <c>/regex/</c> searched unanchored with RE2 syntax; <c>ip</c> is an address or a
/// CIDR network), <c>actions: [pull, push, delete, "*"]</c> (<c>[]</c> denies) and an optional <c>comment</c>.
/// Placeholders <c>${account}</c>, <c>${type}</c>, <c>${name}</c>, <c>${service}</c>, capture groups such as
/// <c>${account:1}</c> and labels such as <c>${labels:group}</c> are substituted per request, always as literal text.
/// <c>labels: {group: "ci-*"}</c> holds when any of the account's values of the label matches its pattern (every
/// listed label must); labels come from the identity source (directory groups become the label <c>group</c>), and
/// accounts from an htpasswd file or machine accounts have none.</para>
/// <para>Differences from docker_auth, all on the safe side: a misspelt or unknown key (docker_auth ignores it, so a
/// rule meant to be narrow matches everyone) and a malformed glob are errors; captured groups are escaped like
/// every other substituted value, and so are label values (docker_auth substitutes them unescaped, so a group named
/// <c>*</c> would match every repository); whether a value is a regex is decided on the value as written, not after
/// substitution; a label condition without a pattern is an error; at most
/// <see cref="AclPattern.MaxLabelCombinations"/> combinations of label values are tried per pattern.</para>
/// </remarks>
public static partial class AclFile
{
    /// <summary>The largest file read, in characters.</summary>
    public const int MaxLength = 1024 * 1024;

    private static readonly HashSet<string> RuleKeys = new(StringComparer.Ordinal) { "match", "actions", "comment" };
    private static readonly HashSet<string> KnownActions = new(StringComparer.Ordinal)
    {
        RegistryActions.Pull, RegistryActions.Push, RegistryActions.Delete, RegistryActions.All,
    };

    /// <summary>Parses the text of an ACL file; <paramref name="path"/> names it in messages.</summary>
    public static AclParseResult Parse(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var context = new Context(path);
        var rules = ParseRules(text, context);
        return new AclParseResult(context.Problems.Count == 0 ? rules : null, context.Problems, context.Warnings);
    }

    private static List<AclRule> ParseRules(string text, Context context)
    {
        var rules = new List<AclRule>();
        if (text.Length > MaxLength)
        {
            context.Problem(0, $"the file is larger than {MaxLength / 1024} KiB.");
            return rules;
        }

        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            context.Problem(LineOf(ex.Start), $"not valid YAML: {YamlMessage(ex)}");
            return rules;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // The YAML library fails this way on some malformed input; an invalid file must never escape as an exception.
            context.Problem(LineOf(parser.LastEnd), "not valid YAML after this line (an unclosed bracket or quote?).");
            return rules;
        }

        if (stream.Documents.Count == 0)
        {
            context.Problem(0, "the file is empty; expected an 'acl:' list (write 'acl: []' to deny everything).");
            return rules;
        }

        if (stream.Documents.Count > 1)
        {
            context.Problem(LineOf(stream.Documents[1].RootNode.Start), "holds more than one YAML document; keep one.");
            return rules;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            context.Problem(LineOf(stream.Documents[0].RootNode.Start), "expected a mapping with an 'acl:' list at the top level.");
            return rules;
        }

        YamlNode? acl = null;
        var ignored = new List<string>();
        foreach (var (key, value) in root.Children)
        {
            if (key is YamlScalarNode { Value: "acl" })
            {
                acl = value;
            }
            else
            {
                ignored.Add(key is YamlScalarNode scalar ? scalar.Value ?? string.Empty : key.ToString());
            }
        }

        if (ignored.Count > 0)
        {
            context.Warning(LineOf(root.Start), $"only 'acl' is read; ignoring {string.Join(", ", ignored)} (the gateway takes its other settings from its own configuration).");
        }

        switch (acl)
        {
            case null:
                context.Problem(LineOf(root.Start), "no 'acl:' list (write 'acl: []' to deny everything).");
                return rules;
            case YamlScalarNode nullList when IsNull(nullList):
                context.Warning(LineOf(acl.Start), "'acl:' is empty: every request is denied.");
                return rules;
            case YamlSequenceNode list:
                foreach (var item in list.Children)
                {
                    var rule = ParseRule(item, rules.Count, context);
                    if (rule is not null)
                    {
                        rules.Add(rule);
                    }
                }

                return rules;
            default:
                context.Problem(LineOf(acl.Start), "'acl:' must be a list of rules.");
                return rules;
        }
    }

    private static AclRule? ParseRule(YamlNode node, int index, Context context)
    {
        var line = LineOf(node.Start);
        if (node is not YamlMappingNode mapping)
        {
            context.Problem(line, "a rule must be a mapping with 'match:' and 'actions:'.");
            return null;
        }

        YamlNode? match = null, actionsNode = null;
        string? comment = null;
        var problems = context.Problems.Count;
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            switch (key)
            {
                case "match":
                    match = value;
                    break;
                case "actions":
                    actionsNode = value;
                    break;
                case "comment":
                    comment = value is YamlScalarNode text && !IsNull(text) ? text.Value : null;
                    break;
                default:
                    context.Problem(LineOf(keyNode.Start), $"unknown rule key '{key}'; a rule has {string.Join(", ", RuleKeys)}.");
                    break;
            }
        }

        var actions = ParseActions(actionsNode, line, context);
        var conditions = ParseMatch(match, line, context);
        if (context.Problems.Count > problems || actions is null || conditions is null)
        {
            return null;
        }

        var canMatch = CheckReachable(conditions, line, context);
        return new AclRule(
            index,
            line,
            comment,
            actions,
            conditions.Account,
            conditions.Type,
            conditions.Name,
            conditions.Service,
            conditions.Ip,
            conditions.Labels,
            canMatch);
    }

    private static string[]? ParseActions(YamlNode? node, int line, Context context)
    {
        if (node is null || (node is YamlScalarNode scalar && IsNull(scalar)))
        {
            context.Problem(line, "the rule has no 'actions:'; list the granted actions, e.g. [pull], or [] to deny.");
            return null;
        }

        if (node is not YamlSequenceNode list)
        {
            context.Problem(LineOf(node.Start), "'actions:' must be a list, e.g. [pull, push] or [\"*\"].");
            return null;
        }

        var actions = new List<string>();
        foreach (var item in list.Children)
        {
            if (item is not YamlScalarNode { Value: { } action } || !(action == RegistryActions.All || IsActionName(action)))
            {
                context.Problem(LineOf(item.Start), $"'{(item as YamlScalarNode)?.Value}' is not an action; use pull, push, delete or \"*\".");
                return null;
            }

            if (!KnownActions.Contains(action))
            {
                context.Warning(LineOf(item.Start), $"the registry never asks for the action '{action}'; this entry grants nothing.");
            }

            if (!actions.Contains(action))
            {
                actions.Add(action);
            }
        }

        if (actions.Count > 1 && actions.Contains(RegistryActions.All))
        {
            context.Warning(LineOf(node.Start), "\"*\" means every action only when it is alone (actions: [\"*\"]); in a longer list it only grants the catalog's \"*\" action, as in docker_auth.");
        }

        return [.. actions];
    }

    private static Conditions? ParseMatch(YamlNode? node, int line, Context context)
    {
        if (node is null || (node is YamlScalarNode scalar && IsNull(scalar)))
        {
            context.Problem(line, "the rule has no 'match:'; write 'match: {}' to match every request.");
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            context.Problem(LineOf(node.Start), "'match:' must be a mapping, e.g. {account: alice, name: \"alice/*\"}.");
            return null;
        }

        var conditions = new Conditions();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            var keyLine = LineOf(keyNode.Start);
            if (key == "labels")
            {
                ParseLabels(value, conditions, context);
                continue;
            }

            if (key is not ("account" or "type" or "name" or "service" or "ip"))
            {
                context.Problem(keyLine, $"unknown match key '{key}'; match on account, type, name, service, ip or labels.");
                continue;
            }

            if (value is not YamlScalarNode text)
            {
                context.Problem(LineOf(value.Start), $"'{key}' must be a single pattern (a glob, or a /regex/).");
                continue;
            }

            if (IsNull(text))
            {
                context.Warning(keyLine, $"'{key}:' has no value and matches everything, as in docker_auth; write \"\" to match only an empty {key} (e.g. anonymous).");
                continue;
            }

            var raw = text.Value ?? string.Empty;
            if (key == "ip")
            {
                if (!IpRange.TryParse(raw, out var range))
                {
                    context.Problem(LineOf(value.Start), $"'{raw}' is not an IP address or CIDR network (e.g. 10.0.0.0/8, 2001:db8::/48).");
                }
                else
                {
                    conditions.Ip = (raw, range);
                }

                continue;
            }

            var pattern = AclPattern.TryCreate(raw, out var error);
            if (pattern is null)
            {
                context.Problem(LineOf(value.Start), $"{key}: {error}");
                continue;
            }

            WarnUnknownPlaceholders(key!, pattern, value, context);

            switch (key)
            {
                case "account":
                    conditions.Account = pattern;
                    break;
                case "type":
                    conditions.Type = pattern;
                    break;
                case "name":
                    conditions.Name = pattern;
                    break;
                default:
                    conditions.Service = pattern;
                    break;
            }
        }

        return conditions;
    }

    /// <summary>Reads <c>labels: {name: pattern, …}</c>: docker_auth's map of label names to one pattern each.</summary>
    private static void ParseLabels(YamlNode value, Conditions conditions, Context context)
    {
        if (value is YamlScalarNode empty && IsNull(empty))
        {
            return;
        }

        if (value is not YamlMappingNode labels)
        {
            context.Problem(LineOf(value.Start), "'labels' must be a mapping of label names to patterns, e.g. {group: \"ci-*\"}.");
            return;
        }

        foreach (var (nameNode, patternNode) in labels.Children)
        {
            var line = LineOf(patternNode.Start);
            if (nameNode is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                context.Problem(LineOf(nameNode.Start), "a label name must be a non-empty text, e.g. group.");
                continue;
            }

            if (patternNode is not YamlScalarNode text || IsNull(text))
            {
                context.Problem(line, $"labels: '{name}' must have one pattern (a glob or a /regex/), e.g. {name}: \"ci-*\".");
                continue;
            }

            var pattern = AclPattern.TryCreate(text.Value ?? string.Empty, out var error);
            if (pattern is null)
            {
                context.Problem(line, $"labels: {name}: {error}");
                continue;
            }

            if (pattern.LabelNames.Count > 0)
            {
                context.Warning(line, $"labels: {name}: docker_auth does not substitute ${{labels:…}} inside a label condition; it is matched as literal text.");
            }

            WarnUnknownPlaceholders($"labels: {name}", pattern, patternNode, context);
            conditions.Labels.Add(new KeyValuePair<string, AclPattern>(name, pattern));
        }
    }

    private static void WarnUnknownPlaceholders(string key, AclPattern pattern, YamlNode value, Context context)
    {
        foreach (var unknown in pattern.UnknownPlaceholders)
        {
            context.Warning(LineOf(value.Start), $"{key}: {unknown} is not a placeholder (use ${{account}}, ${{type}}, ${{name}}, ${{service}}, ${{account:1}} or ${{labels:group}}); it is matched as literal text.");
        }
    }

    /// <summary>Warns about rules that can never match; false for them.</summary>
    private static bool CheckReachable(Conditions conditions, int line, Context context)
    {
        var patterns = new[] { conditions.Account, conditions.Type, conditions.Name, conditions.Service }
            .OfType<AclPattern>()
            .Concat(conditions.Labels.Select(l => l.Value))
            .ToArray();

        foreach (var (field, group) in patterns.SelectMany(p => p.CaptureReferences))
        {
            var placeholder = $"${{{field.ToString().ToLowerInvariant()}:{group}}}";
            var source = conditions.For(field);
            if (source?.StaticRegex is not { } regex)
            {
                context.Warning(line, $"{placeholder} needs the rule's {field.ToString().ToLowerInvariant()} to be a /regex/ without placeholders: the rule never matches.");
                return false;
            }

            if (group >= regex.GetGroupNumbers().Length)
            {
                context.Warning(line, $"{placeholder}: the {field.ToString().ToLowerInvariant()} regex has fewer groups: the rule never matches.");
                return false;
            }
        }

        return true;
    }

    private static bool IsActionName(string action) => action.Length > 0 && !action.AsSpan().ContainsAnyExceptInRange('a', 'z');

    /// <summary>A plain scalar YAML reads as null: empty, <c>~</c> or <c>null</c>.</summary>
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static int LineOf(Mark mark) => (int)Math.Min(int.MaxValue, mark.Line);

    private static string YamlMessage(YamlException ex) => YamlPosition().Replace(ex.Message, string.Empty);

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", RegexOptions.CultureInvariant)]
    private static partial Regex YamlPosition();

    /// <summary>
    /// Remembers where the last event ended, to place errors the YAML library reports without a position, and stops
    /// nesting deeper than <see cref="MaxDepth"/> before the (recursive) document loader sees it.
    /// </summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        private const int MaxDepth = 32;
        private int _depth;

        public Mark LastEnd { get; private set; } = Mark.Empty;

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            switch (inner.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart when ++_depth > MaxDepth:
                    throw new YamlException(inner.Current.Start, inner.Current.End, $"nested deeper than {MaxDepth} levels.");
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    _depth--;
                    break;
            }

            if (inner.Current is { } current)
            {
                LastEnd = current.End;
            }

            return moved;
        }
    }

    private sealed class Conditions
    {
        public AclPattern? Account { get; set; }

        public AclPattern? Type { get; set; }

        public AclPattern? Name { get; set; }

        public AclPattern? Service { get; set; }

        public (string Text, IpRange Range)? Ip { get; set; }

        public List<KeyValuePair<string, AclPattern>> Labels { get; } = [];

        public AclPattern? For(AclField field) => field switch
        {
            AclField.Account => Account,
            AclField.Type => Type,
            AclField.Name => Name,
            _ => Service,
        };
    }

    private sealed class Context(string path)
    {
        public List<AclProblem> Problems { get; } = [];

        public List<AclProblem> Warnings { get; } = [];

        public void Problem(int line, string message) => Problems.Add(new AclProblem(line, Format(line, message)));

        public void Warning(int line, string message) => Warnings.Add(new AclProblem(line, Format(line, message)));

        private string Format(int line, string message) => line > 0 ? $"{path}:{line}: {message}" : $"{path}: {message}";
    }
}
