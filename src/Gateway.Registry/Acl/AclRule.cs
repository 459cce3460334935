using Gateway.Registry.Access;

namespace Gateway.Registry.Acl;

/// <summary>
/// One entry of docker_auth's <c>acl:</c> list: <c>match</c> conditions (all must hold; a missing one matches
/// anything) and the <c>actions</c> it grants. <c>["*"]</c> grants every requested action (the catalog's <c>*</c>
/// included); any other list grants the requested actions it names, so there <c>*</c> is only the literal action
/// the catalog asks for; <c>[]</c> denies. Built by <see cref="AclFile.Parse"/>.
/// </summary>
public sealed class AclRule
{
    private readonly AclPattern? _account;
    private readonly AclPattern? _type;
    private readonly AclPattern? _name;
    private readonly AclPattern? _service;
    private readonly IpRange? _ip;
    private readonly KeyValuePair<string, AclPattern>[] _labels;
    private readonly AclField[] _captureSources;
    private readonly bool _grantsAll;

    internal AclRule(
        int index,
        int line,
        string? comment,
        IReadOnlyList<string> actions,
        AclPattern? account,
        AclPattern? type,
        AclPattern? name,
        AclPattern? service,
        (string Text, IpRange Range)? ip,
        IReadOnlyList<KeyValuePair<string, AclPattern>> labels,
        bool canMatch)
    {
        Index = index;
        Line = line;
        Comment = comment;
        Actions = actions;
        _account = account;
        _type = type;
        _name = name;
        _service = service;
        _ip = ip?.Range;
        Ip = ip?.Text;
        _labels = [.. labels];
        Labels = _labels.ToDictionary(l => l.Key, l => l.Value.Raw, StringComparer.Ordinal).AsReadOnly();
        CanMatch = canMatch;
        _grantsAll = actions.Count == 1 && actions[0] == RegistryActions.All;
        _captureSources = Patterns().SelectMany(p => p.CaptureReferences).Select(r => r.Field).Distinct().ToArray();
    }

    /// <summary>The rule's 0-based position in the list.</summary>
    public int Index { get; }

    /// <summary>The 1-based line the rule starts on.</summary>
    public int Line { get; }

    /// <summary>The rule's <c>comment</c>, if any.</summary>
    public string? Comment { get; }

    /// <summary>The <c>actions</c> as written (<c>[]</c> = deny).</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>The <c>account</c> condition as written; null = any account.</summary>
    public string? Account => _account?.Raw;

    /// <summary>The <c>type</c> condition as written; null = any type.</summary>
    public string? Type => _type?.Raw;

    /// <summary>The <c>name</c> condition as written; null = any name.</summary>
    public string? Name => _name?.Raw;

    /// <summary>The <c>service</c> condition as written; null = any service.</summary>
    public string? Service => _service?.Raw;

    /// <summary>The <c>ip</c> condition as written; null = any address.</summary>
    public string? Ip { get; }

    /// <summary>
    /// The <c>labels</c> conditions as written: label name to pattern. Each holds when any of the account's values of
    /// that label matches (an account without the label does not match); empty = any labels.
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>False for a rule that can never match here: one whose capture placeholder cannot resolve.</summary>
    public bool CanMatch { get; }

    /// <summary>Names the rule for logs: position, line and comment.</summary>
    public override string ToString() =>
        Comment is null ? $"ACL rule {Index + 1} (line {Line})" : $"ACL rule {Index + 1} (line {Line}: {Comment})";

    /// <summary>True when every condition holds for <paramref name="request"/>.</summary>
    internal bool Matches(AclRequest request)
    {
        if (!CanMatch)
        {
            return false;
        }

        string[]?[]? captures = null;
        if (_captureSources.Length > 0)
        {
            captures = new string[]?[4];
            foreach (var field in _captureSources)
            {
                var match = PatternFor(field)!.StaticRegex!.Match(AclPattern.ValueOf(request, field));
                captures[(int)field] = match.Success ? match.Groups.Cast<System.Text.RegularExpressions.Group>().Select(g => g.Value).ToArray() : null;
            }
        }

        return Holds(_account, request.Account, request, captures)
            && Holds(_type, request.Type, request, captures)
            && Holds(_name, request.Name, request, captures)
            && Holds(_service, request.Service, request, captures)
            && (_ip is null || (request.ClientAddress is not null && _ip.Contains(request.ClientAddress)))
            && LabelsHold(request, captures);
    }

    /// <summary>The requested actions this rule grants, in request order without duplicates.</summary>
    internal IReadOnlyList<string> Grant(IReadOnlyList<string> requested)
    {
        var granted = new List<string>(requested.Count);
        foreach (var action in requested)
        {
            if ((_grantsAll || Contains(Actions, action)) && !Contains(granted, action))
            {
                granted.Add(action);
            }
        }

        return granted;
    }

    internal AclPattern? PatternFor(AclField field) => field switch
    {
        AclField.Account => _account,
        AclField.Type => _type,
        AclField.Name => _name,
        _ => _service,
    };

    /// <summary>
    /// docker_auth's <c>matchLabels</c>: every condition needs some value of its label to match; placeholders of the
    /// request and capture groups are substituted, <c>${labels:…}</c> is not.
    /// </summary>
    private bool LabelsHold(AclRequest request, string[]?[]? captures)
    {
        foreach (var (name, pattern) in _labels)
        {
            if (!request.Labels.TryGetValue(name, out var values) || !AnyMatches(pattern, values, request, captures))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AnyMatches(AclPattern pattern, IReadOnlyList<string> values, AclRequest request, string[]?[]? captures)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (pattern.IsMatch(values[i], request, captures, substituteLabels: false))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Holds(AclPattern? pattern, string value, AclRequest request, string[]?[]? captures) =>
        pattern is null || pattern.IsMatch(value, request, captures);

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private IEnumerable<AclPattern> Patterns()
    {
        foreach (var pattern in new[] { _account, _type, _name, _service })
        {
            if (pattern is not null)
            {
                yield return pattern;
            }
        }

        foreach (var (_, pattern) in _labels)
        {
            yield return pattern;
        }
    }
}
