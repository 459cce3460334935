using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Registry.Acl;

/// <summary>
/// One compiled match value: a glob (Go <c>path.Match</c>) or, between slashes, an unanchored regular expression,
/// with placeholders <c>${account}</c>, <c>${type}</c>, <c>${name}</c>, <c>${service}</c> and capture groups such as
/// <c>${account:1}</c> (group 1 of the rule's <c>account</c> regex), and label placeholders <c>${labels:group}</c>.
/// A substituted value is always matched literally: it is escaped for the pattern's syntax, so an account named
/// <c>a.*</c> or a group named <c>*</c> cannot widen a rule (docker_auth substitutes label values unescaped).
/// Label placeholders follow docker_auth's <c>matchStringWithLabelPermutations</c>: the value is matched first with
/// the placeholders as written, then with every combination of the account's values of the labels the pattern names
/// (the same value wherever one label appears twice); a label the account lacks stays literal text. At most
/// <see cref="MaxLabelCombinations"/> combinations are tried; past that the pattern does not match.
/// Patterns without placeholders are compiled once; with placeholders, globs are rendered into a pooled buffer and
/// regular expressions are compiled per distinct rendering and cached (bounded). Regular expressions run with
/// <see cref="RegexOptions.NonBacktracking"/>: linear time whatever the input, and exactly the RE2 feature set
/// docker_auth's Go patterns can use (no backreferences or lookarounds).
/// </summary>
internal sealed partial class AclPattern
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
    private const int MaxCachedRegexes = 512;

    /// <summary>The most combinations of label values one match tries (docker_auth has no bound).</summary>
    public const int MaxLabelCombinations = 4096;

    private readonly Segment[]? _segments;
    private readonly string[] _labelNames;
    private readonly string _pattern;
    private readonly Regex? _regex;
    private readonly ConcurrentDictionary<string, Regex>? _cache;
    private readonly ConcurrentDictionary<string, Regex>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;

    private AclPattern(string raw, bool isRegex, string pattern, Segment[]? segments, Regex? regex, string[] labelNames)
    {
        Raw = raw;
        IsRegex = isRegex;
        _pattern = pattern;
        _segments = segments;
        _regex = regex;
        _labelNames = labelNames;
        if (isRegex && segments is not null)
        {
            _cache = new ConcurrentDictionary<string, Regex>(StringComparer.Ordinal);
            _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>The value as written in the file.</summary>
    public string Raw { get; }

    /// <summary>True for a <c>/regex/</c> value.</summary>
    public bool IsRegex { get; }

    /// <summary>The label names of the value's <c>${labels:…}</c> placeholders, each once.</summary>
    public IReadOnlyList<string> LabelNames => _labelNames;

    /// <summary>The compiled expression of a regex value without placeholders (a capture group source); otherwise null.</summary>
    public Regex? StaticRegex => _segments is null ? _regex : null;

    /// <summary>The capture groups the value refers to, e.g. (Account, 1) for <c>${account:1}</c>.</summary>
    public IEnumerable<(AclField Field, int Group)> CaptureReferences =>
        _segments?.Where(s => s.Literal is null && s.Label < 0 && s.Group > 0).Select(s => (s.Field, s.Group)) ?? [];

    /// <summary>Unknown <c>${…}</c> placeholders, which are matched as literal text (as docker_auth leaves them).</summary>
    public IReadOnlyList<string> UnknownPlaceholders { get; private init; } = [];

    /// <summary>Compiles a match value; <paramref name="error"/> says why it cannot be used.</summary>
    public static AclPattern? TryCreate(string raw, out string? error)
    {
        error = null;

        // As docker_auth: a value longer than 2 characters between slashes is a regular expression.
        var isRegex = raw.Length > 2 && raw[0] == '/' && raw[^1] == '/';
        var body = isRegex ? raw[1..^1] : raw;
        var segments = ParseSegments(body, out var labelNames, out var unknown);
        if (isRegex)
        {
            if (PosixClass().IsMatch(body))
            {
                error = $"regular expression {raw}: POSIX classes such as [[:alpha:]] are not supported; write the class out, e.g. [a-zA-Z].";
                return null;
            }

            // Go's named group syntax (?P<name>…) is .NET's (?<name>…).
            if (segments is null)
            {
                body = body.Replace("(?P<", "(?<", StringComparison.Ordinal);
            }
            else
            {
                for (var i = 0; i < segments.Length; i++)
                {
                    if (segments[i].Literal is { } literal)
                    {
                        segments[i] = segments[i] with { Literal = literal.Replace("(?P<", "(?<", StringComparison.Ordinal) };
                    }
                }
            }

            var sample = segments is null ? body : Sample(segments, isRegex: true);
            if (!TryCompile(sample!, out var compiled, out var problem))
            {
                error = $"regular expression {raw}: {problem}";
                return null;
            }

            return new AclPattern(raw, true, body, segments, segments is null ? compiled : null, labelNames) { UnknownPlaceholders = unknown };
        }

        var glob = segments is null ? body : Sample(segments, isRegex: false);
        if (!GlobPattern.IsValid(glob))
        {
            error = $"pattern '{raw}' is not a valid glob (an unclosed '[', an empty class, or a trailing '\\'); use \\ to match [ * ? \\ literally.";
            return null;
        }

        return new AclPattern(raw, false, body, segments, null, labelNames) { UnknownPlaceholders = unknown };
    }

    /// <summary>
    /// True when <paramref name="value"/> matches. <paramref name="request"/> supplies the placeholder values and
    /// <paramref name="captures"/> the capture groups (by field; null where the source regex did not match). With
    /// <paramref name="substituteLabels"/> false, <c>${labels:…}</c> stays literal text (docker_auth's <c>labels</c>
    /// conditions do not substitute labels).
    /// </summary>
    public bool IsMatch(string value, AclRequest request, string[]?[]? captures, bool substituteLabels = true)
    {
        if (_segments is null)
        {
            return _regex is null ? GlobPattern.IsMatch(_pattern, value) : _regex.IsMatch(value);
        }

        // docker_auth first matches with the label placeholders as written. In a regex that never matches ('$' is
        // the end of the text, and a '{' must follow it), so only a glob tries it, as literal text.
        if ((_labelNames.Length == 0 || !IsRegex) && IsMatchWith(value, request, captures, null))
        {
            return true;
        }

        if (_labelNames.Length == 0 || !substituteLabels)
        {
            return false;
        }

        // Then every combination of the account's values of the labels the pattern names. A label the account lacks
        // stays as written (docker_auth leaves it in the pattern); a label without values leaves nothing to try.
        var values = new IReadOnlyList<string>?[_labelNames.Length];
        long combinations = 1;
        var substitutes = false;
        for (var i = 0; i < _labelNames.Length; i++)
        {
            if (request.Labels.TryGetValue(_labelNames[i], out var list))
            {
                if (list.Count == 0)
                {
                    return false;
                }

                values[i] = list;
                combinations *= list.Count;
                substitutes = true;
            }
            else if (IsRegex)
            {
                return false;
            }
        }

        if (!substitutes || combinations > MaxLabelCombinations)
        {
            return false;
        }

        var indices = new int[_labelNames.Length];
        var chosen = new string?[_labelNames.Length];
        while (true)
        {
            for (var i = 0; i < chosen.Length; i++)
            {
                chosen[i] = values[i]?[indices[i]];
            }

            if (IsMatchWith(value, request, captures, chosen))
            {
                return true;
            }

            // The next combination: an odometer over the labels that have values.
            var position = 0;
            while (position < indices.Length && (values[position] is null || ++indices[position] == values[position]!.Count))
            {
                indices[position++] = 0;
            }

            if (position == indices.Length)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Renders the pattern with the request's values, <paramref name="labels"/>' values for label placeholders (null,
    /// or a null entry: the placeholder as written, matched literally) and matches <paramref name="value"/>.
    /// </summary>
    private bool IsMatchWith(string value, AclRequest request, string[]?[]? captures, string?[]? labels)
    {
        var length = 0;
        foreach (var segment in _segments!)
        {
            if (segment.Literal is not null)
            {
                length += segment.Literal.Length;
                continue;
            }

            var substituted = Resolve(segment, request, captures, labels);
            if (substituted is null)
            {
                return false;
            }

            length += substituted.Length * 6; // the longest escape, \uXXXX, is 6 characters
        }

        var buffer = ArrayPool<char>.Shared.Rent(length);
        try
        {
            var written = 0;
            foreach (var segment in _segments)
            {
                if (segment.Literal is not null)
                {
                    segment.Literal.CopyTo(buffer.AsSpan(written));
                    written += segment.Literal.Length;
                }
                else
                {
                    written += IsRegex
                        ? EscapeRegex(Resolve(segment, request, captures, labels)!, buffer.AsSpan(written))
                        : EscapeGlob(Resolve(segment, request, captures, labels)!, buffer.AsSpan(written));
                }
            }

            var rendered = buffer.AsSpan(0, written);
            return IsRegex ? GetRegex(rendered).IsMatch(value) : GlobPattern.IsMatch(rendered, value);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>The value of a field in a request.</summary>
    public static string ValueOf(AclRequest request, AclField field) => field switch
    {
        AclField.Account => request.Account,
        AclField.Type => request.Type,
        AclField.Name => request.Name,
        _ => request.Service,
    };

    private static string? Resolve(Segment segment, AclRequest request, string[]?[]? captures, string?[]? labels)
    {
        if (segment.Label >= 0)
        {
            return labels?[segment.Label] ?? segment.Placeholder;
        }

        if (segment.Group == 0)
        {
            return ValueOf(request, segment.Field);
        }

        var groups = captures?[(int)segment.Field];
        return groups is not null && segment.Group < groups.Length ? groups[segment.Group] : null;
    }

    private Regex GetRegex(ReadOnlySpan<char> rendered)
    {
        if (_cacheLookup.TryGetValue(rendered, out var regex))
        {
            return regex;
        }

        var pattern = rendered.ToString();
        regex = new Regex(pattern, Options);
        if (_cache!.Count >= MaxCachedRegexes)
        {
            _cache.Clear();
        }

        _cache[pattern] = regex;
        return regex;
    }

    private static bool TryCompile(string pattern, [NotNullWhen(true)] out Regex? regex, out string? problem)
    {
        regex = null;
        problem = null;
        try
        {
            regex = new Regex(pattern, Options);
            return true;
        }
        catch (NotSupportedException)
        {
            problem = "uses a construct RE2 (docker_auth's syntax) does not have: a backreference, lookaround, atomic group or conditional.";
            return false;
        }
        catch (ArgumentException ex)
        {
            problem = ex.Message;
            return false;
        }
    }

    /// <summary>Splits a value into literals and placeholders; null when it has no placeholder.</summary>
    private static Segment[]? ParseSegments(string text, out string[] labelNames, out IReadOnlyList<string> unknown)
    {
        labelNames = [];
        unknown = [];
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return null;
        }

        var segments = new List<Segment>();
        var unknownList = new List<string>();
        var labels = new List<string>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf('}', start + 2);
            if (end < 0)
            {
                literal.Append(text, i, text.Length - i);
                break;
            }

            literal.Append(text, i, start - i);
            var inner = text.AsSpan(start + 2, end - start - 2);
            if (TryParsePlaceholder(inner, out var field, out var group))
            {
                if (literal.Length > 0)
                {
                    segments.Add(new Segment(literal.ToString(), default, 0, -1, null));
                    literal.Clear();
                }

                segments.Add(new Segment(null, field, group, -1, null));
            }
            else if (inner.StartsWith("labels:", StringComparison.Ordinal) && inner.Length > "labels:".Length)
            {
                if (literal.Length > 0)
                {
                    segments.Add(new Segment(literal.ToString(), default, 0, -1, null));
                    literal.Clear();
                }

                var name = inner["labels:".Length..].ToString();
                var index = labels.IndexOf(name);
                if (index < 0)
                {
                    index = labels.Count;
                    labels.Add(name);
                }

                segments.Add(new Segment(null, default, 0, index, text[start..(end + 1)]));
            }
            else
            {
                unknownList.Add(text[start..(end + 1)]);
                literal.Append(text, start, end + 1 - start);
            }

            i = end + 1;
        }

        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString(), default, 0, -1, null));
        }

        unknown = unknownList;
        labelNames = [.. labels];
        return segments.Any(s => s.Literal is null) ? segments.ToArray() : null;
    }

    private static bool TryParsePlaceholder(ReadOnlySpan<char> inner, out AclField field, out int group)
    {
        group = 0;
        var colon = inner.IndexOf(':');
        var name = colon < 0 ? inner : inner[..colon];
        if (!TryParseField(name, out field))
        {
            return false;
        }

        if (colon < 0)
        {
            return true;
        }

        var digits = inner[(colon + 1)..];
        return !digits.IsEmpty && digits.Length <= 3 && !digits.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(digits, out group) && group >= 1;
    }

    private static bool TryParseField(ReadOnlySpan<char> name, out AclField field)
    {
        switch (name)
        {
            case "account":
                field = AclField.Account;
                return true;
            case "type":
                field = AclField.Type;
                return true;
            case "name":
                field = AclField.Name;
                return true;
            case "service":
                field = AclField.Service;
                return true;
            default:
                field = default;
                return false;
        }
    }

    /// <summary>The pattern with every placeholder replaced by <c>x</c>: what validation compiles.</summary>
    private static string Sample(Segment[] segments, bool isRegex)
    {
        var builder = new StringBuilder();
        Span<char> scratch = stackalloc char[64];
        foreach (var segment in segments)
        {
            if (segment.Literal is not null)
            {
                builder.Append(segment.Literal);
                continue;
            }

            var value = "x";
            var written = isRegex ? EscapeRegex(value, scratch) : EscapeGlob(value, scratch);
            builder.Append(scratch[..written]);
        }

        return builder.ToString();
    }

    /// <summary>Writes <paramref name="value"/> as a glob that matches it literally; returns the characters written.</summary>
    private static int EscapeGlob(string value, Span<char> destination)
    {
        var written = 0;
        foreach (var c in value)
        {
            if (c < 0x80 && !char.IsAsciiLetterOrDigit(c))
            {
                destination[written++] = '\\';
            }

            destination[written++] = c;
        }

        return written;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as a regular expression that matches it literally, also inside a character
    /// class: every ASCII character other than a letter, digit or '_' is escaped; controls as <c>\uXXXX</c>.
    /// </summary>
    private static int EscapeRegex(string value, Span<char> destination)
    {
        var written = 0;
        foreach (var c in value)
        {
            if (c < 0x20 || c == 0x7F)
            {
                destination[written++] = '\\';
                destination[written++] = 'u';
                ((int)c).TryFormat(destination[written..], out var hex, "x4");
                written += hex;
            }
            else if (c < 0x80 && !char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                destination[written++] = '\\';
                destination[written++] = c;
            }
            else
            {
                destination[written++] = c;
            }
        }

        return written;
    }

    [GeneratedRegex(@"\[:\^?[a-z]+:\]", RegexOptions.CultureInvariant)]
    private static partial Regex PosixClass();

    /// <summary>
    /// A literal run (<see cref="Literal"/> set) or a placeholder: a field's value (group 0), a capture group of its
    /// regex, or a label (<see cref="Label"/> ≥ 0: the index of its name; <see cref="Placeholder"/> as written).
    /// </summary>
    private readonly record struct Segment(string? Literal, AclField Field, int Group, int Label, string? Placeholder);
}
