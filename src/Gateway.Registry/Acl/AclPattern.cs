using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Registry.Acl;

/// <summary>
/// One compiled match value: a glob (Go <c>path.Match</c>) or, between slashes, an unanchored regular expression,
/// with placeholders <c>${account}</c>, <c>${type}</c>, <c>${name}</c>, <c>${service}</c> and capture groups such as
/// <c>${account:1}</c> (group 1 of the rule's <c>account</c> regex). A substituted value is always matched
/// literally: it is escaped for the pattern's syntax, so an account named <c>a.*</c> or <c>*</c> cannot widen a rule.
/// Patterns without placeholders are compiled once; with placeholders, globs are rendered into a pooled buffer and
/// regular expressions are compiled per distinct rendering and cached (bounded). Regular expressions run with
/// <see cref="RegexOptions.NonBacktracking"/>: linear time whatever the input, and exactly the RE2 feature set
/// docker_auth's Go patterns can use (no backreferences or lookarounds).
/// </summary>
internal sealed partial class AclPattern
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
    private const int MaxCachedRegexes = 512;

    private readonly Segment[]? _segments;
    private readonly string _pattern;
    private readonly Regex? _regex;
    private readonly ConcurrentDictionary<string, Regex>? _cache;
    private readonly ConcurrentDictionary<string, Regex>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;

    private AclPattern(string raw, bool isRegex, string pattern, Segment[]? segments, Regex? regex, bool usesLabels)
    {
        Raw = raw;
        IsRegex = isRegex;
        _pattern = pattern;
        _segments = segments;
        _regex = regex;
        UsesLabels = usesLabels;
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

    /// <summary>True when the value holds a <c>${labels:…}</c> placeholder: with no labels on any account, it never matches.</summary>
    public bool UsesLabels { get; }

    /// <summary>The compiled expression of a regex value without placeholders (a capture group source); otherwise null.</summary>
    public Regex? StaticRegex => _segments is null ? _regex : null;

    /// <summary>The capture groups the value refers to, e.g. (Account, 1) for <c>${account:1}</c>.</summary>
    public IEnumerable<(AclField Field, int Group)> CaptureReferences =>
        _segments?.Where(s => s.Literal is null && s.Group > 0).Select(s => (s.Field, s.Group)) ?? [];

    /// <summary>Unknown <c>${…}</c> placeholders, which are matched as literal text (as docker_auth leaves them).</summary>
    public IReadOnlyList<string> UnknownPlaceholders { get; private init; } = [];

    /// <summary>Compiles a match value; <paramref name="error"/> says why it cannot be used.</summary>
    public static AclPattern? TryCreate(string raw, out string? error)
    {
        error = null;

        // As docker_auth: a value longer than 2 characters between slashes is a regular expression.
        var isRegex = raw.Length > 2 && raw[0] == '/' && raw[^1] == '/';
        var body = isRegex ? raw[1..^1] : raw;
        var segments = ParseSegments(body, out var usesLabels, out var unknown);
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

            var sample = segments is null ? body : Render(segments, isRegex: true, static (_, _) => "x");
            if (!TryCompile(sample!, out var compiled, out var problem))
            {
                error = $"regular expression {raw}: {problem}";
                return null;
            }

            return new AclPattern(raw, true, body, segments, segments is null ? compiled : null, usesLabels) { UnknownPlaceholders = unknown };
        }

        var glob = segments is null ? body : Render(segments, isRegex: false, static (_, _) => "x")!;
        if (!GlobPattern.IsValid(glob))
        {
            error = $"pattern '{raw}' is not a valid glob (an unclosed '[', an empty class, or a trailing '\\'); use \\ to match [ * ? \\ literally.";
            return null;
        }

        return new AclPattern(raw, false, body, segments, null, usesLabels) { UnknownPlaceholders = unknown };
    }

    /// <summary>
    /// True when <paramref name="value"/> matches. <paramref name="request"/> supplies the placeholder values and
    /// <paramref name="captures"/> the capture groups (by field; null where the source regex did not match).
    /// </summary>
    public bool IsMatch(string value, AclRequest request, string[]?[]? captures)
    {
        if (_segments is null)
        {
            return _regex is null ? GlobPattern.IsMatch(_pattern, value) : _regex.IsMatch(value);
        }

        var length = 0;
        foreach (var segment in _segments)
        {
            if (segment.Literal is not null)
            {
                length += segment.Literal.Length;
                continue;
            }

            var substituted = Resolve(segment, request, captures);
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
                        ? EscapeRegex(Resolve(segment, request, captures)!, buffer.AsSpan(written))
                        : EscapeGlob(Resolve(segment, request, captures)!, buffer.AsSpan(written));
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

    private static string? Resolve(Segment segment, AclRequest request, string[]?[]? captures)
    {
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
    private static Segment[]? ParseSegments(string text, out bool usesLabels, out IReadOnlyList<string> unknown)
    {
        usesLabels = false;
        unknown = [];
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return null;
        }

        var segments = new List<Segment>();
        var unknownList = new List<string>();
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
                    segments.Add(new Segment(literal.ToString(), default, 0));
                    literal.Clear();
                }

                segments.Add(new Segment(null, field, group));
            }
            else
            {
                if (inner.StartsWith("labels:", StringComparison.Ordinal))
                {
                    usesLabels = true;
                }
                else
                {
                    unknownList.Add(text[start..(end + 1)]);
                }

                literal.Append(text, start, end + 1 - start);
            }

            i = end + 1;
        }

        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString(), default, 0));
        }

        unknown = unknownList;
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

    private static string? Render(Segment[] segments, bool isRegex, Func<AclField, int, string> valueOf)
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

            var value = valueOf(segment.Field, segment.Group);
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

    /// <summary>A literal run (<see cref="Literal"/> set) or a placeholder: a field's value (group 0) or a capture group of its regex.</summary>
    private readonly record struct Segment(string? Literal, AclField Field, int Group);
}
